"""The independent checker of rollout plans and of RCPSP schedules; imports no solver.

`check_rollout` recomputes every hard rule from the instance data (precedences with lags,
the resource profile day by day, event dates, fixed starts, working days, stagger, blocked
days); `rollout_terms` recomputes the objective terms. `check_rcpsp` checks a PSPLIB
schedule in integer time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from models.calendar import WorkingCalendar
from models.check_training import Violation
from models.instance import Instance
from models.rollout import (
    Precedence,
    RcpspProblem,
    RolloutPlan,
    TaskInstance,
    capacities,
    expand,
    finish_offset,
    rollout_calendar,
    term_weights,
    unit_ids,
)

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


def check_rollout(
    instance: Instance, plan: RolloutPlan, blocked_days: BlockedDays | None = None
) -> list[Violation]:
    part = instance.rollout
    if part is None:
        return [Violation("part", "rollout", "the instance has no rollout part")]
    cal = rollout_calendar(instance.calendar, part)
    units = unit_ids(part, instance.organisation.centre_ids())
    expected = {i.key: i for i in expand(part, units)}
    v: list[Violation] = []

    counts = Counter(t.key for t in plan.tasks)
    for key, n in counts.items():
        if n > 1:
            v.append(Violation("completeness", _label(key), f"appears {n} times"))
    for key in expected:
        if key not in counts:
            v.append(Violation("completeness", _label(key), "is missing"))

    placed: dict[tuple[str, str, str], _Placed] = {}
    for t in plan.tasks:
        inst = expected.get(t.key)
        subject = _label(t.key)
        if inst is None:
            v.append(Violation("completeness", subject, "is not a task of the instance"))
            continue
        if not cal.is_working(t.start):
            reason = cal.non_working_reason(t.start)
            v.append(
                Violation("working_days", subject, f"starts on a day off: {reason}", (t.start,))
            )
            continue
        s = cal.index(t.start)
        if s + inst.duration > len(cal):
            v.append(
                Violation(
                    "horizon",
                    subject,
                    f"needs {inst.duration} working days from {t.start}, past the horizon end",
                    (t.start,),
                )
            )
            continue
        p = _place(cal, inst, s)
        last = cal.days[p.finish - 1] if inst.duration else t.start
        if t.end != last:
            v.append(
                Violation(
                    "working_days",
                    subject,
                    f"{inst.duration} working days from {t.start} end on {last}, not {t.end}",
                    (t.start, t.end),
                )
            )
        if part.start is not None and t.start < part.start:
            v.append(Violation("rollout_start", subject, f"starts before {part.start}", (t.start,)))
        if dict(t.resources) != inst.demands:
            v.append(
                Violation(
                    "resources", subject, f"lists resources {t.resources}, not {inst.demands}"
                )
            )
        placed[t.key] = p

    by_task: dict[tuple[str, str], list[_Placed]] = defaultdict(list)
    for p in placed.values():
        by_task[(p.inst.family, p.inst.task)].append(p)

    for k, f in enumerate(part.families):
        for task in f.tasks:
            succs = by_task.get((f.id, task.id), [])
            for pre in task.after:
                pred_per_unit = f.task(pre.task).per_unit
                for s in succs:
                    preds = _relevant(by_task.get((f.id, pre.task), []), s.inst, pred_per_unit)
                    if preds:
                        v.extend(_precedence(s, preds, pre))
            for s in succs:
                day = cal.days[s.start]
                if task.event_dates and day not in task.event_dates:
                    dates = ", ".join(d.isoformat() for d in task.event_dates)
                    v.append(
                        Violation(
                            "event_date", s.inst.label, f"starts {day}, not on {dates}", (day,)
                        )
                    )
                if task.fixed_start is not None and day != task.fixed_start:
                    v.append(
                        Violation(
                            "fixed_start",
                            s.inst.label,
                            f"starts {day}, not on {task.fixed_start}",
                            (day,),
                        )
                    )
        other = part.stagger_family(k)
        if other is not None and f.stagger is not None:
            anchors = by_task.get((other, f.stagger.task), [])
            kind = "FS" if f.stagger.anchor == "finish" else "SS"
            for task in f.tasks:
                for s in by_task.get((f.id, task.id), []) if anchors else []:
                    earliest = _anchor(anchors, kind, "working") + f.stagger.lag_days
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

    for centre, days in sorted((blocked_days or {}).items()):
        for p in placed.values():
            if p.inst.unit != centre or not p.inst.avoids_training:
                continue
            hit = sorted(set(p.days(cal)) & set(days))
            if hit:
                v.append(
                    Violation(
                        "blocked_days",
                        f"centre {centre}",
                        f"{p.inst.label} needs the team leads on blocked days",
                        tuple(hit),
                    )
                )

    caps = capacities(part, units)
    use: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for p in placed.values():
        for day in p.days(cal):
            for res, amount in p.inst.demands.items():
                use[res][day] += amount
    for res, days in sorted(use.items()):
        over = sorted(d for d, n in days.items() if n > caps.get(res, 0))
        if over:
            v.append(
                Violation(
                    "capacity",
                    f"resource {res}",
                    f"more than its capacity {caps.get(res, 0)} in use",
                    tuple(over),
                )
            )
    return v


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
def check_rcpsp(problem: RcpspProblem, starts: list[int]) -> list[str]:
    """Violations of a schedule (start time of every job); an empty list means feasible."""
    n = problem.n_jobs
    if len(starts) != n:
        return [f"{len(starts)} start times for {n} jobs"]
    out = [f"job {j + 1} starts at {s} < 0" for j, s in enumerate(starts) if s < 0]
    for i, succ in enumerate(problem.successors):
        for j in succ:
            if starts[j] < starts[i] + problem.durations[i]:
                out.append(f"job {j + 1} starts at {starts[j]} before job {i + 1} ends")
    end = max((s + d for s, d in zip(starts, problem.durations)), default=0)
    for r, cap in enumerate(problem.capacities):
        profile = [0] * (end + 1)
        for j, s in enumerate(starts):
            for t in range(max(0, s), s + problem.durations[j]):
                profile[t] += problem.demands[j][r]
        over = [t for t, u in enumerate(profile) if u > cap]
        if over:
            out.append(f"resource {r + 1} over its capacity {cap} at times {over[:5]}")
    return out


def rcpsp_makespan(problem: RcpspProblem, starts: list[int]) -> int:
    return max((s + d for s, d in zip(starts, problem.durations)), default=0)


def rollout_objective(instance: Instance, plan: RolloutPlan) -> float:
    """The weighted objective of a plan as the solver defines it."""
    assert instance.rollout is not None
    weights = term_weights(instance.rollout)
    return float(sum(weights[k] * v for k, v in rollout_terms(instance, plan).items()))
