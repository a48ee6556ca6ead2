"""Plans as pandas DataFrames with real dates, for notebooks (`plan.to_frame()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from models.plan import TrainingPlan
    from models.rollout import RolloutPlan
    from models.staffing import StaffingPlan

TRAINING_COLUMNS = [
    "group", "module", "repetition", "session", "start", "end", "trainer", "status", "was_missed"
]  # fmt: skip
STAFFING_COLUMNS = ["category", "tranche", "unit", "bv", "release_month", "post_month"]
ROLLOUT_COLUMNS = ["family", "task", "unit", "title", "start", "end", "resources"]


def _dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for c in columns:
        df[c] = pd.to_datetime(df[c])
    return df


def training_frame(plan: TrainingPlan) -> pd.DataFrame:
    """One row per session in plan order; start/end as datetime64 (NaT where unknown)."""
    rows = [s.model_dump() for s in plan.sessions]
    return _dates(pd.DataFrame(rows, columns=TRAINING_COLUMNS), "start", "end")


def staffing_frame(plan: StaffingPlan) -> pd.DataFrame:
    """One row per allocation; months as the first day of the month (datetime64)."""
    rows = [a.model_dump() for a in plan.allocations]
    return _dates(pd.DataFrame(rows, columns=STAFFING_COLUMNS), "release_month", "post_month")


def rollout_frame(plan: RolloutPlan) -> pd.DataFrame:
    """One row per task (per centre for per-unit tasks); resources as a dict per row."""
    rows = [t.model_dump() for t in plan.tasks]
    return _dates(pd.DataFrame(rows, columns=ROLLOUT_COLUMNS), "start", "end")
