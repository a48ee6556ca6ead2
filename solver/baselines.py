"""Baselines that emulate planning by hand; their plans pass the same checkers.

Training: groups in order, each session at the earliest date that keeps every rule,
with the first free trainer. It does not look ahead, so it may fail where the solver
does not (then it returns None).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from models.instance import Instance
from models.plan import TrainingPlan
from models.training_tasks import (
    Placement,
    assemble_plan,
    remaining_sessions,
    tightened_windows,
)


def greedy_training(instance: Instance) -> TrainingPlan | None:
    tr = instance.training
    if tr is None:
        return None
    cal = instance.working_calendar
    n = len(cal)
    k_centre = tr.max_groups_per_centre_per_day
    trainer_busy: dict[str, set[int]] = {t.id: set() for t in tr.trainers}
    for t in tr.trainers:
        trainer_busy[t.id] |= {
            cal.index(d) for r in t.unavailable for d in r.days() if cal.is_working(d)
        }
    trainer_month: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    centre_load: dict[str, Counter[int]] = defaultdict(Counter)
    caps = {t.id: t.max_days_per_month for t in tr.trainers}
    placements: dict[tuple[str, str], Placement] = {}
    by_group: dict[str, list] = defaultdict(list)
    tasks = remaining_sessions(instance)
    windows = tightened_windows(instance, tasks)
    for task in tasks:
        by_group[task.group].append(task)
    for g in instance.organisation.groups:
        prev_start: int | None = None
        prev_end: int | None = None
        for task in by_group.get(g.id, []):
            lo_day, hi_day = windows[task.key]
            lo = cal.first_index_on_or_after(lo_day)
            hi = cal.last_index_on_or_before(hi_day)
            if prev_end is not None:
                lo = max(lo, prev_end + 1)
                min_day = cal.days[prev_start] + dt.timedelta(days=tr.spacing.min_days)
                lo = max(lo, cal.first_index_on_or_after(min_day))
                if tr.spacing.max_days is not None:
                    max_day = cal.days[prev_start] + dt.timedelta(days=tr.spacing.max_days)
                    hi = min(hi, cal.last_index_on_or_before(max_day))
            placed = None
            for w in range(lo, min(hi, n - task.days) + 1):
                span = range(w, w + task.days)
                if any(centre_load[task.centre][i] >= k_centre for i in span):
                    continue
                for tid in trainer_busy:
                    if any(i in trainer_busy[tid] for i in span):
                        continue
                    months = Counter(cal.month_keys[i] for i in span)
                    cap = caps[tid]
                    if cap is not None and any(
                        trainer_month[tid][mk] + c > cap for mk, c in months.items()
                    ):
                        continue
                    placed = (w, tid, months)
                    break
                if placed:
                    break
            if placed is None:
                return None
            w, tid, months = placed
            for i in range(w, w + task.days):
                trainer_busy[tid].add(i)
                centre_load[task.centre][i] += 1
            trainer_month[tid].update(months)
            prev_start, prev_end = w, w + task.days - 1
            placements[task.key] = (cal.days[w], cal.days[w + task.days - 1], tid)
    return assemble_plan(instance, placements)
