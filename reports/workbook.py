"""plan.xlsx: every table of a plan in one workbook, a sheet per table.

The sheets hold the same rows and columns as the CSV files (sessions, Anlage 1, staffing
table, allocation, timeline, rollout tasks, Anlage 2, changes), sheet names, headers and
cell words in the language of the plan's files (`reports.i18n`); headers are bold and
frozen, columns sized to their content, dates are real Excel dates (shown as DD.MM.YYYY)
and numbers are numbers, so planners can sort, filter and sum right away.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.plan import PlanFile
from reports.anlage1 import anlage1_table
from reports.cells import plan_stamp, save_workbook, text_row
from reports.changes import CHANGES_CSV, changes_table
from reports.i18n import Lang, localize, sheet, value
from reports.rollout import anlage2_table, rollout_tasks_table
from reports.staffing import allocation_table, staffing_table, timeline_table
from reports.tables import sessions_table

DATE_FORMAT = "DD.MM.YYYY"
DATE_COLUMNS = ("start", "end", "date")
MAX_WIDTH = 60


def plan_tables(
    plan_file: PlanFile, lang: Lang | None = None
) -> dict[str, tuple[str, pd.DataFrame]]:
    """Canonical sheet name -> (the CSV file with the same rows, the table with canonical
    columns), for the parts planned; Anlage 1 and the change words in `lang` (default:
    Anlage 1 German as filed, the words English). The web service serves these as they are."""
    inst = plan_file.instance
    out: dict[str, tuple[str, pd.DataFrame]] = {}
    t = plan_file.training
    if t is not None and t.plan is not None:
        out["Sessions"] = ("training_sessions.csv", sessions_table(t.plan))
        out["Anlage 1"] = (
            "anlage1.csv",
            anlage1_table(inst, t.plan, "de" if lang is None else lang),
        )
    s = plan_file.staffing
    if s is not None and s.plan is not None:
        out["Staffing table"] = ("staffing_table.csv", staffing_table(inst, s.plan))
        out["Allocation"] = ("staffing_allocation.csv", allocation_table(inst, s.plan))
        out["Timeline"] = ("staffing_timeline.csv", timeline_table(inst, s.plan))
    r = plan_file.rollout
    if r is not None and r.plan is not None:
        out["Rollout tasks"] = ("rollout_tasks.csv", rollout_tasks_table(r.plan))
        out["Anlage 2"] = ("anlage2.csv", anlage2_table(inst, r.plan))
    if plan_file.revision is not None:
        out["Changes"] = (CHANGES_CSV, changes_table(plan_file.revision.changes, lang or "en"))
    return out


def _cell(value: object, column: str) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    dated = column in DATE_COLUMNS or column.endswith(("_start", "_end"))
    if dated and isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    if hasattr(value, "item"):  # numpy scalars -> Python numbers
        return value.item()
    return value


def _localized(value_: object, column: str, lang: Lang) -> object:
    cell = _cell(value_, column)
    return value(cell, column, lang) if isinstance(cell, str) else cell


def write_plan_xlsx(plan_file: PlanFile, path: Path, lang: Lang | None = None) -> Path:
    lang = lang or plan_file.instance.language
    wb = Workbook()
    wb.remove(wb.active)
    for name, (_csv, df) in plan_tables(plan_file, lang).items():
        ws = wb.create_sheet(sheet(name, lang))
        canonical = [str(c) for c in df.columns]
        columns = [str(c) for c in localize(df.head(0), lang).columns]
        text_row(ws, columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for row in df.itertuples(index=False):
            text_row(ws, [_localized(v, c, lang) for v, c in zip(row, canonical)])
        widths = [len(c) for c in columns]
        for col_cells in ws.iter_cols(min_row=2):
            for cell in col_cells:
                i = cell.column - 1
                if isinstance(cell.value, dt.date):
                    cell.number_format = DATE_FORMAT
                    widths[i] = max(widths[i], 10)
                elif cell.value is not None:
                    widths[i] = max(widths[i], len(str(cell.value)))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, w + 2)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    if not wb.sheetnames:
        text_row(wb.create_sheet(sheet("Plan", lang)), ["No part of the instance was planned."])
    save_workbook(wb, path, plan_stamp(plan_file.instance))
    return path
