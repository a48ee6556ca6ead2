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

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """`value` without the control characters an xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def text_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append a row; strings become text cells (never formulas), other values as given."""
    row = [clean_text(v) if isinstance(v, str) else v for v in values]
    ws.append(row)
    for cell, value in zip(ws[ws.max_row], row):
        if isinstance(value, str):
            cell.data_type = "s"


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
