"""The independent checker of training plans: recomputes every rule from the data.

It imports no solver. One function `check_<rule_id>` per rule (ids of `models.rules`), all
reading one `TrainingContext` built once per plan; `check_training` runs them in the order
of `TRAINING_CHECKS` and returns the violations (an empty list: the plan keeps every hard
rule). `training_terms` recomputes the objective terms.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from models.calendar import WEEKDAYS, WorkingCalendar
from models.instance import Instance
from models.plan import PlannedSession, TrainingPlan
from models.training import Trainer, TrainingPart
from models.training_tasks import (
    DoneSession,
    SessionTask,
    done_sessions,
    last_done_sessions,
    remaining_sessions,
)
from models.violations import Violation, missing_part, run_checks

Key = tuple[str, str]  # (group, session)


def session_days(instance: Instance, s: PlannedSession) -> list[dt.date]:
    """The working days a planned session occupies (consecutive working days from start)."""
    cal = instance.working_calendar
    assert instance.training is not None and s.start is not None
    days = instance.training.module(s.module).days
    if not cal.is_working(s.start):
        return [s.start]
    i = cal.index(s.start)
    return cal.span(i, days)


@dataclass
class TrainingContext:
    """What every rule reads, computed once: the sessions to plan and those done, the
    listed sessions the plan cannot be checked on (`refused`) and the rest (`planned`)
    with the days each occupies, grouped by group, trainer and centre."""

    instance: Instance
    part: TrainingPart
    cal: WorkingCalendar
    tasks: dict[Key, SessionTask]
    done: dict[Key, DoneSession]
    trainers: dict[str, Trainer]
    counts: Counter[Key] = field(default_factory=Counter)
    refused: list[Violation] = field(default_factory=list)
    planned: list[PlannedSession] = field(default_factory=list)
    occupied: dict[Key, list[dt.date]] = field(default_factory=dict)
    by_group: dict[str, list[PlannedSession]] = field(default_factory=dict)
    trainer_days: dict[str, Counter[dt.date]] = field(default_factory=dict)
    centre_days: dict[str, Counter[dt.date]] = field(default_factory=dict)

    def task(self, s: PlannedSession) -> SessionTask:
        return self.tasks[(s.group, s.session)]

    @property
    def startable(self) -> list[PlannedSession]:
        """Planned sessions that start on a working day (the others break working_days
        and are not checked against the rules of single sessions)."""
        return [s for s in self.planned if self.cal.is_working(s.start)]


def _refusal(ctx: TrainingContext, s: PlannedSession) -> Violation | None:
    """Why a listed session cannot be checked as a planned one; None when it can."""
    key, subject = (s.group, s.session), f"group {s.group}"
    if key in ctx.done:
        return Violation("snapshot", subject, f"session {s.session} is done but planned again")
    task = ctx.tasks.get(key)
    if task is None:
        return Violation("completeness", subject, f"unknown session {s.session}")
    if s.status != "planned" or s.start is None or s.end is None:
        return Violation("completeness", subject, f"session {s.session} has no planned date")
    if s.module != task.module or s.repetition != task.repetition:
        return Violation("completeness", subject, f"session {s.session} names the wrong module")
    return None


def training_context(instance: Instance, plan: TrainingPlan) -> TrainingContext:
    tr = instance.training
    assert tr is not None
    ctx = TrainingContext(
        instance,
        tr,
        instance.working_calendar,
        {t.key: t for t in remaining_sessions(instance)},
        {(d.group, d.session): d for d in done_sessions(instance)},
        {t.id: t for t in tr.trainers},
        Counter((s.group, s.session) for s in plan.sessions),
    )
    for s in plan.sessions:
        if (s.group, s.session) in ctx.done and s.status == "done":
            continue  # kept as the snapshot records it
        refusal = _refusal(ctx, s)
        if refusal is None:
            ctx.planned.append(s)
        else:
            ctx.refused.append(refusal)
    by_group: dict[str, list[PlannedSession]] = defaultdict(list)
    trainer_days: dict[str, Counter[dt.date]] = defaultdict(Counter)
    centre_days: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for s in ctx.planned:
        days = ctx.occupied[(s.group, s.session)] = session_days(instance, s)
        by_group[s.group].append(s)
        if s.trainer in ctx.trainers:
            trainer_days[s.trainer].update(days)
        centre_days[ctx.task(s).centre].update(days)
    for sessions in by_group.values():
        sessions.sort(key=lambda s: ctx.task(s).position)
    ctx.by_group, ctx.trainer_days, ctx.centre_days = by_group, trainer_days, centre_days
    return ctx


# ------------------------------------------------------------------ one function per rule
def check_completeness(ctx: TrainingContext) -> list[Violation]:
    v = [
        Violation("completeness", f"group {key[0]}", f"session {key[1]} appears {n} times")
        for key, n in ctx.counts.items()
        if n > 1
    ]
    v += [
        Violation("completeness", f"group {key[0]}", f"session {key[1]} is missing")
        for key in list(ctx.tasks) + list(ctx.done)
        if key not in ctx.counts
    ]
    return v + [r for r in ctx.refused if r.rule == "completeness"]


def check_snapshot(ctx: TrainingContext) -> list[Violation]:
    return [r for r in ctx.refused if r.rule == "snapshot"]


def check_working_days(ctx: TrainingContext) -> list[Violation]:
    v = []
    for s in ctx.planned:
        subject, days = f"group {s.group}", ctx.occupied[(s.group, s.session)]
        if not ctx.cal.is_working(s.start):
            reason = ctx.cal.non_working_reason(s.start)
            msg = f"session {s.session} starts on a day off: {reason}"
            v.append(Violation("working_days", subject, msg, (s.start,)))
        elif len(days) < ctx.task(s).days or days[-1] != s.end:
            msg = (
                f"session {s.session} must run on "
                f"{ctx.task(s).days} consecutive working days from {s.start}"
            )
            v.append(Violation("working_days", subject, msg, (s.start, s.end)))
    return v


def check_earliest_start(ctx: TrainingContext) -> list[Violation]:
    return [
        Violation(
            "earliest_start",
            f"group {s.group}",
            f"session {s.session} starts before {ctx.task(s).earliest}",
            (s.start,),
        )
        for s in ctx.startable
        if s.start < ctx.task(s).earliest
    ]


def check_deadline(ctx: TrainingContext) -> list[Violation]:
    return [
        Violation(
            "deadline",
            f"group {s.group}",
            f"session {s.session} ends after {ctx.task(s).latest_end}",
            (s.end,),
        )
        for s in ctx.startable
        if s.end > ctx.task(s).latest_end
    ]


def check_planned_year(ctx: TrainingContext) -> list[Violation]:
    v = []
    for s in ctx.startable:
        year = ctx.task(s).year
        if year is not None and (s.start.year != year or s.end.year != year):
            msg = f"session {s.session} must be held in {year}"
            v.append(Violation("planned_year", f"group {s.group}", msg, (s.start,)))
    return v


def check_pinned(ctx: TrainingContext) -> list[Violation]:
    """A planner's pin holds: the pinned first day and/or the pinned trainer."""
    v = []
    for s in ctx.planned:
        task = ctx.task(s)
        subject = f"group {s.group} session {s.session}"
        if task.pinned_date is not None and s.start != task.pinned_date:
            msg = f"pinned to start on {task.pinned_date}, planned on {s.start}"
            v.append(Violation("pinned", subject, msg, (s.start,)))
        if task.pinned_trainer is not None and s.trainer != task.pinned_trainer:
            msg = f"pinned to trainer {task.pinned_trainer}, planned with {s.trainer}"
            v.append(Violation("pinned", subject, msg, (s.start,)))
    return v


def check_trainer_assignment(ctx: TrainingContext) -> list[Violation]:
    return [
        Violation(
            "trainer_assignment",
            f"group {s.group}",
            f"session {s.session} has trainer {s.trainer!r}, not a trainer of the instance",
        )
        for s in ctx.startable
        if s.trainer not in ctx.trainers
    ]


def _consecutive(ctx: TrainingContext) -> Iterator[tuple[str, PlannedSession, PlannedSession]]:
    """(group, a, b) for every pair of consecutive planned sessions of a group, in the
    order of their start days."""
    for g, sessions in ctx.by_group.items():
        timed = sorted(sessions, key=lambda s: s.start)
        for a, b in zip(timed, timed[1:]):
            yield g, a, b


def _first_planned(ctx: TrainingContext) -> Iterator[tuple[str, DoneSession, PlannedSession]]:
    """(group, its latest dated done session, its first planned session)."""
    for g, done in last_done_sessions(ctx.instance).items():
        sessions = ctx.by_group.get(g)
        if sessions:
            yield g, done, min(sessions, key=lambda s: s.start)


def check_module_order(ctx: TrainingContext) -> list[Violation]:
    """Each session starts after the sessions it must follow (`after`, earlier
    repetitions) have ended, a group's sessions never overlap, and a planned session
    starts after the group's dated done sessions."""
    v = []
    before = ctx.part.precedence()
    for g, sessions in ctx.by_group.items():
        by_label = {s.session: s for s in sessions}
        for b in sessions:
            for label in sorted(before[b.session]):
                a = by_label.get(label)
                if a is not None and b.start <= a.end:
                    msg = f"session {b.session} starts before session {a.session} ends"
                    v.append(Violation("module_order", f"group {g}", msg, (a.end, b.start)))
    for g, a, b in _consecutive(ctx):  # one session at a time, also where the plan orders
        if b.start <= a.end and a.session not in before[b.session]:
            msg = f"sessions {a.session} and {b.session} overlap"
            v.append(Violation("module_order", f"group {g}", msg, (b.start, a.end)))
    for d in ctx.done.values():
        for s in ctx.by_group.get(d.group, []) if d.end is not None else []:
            if s.start <= d.end:
                msg = f"session {s.session} starts before the done session {d.session} ends"
                v.append(Violation("module_order", f"group {d.group}", msg, (d.end, s.start)))
    return v


def check_spacing(ctx: TrainingContext) -> list[Violation]:
    lo, hi = ctx.part.spacing.min_days, ctx.part.spacing.max_days
    v = []
    for g, a, b in _consecutive(ctx):
        gap = (b.start - a.start).days
        what = f"{gap} days from {a.session} to {b.session}"
        if gap < lo:
            v.append(
                Violation("spacing", f"group {g}", f"{what}, fewer than {lo}", (a.start, b.start))
            )
        if hi is not None and gap > hi:
            v.append(
                Violation("spacing", f"group {g}", f"{what}, more than {hi}", (a.start, b.start))
            )
    # from the latest session held (min_days only: a gap already past max_days at the
    # status date cannot be undone)
    for g, done, first in _first_planned(ctx):
        gap = (first.start - done.date).days
        if gap < lo:
            msg = f"{gap} days from the done session {done.session} to {first.session}"
            when = (done.date, first.start)
            v.append(Violation("spacing", f"group {g}", f"{msg}, fewer than {lo}", when))
    return v


def check_trainer_capacity(ctx: TrainingContext) -> list[Violation]:
    v = []
    for tid, days in sorted(ctx.trainer_days.items()):
        double = sorted(d for d, n in days.items() if n > 1)
        if double:
            msg = "more than one session on a day"
            v.append(Violation("trainer_capacity", f"trainer {tid}", msg, tuple(double)))
    return v


def check_trainer_unavailable(ctx: TrainingContext) -> list[Violation]:
    v = []
    for tid, days in sorted(ctx.trainer_days.items()):
        off = ctx.trainers[tid].unavailable
        blocked = sorted(d for d in days if any(d in r for r in off))
        if blocked:
            msg = "session on an unavailable day"
            v.append(Violation("trainer_unavailable", f"trainer {tid}", msg, tuple(blocked)))
    return v


def check_trainer_month_cap(ctx: TrainingContext) -> list[Violation]:
    """Planned days plus the days of dated done sessions, per trainer and month (a month
    with no planned day is not the plan's fault)."""
    held: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for d in ctx.done.values():
        if d.trainer is not None:
            held[d.trainer].update((day.year, day.month) for day in d.run)
    v = []
    for tid, days in sorted(ctx.trainer_days.items()):
        cap = ctx.trainers[tid].max_days_per_month
        if cap is None:
            continue
        per_month = Counter((d.year, d.month) for d in days.elements())
        for (y, m), n in sorted(per_month.items()):
            total = n + held[tid][y, m]
            if total > cap:
                msg = f"{total} training days in {y}-{m:02d}, cap {cap}"
                v.append(Violation("trainer_month_cap", f"trainer {tid}", msg, (dt.date(y, m, 1),)))
    return v


def check_centre_coverage(ctx: TrainingContext) -> list[Violation]:
    v = []
    for centre, days in sorted(ctx.centre_days.items()):
        k = ctx.part.coverage(centre)
        over = sorted(d for d, n in days.items() if n > k)
        if over:
            msg = f"more than {k} group(s) in training on a day"
            v.append(Violation("centre_coverage", f"centre {centre}", msg, tuple(over)))
    return v


def check_same_week(ctx: TrainingContext) -> list[Violation]:
    """A `same_week` module's session runs within one calendar week."""
    v = []
    for s in ctx.startable:
        module = ctx.part.module(s.module)
        days = ctx.occupied[(s.group, s.session)]
        if ctx.part.keeps_week(module) and {d.isocalendar()[:2] for d in days} != {
            s.start.isocalendar()[:2]
        }:
            msg = f"session {s.session} runs over a weekend ({s.start}..{days[-1]})"
            v.append(Violation("same_week", f"group {s.group}", msg, (s.start, days[-1])))
    return v


def check_trainer_skill(ctx: TrainingContext) -> list[Violation]:
    """A session goes to a trainer who teaches its module."""
    v = []
    for s in ctx.startable:
        t = ctx.trainers.get(s.trainer)
        if t is not None and t.modules is not None and s.module not in t.modules:
            msg = f"session {s.session}: trainer {t.id} does not teach module {s.module}"
            v.append(Violation("trainer_skill", f"group {s.group}", msg, (s.start,)))
    return v


TRAINING_CHECKS = (
    check_completeness,
    check_snapshot,
    check_working_days,
    check_earliest_start,
    check_deadline,
    check_planned_year,
    check_pinned,
    check_trainer_assignment,
    check_module_order,
    check_spacing,
    check_trainer_capacity,
    check_trainer_unavailable,
    check_trainer_month_cap,
    check_centre_coverage,
    check_same_week,
    check_trainer_skill,
)
"""Every rule of a training plan, in the order its violations are listed."""


def check_training(instance: Instance, plan: TrainingPlan) -> list[Violation]:
    if instance.training is None:
        return missing_part("training")
    return run_checks(TRAINING_CHECKS, training_context(instance, plan))


def training_terms(
    instance: Instance, plan: TrainingPlan, previous: TrainingPlan | None = None
) -> dict[str, int]:
    """The unweighted objective terms of a plan, computed as the solver defines them."""
    tr = instance.training
    assert tr is not None
    cal = instance.working_calendar
    planned = [s for s in plan.sessions if s.status == "planned" and s.start and s.end]
    last: dict[str, int] = {}
    for s in planned:
        last[s.group] = max(last.get(s.group, 0), cal.offset(s.end))
    load = Counter({t.id: 0 for t in tr.trainers})
    for s in planned:
        load[s.trainer] += tr.module(s.module).days
    preferred = set(tr.preferred_weekdays)
    terms = {
        "completion": sum(last.values()),
        "trainer_balance": (max(load.values()) - min(load.values())) if load else 0,
        "weekday": sum(1 for s in planned if WEEKDAYS[s.start.weekday()] not in preferred),
        "change": 0,
        "trainer_change": 0,
        "trainer_continuity": _continuity(instance, planned),
    }
    if previous is not None:
        prev = {
            (s.group, s.session): s for s in previous.sessions if s.status == "planned" and s.start
        }
        for s in planned:
            p = prev.get((s.group, s.session))
            if p is not None:
                terms["change"] += abs((s.start - p.start).days)
                terms["trainer_change"] += int(p.trainer is not None and p.trainer != s.trainer)
    return terms


def _continuity(instance: Instance, planned: list[PlannedSession]) -> int:
    """Changes of trainer between a group's consecutive sessions (by start day), from its
    latest dated done session with a trainer on."""
    by_group: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in planned:
        by_group[s.group].append(s)
    prior = last_done_sessions(instance)
    changes = 0
    for g, sessions in by_group.items():
        trainers = [s.trainer for s in sorted(sessions, key=lambda s: s.start)]
        done = prior.get(g)
        if done is not None and done.trainer is not None:
            trainers.insert(0, done.trainer)
        changes += sum(a != b for a, b in zip(trainers, trainers[1:]))
    return changes


def weighted_objective(instance: Instance, terms: dict[str, int]) -> int:
    assert instance.training is not None
    w = instance.training.weights.as_dict()
    return sum(w[name] * value for name, value in terms.items())


def plan_objective(
    instance: Instance, plan: TrainingPlan, previous: TrainingPlan | None = None
) -> int:
    """A plan's weighted objective, from its terms as the solver defines them."""
    return weighted_objective(instance, training_terms(instance, plan, previous))
