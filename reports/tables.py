"""training_sessions.csv: the plan as one flat table a planner can filter in Excel."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Literal

import pandas as pd

from models.plan import TrainingPlan
from reports.cells import csv_safe
from reports.i18n import COLUMNS, Lang, localize

SESSION_COLUMNS = ["group", "module", "repetition", "session", "start", "end", "trainer", "status"]


def sessions_table(plan: TrainingPlan) -> pd.DataFrame:
    """One row per session in plan order; ISO dates, empty cells where a value is unknown."""
    rows = [
        {
            "group": s.group,
            "module": s.module,
            "repetition": s.repetition,
            "session": s.session,
            "start": s.start.isoformat() if s.start else "",
            "end": s.end.isoformat() if s.end else "",
            "trainer": s.trainer or "",
            "status": s.status,
        }
        for s in plan.sessions
    ]
    return pd.DataFrame(rows, columns=SESSION_COLUMNS)


def write_csv(df: pd.DataFrame, path: Path, lang: Lang | None = None) -> Path:
    """UTF-8, '\\n' line ends, no index: the same bytes on every platform; text cells
    that a spreadsheet would run as a formula get a leading `'` (`reports.cells`). With
    `lang`, the canonical headers and cell words in that language (`reports.i18n`)."""
    table = df if lang is None else localize(df, lang)
    csv_safe(table).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


CsvDialect = Literal["standard", "excel-de"]
CSV_DIALECTS = ("standard", "excel-de")
ID_COLUMNS = frozenset(
    {
        "group",
        "session",
        "module",
        "Modul",
        "trainer",
        "family",
        "task",
        "unit",
        "Familie",
        "Aufgabe",
        "area",
        "category",
        "kind",
        "change",
        "month",
    }
)
ID_COLUMNS |= {COLUMNS[c][lang] for c in ID_COLUMNS if c in COLUMNS for lang in COLUMNS[c]}
"""Columns of ids and labels (in either language): `1.2` there is a name, not a number,
and stays as it is."""
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def to_excel_de(path: Path) -> Path:
    """Rewrite a CSV file for a German Excel, which opens it with a double click: UTF-8 with
    a byte order mark (else umlauts break), `;` between cells (`,` is its decimal mark) and
    decimal numbers with a comma (`2,5`); texts and ISO dates stay as they are."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0] if rows else []
    numeric = [name not in ID_COLUMNS for name in header]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        for n, row in enumerate(rows):
            writer.writerow(
                [
                    v.replace(".", ",")
                    if n and j < len(numeric) and numeric[j] and _DECIMAL.match(v)
                    else v
                    for j, v in enumerate(row)
                ]
            )
    return path


def write_sessions_csv(plan: TrainingPlan, path: Path, lang: Lang | None = None) -> Path:
    return write_csv(sessions_table(plan), path, lang)
