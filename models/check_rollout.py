"""The independent checker of rollout plans; imports no solver.

`check_rollout` recomputes every hard rule from the instance data (precedences with lags,
the resource profile day by day, event dates, fixed starts, working days, stagger, blocked
days): one function `check_<rule_id>` per rule (ids of `models.rules`) over one
`RolloutContext`, run in the order of `ROLLOUT_CHECKS`; `rollout_terms` recomputes the
objective terms. (PSPLIB schedules: `models.rcpsp.check_rcpsp`.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from models.calendar import WorkingCalendar
from models.instance import Instance
from models.rollout import (
    PlannedTask,
    Precedence,
    RolloutPart,
    RolloutPlan,
    Task,
    TaskInstance,
    capacities,
    expand,
    finish_offset,
    rollout_calendar,
    term_weights,
    unit_ids,
)
from models.violations import Violation, missing_part, run_checks

BlockedDays = Mapping[str, set[dt.date] | frozenset[dt.date]]


@dataclass(frozen=True)
class _Placed:
    inst: TaskInstance
    start: int  # working-day index of the first day
    finish: int  # working-day index after the last day (= start for a milestone)
    start_off: int  # calendar offset of the first day
    finish_off: int  # calendar offset of the day after the last day

    def days(self, cal: WorkingCalendar) -> list[dt.date]:
        return cal.days[self.start : self.finish]


def _place(cal: WorkingCalendar, inst: TaskInstance, start: int) -> _Placed:
    d = inst.duration
    return _Placed(inst, start, start + d, cal.offsets[start], finish_offset(cal, start, d))


def _anchor(preds: list[_Placed], kind: str, unit: str) -> int:
    """The time a successor waits for: latest finish (FS) or first start (SS) of `preds`."""
    if kind == "FS":
        return max(p.finish_off if unit == "calendar" else p.finish for p in preds)
    return min(p.start_off if unit == "calendar" else p.start for p in preds)


def _relevant(preds: list[_Placed], succ: TaskInstance, pred_per_unit: bool) -> list[_Placed]:
    """Per-unit after per-unit links unit to unit; otherwise the whole preceding task."""
    if pred_per_unit and succ.unit:
        return [p for p in preds if p.inst.unit == succ.unit]
    return preds


@dataclass(frozen=True)
class _Row:
    """A listed task of the instance; `placed` is None when it starts on a day off or runs
    past the horizon (then no rule about its days can be checked)."""

    task: PlannedTask
    inst: TaskInstance
    placed: _Placed | None


@dataclass
class RolloutContext:
    """What every rule reads, computed once: the listed tasks, those placed on the
    calendar (by key and by family task) and the blocked days of the centres."""

    part: RolloutPart
    cal: WorkingCalendar
    units: list[str]
    expected: dict[tuple[str, str, str], TaskInstance]
    counts: Counter[tuple[str, str, str]]
    blocked_days: BlockedDays
    unknown: list[PlannedTask] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    placed: dict[tuple[str, str, str], _Placed] = field(default_factory=dict)
    by_task: dict[tuple[str, str], list[_Placed]] = field(default_factory=dict)


def rollout_context(
    instance: Instance, plan: RolloutPlan, blocked_days: BlockedDays | None = None
) -> RolloutContext:
    part = instance.rollout
    assert part is not None
    cal = rollout_calendar(instance.calendar, part)
    units = unit_ids(part, instance.organisation.centre_ids())
    ctx = RolloutContext(
        part,
        cal,
        units,
        {i.key: i for i in expand(part, units)},
        Counter(t.key for t in plan.tasks),
        blocked_days or {},
    )
    for t in plan.tasks:
        inst = ctx.expected.get(t.key)
        if inst is None:
            ctx.unknown.append(t)
            continue
        p = None
        if cal.is_working(t.start) and cal.index(t.start) + inst.duration <= len(cal):
            p = ctx.placed[t.key] = _place(cal, inst, cal.index(t.start))
        ctx.rows.append(_Row(t, inst, p))
    by_task: dict[tuple[str, str], list[_Placed]] = defaultdict(list)
    for p in ctx.placed.values():
        by_task[(p.inst.family, p.inst.task)].append(p)
    ctx.by_task = by_task
    return ctx


# ------------------------------------------------------------------ one function per rule
def check_completeness(ctx: RolloutContext) -> list[Violation]:
    v = [
        Violation("completeness", _label(k), f"appears {n} times")
        for k, n in ctx.counts.items()
        if n > 1
    ]
    v += [
        Violation("completeness", _label(k), "is missing")
        for k in ctx.expected
        if k not in ctx.counts
    ]
    return v + [
        Violation("completeness", _label(t.key), "is not a task of the instance")
        for t in ctx.unknown
    ]


def check_working_days(ctx: RolloutContext) -> list[Violation]:
    v = []
    for r in ctx.rows:
        t, d = r.task, r.inst.duration
        if not ctx.cal.is_working(t.start):
            reason = ctx.cal.non_working_reason(t.start)
            v.append(
                Violation(
                    "working_days", _label(t.key), f"starts on a day off: {reason}", (t.start,)
                )
            )
        elif r.placed is not None:
            last = ctx.cal.days[r.placed.finish - 1] if d else t.start
            if t.end != last:
                msg = f"{d} working days from {t.start} end on {last}, not {t.end}"
                v.append(Violation("working_days", _label(t.key), msg, (t.start, t.end)))
    return v


def check_horizon(ctx: RolloutContext) -> list[Violation]:
    return [
        Violation(
            "horizon",
            _label(r.task.key),
            f"needs {r.inst.duration} working days from {r.task.start}, past the horizon end",
            (r.task.start,),
        )
        for r in ctx.rows
        if r.placed is None and ctx.cal.is_working(r.task.start)
    ]


def _placed_rows(ctx: RolloutContext) -> list[_Row]:
    return [r for r in ctx.rows if r.placed is not None]


def check_rollout_start(ctx: RolloutContext) -> list[Violation]:
    first = ctx.part.start
    return [
        Violation("rollout_start", _label(r.task.key), f"starts before {first}", (r.task.start,))
        for r in _placed_rows(ctx)
        if first is not None and r.task.start < first
    ]


def check_resources(ctx: RolloutContext) -> list[Violation]:
    return [
        Violation(
            "resources",
            _label(r.task.key),
            f"lists resources {r.task.resources}, not {r.inst.demands}",
        )
        for r in _placed_rows(ctx)
        if dict(r.task.resources) != r.inst.demands
    ]


def check_precedence(ctx: RolloutContext) -> list[Violation]:
    v = []
    for f in ctx.part.families:
        for task in f.tasks:
            succs = ctx.by_task.get((f.id, task.id), [])
            for pre in task.after:
                pred_per_unit = f.task(pre.task).per_unit
                for s in succs:
                    preds = _relevant(ctx.by_task.get((f.id, pre.task), []), s.inst, pred_per_unit)
                    if preds:
                        v.extend(_precedence(s, preds, pre))
    return v


def _starts(ctx: RolloutContext) -> Iterator[tuple[Task, _Placed, dt.date]]:
    """(task template, placed instance, its first day) for every placed task."""
    for f in ctx.part.families:
        for task in f.tasks:
            for s in ctx.by_task.get((f.id, task.id), []):
                yield task, s, ctx.cal.days[s.start]


def check_event_date(ctx: RolloutContext) -> list[Violation]:
    v = []
    for task, s, day in _starts(ctx):
        if task.event_dates and day not in task.event_dates:
            dates = ", ".join(d.isoformat() for d in task.event_dates)
            v.append(Violation("event_date", s.inst.label, f"starts {day}, not on {dates}", (day,)))
    return v


def check_fixed_start(ctx: RolloutContext) -> list[Violation]:
    return [
        Violation("fixed_start", s.inst.label, f"starts {day}, not on {task.fixed_start}", (day,))
        for task, s, day in _starts(ctx)
        if task.fixed_start is not None and day != task.fixed_start
    ]


def check_stagger(ctx: RolloutContext) -> list[Violation]:
    v = []
    cal = ctx.cal
    for k, f in enumerate(ctx.part.families):
        other = ctx.part.stagger_family(k)
        if other is None or f.stagger is None:
            continue
        anchors = ctx.by_task.get((other, f.stagger.task), [])
        if not anchors:
            continue
        kind = "FS" if f.stagger.anchor == "finish" else "SS"
        earliest = _anchor(anchors, kind, "working") + f.stagger.lag_days
        for task in f.tasks:
            for s in ctx.by_task.get((f.id, task.id), []):
                if s.start < earliest:
                    v.append(
                        Violation(
                            "stagger",
                            f"family {f.id}",
                            f"{s.inst.label} starts before {other}/{f.stagger.task} "
                            f"{f.stagger.anchor}es + {f.stagger.lag_weeks:g} weeks "
                            f"({_day(cal, earliest)})",
                            (cal.days[s.start],),
                        )
                    )
    return v


def check_blocked_days(ctx: RolloutContext) -> list[Violation]:
    v = []
    for centre, days in sorted(ctx.blocked_days.items()):
        for p in ctx.placed.values():
            if p.inst.unit != centre or not p.inst.avoids_training:
                continue
            hit = sorted(set(p.days(ctx.cal)) & set(days))
            if hit:
                msg = f"{p.inst.label} needs the team leads on blocked days"
                v.append(Violation("blocked_days", f"centre {centre}", msg, tuple(hit)))
    return v


def check_capacity(ctx: RolloutContext) -> list[Violation]:
    caps = capacities(ctx.part, ctx.units)
    use: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for p in ctx.placed.values():
        for day in p.days(ctx.cal):
            for res, amount in p.inst.demands.items():
                use[res][day] += amount
    v = []
    for res, days in sorted(use.items()):
        over = sorted(d for d, n in days.items() if n > caps.get(res, 0))
        if over:
            msg = f"more than its capacity {caps.get(res, 0)} in use"
            v.append(Violation("capacity", f"resource {res}", msg, tuple(over)))
    return v


ROLLOUT_CHECKS = (
    check_completeness,
    check_working_days,
    check_horizon,
    check_rollout_start,
    check_resources,
    check_precedence,
    check_event_date,
    check_fixed_start,
    check_stagger,
    check_blocked_days,
    check_capacity,
)
"""Every rule of a rollout plan, in the order its violations are listed."""


def check_rollout(
    instance: Instance, plan: RolloutPlan, blocked_days: BlockedDays | None = None
) -> list[Violation]:
    if instance.rollout is None:
        return missing_part("rollout")
    return run_checks(ROLLOUT_CHECKS, rollout_context(instance, plan, blocked_days))


def _precedence(s: _Placed, preds: list[_Placed], pre: Precedence) -> list[Violation]:
    anchor = _anchor(preds, pre.type, pre.unit)
    value = s.start_off if pre.unit == "calendar" else s.start
    if value >= anchor + pre.lag_days:
        return []
    what = "finishes" if pre.type == "FS" else "starts"
    unit = "calendar" if pre.unit == "calendar" else "working"
    return [
        Violation(
            "precedence",
            s.inst.label,
            f"starts less than {pre.lag_weeks:g} {unit} weeks after "
            f"{s.inst.family}/{pre.task} {what}",
        )
    ]


def _label(key: tuple[str, str, str]) -> str:
    family, task, unit = key
    return f"{family}/{task}" + (f"@{unit}" if unit else "")


def _day(cal: WorkingCalendar, index: int) -> str:
    return cal.days[index].isoformat() if 0 <= index < len(cal) else f"working day {index}"


def rollout_terms(instance: Instance, plan: RolloutPlan) -> dict[str, int]:
    """Unweighted objective terms as the solver defines them: per family the working-day
    index after its last task ends ("completion:<family>"), and the largest ("makespan")."""
    part = instance.rollout
    assert part is not None
    cal = rollout_calendar(instance.calendar, part)
    units = unit_ids(part, instance.organisation.centre_ids())
    duration = {i.key: i.duration for i in expand(part, units)}
    finish: dict[str, int] = {f.id: 0 for f in part.families}
    for t in plan.tasks:
        end = cal.index(t.start) + duration[t.key]
        finish[t.family] = max(finish[t.family], end)
    terms = {f"completion:{fid}": value for fid, value in finish.items()}
    terms["makespan"] = max(finish.values(), default=0)
    return terms


# ---------------------------------------------------------------------- PSPLIB
def rollout_objective(instance: Instance, plan: RolloutPlan) -> float:
    """The weighted objective of a plan as the solver defines it."""
    assert instance.rollout is not None
    weights = term_weights(instance.rollout)
    return float(sum(weights[k] * v for k, v in rollout_terms(instance, plan).items()))
