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
from reports.i18n import Lang, column
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


def _table(instance: Instance, plan: TrainingPlan, years_only: bool, lang: Lang) -> pd.DataFrame:
    tr = instance.training
    headers = group_labels(instance, lang)
    module_col, title_col = column(MODULE_COL, lang), column(TITLE_COL, lang)
    columns = [module_col, title_col, *headers.values()]
    if tr is None:
        return pd.DataFrame(columns=columns)
    by_key = plan.by_key()
    status = tr.status_of()
    rows = []
    for module, _, label in tr.session_sequence():
        row = {module_col: label, title_col: module.title}
        for gid, header in headers.items():
            entry = status.get((gid, label))
            done = entry is not None and entry.status == SessionStatus.done
            row[header] = _cell(by_key.get((gid, label)), done, years_only)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def anlage1_table(instance: Instance, plan: TrainingPlan, lang: Lang = "de") -> pd.DataFrame:
    """Rows: sessions in training order; columns: Modul, Titel, one per group (`Gruppe 8`;
    in English Module, Title, `Group 8`); dates. The cells read the same in both languages
    (`erl.`, `offen`: the document's words, explained in the glossary)."""
    return _table(instance, plan, years_only=False, lang=lang)


def anlage1_years(instance: Instance, plan: TrainingPlan, lang: Lang = "de") -> pd.DataFrame:
    """Same shape as `anlage1_table`, planned cells show only the year (the seed's form)."""
    return _table(instance, plan, years_only=True, lang=lang)


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
    """The group columns of an Anlage 1 frame: all but the first two (module, title)."""
    return [str(c) for c in df.columns[2:]]
