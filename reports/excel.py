"""anlage1.xlsx: Anlage 1 as a workbook the project office can format and print further.

Sheet 1 holds the date form (the same cells as anlage1.csv), sheet 2 the year form of the
seed document. Cells are text, except the bare years of sheet 2, which are numbers so that
Excel does not flag them as "number stored as text".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.instance import Instance
from models.plan import TrainingPlan
from reports.anlage1 import anlage1_table, anlage1_years, cell_kind
from reports.cells import plan_stamp, save_workbook, text_row
from reports.i18n import Lang, sheet

SHEET_DATES = "Anlage 1"
SHEET_YEARS = "Anlage 1 (Jahre)"
MAX_WIDTH = 60

FILLS = {
    "done": PatternFill("solid", fgColor="C6EFCE"),
    "open": PatternFill("solid", fgColor="FFC58A"),
    "replanned": PatternFill("solid", fgColor="FFE4C4"),
}


def _fill_sheet(ws: Worksheet, df: pd.DataFrame, numeric_years: bool) -> None:
    text_row(ws, [str(c) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for values in df.itertuples(index=False):
        text_row(ws, [int(v) if numeric_years and str(v).isdigit() else v for v in values])
    title_idx = 2  # module, title, then the groups
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column == title_idx:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                continue
            fill = FILLS.get(cell_kind(str(cell.value or "")))
            if fill is not None and cell.column > 2:
                cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="top")
    for idx, column in enumerate(df.columns, start=1):
        longest = max([len(str(column)), *(len(str(v)) for v in df[column])])
        ws.column_dimensions[get_column_letter(idx)].width = min(longest + 2, MAX_WIDTH)
    ws.freeze_panes = "B2"  # header row and first column stay visible


def write_anlage1_xlsx(
    instance: Instance, plan: TrainingPlan, path: Path, lang: Lang | None = None
) -> Path:
    lang = lang or instance.language
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet(SHEET_DATES, lang)
    _fill_sheet(ws, anlage1_table(instance, plan, lang), numeric_years=False)
    years = wb.create_sheet(sheet(SHEET_YEARS, lang))
    _fill_sheet(years, anlage1_years(instance, plan, lang), numeric_years=True)
    save_workbook(wb, path, plan_stamp(instance))
    return path
