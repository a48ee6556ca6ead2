"""What a re-plan moved: changes.csv, the Changes sheet of plan.xlsx and the report section.

All three come from the plan's `revision` (written by `juwe plan --previous`), so
`juwe report` rebuilds them from plan.json alone; `juwe diff` writes the same table for any
two plans.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from models.diff import CHANGE_COLUMNS, change_rows
from models.plan import Revision
from reports.i18n import Lang, label
from reports.tables import write_csv

CHANGES_CSV = "changes.csv"
KIND_TITLES = {
    "session": "Sessions: old and new date and trainer",
    "group": "Groups: old and new finishing date",
    "task": "Rollout tasks: old and new dates",
    "posting": "Staffing: changed postings (BV per unit and month)",
}


def changes_table(changes: dict[str, Any]) -> pd.DataFrame:
    """One row per change (columns `models.diff.CHANGE_COLUMNS`); empty cells stay empty."""
    df = pd.DataFrame(change_rows(changes), columns=CHANGE_COLUMNS)
    for column in ("days",):
        df[column] = df[column].astype("Int64")
    return df


def write_changes_csv(changes: dict[str, Any], path: Path) -> Path:
    return write_csv(changes_table(changes), path)


def _counts(changes: dict[str, Any]) -> str:
    c = changes.get("changed", {})
    return (
        f"{c.get('sessions', 0)} sessions, {c.get('groups', 0)} finishing dates of groups, "
        f"{c.get('tasks', 0)} rollout tasks and {c.get('staffing', 0)} postings changed"
    )


def changes_html(revision: Revision, lang: Lang = "en") -> str:
    """The report section: counts, then one table per kind of change that has rows."""
    df = changes_table(revision.changes)
    parts = [
        f"<h2 id='changes'>{label('changes', lang)}</h2>",
        f"<p>Compared with <code>{escape(revision.previous)}</code>: "
        f"{escape(_counts(revision.changes))}. The same rows are in changes.csv and in the "
        "Changes sheet of plan.xlsx.</p>",
    ]
    if df.empty:
        parts.append("<p>Nothing moved: the re-plan keeps every date and trainer.</p>")
        return "\n".join(parts)
    for kind, title in KIND_TITLES.items():
        rows = df[df["kind"] == kind].drop(columns=["kind"])
        if rows.empty:
            continue
        rows = rows.dropna(axis=1, how="all")
        parts.append(f"<h3>{escape(title)}</h3>")
        parts.append(rows.to_html(index=False, na_rep="", border=0, classes="data", escape=True))
    return "\n".join(parts)
