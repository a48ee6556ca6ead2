"""Anlage 1 in: the status table the tool writes and offices keep, read back as a snapshot.

A table of modules x groups: the first column holds the session (`Modul`: `1`, `9c`), an
optional `Titel` column is skipped, every other column is a group (`Gruppe 8` or its id).
Tables written in English (`--lang en`: `Module`, `Title`, `Group 8`) read the same.
A cell reads as

- `erl.` done (optionally with the day it took place: `erl. 2026-03-02`, `erl. 02.03.2026`),
- `offen` missed (also `offen → 2026-10-19`, the tool's form of a missed, re-planned one),
- a year (`2027`): to be planned in that year,
- a date (`2026-10-19`, `19.10.2026`, or an Excel date): planned there; the re-plan keeps
  it close when given the previous plan (`--previous`), and keeps it exactly when the
  snapshot already pinned it or the cell says `fest 19.10.2026` (pinned),
- empty: to be planned.

Anything else is an error naming the sheet, the cell (`F7`) and the value, and so are merged
cells, formulas, unknown session rows, missing group columns and empty sheets: an office
fixes the cell, nothing is guessed. What the old snapshot knew and the table cannot say
(the trainer of a done session, its date) is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.common import unknown
from models.instance import Instance
from models.io import InputError
from models.training import SessionStatus

SHEET = "Anlage 1"
MODULE_HEADERS = ("modul", "module", "session", "sitzung")
TITLE_HEADERS = ("titel", "title")
DONE = re.compile(r"^erl\.?(?:\s+(?P<date>\S+))?$", re.IGNORECASE)
OPEN = re.compile(r"^offen(?:\s*(?:→|->)\s*(?P<date>\S+))?$", re.IGNORECASE)
PINNED = re.compile(r"^(?:fest|fix|pinned)\s+(?P<date>\S+)$", re.IGNORECASE)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
YEAR = re.compile(r"^\d{4}$")
CELL_HELP = (
    "write erl. (done, optionally erl. 2026-03-02), offen (missed), a year (2027), a date "
    "(2026-10-19 or 19.10.2026), fest 19.10.2026 (pinned) or leave it empty"
)


@dataclass
class Cell:
    ref: str  # `F7`
    value: Any


def col_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _read_xlsx(path: Path) -> tuple[str, list[list[Cell]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # a damaged or foreign file: say so, no traceback
        raise InputError(path, [f"cannot be read as an Excel workbook (.xlsx): {exc}"]) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    where = f"sheet {ws.title!r}"
    problems = [
        f"{where}, cells {rng.coord}: merged cells; unmerge them and write the value in each cell"
        for rng in ws.merged_cells.ranges
    ]
    rows: list[list[Cell]] = []
    for row in ws.iter_rows():
        cells = []
        for c in row:
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
                problems.append(
                    f"{where}, cell {c.coordinate}: a formula ({str(c.value)[:40]}); "
                    "write the value itself"
                )
            cells.append(Cell(c.coordinate, c.value))
        rows.append(cells)
    if problems:
        raise InputError(path, problems)
    return where, rows


def _read_csv(path: Path) -> tuple[str, list[list[Cell]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, [f"cannot be read as UTF-8 text: {exc}"]) from None
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = [
        [Cell(f"{col_letter(j)}{i}", v) for j, v in enumerate(r, start=1)]
        for i, r in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), start=1)
    ]
    return "the table", rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(text: str) -> dt.date | None:
    """ISO or German (DD.MM.YYYY) day; None if it is neither; ValueError for 31.02.2026."""
    if ISO.match(text):
        return dt.date.fromisoformat(text)
    m = GERMAN.match(text)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def read_table(path: Path) -> tuple[str, list[list[Cell]]]:
    """(where, rows of cells) of an Anlage 1 file: .xlsx (sheet `Anlage 1`, else the first)
    or .csv (`,` or `;`, UTF-8 with or without BOM)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, ["no such file"])
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise InputError(path, [f"expected an .xlsx or .csv file, got {suffix or 'no extension'!r}"])


def _parse(cell: Cell, where: str) -> tuple[str, dt.date | None, int | None] | str:
    """(status, date, year) of a cell, or the problem as text."""
    value = cell.value
    if isinstance(value, dt.datetime):
        return ("date", value.date(), None)
    if isinstance(value, dt.date):
        return ("date", value, None)
    text = _text(value)
    bad = f"{where}, cell {cell.ref}: cannot read {text!r}; {CELL_HELP}"
    if not text:
        return ("empty", None, None)
    try:
        for status, pattern in (("done", DONE), ("missed", OPEN), ("pinned", PINNED)):
            m = pattern.match(text)
            if m:
                day = m.group("date")
                parsed = _date(day) if day else None
                if day and parsed is None:
                    return bad
                return (status, parsed if status != "missed" else None, None)
        if YEAR.match(text):
            return ("year", None, int(text))
        parsed = _date(text)
    except ValueError:
        return f"{where}, cell {cell.ref}: {text!r} is no valid day of the calendar"
    return bad if parsed is None else ("date", parsed, None)


def import_anlage1(
    path: str | Path, instance: Instance, status_date: dt.date | None = None
) -> dict[str, Any]:
    """The snapshot (as instance-file data) an Anlage 1 table gives for `instance`.
    InputError names the sheet, cell and value of everything it cannot read."""
    path = Path(path)
    tr = instance.training
    if tr is None:
        raise InputError(path, ["the instance has no training part, so no Anlage 1"])
    where, rows = read_table(path)
    rows = [r for r in rows if any(_text(c.value) for c in r)]
    if not rows:
        raise InputError(path, [f"{where}, cell A1: the sheet is empty; export Anlage 1 first"])
    header = rows[0]
    problems: list[str] = []
    if _text(header[0].value).lower() not in MODULE_HEADERS:
        problems.append(
            f"{where}, cell {header[0].ref}: expected the header `Modul` above the session "
            f"labels, got {_text(header[0].value)!r}"
        )
    from reports.labels import group_labels

    by_header = {label: gid for gid, label in group_labels(instance, "en").items()}
    by_header |= {label: gid for gid, label in group_labels(instance, "de").items()}
    by_header |= {g.id: g.id for g in instance.organisation.groups}
    columns: dict[int, str] = {}
    for j, c in enumerate(header[1:], start=1):
        text = _text(c.value)
        if j == 1 and text.lower() in TITLE_HEADERS:
            continue
        if not text:
            if any(j < len(r) and _text(r[j].value) for r in rows[1:]):
                problems.append(f"{where}, cell {c.ref}: a column without a group header")
            continue
        if text not in by_header:
            problems.append(f"{where}, cell {c.ref}: " + unknown("group", text, by_header))
            continue
        if by_header[text] in columns.values():
            problems.append(f"{where}, cell {c.ref}: group {text!r} has a second column")
            continue
        columns[j] = by_header[text]
    for g in instance.organisation.groups:
        if g.id not in columns.values():
            label = group_labels(instance)[g.id]
            problems.append(
                f"{where}, row 1: no column for group {label!r}; add it (header {label!r})"
            )
    labels = [label for _, _, label in tr.session_sequence()]
    seen: dict[str, str] = {}
    cells: dict[tuple[str, str], tuple[Cell, tuple]] = {}
    for r in rows[1:]:
        label = _text(r[0].value)
        if label not in labels:
            problems.append(f"{where}, cell {r[0].ref}: " + unknown("session", label, labels))
            continue
        if label in seen:
            problems.append(
                f"{where}, cell {r[0].ref}: session {label!r} again (first in {seen[label]})"
            )
            continue
        seen[label] = r[0].ref
        for j, gid in columns.items():
            cell = r[j] if j < len(r) else Cell(f"{col_letter(j + 1)}{r[0].ref[1:]}", None)
            parsed = _parse(cell, where)
            if isinstance(parsed, str):
                problems.append(parsed)
            else:
                cells[(gid, label)] = (cell, parsed)
    for label in labels:
        if label not in seen:
            problems.append(f"{where}: no row for session {label!r}; add it (column A)")
    if problems:
        raise InputError(path, problems)
    old = tr.status_of()
    day = status_date or (tr.snapshot.date if tr.snapshot else instance.calendar.start)
    entries: list[dict[str, Any]] = []
    for g in instance.organisation.groups:
        for label in labels:
            cell, (status, date, year) = cells[(g.id, label)]
            before = old.get((g.id, label))
            entry: dict[str, Any] = {"group": g.id, "session": label}
            was_pinned = before is not None and before.status == SessionStatus.pinned
            if status == "done":
                entry["status"] = "done"
                if before is not None and before.status == SessionStatus.done:
                    date = date or before.date
                    if before.trainer:
                        entry["trainer"] = before.trainer
                if date is not None:
                    if date > day:
                        raise InputError(
                            path,
                            [
                                f"{where}, cell {cell.ref}: done on {date.isoformat()}, after "
                                f"the status date {day.isoformat()}; give --status-date"
                            ],
                        )
                    entry["date"] = date.isoformat()
            elif status == "missed":
                entry["status"] = "missed"
            elif status == "year":
                entry |= {"status": "planned", "year": year}
            elif status == "pinned" or (status == "date" and was_pinned):
                assert date is not None
                entry["status"] = "pinned"
                if status == "pinned" or before.date is not None:  # type: ignore[union-attr]
                    entry["date"] = date.isoformat()  # a pin of the trainer only stays one
                if was_pinned and before.trainer:  # type: ignore[union-attr]
                    entry["trainer"] = before.trainer  # type: ignore[union-attr]
            else:
                continue  # a date or empty: to be planned (an empty cell releases a pin)
            entries.append(entry)
    return {"date": day.isoformat(), "sessions": entries}


def resolve_snapshot_from(data: Any, base: Path, source: str | Path, bare: bool = False) -> None:
    """Replace `snapshot_from` in raw instance data by the snapshot its Anlage 1 table
    gives (`training.snapshot`), the table read relative to `base` against the instance
    the rest of the data makes (its own `training.snapshot`, if any, as the old status).
    `bare`: the table must be a file name in `base` (no folder, no `..`), for data that
    does not come from the user's own file. InputError (exit 2) names the field, or the
    table's sheet, cell and value."""
    if not isinstance(data, dict) or data.get("snapshot_from") is None:
        return
    from pydantic import ValidationError

    from models.instance import SnapshotFile
    from models.io import validation_problems

    spec = data.pop("snapshot_from")
    try:
        chosen = (
            SnapshotFile(path=spec) if isinstance(spec, str) else SnapshotFile.model_validate(spec)
        )
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise InputError(source, [f"snapshot_from.{p}" for p in problems]) from None
    if not isinstance(data.get("training"), dict):
        raise InputError(source, ["snapshot_from: the instance has no training part"])
    try:
        instance = Instance.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, validation_problems(exc)) from None
    table = Path(chosen.path)
    if bare and (table.name != chosen.path or chosen.path in (".", "..")):
        raise InputError(
            source, [f"snapshot_from: give the bare file name of the table (got {chosen.path!r})"]
        )
    table = table if table.is_absolute() else Path(base) / table
    try:
        snapshot = import_anlage1(table, instance, chosen.date)
    except InputError as exc:
        raise InputError(
            source, [f"snapshot_from {chosen.path}: {p}" for p in exc.problems]
        ) from None
    data["training"] = {**data["training"], "snapshot": snapshot}
