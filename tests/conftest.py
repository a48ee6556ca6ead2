"""Shared fixtures: the bundled instance as a dict, writing variants of it, running `juwe`."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from cli.main import cli
from instances import bundled_path

DELETE = "<delete this field>"
"""As a value for `set_field`: remove the field."""


@cache
def _bremen() -> dict[str, Any]:
    return yaml.safe_load(bundled_path().read_text(encoding="utf-8"))


@pytest.fixture
def bremen_data() -> dict[str, Any]:
    """A fresh, mutable copy of the bundled bremen-2016 instance as plain data."""
    return copy.deepcopy(_bremen())


def set_field(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set (or with DELETE remove) the field at `path`, e.g. 'training.modules[1].days'."""
    keys: list[str | int] = [
        int(k[1:-1]) if k.startswith("[") else k for k in re.findall(r"\[\d+\]|[^.\[\]]+", path)
    ]
    *parents, last = keys
    node: Any = data
    for key in parents:
        node = node[key]
    if value == DELETE:
        del node[last]
    else:
        node[last] = value
    return data


@pytest.fixture
def write_instance(tmp_path: Path) -> Callable[..., Path]:
    """Dump instance data (with optional field changes) as YAML into tmp_path."""

    def write(
        data: dict[str, Any], changes: dict[str, Any] | None = None, name: str = "instance.yaml"
    ) -> Path:
        data = copy.deepcopy(data)
        for path, value in (changes or {}).items():
            set_field(data, path, value)
        target = tmp_path / name
        target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        return target

    return write


def _runner() -> Callable[..., Result]:
    runner = CliRunner()

    def run(*args: Any) -> Result:
        return runner.invoke(cli, [str(a) for a in args], prog_name="juwe")

    return run


@pytest.fixture
def juwe() -> Callable[..., Result]:
    """Run the `juwe` command in-process: juwe("validate", path) -> click Result."""
    return _runner()


@pytest.fixture(scope="module")
def juwe_module() -> Callable[..., Result]:
    """`juwe` for module-scoped fixtures (one expensive run shared by a module's tests)."""
    return _runner()


def _leftovers(out: Path) -> list[Path]:
    found = [out] if out.exists() else []
    if out.parent.is_dir():
        found += sorted(out.parent.glob(f".{out.name}.juwe-*"))
    return found


@pytest.fixture
def leftovers() -> Callable[[Path], list[Path]]:
    """leftovers(out): the output folder and any staging folder (`.NAME.juwe-*`) beside it."""
    return _leftovers


@pytest.fixture
def assert_input_error() -> Callable[..., None]:
    """Exit code 2, every fragment in the message, and never a traceback."""

    def check(result: Result, *fragments: str) -> None:
        text = result.output
        assert result.exit_code == 2, f"exit {result.exit_code}, output:\n{text}"
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in text
        for fragment in fragments:
            assert fragment in text, f"{fragment!r} not in message:\n{text}"

    return check
