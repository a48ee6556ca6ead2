"""Baselines that emulate planning by hand; their plans pass the same checkers.

Training: groups in order, each session at the earliest date that keeps every rule,
with the first free trainer. Staffing: positions spread in proportion to caseload, posted
on release. Rollout: a serial schedule-generation scheme, priority by latest finish. They
do not look ahead, so they may fail where the solver does not (then they return None).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from models.calendar import WorkingCalendar
from models.check_rollout import BlockedDays
from models.instance import Instance
from models.plan import TrainingPlan
from models.rollout import (
    RolloutPart,
    RolloutPlan,
    TaskInstance,
    capacities,
    expand,
    finish_offset,
    plan_from_starts,
    rollout_calendar,
    unit_ids,
)
from models.staffing import Allocation, StaffingPart, StaffingPlan, Unit
from models.training_tasks import (
    Placement,
    SessionWindows,
    assemble_plan,
    done_sessions,
    startable,
)


def greedy_training(
    instance: Instance,
    priority: dict[tuple[str, str], dt.date] | None = None,
    *,
    windows: SessionWindows | None = None,
) -> TrainingPlan | None:
    """Groups in order, each session at the earliest date that keeps every rule, with the
    first free trainer; None when a session finds no date.

    `priority` (session key -> date) turns it into list scheduling: sessions are placed in
    the order of their dates (a session never before the one ahead of it in its group),
    each at the earliest feasible date on or after its own. With the start days of the LP
    relaxation this rounds the LP into a plan (`solver.training`): generated-L 50223
    against 51873 for groups in order (LP bound 49476); placed at their earliest dates
    instead, the LP's order alone gives 51666. `windows`: the instance's session windows,
    when the caller has them already."""
    tr = instance.training
    if tr is None:
        return None
    cal = instance.working_calendar
    n = len(cal)
    trainer_busy: dict[str, set[int]] = {t.id: set() for t in tr.trainers}
    for t in tr.trainers:
        trainer_busy[t.id] |= {
            cal.index(d) for r in t.unavailable for d in r.days() if cal.is_working(d)
        }
    trainer_month: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for d in done_sessions(instance):  # dated done sessions count against the monthly cap
        if d.trainer is not None:
            trainer_month[d.trainer].update((day.year, day.month) for day in d.run)
    centre_load: dict[str, Counter[int]] = defaultdict(Counter)
    caps = {t.id: t.max_days_per_month for t in tr.trainers}
    placements: dict[tuple[str, str], Placement] = {}
    by_group: dict[str, list] = defaultdict(list)
    if windows is None:
        windows = SessionWindows.of(instance)
    for task in windows.tasks:
        by_group[task.group].append(task)
    if priority is None:
        order = [task for g in instance.organisation.groups for task in by_group.get(g.id, [])]
    else:
        order = _list_order(by_group, priority, instance)
    last: dict[str, tuple[int, int]] = {}  # group -> (start, last day) of its latest session
    # pinned days are held for their sessions from the start, so no earlier one takes them
    reserved = {
        task.key: range(lo, lo + task.days)
        for task in windows.tasks
        if task.pinned_date is not None
        for lo, _hi in [windows.indices[task.key]]
    }
    held: dict[str, Counter[int]] = defaultdict(Counter)  # trainer -> days held for pins
    floating: Counter[int] = Counter()  # day -> pinned sessions there that need any trainer
    for task in windows.tasks:
        for i in reserved.get(task.key, ()):
            centre_load[task.centre][i] += 1
            if task.pinned_trainer is not None:
                held[task.pinned_trainer][i] += 1
            else:
                floating[i] += 1

    def free(tid: str, i: int) -> bool:
        return i not in trainer_busy[tid] and not held[tid][i]

    def leaves_enough(tid: str, span: range) -> bool:
        """Taking `tid` on `span` leaves a trainer for every pinned session there."""
        return all(
            sum(free(other, i) for other in trainer_busy if other != tid) >= floating[i]
            for i in span
            if floating[i]
        )

    for task in order:
        lo, hi = windows.indices[task.key]
        for i in reserved.get(task.key, ()):  # its own reservation: now placed for real
            centre_load[task.centre][i] -= 1
            if task.pinned_trainer is not None:
                held[task.pinned_trainer][i] -= 1
            else:
                floating[i] -= 1
        if priority is not None and task.key in priority:
            lo = max(lo, cal.first_index_on_or_after(priority[task.key]))
        if task.group in last:
            prev_start, prev_end = last[task.group]
            lo = max(lo, prev_end + 1)
            min_day = cal.days[prev_start] + dt.timedelta(days=tr.spacing.min_days)
            lo = max(lo, cal.first_index_on_or_after(min_day))
            if tr.spacing.max_days is not None:
                max_day = cal.days[prev_start] + dt.timedelta(days=tr.spacing.max_days)
                hi = min(hi, cal.last_index_on_or_before(max_day))
        placed = None
        for w in range(lo, min(hi, n - task.days) + 1):
            span = range(w, w + task.days)
            if any(centre_load[task.centre][i] >= tr.coverage(task.centre) for i in span):
                continue
            if not startable(cal, task, w):
                continue  # same_week: it would run over a weekend
            for tid in [task.pinned_trainer] if task.pinned_trainer else task.trainers:
                if not all(free(tid, i) for i in span) or not leaves_enough(tid, span):
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
        last[task.group] = (w, w + task.days - 1)
        placements[task.key] = (cal.days[w], cal.days[w + task.days - 1], tid)
    return assemble_plan(instance, placements)


def _list_order(
    by_group: dict[str, list], priority: dict[tuple[str, str], dt.date], instance: Instance
) -> list:
    """Sessions by their priority date; a session's date is at least its predecessor's in
    the group (so a group's sessions stay in order), ties by group and position."""
    rank = {g.id: k for k, g in enumerate(instance.organisation.groups)}
    keyed = []
    for group, seq in by_group.items():
        floor = dt.date.min
        for pos, task in enumerate(seq):
            floor = max(floor, priority.get(task.key, floor))
            keyed.append(((floor, rank.get(group, len(rank)), pos), task))
    return [task for _key, task in sorted(keyed, key=lambda kt: kt[0])]


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


# ------------------------------------------------------------------------- rollout
def sgs_rollout(instance: Instance, blocked_days: BlockedDays | None = None) -> RolloutPlan | None:
    """The rollout planned by hand: a serial schedule-generation scheme. Task instances are
    taken one at a time: among those whose predecessors (and stagger anchors) are placed,
    the one with the earliest latest-finish time (ties: listing order). Each starts on the
    first working day from its earliest start on which its date rules, its centre's blocked
    days and every resource's remaining capacity allow it. No look-ahead and no backtracking:
    None when a task finds no such day (e.g. its event dates have passed)."""
    part = instance.rollout
    if part is None:
        return None
    cal = rollout_calendar(instance.calendar, part)
    n = len(cal)
    units = unit_ids(part, instance.organisation.centre_ids())
    insts = expand(part, units)
    caps = capacities(part, units)
    blocked = {
        c: {cal.index(d) for d in days if cal.is_working(d)}
        for c, days in (blocked_days or {}).items()
    }
    first = cal.first_index_on_or_after(part.start) if part.start is not None else 0
    deps = _rollout_dependencies(part, insts)
    lft = _latest_finish(insts, deps, n)
    use: dict[str, list[int]] = {r: [0] * n for r in caps}
    starts: dict[int, int] = {}
    while len(starts) < len(insts):
        ready = [
            i
            for i in range(len(insts))
            if i not in starts and all(j in starts for dep in deps[i] for j in dep.preds)
        ]
        i = min(ready, key=lambda k: (lft[k], k))  # validation rules out cycles
        inst = insts[i]
        task = part.family(inst.family).task(inst.task)
        earliest = max([first, *(dep.earliest(cal, insts, starts) for dep in deps[i])])
        d = inst.duration
        candidates: Iterable[int] = range(earliest, n - max(d, 1) + 1)
        if task.fixed_start is not None:
            candidates = [s for s in candidates if cal.days[s] == task.fixed_start]
        elif task.event_dates:
            wanted = {cal.index(day) for day in task.event_dates if cal.is_working(day)}
            candidates = [s for s in candidates if s in wanted]
        off = blocked.get(inst.unit, set()) if inst.avoids_training else set()
        chosen = next(
            (
                s
                for s in candidates
                if not any(s <= b < s + d for b in off)
                and all(
                    use[r][day] + amount <= caps[r]
                    for r, amount in inst.demands.items()
                    for day in range(s, s + d)
                )
            ),
            None,
        )
        if chosen is None:
            return None
        starts[i] = chosen
        for r, amount in inst.demands.items():
            for day in range(chosen, chosen + d):
                use[r][day] += amount
    return plan_from_starts(cal, [(inst, starts[i]) for i, inst in enumerate(insts)])


@dataclass(frozen=True)
class _Dependency:
    """A task instance waits for `preds`: for the last finish of them (FS, stagger on a
    finish) or the first start (SS, stagger on a start), plus a lag in working or calendar
    days; the same grouping as the solver and the checker."""

    preds: tuple[int, ...]
    waits_for_finish: bool
    calendar: bool
    lag: int

    def earliest(
        self, cal: WorkingCalendar, insts: list[TaskInstance], starts: dict[int, int]
    ) -> int:
        if self.waits_for_finish:
            if self.calendar:
                anchor = max(finish_offset(cal, starts[j], insts[j].duration) for j in self.preds)
            else:
                anchor = max(starts[j] + insts[j].duration for j in self.preds)
        elif self.calendar:
            anchor = min(cal.offsets[starts[j]] for j in self.preds)
        else:
            anchor = min(starts[j] for j in self.preds)
        if not self.calendar:
            return anchor + self.lag
        return cal.first_index_on_or_after(cal.origin + dt.timedelta(days=anchor + self.lag))


def _rollout_dependencies(part: RolloutPart, insts: list[TaskInstance]) -> list[list[_Dependency]]:
    """Per task instance its dependencies: per-unit after per-unit links unit to unit,
    anything else waits for the whole preceding task; a staggered family waits for the
    anchor task of the earlier family."""
    by_task: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, inst in enumerate(insts):
        by_task[(inst.family, inst.task)].append(i)
    deps: list[list[_Dependency]] = [[] for _ in insts]
    for k, f in enumerate(part.families):
        other = part.stagger_family(k)
        for task in f.tasks:
            for i in by_task[(f.id, task.id)]:
                unit = insts[i].unit
                for pre in task.after:
                    group = by_task[(f.id, pre.task)]
                    if f.task(pre.task).per_unit and unit:
                        group = [j for j in group if insts[j].unit == unit]
                    deps[i].append(
                        _Dependency(
                            tuple(group), pre.type == "FS", pre.unit == "calendar", pre.lag_days
                        )
                    )
                if other is not None and f.stagger is not None:
                    anchors = tuple(by_task[(other, f.stagger.task)])
                    deps[i].append(
                        _Dependency(
                            anchors, f.stagger.anchor == "finish", False, f.stagger.lag_days
                        )
                    )
    return deps


def _latest_finish(insts: list[TaskInstance], deps: list[list[_Dependency]], n: int) -> list[int]:
    """Latest finish (working-day index) of every instance in a schedule ending by the
    horizon, from a backward pass over the dependencies (calendar lags read as working
    days: a priority, not a rule)."""
    succs: dict[int, list[tuple[int, _Dependency]]] = defaultdict(list)
    for i, ds in enumerate(deps):
        for dep in ds:
            for j in dep.preds:
                succs[j].append((i, dep))
    lft = [n] * len(insts)
    done: set[int] = set()

    def visit(j: int) -> int:
        if j not in done:
            done.add(j)
            for i, dep in succs[j]:
                latest_start = visit(i) - insts[i].duration - dep.lag
                # FS: j finishes by the successor's start; SS: j starts by it
                bound = latest_start if dep.waits_for_finish else latest_start + insts[j].duration
                lft[j] = min(lft[j], bound)
        return lft[j]

    for j in range(len(insts)):
        visit(j)
    return lft
