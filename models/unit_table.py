"""Staffing units imported from an Excel or CSV table (planners keep teams, caseloads and
BV in Excel). The instance names the table in `staffing.units_from`; loading the instance
reads it and adds a unit per row to `staffing.units`, so solvers and plan files only ever
see the resolved list.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.staffing import Unit, UnitsSource

UNIT_FIELDS = tuple(Unit.model_fields)


class TableError(Exception):
    """Problems with the table, each naming the file, row or column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _read(path: Path, sheet: str | None):  # -> pandas.DataFrame
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".csv":
        # sep=None sniffs `,` or `;` (German Excel exports use `;`)
        return pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False)
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            names = book.sheetnames
        finally:
            book.close()
        if sheet is not None and sheet not in names:
            raise TableError([f"{path.name}: no sheet {sheet!r}; sheets: {', '.join(names)}"])
        return pd.read_excel(path, sheet_name=sheet or names[0], dtype=object, engine="openpyxl")
    raise TableError([f"{path.name}: unsupported table format {suffix!r}; use .xlsx or .csv"])


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _cell(value: Any) -> Any:
    """Cells as pydantic expects them: text stripped, `1,5` (German decimal comma) -> 1.5,
    whole floats from Excel ids (`3.0`) kept as numbers for numeric fields."""
    if isinstance(value, str):
        text = value.strip()
        if text.replace(",", "", 1).replace(".", "", 1).lstrip("-").isdigit() and "," in text:
            return text.replace(",", ".")
        return text
    return value


def read_units(source: UnitsSource, base: Path) -> list[dict[str, Any]]:
    """The unit records of the table, validated row by row (TableError names row and field)."""
    path = Path(source.path)
    if not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise TableError([f"{source.path}: file not found (looked for {path})"])
    unknown = [f for f in [*source.columns, *source.defaults] if f not in UNIT_FIELDS]
    if unknown:
        raise TableError(
            [f"unknown unit field {f!r}; fields: {', '.join(UNIT_FIELDS)}" for f in unknown]
        )
    try:
        df = _read(path, source.sheet)
    except TableError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds for a broken file
        reason = _excerpt([str(exc)], limit=120)
        raise TableError([f"{path.name}: cannot be read as a table: {reason}"]) from None
    headers = [str(c).strip() for c in df.columns]
    df.columns = headers
    header_of = {f: source.columns.get(f, f) for f in UNIT_FIELDS}
    missing = [h for f, h in source.columns.items() if h not in headers]
    if missing:
        shown = _excerpt(headers)
        raise TableError([f"{path.name}: no column {h!r}; columns: {shown}" for h in missing])
    used = {f: h for f, h in header_of.items() if h in headers}
    if "id" not in used:
        raise TableError([f"{path.name}: no id column (name it `id` or map it in `columns`)"])
    units: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, row in enumerate(df.to_dict("records")):
        line = i + 2  # the header is row 1, as in Excel
        record = {f: v for f, v in source.defaults.items()}
        for f, h in used.items():
            if not _empty(row[h]):
                record[f] = _cell(row[h])
        if set(record) <= set(source.defaults):
            continue  # a blank row
        try:
            units.append(Unit.model_validate(record).model_dump(exclude_defaults=True))
        except ValidationError as exc:
            for e in exc.errors():
                field = ".".join(str(x) for x in e["loc"]) or "row"
                col = used.get(field, field)
                problems.append(f"{path.name} row {line}, column {col!r}: {e['msg']}")
    if problems:
        raise TableError(problems)
    if not units:
        raise TableError([f"{path.name}: the table holds no units"])
    return units


def _excerpt(headers: list[str], limit: int = 80) -> str:
    """The first column names, printable and cut to `limit` characters: a file that is no
    table (a binary, another program's data) would otherwise fill the message."""
    text = ", ".join(headers)
    text = "".join(c if c.isprintable() else "?" for c in text)
    more = len(text) > limit
    text = text[:limit] + (" ..." if more else "")
    return f"{text} ({len(headers)} columns)" if more else text


def resolve_units_from(data: Any, base: Path) -> list[str]:
    """Replace `staffing.units_from` in raw instance data by the table's units (appended to
    `staffing.units`). Returns the problems, each prefixed with the field path."""
    if not isinstance(data, dict):
        return []
    part = data.get("staffing")
    if not isinstance(part, dict) or part.get("units_from") is None:
        return []
    try:
        source = UnitsSource.model_validate(part["units_from"])
    except ValidationError as exc:
        return [
            f"staffing.units_from.{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
            for e in exc.errors()
        ]
    try:
        rows = read_units(source, base)
    except TableError as exc:
        return [f"staffing.units_from: {p}" for p in exc.problems]
    listed = part.get("units") or []
    if not isinstance(listed, list):
        return []  # validation reports it
    part = dict(part)
    part["units"] = [*listed, *rows]
    del part["units_from"]
    data["staffing"] = part
    return []
