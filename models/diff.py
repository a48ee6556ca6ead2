"""What changed between two plans of one programme: pure data, no solver.

A re-plan is judged by what it moves: which sessions got another date or trainer, which
group finishes earlier or later, which rollout task shifts, and where positions are posted
in other months. `diff_plans` lists exactly that (the web service's diff endpoint and the
page show it); parts missing from a plan count as empty.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from models.plan import PlanFile, PlannedSession, Revision


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _sessions(plan: PlanFile) -> dict[tuple[str, str], PlannedSession]:
    t = plan.training
    if t is None or t.plan is None:
        return {}
    return {(s.group, s.session): s for s in t.plan.sessions}


def _finish(sessions: dict[tuple[str, str], PlannedSession]) -> dict[str, dt.date | None]:
    out: dict[str, dt.date | None] = {}
    for (group, _), s in sessions.items():
        end = s.end or s.start
        prev = out.get(group)
        out[group] = end if prev is None or (end is not None and end > prev) else prev
    return out


def session_changes(old: PlanFile, new: PlanFile) -> list[dict[str, Any]]:
    a, b = _sessions(old), _sessions(new)
    rows = []
    for key in sorted(a.keys() | b.keys()):
        o, n = a.get(key), b.get(key)
        before = (o.start, o.end, o.trainer, o.status) if o else (None, None, None, None)
        after = (n.start, n.end, n.trainer, n.status) if n else (None, None, None, None)
        if before == after:
            continue
        rows.append(
            {
                "group": key[0],
                "session": key[1],
                "old_start": _iso(before[0]),
                "old_end": _iso(before[1]),
                "old_trainer": before[2],
                "new_start": _iso(after[0]),
                "new_end": _iso(after[1]),
                "new_trainer": after[2],
                "old_status": before[3],
                "new_status": after[3],
            }
        )
    return rows


def group_finishes(old: PlanFile, new: PlanFile) -> list[dict[str, Any]]:
    a, b = _finish(_sessions(old)), _finish(_sessions(new))
    rows = []
    for group in sorted(a.keys() | b.keys()):
        o, n = a.get(group), b.get(group)
        shift = (n - o).days if o is not None and n is not None else None
        rows.append({"group": group, "old_finish": _iso(o), "new_finish": _iso(n), "days": shift})
    return rows


def task_changes(old: PlanFile, new: PlanFile) -> list[dict[str, Any]]:
    def tasks(plan: PlanFile) -> dict:
        r = plan.rollout
        return {} if r is None or r.plan is None else r.plan.by_key()

    a, b = tasks(old), tasks(new)
    rows = []
    for key in sorted(a.keys() | b.keys()):
        o, n = a.get(key), b.get(key)
        before = (o.start, o.end) if o else (None, None)
        after = (n.start, n.end) if n else (None, None)
        if before == after:
            continue
        rows.append(
            {
                "family": key[0],
                "task": key[1],
                "unit": key[2],
                "old_start": _iso(before[0]),
                "old_end": _iso(before[1]),
                "new_start": _iso(after[0]),
                "new_end": _iso(after[1]),
            }
        )
    return rows


def posting_changes(old: PlanFile, new: PlanFile) -> list[dict[str, Any]]:
    """Per unit and month, the BV posted then, where the two plans differ."""

    def posted(plan: PlanFile) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = defaultdict(float)
        s = plan.staffing
        if s is not None and s.plan is not None:
            for a in s.plan.allocations:
                out[(a.unit, a.post_month)] += a.bv
        return out

    a, b = posted(old), posted(new)
    rows = []
    for unit, month in sorted(a.keys() | b.keys()):
        o, n = round(a.get((unit, month), 0.0), 4), round(b.get((unit, month), 0.0), 4)
        if o != n:
            rows.append({"unit": unit, "month": month, "old_bv": o, "new_bv": n})
    return rows


def diff_plans(old: PlanFile, new: PlanFile) -> dict[str, Any]:
    """Moved sessions, every group's finishing date, moved rollout tasks and changed
    postings, with their counts under `changed`."""
    out = {
        "sessions": session_changes(old, new),
        "groups": group_finishes(old, new),
        "tasks": task_changes(old, new),
        "staffing": posting_changes(old, new),
    }
    out["changed"] = {
        "sessions": len(out["sessions"]),
        "groups": sum(1 for g in out["groups"] if g["old_finish"] != g["new_finish"]),
        "tasks": len(out["tasks"]),
        "staffing": len(out["staffing"]),
    }
    return out


def revise(old: PlanFile, new: PlanFile, previous: str) -> Revision:
    """The revision record of `new` as a re-plan of `old`: its changes, and the calendar
    SEQUENCE of every session: one more than in `old` for each one that moved (date or
    trainer) or is no longer planned, so a calendar client replaces or drops the event."""
    changes = diff_plans(old, new)
    seq = old.revision.sequence_of() if old.revision is not None else {}
    for r in changes["sessions"]:
        key = (r["group"], r["session"])
        if r["old_start"] is not None or r["old_trainer"] is not None:
            seq[key] = seq.get(key, 0) + 1
    return Revision(
        previous=previous,
        changes=changes,
        sequences=[(g, s, n) for (g, s), n in sorted(seq.items()) if n > 0],
    )
