"""Reader of PSPLIB single-mode RCPSP files (`.sm`) and of the optima table beside them.

A malformed file raises `InputError(path, ["line N: ..."])` naming the line.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

from models.io import InputError
from models.rcpsp import RcpspProblem


class KnownMakespan(NamedTuple):
    set: str
    makespan: int
    proven_optimal: bool


class _Lines:
    """The file's lines with 1-based numbers, and errors that name them."""

    def __init__(self, text: str, source: str):
        self.lines = text.splitlines()
        self.source = source

    def error(self, number: int, message: str) -> InputError:
        return InputError(self.source, [f"line {number}: {message}"])

    def find(self, prefix: str, after: int = 0) -> int:
        """1-based number of the first line from `after` on that starts with prefix, or 0."""
        for k in range(after, len(self.lines)):
            if self.lines[k].strip().startswith(prefix):
                return k + 1
        return 0

    def text(self, number: int, what: str) -> str:
        if number > len(self.lines):
            raise self.error(number, f"the file ends; expected {what}")
        return self.lines[number - 1]

    def ints(self, number: int, what: str, text: str | None = None) -> list[int]:
        line = self.text(number, what) if text is None else text
        out = []
        for field in line.split():
            try:
                out.append(int(field))
            except ValueError:
                raise self.error(
                    number, f"{field!r} is not an integer (in {what}: {line.strip()!r})"
                ) from None
        return out

    def header_value(self, prefix: str, what: str) -> int:
        number = self.find(prefix)
        if not number:
            raise self.error(len(self.lines) + 1, f"missing header line {prefix!r} ({what})")
        line = self.lines[number - 1]
        value = line.split(":", 1)[1].split() if ":" in line else []
        if not value:
            raise self.error(number, f"no value for {what}")
        return self.ints(number, what, value[0])[0]


def _section(lines: _Lines, header: str, after: int) -> int:
    """Line number of a section header found after line `after` (sections come in order)."""
    number = lines.find(header, after)
    if not number:
        where = f"after line {after}" if after else "in the file"
        raise lines.error(after + 1, f"missing section {header!r} (expected {where})")
    return number


def parse_sm(text: str, source: str = "<psplib>", name: str = "") -> RcpspProblem:
    """The problem of a single-mode `.sm` text; InputError naming the line if malformed."""
    lines = _Lines(text, source)
    n = lines.header_value("jobs (incl. supersource/sink", "the number of jobs")
    horizon = lines.header_value("horizon", "the horizon")
    k = lines.header_value("- renewable", "the number of renewable resources")
    if n < 2:
        raise lines.error(lines.find("jobs (incl."), f"{n} jobs; source and sink are needed")

    critical_path = None
    info = lines.find("PROJECT INFORMATION:")
    if info:
        row = lines.ints(info + 2, "the project information")
        if len(row) >= 6:
            critical_path = row[5]

    # PRECEDENCE RELATIONS: header line, then one line per job
    successors: list[list[int]] = []
    precedence = _section(lines, "PRECEDENCE RELATIONS:", 0)
    first = precedence + 2
    for j in range(1, n + 1):
        number = first + j - 1
        what = f"the precedence line of job {j} of {n}"
        row = lines.ints(number, what)
        if len(row) < 3 or row[0] != j:
            raise lines.error(number, f"expected {what} (jobnr. #modes #successors ...)")
        if row[1] != 1:
            raise lines.error(number, f"job {j} has {row[1]} modes; only single-mode is read")
        if len(row) != 3 + row[2]:
            raise lines.error(
                number, f"job {j} declares {row[2]} successors but lists {len(row) - 3}"
            )
        bad = [s for s in row[3:] if not 1 <= s <= n]
        if bad:
            raise lines.error(number, f"job {j} has unknown successor {bad[0]} (jobs 1..{n})")
        successors.append([s - 1 for s in row[3:]])

    # REQUESTS/DURATIONS: header line, dashes, then one line per job
    durations: list[int] = []
    demands: list[list[int]] = []
    first = _section(lines, "REQUESTS/DURATIONS:", first + n - 1) + 3
    if not lines.text(first - 1, "a line of dashes").strip().startswith("-"):
        raise lines.error(first - 1, "expected the line of dashes under the column headings")
    for j in range(1, n + 1):
        number = first + j - 1
        what = f"the request line of job {j} of {n}"
        row = lines.ints(number, what)
        if len(row) != 3 + k or row[0] != j:
            raise lines.error(number, f"expected {what}: jobnr. mode duration and {k} demands")
        if min(row[2:]) < 0:
            raise lines.error(number, f"job {j} has a negative duration or demand")
        durations.append(row[2])
        demands.append(row[3:])

    # RESOURCEAVAILABILITIES: header line, then the capacities
    number = _section(lines, "RESOURCEAVAILABILITIES:", first + n - 1) + 2
    capacities = lines.ints(number, f"the {k} resource capacities")
    if len(capacities) != k:
        raise lines.error(number, f"expected {k} resource capacities, found {len(capacities)}")
    for j, dem in enumerate(demands):
        for r, (d, cap) in enumerate(zip(dem, capacities)):
            if d > cap:
                raise lines.error(
                    first + j, f"job {j + 1} needs {d} of resource {r + 1}, capacity {cap}"
                )

    problem = RcpspProblem(
        name=name or Path(source).stem,
        durations=durations,
        successors=successors,
        capacities=capacities,
        demands=demands,
        horizon=horizon,
        critical_path=critical_path,
    )
    try:
        problem.topological_order()
    except ValueError:
        raise lines.error(precedence, "the precedence relation has a cycle") from None
    return problem


def read_sm(path: str | Path) -> RcpspProblem:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(p, [f"cannot be read: {exc}"]) from None
    return parse_sm(text, str(p), p.stem)


def read_optima(path: str | Path) -> dict[str, KnownMakespan]:
    """instance stem -> best known makespan, from `optima.csv` (give it or its folder)."""
    p = Path(path)
    if p.is_dir():
        p = p / "optima.csv"
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(p, [f"cannot be read: {exc}"]) from None
    out: dict[str, KnownMakespan] = {}
    reader = csv.DictReader(text.splitlines())
    missing = {"set", "instance", "makespan", "proven_optimal"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(p, [f"line 1: missing columns {', '.join(sorted(missing))}"])
    for number, row in enumerate(reader, start=2):
        try:
            makespan = int(row["makespan"])
        except (TypeError, ValueError):
            raise InputError(
                p, [f"line {number}: makespan {row['makespan']!r} is not an integer"]
            ) from None
        proven = str(row["proven_optimal"]).strip().lower() == "true"
        out[row["instance"]] = KnownMakespan(row["set"], makespan, proven)
    return out
