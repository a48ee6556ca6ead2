"""User text into spreadsheet cells, never as a formula.

A module title, group id or any other name can start with `=` (`=HYPERLINK(...)`): openpyxl
would store it as a live formula, and Excel would run it. Every cell a user's text reaches
is written through `text_row`, which keeps strings as text cells. Control characters that
the xlsx format cannot hold (validation rejects them in instance files; an older plan.json
may still carry them) are replaced by U+FFFD so a report is still written.

CSV files get the usual defence against formula injection: a text cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which Excel and
LibreOffice show as text. Numbers (also negative ones), dates and empty cells stay as
they are: only strings that are not numbers are changed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

from models.instance import Instance

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """`value` without the control characters an xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def text_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append a row; strings become text cells (never formulas), other values as given."""
    # cells made here, not looked up after `append`: `ws[ws.max_row]` scans every cell of
    # the sheet, which made writing a sheet quadratic in its rows (write_plan_xlsx for a
    # Bremen plan 1.46-1.62 s before, 0.42-0.44 s after)
    ws.append([_text_cell(ws, v) if isinstance(v, str) else v for v in values])


def _text_cell(ws: Worksheet, value: str) -> Cell:
    cell = Cell(ws, value=clean_text(value))
    cell.data_type = "s"  # also when it starts with "=": text, never a formula
    return cell


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text.replace(",", ".")))
    except ValueError:
        return False


def csv_text(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula (see the module docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell, and the column names, through `csv_text`."""
    out = df.copy()
    for column in out.columns:
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_text)
    out.columns = [csv_text(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def plan_stamp(instance: Instance) -> dt.datetime:
    """The time a plan's files carry (workbook created/modified, calendar DTSTAMP): the
    snapshot date of the training part (midnight, UTC), else the start of the horizon. Not
    the wall clock, so the same plan gives the same bytes; a re-plan with a later snapshot
    is newer."""
    training = instance.training
    day = training.snapshot.date if training is not None and training.snapshot else None
    day = day or instance.calendar.start
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def save_workbook(wb: Workbook, path: Path, stamp: dt.datetime) -> Path:
    """`wb.save(path)` with the same bytes for the same content: openpyxl stamps the
    modification time (docProps/core.xml) and every zip entry with the wall clock; both
    get `stamp` instead."""
    naive = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.created = naive
    buffer = io.BytesIO()
    wb.save(buffer)
    iso = naive.strftime("%Y-%m-%dT%H:%M:%SZ")
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=naive.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return path
