"""training_sessions.csv: the plan as one flat table a planner can filter in Excel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.plan import TrainingPlan
from reports.cells import csv_safe

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


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """UTF-8, '\\n' line ends, no index: the same bytes on every platform; text cells
    that a spreadsheet would run as a formula get a leading `'` (`reports.cells`)."""
    csv_safe(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_sessions_csv(plan: TrainingPlan, path: Path) -> Path:
    return write_csv(sessions_table(plan), path)
