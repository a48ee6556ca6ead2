"""Anlage 1, regenerated: the status of every session of every group (modules x groups).

The seed document marks sessions `erl.` (done), `offen` (missed) or with the planned year;
the regenerated table keeps `erl.`, replaces the year by the planned date and shows a missed
session that is now re-planned as `offen → <date>`, so the reader sees what was caught up.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from models.instance import Instance
from models.plan import PlannedSession, TrainingPlan
from models.training import SessionStatus
from reports.labels import group_labels

DONE = "erl."
OPEN = "offen"
ARROW = " → "
MODULE_COL = "Modul"
TITLE_COL = "Titel"

CellKind = Literal["done", "planned", "replanned", "open", "empty"]


def _cell(session: PlannedSession | None, done_at_snapshot: bool, years_only: bool) -> str:
    if session is None or (session.status == "planned" and session.start is None):
        # a done session is a fact, even if a plan left it out
        return DONE if done_at_snapshot else OPEN
    if session.status == "done":
        return DONE
    assert session.start is not None
    when = str(session.start.year) if years_only else session.start.isoformat()
    return f"{OPEN}{ARROW}{when}" if session.was_missed else when


def _table(instance: Instance, plan: TrainingPlan, years_only: bool) -> pd.DataFrame:
    tr = instance.training
    headers = group_labels(instance)
    columns = [MODULE_COL, TITLE_COL, *headers.values()]
    if tr is None:
        return pd.DataFrame(columns=columns)
    by_key = plan.by_key()
    status = tr.status_of()
    rows = []
    for module, _, label in tr.session_sequence():
        row = {MODULE_COL: label, TITLE_COL: module.title}
        for gid, header in headers.items():
            entry = status.get((gid, label))
            done = entry is not None and entry.status == SessionStatus.done
            row[header] = _cell(by_key.get((gid, label)), done, years_only)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def anlage1_table(instance: Instance, plan: TrainingPlan) -> pd.DataFrame:
    """Rows: sessions in training order; columns: Modul, Titel, one per group; dates."""
    return _table(instance, plan, years_only=False)


def anlage1_years(instance: Instance, plan: TrainingPlan) -> pd.DataFrame:
    """Same shape as `anlage1_table`, planned cells show only the year (the seed's form)."""
    return _table(instance, plan, years_only=True)


def cell_kind(text: str) -> CellKind:
    """How a cell reads, for colouring it in HTML and Excel."""
    if text == DONE:
        return "done"
    if text == OPEN:
        return "open"
    if text.startswith(OPEN + ARROW):
        return "replanned"
    return "planned" if text else "empty"


def group_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in (MODULE_COL, TITLE_COL)]
