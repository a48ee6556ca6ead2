"""Fuzz tests of the instance loaders (issue 17): whatever a user's file holds, `juwe
validate` ends with exit 0, 2, 3 or 4 and a message, never a traceback, and within bounds.

Bounds, for an input of at most K = 64 KB (Bremen's 30 KB YAML plus the mutation):
N = 10 s of wall time and M = 300 MB of peak Python allocation (tracemalloc) per input.
Measured (81 inputs up to 30 KB, the alias bomb included): at most 3.6 s and 9 MB peak
per input on a machine loaded with two other test runs; the alias bomb is refused after
composing at most 200,000 nodes. Each test runs 30 examples without a deadline; the peak
memory is traced on every fifth input and on the alias bomb (tracing makes a validation
about four times slower: 66 s for both fuzz tests with every input traced, here; 34 s
with 40 examples and every third traced, which was too much of the suite's 10 minutes).
"""

from __future__ import annotations

import copy
import datetime as dt
import time
import tracemalloc
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import cli
from instances import bundled_path

K_BYTES = 64_000
N_SECONDS = 10.0
M_BYTES = 300_000_000
ALLOWED = {0, 2, 3, 4}
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@cache
def _bremen_text() -> str:
    return bundled_path("bremen-2016").read_text(encoding="utf-8")


@cache
def _bremen() -> dict[str, Any]:
    return yaml.safe_load(_bremen_text())


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):  # the first few entries of every list
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(_bremen())

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([10**18, -1, 0, 2**63, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(['=HYPERLINK("x")', "a\x07b", "[/x]", "9999-12-31", "2016-02-30", ""]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _validate(path: Path, *, trace: bool = True) -> tuple[int, str, float, int]:
    """Exit code, output, seconds and peak bytes of `juwe validate path` (peak 0 when not
    `trace`)."""
    runner = CliRunner()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    peak = 0
    try:
        result = runner.invoke(cli, ["validate", str(path)], prog_name="juwe")
        seconds = time.perf_counter() - t0
        if trace:
            _, peak = tracemalloc.get_traced_memory()
    finally:
        if trace:
            tracemalloc.stop()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}:\n{result.output}")
    return result.exit_code, result.output, seconds, peak


MEASURED: list[tuple[float, int, int]] = []  # (seconds, peak bytes, input bytes)


def _check(path: Path) -> None:
    """Every input: exit code, no traceback, time; every fifth input (the first included)
    also its peak memory (see the module docstring for why not every input)."""
    assert path.stat().st_size <= K_BYTES
    code, output, seconds, peak = _validate(path, trace=len(MEASURED) % 5 == 0)
    MEASURED.append((seconds, peak, path.stat().st_size))
    assert code in ALLOWED, f"exit {code}:\n{output}"
    assert "Traceback" not in output, output
    assert seconds < N_SECONDS, f"{seconds:.1f} s"
    assert peak < M_BYTES, f"{peak / 1e6:.0f} MB"


@FUZZ
@given(index=st.integers(min_value=0, max_value=len(PATHS) - 1), value=VALUES)
def test_fuzz_model_fields(tmp_path_factory, index: int, value: Any) -> None:
    """Bremen with one field (at a random path) set to a random value of a random type."""
    data = copy.deepcopy(_bremen())
    *parents, last = PATHS[index]
    node: Any = data
    for key in parents:
        node = node[key]
    node[last] = value
    path = tmp_path_factory.mktemp("fuzz") / "instance.yaml"
    # libyaml's dumper where present: the pure-Python one costs about as much as a validation
    text = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
    path.write_text(text, "utf-8")
    _check(path)


SNIPPETS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "&a [*a]",
            "*nowhere",
            "!!python/object:os.system x",
            "!!int x",
            "<<: *a",
            "[" * 300,
            "{a: &b [1, 2], c: [*b, *b, *b]}",
            ": : :",
            "\t- x",
            "2016-02-30",
            ".inf",
            "-.nan",
            "1e400",
        ]
    ),
)


@FUZZ
@given(line=st.integers(min_value=0, max_value=600), snippet=SNIPPETS, keep=st.booleans())
def test_fuzz_yaml_text(tmp_path_factory, line: int, snippet: str, keep: bool) -> None:
    """Bremen's YAML text with a random snippet put in (or over) a random line."""
    lines = _bremen_text().splitlines()
    at = min(line, len(lines))
    if keep or at == len(lines):
        lines.insert(at, snippet)
    else:
        head, sep, _ = lines[at].partition(": ")
        lines[at] = f"{head}{sep}{snippet}" if sep else snippet
    path = tmp_path_factory.mktemp("fuzz") / "instance.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(path)


def test_fuzz_alias_bomb_bounds() -> None:
    """The worst case the loader meets: ten levels of nine aliases (9**10 values)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("calendar: *a9")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, output, seconds, peak = _validate(path)
    assert code == 2 and "aliases" in output
    assert seconds < N_SECONDS and peak < M_BYTES
    MEASURED.append((seconds, peak, len("\n".join(lines))))
    worst_s = max(m[0] for m in MEASURED)
    worst_mb = max(m[1] for m in MEASURED) / 1e6
    largest_kb = max(m[2] for m in MEASURED) / 1e3
    print(
        f"fuzz: {len(MEASURED)} inputs up to {largest_kb:.0f} KB, worst {worst_s:.2f} s, "
        f"{worst_mb:.0f} MB peak"
    )
