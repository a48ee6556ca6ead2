"""models.diff on a hand-built pair of plans: the moved rows written out."""

from __future__ import annotations

import datetime as dt

from models.diff import diff_plans
from models.plan import (
    PartOutcome,
    PlanFile,
    PlannedSession,
    RolloutResultRecord,
    StaffingResultRecord,
    TrainingPlan,
    TrainingResultRecord,
)
from models.rollout import PlannedTask, RolloutPlan
from models.staffing import Allocation, StaffingPlan
from tests.builders import tiny

D = dt.date
OK = PartOutcome(status="optimal")


def _session(group, session, start, end, trainer, status="planned"):
    return PlannedSession(group=group, session=session, module=session, repetition=1,
                          start=start, end=end, trainer=trainer, status=status)  # fmt: skip


def _plan(sessions, tasks, allocations) -> PlanFile:
    return PlanFile(
        instance=tiny(groups=2),
        training=TrainingResultRecord(outcome=OK, plan=TrainingPlan(sessions=sessions)),
        staffing=StaffingResultRecord(outcome=OK, plan=StaffingPlan(allocations=allocations)),
        rollout=RolloutResultRecord(outcome=OK, plan=RolloutPlan(tasks=tasks)),
    )


def _alloc(unit, bv, month):
    return Allocation(category="cm", tranche="t1", unit=unit, bv=bv, release_month="2026-01",
                      post_month=month)  # fmt: skip


def _task(task, unit, start, end):
    return PlannedTask(family="F", task=task, unit=unit, start=start, end=end)


OLD = _plan(
    [
        _session("G1", "A", D(2026, 3, 2), D(2026, 3, 2), "T1"),
        _session("G1", "B", D(2026, 3, 9), D(2026, 3, 10), "T1"),  # moves a week later
        _session("G2", "A", D(2026, 3, 3), D(2026, 3, 3), "T1"),  # changes trainer only
    ],
    [
        _task("kickoff", "", D(2026, 4, 1), D(2026, 4, 1)),
        _task("w", "C1", D(2026, 4, 6), D(2026, 4, 10)),
    ],
    [_alloc("A", 1.0, "2026-01"), _alloc("B", 0.5, "2026-02")],
)
NEW = _plan(
    [
        _session("G1", "A", D(2026, 3, 2), D(2026, 3, 2), "T1"),
        _session("G1", "B", D(2026, 3, 16), D(2026, 3, 17), "T1"),
        _session("G2", "A", D(2026, 3, 3), D(2026, 3, 3), "T2"),
    ],
    [
        _task("kickoff", "", D(2026, 4, 1), D(2026, 4, 1)),
        _task("w", "C1", D(2026, 4, 13), D(2026, 4, 17)),
    ],
    [_alloc("A", 0.5, "2026-01"), _alloc("A", 0.5, "2026-03"), _alloc("B", 0.5, "2026-02")],
)


def test_diff_lists_what_moved():
    diff = diff_plans(OLD, NEW)
    assert diff["sessions"] == [
        {"group": "G1", "session": "B", "old_start": "2026-03-09", "old_end": "2026-03-10",
         "old_trainer": "T1", "new_start": "2026-03-16", "new_end": "2026-03-17",
         "new_trainer": "T1", "old_status": "planned", "new_status": "planned"},
        {"group": "G2", "session": "A", "old_start": "2026-03-03", "old_end": "2026-03-03",
         "old_trainer": "T1", "new_start": "2026-03-03", "new_end": "2026-03-03",
         "new_trainer": "T2", "old_status": "planned", "new_status": "planned"},
    ]  # fmt: skip
    assert diff["groups"] == [
        {"group": "G1", "old_finish": "2026-03-10", "new_finish": "2026-03-17", "days": 7},
        {"group": "G2", "old_finish": "2026-03-03", "new_finish": "2026-03-03", "days": 0},
    ]
    assert diff["tasks"] == [
        {"family": "F", "task": "w", "unit": "C1", "old_start": "2026-04-06",
         "old_end": "2026-04-10", "new_start": "2026-04-13", "new_end": "2026-04-17"},
    ]  # fmt: skip
    # unit A: 1.0 BV posted in January becomes 0.5 in January and 0.5 in March
    assert diff["staffing"] == [
        {"unit": "A", "month": "2026-01", "old_bv": 1.0, "new_bv": 0.5},
        {"unit": "A", "month": "2026-03", "old_bv": 0.0, "new_bv": 0.5},
    ]
    assert diff["changed"] == {"sessions": 2, "groups": 1, "tasks": 1, "staffing": 2}


def test_a_plan_against_itself_changes_nothing():
    diff = diff_plans(OLD, OLD)
    assert diff["sessions"] == diff["tasks"] == diff["staffing"] == []
    assert diff["changed"] == {"sessions": 0, "groups": 0, "tasks": 0, "staffing": 0}


def test_a_missing_part_counts_as_empty():
    bare = PlanFile(instance=OLD.instance)
    diff = diff_plans(bare, NEW)
    assert len(diff["sessions"]) == 3 and all(r["old_start"] is None for r in diff["sessions"])
    assert [g["old_finish"] for g in diff["groups"]] == [None, None]
    assert len(diff["tasks"]) == 2 and len(diff["staffing"]) == 3
