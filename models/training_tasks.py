"""What the snapshot leaves to plan: one task per remaining session, with its date window.

Shared by the solver, the baseline and the checker, so all three agree on *what* is to be
planned; each decides or verifies *when* on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.instance import Instance
from models.plan import PlannedSession, TrainingPlan
from models.training import SessionStatus


@dataclass(frozen=True)
class SessionTask:
    group: str
    centre: str
    session: str
    module: str
    repetition: int
    days: int
    position: int  # index in the group's session sequence
    earliest: dt.date  # first allowed start day
    latest_end: dt.date  # last allowed day of the session
    year: int | None  # planned-year window, if the snapshot gives one
    was_missed: bool
    pinned_date: dt.date | None = None  # a planner's pin: the session starts on this day
    pinned_trainer: str | None = None  # a planner's pin: this trainer holds it
    trainers: tuple[str, ...] = ()  # the trainers qualified for its module
    same_week: bool = False  # its days stay within one calendar week
    spacing_floor: dt.date | None = None  # min_days after the group's latest dated done session

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.session)


@dataclass(frozen=True)
class DoneSession:
    group: str
    session: str
    module: str
    repetition: int
    date: dt.date | None
    days: int
    trainer: str | None
    run: tuple[dt.date, ...] = ()  # its days (working days from `date`), when dated

    @property
    def end(self) -> dt.date | None:
        return self.run[-1] if self.run else None


def planning_start(instance: Instance) -> dt.date:
    """The first day that can be planned: after the snapshot date, inside the horizon."""
    tr = instance.training
    start = instance.calendar.start
    if tr is not None and tr.snapshot is not None:
        start = max(start, tr.snapshot.date + dt.timedelta(days=1))
    return start


def group_earliest(instance: Instance, group_id: str) -> dt.date:
    g = instance.organisation.group(group_id)
    start = planning_start(instance)
    return max(start, g.earliest_start) if g.earliest_start else start


def group_latest(instance: Instance, group_id: str) -> dt.date:
    g = instance.organisation.group(group_id)
    return min(instance.calendar.end, g.deadline) if g.deadline else instance.calendar.end


def remaining_sessions(instance: Instance) -> list[SessionTask]:
    """Every session still to plan (not done; missed ones included), group by group."""
    tr = instance.training
    if tr is None:
        return []
    status = tr.status_of()
    tasks: list[SessionTask] = []
    latest_done = last_done_sessions(instance)
    for g in instance.organisation.groups:
        earliest = group_earliest(instance, g.id)
        latest = group_latest(instance, g.id)
        prior = latest_done.get(g.id)
        floor = None
        if prior is not None and tr.spacing.min_days > 0:
            floor = prior.date + dt.timedelta(days=tr.spacing.min_days)
        for pos, (m, rep, label) in enumerate(tr.session_sequence()):
            entry = status.get((g.id, label))
            if entry is not None and entry.status == SessionStatus.done:
                continue
            year = entry.year if entry is not None else None
            tasks.append(
                SessionTask(
                    group=g.id,
                    centre=g.centre,
                    session=label,
                    module=m.id,
                    repetition=rep,
                    days=m.days,
                    position=pos,
                    earliest=earliest,
                    latest_end=latest,
                    year=year,
                    was_missed=entry is not None and entry.status == SessionStatus.missed,
                    **_pin(entry),
                    trainers=tuple(tr.qualified(m.id)),
                    same_week=tr.keeps_week(m),
                    spacing_floor=floor,
                )
            )
    return tasks


def _pin(entry) -> dict[str, object]:
    if entry is None or entry.status != SessionStatus.pinned:
        return {}
    return {"pinned_date": entry.date, "pinned_trainer": entry.trainer}


def done_sessions(instance: Instance) -> list[DoneSession]:
    tr = instance.training
    if tr is None or tr.snapshot is None:
        return []
    seq = {label: (m, rep) for m, rep, label in tr.session_sequence()}
    cal = instance.working_calendar
    out = []
    for e in tr.snapshot.sessions:
        if e.status == SessionStatus.done:
            m, rep = seq[e.session]
            run = tuple(cal.run_from(e.date, m.days)) if e.date is not None else ()
            out.append(DoneSession(e.group, e.session, m.id, rep, e.date, m.days, e.trainer, run))
    return out


def last_done_sessions(instance: Instance) -> dict[str, DoneSession]:
    """Per group, its latest dated done session (the one spacing and continuity count
    from: every planned session starts after the snapshot date, so after it)."""
    out: dict[str, DoneSession] = {}
    for d in done_sessions(instance):
        if d.date is not None and (d.group not in out or d.date >= out[d.group].date):
            out[d.group] = d
    return out


def startable(cal, task: SessionTask, i: int) -> bool:
    """Whether the task may start on working day i: its days fit in the horizon, and a
    `same_week` session's last day lies in the week of its first."""
    j = i + task.days - 1
    if i < 0 or j >= len(cal):
        return False
    if not task.same_week:
        return True
    return cal.days[i].isocalendar()[:2] == cal.days[j].isocalendar()[:2]


@dataclass(frozen=True)
class GroupOrder:
    """The order rules of one group's remaining sessions (by position, a linear extension
    of `after`): `total` when `after` orders every pair (a chain: consecutive sessions are
    known), else the solver chooses the order among the unordered ones. `pairs`: the
    immediate required pairs (a before b with no remaining session required between)."""

    sessions: tuple[SessionTask, ...]
    total: bool
    pairs: tuple[tuple[SessionTask, SessionTask], ...]
    before: frozenset[tuple[str, str]]  # (a.session, b.session): a must come before b

    def required(self, a: SessionTask, b: SessionTask) -> bool:
        return (a.session, b.session) in self.before


def group_orders(instance: Instance, tasks: list[SessionTask]) -> dict[str, GroupOrder]:
    tr = instance.training
    assert tr is not None
    prec = tr.precedence()
    groups: dict[str, list[SessionTask]] = {}
    for t in tasks:
        groups.setdefault(t.group, []).append(t)
    out = {}
    for g, seq in groups.items():
        seq = sorted(seq, key=lambda t: t.position)
        before = frozenset(
            (a.session, b.session) for a in seq for b in seq if a.session in prec[b.session]
        )
        total = all((a.session, b.session) in before for a, b in zip(seq, seq[1:]))
        if total:
            pairs = tuple(zip(seq, seq[1:]))
        else:
            pairs = tuple(
                (a, b)
                for a in seq
                for b in seq
                if (a.session, b.session) in before
                and not any(
                    (a.session, c.session) in before and (c.session, b.session) in before
                    for c in seq
                )
            )
        out[g] = GroupOrder(tuple(seq), total, pairs, before)
    return out


def window(task: SessionTask) -> tuple[dt.date, dt.date]:
    """(first allowed start day, last allowed day) after intersecting the year window."""
    lo, hi = task.earliest, task.latest_end
    if task.spacing_floor is not None:
        lo = max(lo, task.spacing_floor)
    if task.year is not None:
        lo = max(lo, dt.date(task.year, 1, 1))
        hi = min(hi, dt.date(task.year, 12, 31))
    return lo, hi


def tightened_windows(
    instance: Instance, tasks: list[SessionTask]
) -> dict[tuple[str, str], tuple[dt.date, dt.date]]:
    """Each task's (first start day, last start day) after propagating the spacing rules.

    Within a group whose sessions form a chain, session i+1 starts `min_days`..`max_days`
    calendar days after session i; in a partial order b starts at least `min_days` after
    each a it must follow (`GroupOrder.pairs`). So windows shrink from both sides: a late
    year window of a later session pulls the earliest start of the earlier ones later, and
    vice versa. Every bound is snapped to a
    working day from which the session fits, so holidays propagate too. Only starts that no
    plan can use are removed. An empty window (first > last) means the group is infeasible.
    """
    tr = instance.training
    assert tr is not None
    cal = instance.working_calendar
    sp = tr.spacing
    lo: dict[tuple[str, str], dt.date] = {}
    hi: dict[tuple[str, str], dt.date] = {}
    far_past, far_future = dt.date.min, dt.date.max

    def snap_up(t: SessionTask, day: dt.date) -> dt.date:
        i = cal.first_index_on_or_after(day)
        while t.same_week and i < len(cal) and not startable(cal, t, i):
            i += 1
        return cal.days[i] if i < len(cal) else far_future

    def snap_down(t: SessionTask, day: dt.date) -> dt.date:
        i = min(cal.last_index_on_or_before(day), len(cal) - t.days)
        while t.same_week and i >= 0 and not startable(cal, t, i):
            i -= 1
        return cal.days[i] if i >= 0 else far_past

    for t in tasks:
        a, b = window(t)
        lo[t.key] = snap_up(t, a)
        last = cal.last_index_on_or_before(b) - t.days + 1
        hi[t.key] = snap_down(t, cal.days[last]) if last >= 0 else far_past
        if t.pinned_date is not None:  # the planner's pin: this start day or none
            lo[t.key] = max(lo[t.key], t.pinned_date)
            hi[t.key] = min(hi[t.key], t.pinned_date)
    for order in group_orders(instance, tasks).values():
        # a chain: consecutive sessions known, min and max spacing propagate; a partial
        # order: only along required pairs, and only the minimum (a required pair need not
        # be consecutive in the plan, but the sessions between only add days)
        seq, pairs = order.sessions, order.pairs
        use_max = order.total
        for _ in range(4 * len(seq) + 4):
            before = (dict(lo), dict(hi))
            for a, b in pairs:
                if far_past in (hi[a.key], hi[b.key]) or far_future in (lo[a.key], lo[b.key]):
                    continue
                # b starts after a's last day and at least min_days after a's start
                a_last = cal.days[min(cal.index(lo[a.key]) + a.days - 1, len(cal) - 1)]
                step = lo[a.key] + dt.timedelta(days=sp.min_days)
                lo[b.key] = max(lo[b.key], snap_up(b, max(step, a_last + dt.timedelta(days=1))))
                hi_a = hi[b.key] - dt.timedelta(days=sp.min_days)
                last_a_start = cal.index(hi[b.key]) - a.days
                hi[a.key] = min(
                    hi[a.key],
                    snap_down(a, hi_a),
                    snap_down(a, cal.days[last_a_start]) if last_a_start >= 0 else far_past,
                )
                if sp.max_days is not None and use_max:
                    gap = dt.timedelta(days=sp.max_days)
                    hi[b.key] = min(hi[b.key], snap_down(b, hi[a.key] + gap))
                    lo[a.key] = max(lo[a.key], snap_up(a, lo[b.key] - gap))
            if (lo, hi) == before:
                break
    return {k: (lo[k], hi[k]) for k in lo}


Window = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class SessionWindows:
    """The remaining sessions and each one's start window with the spacing rules propagated
    (`tightened_windows`), as dates and as working-day indices. Built once per solve and
    shared by the CP-SAT model, the LP relaxation (through the model's sessions) and the
    greedy baseline. An index window with first > last is empty: no plan exists."""

    tasks: tuple[SessionTask, ...]
    days: dict[tuple[str, str], Window]  # (first start day, last start day)
    indices: dict[tuple[str, str], tuple[int, int]]  # the same as working-day indices
    orders: dict[str, GroupOrder]  # per group: the order rules of its sessions

    @classmethod
    def of(cls, instance: Instance) -> SessionWindows:
        cal = instance.working_calendar
        tasks = remaining_sessions(instance)
        days = tightened_windows(instance, tasks)
        indices = {
            key: (cal.first_index_on_or_after(a), cal.last_index_on_or_before(b))
            for key, (a, b) in days.items()
        }
        return cls(tuple(tasks), days, indices, group_orders(instance, tasks))


Placement = tuple[dt.date, dt.date, str | None]
"""(first day, last day, trainer) of a planned session."""


def assemble_plan(instance: Instance, placements: dict[tuple[str, str], Placement]) -> TrainingPlan:
    """The whole plan: done sessions as the snapshot has them, plus the placed tasks, in
    group and training order."""
    out: list[PlannedSession] = []
    for d in done_sessions(instance):
        end = d.end
        out.append(
            PlannedSession(
                group=d.group,
                session=d.session,
                module=d.module,
                repetition=d.repetition,
                start=d.date,
                end=end,
                trainer=d.trainer,
                status="done",
            )
        )
    for t in remaining_sessions(instance):
        if t.key not in placements:
            continue
        first, last, trainer = placements[t.key]
        out.append(
            PlannedSession(
                group=t.group,
                session=t.session,
                module=t.module,
                repetition=t.repetition,
                start=first,
                end=last,
                trainer=trainer,
                status="planned",
                was_missed=t.was_missed,
            )
        )
    assert instance.training is not None
    order = {g.id: i for i, g in enumerate(instance.organisation.groups)}
    pos = {label: i for i, (_, _, label) in enumerate(instance.training.session_sequence())}
    out.sort(key=lambda p: (order[p.group], pos[p.session]))
    return TrainingPlan(sessions=out)


def deadline_shortfalls(instance: Instance, windows: SessionWindows) -> list[str]:
    """Per group whose sessions cannot end in time on its own rules (order, spacing,
    years, pins, the calendar): how many working days are missing, in words. From the
    windows' earliest starts, which no plan can beat."""
    cal = instance.working_calendar
    worst: dict[str, tuple[int, SessionTask, int]] = {}
    for t in windows.tasks:
        first = windows.days[t.key][0]
        start = cal.first_index_on_or_after(first) if first != dt.date.max else len(cal)
        end = start + t.days - 1
        last_ok = cal.last_index_on_or_before(window(t)[1])
        missing = end - last_ok
        if missing > 0 and missing > worst.get(t.group, (0, t, 0))[0]:
            worst[t.group] = (missing, t, end)
    out = []
    for group, (missing, t, end) in sorted(worst.items()):
        when = cal.days[end].isoformat() if end < len(cal) else "after the horizon"
        out.append(
            f"group {group}: session {t.session} ends on {when} at the earliest, "
            f"{missing} working day(s) after its last allowed day {window(t)[1]} "
            "(deadline, planned year or horizon end)"
        )
    return out
