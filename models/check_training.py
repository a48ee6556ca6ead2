"""The independent checker of training plans: recomputes every rule from the data.

It imports no solver. `check_training` returns the violations; an empty list means the
plan keeps every hard rule. `training_terms` recomputes the objective terms.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from models.calendar import WEEKDAYS
from models.instance import Instance
from models.plan import PlannedSession, TrainingPlan
from models.training_tasks import done_sessions, remaining_sessions


@dataclass(frozen=True)
class Violation:
    rule: str
    subject: str  # "group 5", "trainer T1", "centre SZ4"
    message: str
    dates: tuple[dt.date, ...] = field(default=())

    def __str__(self) -> str:
        when = f" [{', '.join(d.isoformat() for d in self.dates)}]" if self.dates else ""
        return f"{self.rule} ({self.subject}): {self.message}{when}"


def session_days(instance: Instance, s: PlannedSession) -> list[dt.date]:
    """The working days a planned session occupies (consecutive working days from start)."""
    cal = instance.working_calendar
    assert instance.training is not None and s.start is not None
    days = instance.training.module(s.module).days
    if not cal.is_working(s.start):
        return [s.start]
    i = cal.index(s.start)
    return cal.span(i, days)


def check_training(instance: Instance, plan: TrainingPlan) -> list[Violation]:
    tr = instance.training
    if tr is None:
        return [Violation("part", "training", "the instance has no training part")]
    cal = instance.working_calendar
    v: list[Violation] = []
    tasks = {t.key: t for t in remaining_sessions(instance)}
    done = {(d.group, d.session): d for d in done_sessions(instance)}

    # completeness: each session exactly once, with the status the snapshot implies
    counts = Counter((s.group, s.session) for s in plan.sessions)
    for key, n in counts.items():
        if n > 1:
            v.append(
                Violation("completeness", f"group {key[0]}", f"session {key[1]} appears {n} times")
            )
    for key in list(tasks) + list(done):
        if key not in counts:
            v.append(Violation("completeness", f"group {key[0]}", f"session {key[1]} is missing"))
    planned: list[PlannedSession] = []
    for s in plan.sessions:
        key = (s.group, s.session)
        if key in done:
            if s.status != "done":
                v.append(
                    Violation(
                        "snapshot",
                        f"group {s.group}",
                        f"session {s.session} is done but planned again",
                    )
                )
            continue
        if key not in tasks:
            v.append(Violation("completeness", f"group {s.group}", f"unknown session {s.session}"))
            continue
        task = tasks[key]
        if s.status != "planned" or s.start is None or s.end is None:
            v.append(
                Violation(
                    "completeness", f"group {s.group}", f"session {s.session} has no planned date"
                )
            )
            continue
        if s.module != task.module or s.repetition != task.repetition:
            v.append(
                Violation(
                    "completeness",
                    f"group {s.group}",
                    f"session {s.session} names the wrong module",
                )
            )
            continue
        planned.append(s)

    trainers = {t.id: t for t in tr.trainers}
    occupied: dict[tuple[str, str], list[dt.date]] = {}
    for s in planned:
        task = tasks[(s.group, s.session)]
        days = session_days(instance, s)
        occupied[(s.group, s.session)] = days
        subject = f"group {s.group}"
        if not cal.is_working(s.start):
            v.append(
                Violation(
                    "working_days",
                    subject,
                    f"session {s.session} starts on a day off: {cal.non_working_reason(s.start)}",
                    (s.start,),
                )
            )
            continue
        if len(days) < task.days or days[-1] != s.end:
            v.append(
                Violation(
                    "working_days",
                    subject,
                    f"session {s.session} must run on "
                    f"{task.days} consecutive working days from {s.start}",
                    (s.start, s.end),
                )
            )
        if s.start < task.earliest:
            v.append(
                Violation(
                    "earliest_start",
                    subject,
                    f"session {s.session} starts before {task.earliest}",
                    (s.start,),
                )
            )
        if s.end > task.latest_end:
            v.append(
                Violation(
                    "deadline",
                    subject,
                    f"session {s.session} ends after {task.latest_end}",
                    (s.end,),
                )
            )
        if task.year is not None and (s.start.year != task.year or s.end.year != task.year):
            v.append(
                Violation(
                    "planned_year",
                    subject,
                    f"session {s.session} must be held in {task.year}",
                    (s.start,),
                )
            )
        if s.trainer not in trainers:
            v.append(
                Violation(
                    "trainer_assignment",
                    subject,
                    f"session {s.session} has trainer {s.trainer!r}, not a trainer of the instance",
                )
            )

    # module order and spacing between consecutive remaining sessions of a group
    by_group: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in planned:
        by_group[s.group].append(s)
    for g, sessions in by_group.items():
        sessions.sort(key=lambda s: tasks[(s.group, s.session)].position)
        for a, b in zip(sessions, sessions[1:]):
            assert a.start and a.end and b.start
            if b.start <= a.end:
                v.append(
                    Violation(
                        "module_order",
                        f"group {g}",
                        f"session {b.session} starts before session {a.session} ends",
                        (a.end, b.start),
                    )
                )
            gap = (b.start - a.start).days
            if gap < tr.spacing.min_days:
                v.append(
                    Violation(
                        "spacing",
                        f"group {g}",
                        f"{gap} days from {a.session} to "
                        f"{b.session}, fewer than {tr.spacing.min_days}",
                        (a.start, b.start),
                    )
                )
            if tr.spacing.max_days is not None and gap > tr.spacing.max_days:
                v.append(
                    Violation(
                        "spacing",
                        f"group {g}",
                        f"{gap} days from {a.session} to "
                        f"{b.session}, more than {tr.spacing.max_days}",
                        (a.start, b.start),
                    )
                )

    # trainers: one session a day, availability, monthly cap
    trainer_days: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for s in planned:
        if s.trainer in trainers:
            for d in occupied[(s.group, s.session)]:
                trainer_days[s.trainer][d] += 1
    for tid, days in sorted(trainer_days.items()):
        t = trainers[tid]
        double = sorted(d for d, n in days.items() if n > 1)
        if double:
            v.append(
                Violation(
                    "trainer_overlap",
                    f"trainer {tid}",
                    "more than one session on a day",
                    tuple(double),
                )
            )
        blocked = sorted(d for d in days if any(d in r for r in t.unavailable))
        if blocked:
            v.append(
                Violation(
                    "trainer_unavailable",
                    f"trainer {tid}",
                    "session on an unavailable day",
                    tuple(blocked),
                )
            )
        if t.max_days_per_month is not None:
            per_month = Counter((d.year, d.month) for d in days.elements())
            for (y, m), n in sorted(per_month.items()):
                if n > t.max_days_per_month:
                    v.append(
                        Violation(
                            "trainer_month_cap",
                            f"trainer {tid}",
                            f"{n} training days in {y}-{m:02d}, cap {t.max_days_per_month}",
                            (dt.date(y, m, 1),),
                        )
                    )

    # case coverage: groups of one centre in training on the same day
    centre_days: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for s in planned:
        centre = tasks[(s.group, s.session)].centre
        for d in occupied[(s.group, s.session)]:
            centre_days[centre][d] += 1
    k = tr.max_groups_per_centre_per_day
    for centre, days in sorted(centre_days.items()):
        over = sorted(d for d, n in days.items() if n > k)
        if over:
            v.append(
                Violation(
                    "centre_coverage",
                    f"centre {centre}",
                    f"more than {k} group(s) in training on a day",
                    tuple(over),
                )
            )
    return v


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


def weighted_objective(instance: Instance, terms: dict[str, int]) -> int:
    assert instance.training is not None
    w = instance.training.weights.as_dict()
    return sum(w[name] * value for name, value in terms.items())
