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
from models.staffing import Allocation, StaffingPart, StaffingPlan, Unit
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


def proportional_staffing(instance: Instance) -> StaffingPlan | None:
    """Staffing by hand: each category's BV spread over its units in proportion to their
    caseload (equally where no unit has cases), within the unit bounds; the most loaded
    units get the earliest tranches; every tranche posted on release (later only where the
    monthly hiring capacity is used up). Budgets are not looked at."""
    part = instance.staffing
    if part is None:
        return None
    rows: list[Allocation] = []
    posted: Counter[int] = Counter()
    cap = part.hiring.monthly_capacity
    cap_steps = None if cap is None else int(cap / part.granularity + 1e-9)
    for cat in part.categories:
        units = part.units_of(cat.id)
        total = sum(part.steps(t.bv) for t in cat.tranches)
        if not units or not total:
            continue
        share = _proportional_steps(part, units, total)
        if share is None:
            return None
        order = sorted(units, key=lambda u: -u.cases / max(u.bv, part.granularity))
        left = {u.id: share[u.id] for u in order}
        for tr in sorted(cat.tranches, key=lambda t: part.offset(t.release)):
            steps = part.steps(tr.bv)
            window = part.posting_months(tr)
            month_iter = iter(window)
            month = next(month_iter, None)
            for u in order:
                while steps and left[u.id]:
                    if month is None:
                        return None
                    room = steps if cap_steps is None else cap_steps - posted[month]
                    if room <= 0:
                        month = next(month_iter, None)
                        continue
                    k = min(steps, left[u.id], room)
                    rows.append(
                        Allocation(
                            category=cat.id,
                            tranche=tr.id,
                            unit=u.id,
                            bv=k * part.granularity,
                            release_month=tr.release,
                            post_month=part.month(month),
                        )
                    )
                    posted[month] += k
                    steps -= k
                    left[u.id] -= k
    return StaffingPlan(allocations=_merged(rows))


def _proportional_steps(part: StaffingPart, units: list[Unit], total: int) -> dict[str, int] | None:
    """Largest-remainder split of `total` steps, by caseload, clamped to the unit bounds."""
    lo = {u.id: part.steps(u.min_bv) for u in units}
    hi = {u.id: total if u.max_bv is None else part.steps(u.max_bv) for u in units}
    if sum(lo.values()) > total or sum(hi.values()) < total:
        return None
    weight = {u.id: float(u.cases) for u in units}
    if sum(weight.values()) <= 0:
        weight = {u.id: 1.0 for u in units}
    got = dict(lo)
    free = [u.id for u in units if got[u.id] < hi[u.id]]
    while sum(got.values()) < total and free:
        rest = total - sum(got.values())
        w = sum(weight[i] for i in free) or float(len(free))
        ideal = {i: rest * (weight[i] or (w / len(free))) / w for i in free}
        add = {i: min(int(ideal[i]), hi[i] - got[i]) for i in free}
        if not any(add.values()):
            # largest remainders, one step each
            for i in sorted(free, key=lambda i: -(ideal[i] - int(ideal[i]))):
                if sum(got.values()) == total:
                    break
                if got[i] < hi[i]:
                    got[i] += 1
        for i, k in add.items():
            got[i] += k
        free = [i for i in free if got[i] < hi[i]]
    return got if sum(got.values()) == total else None


def _merged(rows: list[Allocation]) -> list[Allocation]:
    out: dict[tuple[str, str, str], Allocation] = {}
    for a in rows:
        key = (a.tranche, a.unit, a.post_month)
        if key in out:
            out[key].bv += a.bv
        else:
            out[key] = a.model_copy()
    return list(out.values())
