"""What a re-plan moved: changes.csv, the Changes sheet of plan.xlsx and the report section.

All three come from the plan's `revision` (written by `juwe plan --previous`), so
`juwe report` rebuilds them from plan.json alone; `juwe diff` writes the same table for any
two plans. A session that was planned and is now done reads `done` (`erledigt`), not
`no longer planned`: it took place, it was not dropped.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from models.plan import Revision
from reports.i18n import Lang, label, localize
from reports.tables import write_csv

CHANGES_CSV = "changes.csv"
KINDS = ("session", "group", "task", "posting")

CHANGE_COLUMNS = [
    "kind",
    "change",
    "group",
    "session",
    "family",
    "task",
    "unit",
    "month",
    "old_start",
    "old_end",
    "new_start",
    "new_end",
    "old_trainer",
    "new_trainer",
    "old_status",
    "new_status",
    "days",
    "old_bv",
    "new_bv",
]
"""changes.csv: one row per change; `kind` is session, group, task or posting, `change`
says it in words (a planner filters by kind and reads the change)."""


def _days(old: str | None, new: str | None) -> int | None:
    if old is None or new is None:
        return None
    return (dt.date.fromisoformat(new) - dt.date.fromisoformat(old)).days


def _shift(days: int, lang: Lang) -> str:
    unit = label("ch_day" if abs(days) == 1 else "ch_days", lang)
    return label("ch_later" if days > 0 else "ch_earlier", lang, n=abs(days), unit=unit)


def _session_change(row: dict[str, Any], lang: Lang) -> str:
    was = row["old_start"] is not None or row["old_trainer"] is not None
    if row.get("new_status") == "done" and row.get("old_status") != "done":
        if row["new_start"] is not None and row["new_start"] != row["old_start"]:
            return label("ch_done_on", lang, day=row["new_start"])
        return label("ch_done", lang)
    if not was:
        return label("ch_new_session", lang)
    if row["new_start"] is None and row["new_trainer"] is None:
        return label("ch_removed", lang)
    words = []
    days = _days(row["old_start"], row["new_start"])
    if days:
        words.append(label("ch_moved", lang, days=_shift(days, lang)))
    elif row["old_end"] != row["new_end"]:
        words.append(label("ch_end_day", lang))
    if row["old_trainer"] != row["new_trainer"]:
        old, new = row["old_trainer"] or "-", row["new_trainer"] or "-"
        words.append(label("ch_trainer", lang, old=old, new=new))
    return ", ".join(words)


def change_rows(changes: dict[str, Any], lang: Lang = "en") -> list[dict[str, Any]]:
    """The rows of changes.csv (columns CHANGE_COLUMNS, `change` in words of `lang`) from
    a `models.diff.diff_plans` result: sessions moved, given another trainer, done or
    dropped; groups whose finishing date changed; moved rollout tasks; changed postings."""
    rows: list[dict[str, Any]] = []

    def add(**values: Any) -> None:
        rows.append({c: values.get(c) for c in CHANGE_COLUMNS})

    for r in changes.get("sessions", []):
        add(
            kind="session",
            change=_session_change(r, lang),
            days=_days(r["old_start"], r["new_start"]),
            **{k: r[k] for k in r},
        )
    for r in changes.get("groups", []):
        if r["old_finish"] == r["new_finish"]:
            continue
        if r["old_finish"] is None or r["new_finish"] is None:
            words = label("ch_new_group" if r["old_finish"] is None else "ch_removed", lang)
        else:
            words = label("ch_finishes", lang, days=_shift(r["days"], lang))
        add(
            kind="group",
            change=words,
            group=r["group"],
            old_end=r["old_finish"],
            new_end=r["new_finish"],
            days=r["days"],
        )
    for r in changes.get("tasks", []):
        days = _days(r["old_start"], r["new_start"])
        if r["old_start"] is None or r["new_start"] is None:
            words = label("ch_new_task" if r["old_start"] is None else "ch_removed", lang)
        elif days:
            words = label("ch_moved", lang, days=_shift(days, lang))
        else:
            words = label("ch_end_day", lang)
        add(kind="task", change=words, days=days, **r)
    for r in changes.get("staffing", []):
        diff = round(r["new_bv"] - r["old_bv"], 4)
        add(kind="posting", change=label("ch_posted", lang, diff=f"{diff:+g}"), **r)
    return rows


def changes_table(changes: dict[str, Any], lang: Lang = "en") -> pd.DataFrame:
    """One row per change (canonical columns CHANGE_COLUMNS, `change` in `lang`); empty
    cells stay empty."""
    df = pd.DataFrame(change_rows(changes, lang), columns=CHANGE_COLUMNS)
    df["days"] = df["days"].astype("Int64")
    return df


def write_changes_csv(changes: dict[str, Any], path: Path, lang: Lang = "en") -> Path:
    return write_csv(changes_table(changes, lang), path, lang)


def changes_html(revision: Revision, lang: Lang = "en") -> str:
    """The report section: counts, then one table per kind of change that has rows."""
    df = changes_table(revision.changes, lang)
    c = revision.changes.get("changed", {})
    counts = label(
        "changes_counts",
        lang,
        **{k: c.get(k, 0) for k in ("sessions", "groups", "tasks", "staffing")},
    )
    parts = [
        f"<h2 id='changes'>{label('changes', lang)}</h2>",
        "<p>"
        + label("changes_compared", lang, previous=escape(revision.previous), counts=counts)
        + "</p>",
    ]
    if df.empty:
        parts.append(f"<p>{label('nothing_moved', lang)}</p>")
        return "\n".join(parts)
    for kind in KINDS:
        rows = df[df["kind"] == kind].drop(columns=["kind"])
        if rows.empty:
            continue
        rows = localize(rows.dropna(axis=1, how="all"), lang)
        parts.append(f"<h3>{escape(label('changes_' + kind, lang))}</h3>")
        parts.append(rows.to_html(index=False, na_rep="", border=0, classes="data", escape=True))
    return "\n".join(parts)
