"""The core-process rollout part: process families, their task templates, resources, dates.

Time is counted in *working days of the rollout calendar*: the instance's working calendar
(Monday-Friday minus public holidays), with or without its blackout ranges
(`calendar_blackouts`), minus the rollout's own blackouts. A task of `weeks` working weeks
runs on 5 x weeks consecutive working days and pauses over days off. A working-week lag
counts working days too; a `calendar` lag counts calendar days (a half-year review is 26
calendar weeks, whatever the holidays).

A task marked `per_unit` is repeated for every unit (district centre). A resource marked
`per_unit` ("the team leads") exists once per unit: a per-unit task uses its own unit's
copy, any other task uses the copy of every unit.

"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from models.calendar import CalendarSpec, WorkingCalendar
from models.common import (
    MAX_DAYS,
    MAX_WEEKS,
    MAX_WEIGHT,
    DateRange,
    Id,
    Model,
    Weights,
    duplicates,
    find_cycle,
)
from models.rcpsp import RcpspProblem  # noqa: F401  (re-export: models.check_rollout imports it)

DAYS_PER_WEEK = 5
"""Working days in a working week: durations and working lags are 5 x weeks days."""

Amount = Annotated[int, Field(ge=0, le=MAX_WEIGHT)]


def _whole(value: float, per_week: int, what: str) -> int:
    days = value * per_week
    if abs(days - round(days)) > 1e-6:
        raise ValueError(
            f"{what} of {value} weeks is {days:g} days; give whole days (multiples of "
            f"{1 / per_week:g} weeks)"
        )
    return round(days)


class Precedence(Model):
    """This task starts after `task` (of the same family) finishes (FS) or starts (SS)."""

    task: Id = Field(description="id of the preceding task in the same family")
    type: Literal["FS", "SS"] = Field("FS", description="finish-to-start or start-to-start")
    lag_weeks: float = Field(
        0, ge=-MAX_WEEKS, le=MAX_WEEKS, description="minimum time between the two, in weeks"
    )
    unit: Literal["working", "calendar"] = Field(
        "working", description="lag in working weeks (5 working days) or calendar weeks (7 days)"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`after: [draft]` is short for `after: [{task: draft}]`."""
        return {"task": data} if isinstance(data, str | int) else data

    @model_validator(mode="after")
    def _whole_days(self) -> Precedence:
        _whole(self.lag_weeks, self.days_per_week, "the lag")
        return self

    @property
    def days_per_week(self) -> int:
        return DAYS_PER_WEEK if self.unit == "working" else 7

    @property
    def lag_days(self) -> int:
        """Working days (unit working) or calendar days (unit calendar)."""
        return _whole(self.lag_weeks, self.days_per_week, "the lag")


class Task(Model):
    """One step of a family's task template."""

    id: Id
    title: str = ""
    weeks: float | None = Field(
        None, le=MAX_WEEKS, description="duration in working weeks (5 working days)"
    )
    days: int | None = Field(
        None, le=MAX_DAYS, description="duration in working days (instead of weeks)"
    )
    resources: dict[Id, Amount] = Field(
        default_factory=dict, description="resource id -> amount used on every day of the task"
    )
    per_unit: bool = Field(False, description="repeated for every unit (district centre)")
    after: list[Precedence] = Field(default_factory=list)
    event_dates: list[dt.date] = Field(
        default_factory=list, description="the task must start on one of these dates"
    )
    fixed_start: dt.date | None = Field(None, description="the task starts on this date")
    avoid_training_days: bool | None = Field(
        None,
        description="a per-unit task keeps off the days on which a training group of its "
        "centre is in module training (default: when it uses a per-unit resource such as "
        "the team leads; false for e.g. a test phase that runs beside the training)",
    )

    @model_validator(mode="after")
    def _duration(self) -> Task:
        if (self.weeks is None) == (self.days is None):
            raise ValueError(f"task {self.id}: give its duration as either `weeks` or `days`")
        if (self.weeks or 0) < 0 or (self.days or 0) < 0:
            value = f"{self.weeks:g} weeks" if self.weeks is not None else f"{self.days} days"
            raise ValueError(f"task {self.id}: duration must not be negative (got {value})")
        if self.weeks is not None:
            _whole(self.weeks, DAYS_PER_WEEK, f"task {self.id}: the duration")
        if self.event_dates and self.fixed_start is not None:
            raise ValueError(f"task {self.id}: give either `event_dates` or `fixed_start`")
        return self

    @property
    def duration(self) -> int:
        """Working days."""
        if self.days is not None:
            return self.days
        return _whole(self.weeks or 0, DAYS_PER_WEEK, "the duration")


class Stagger(Model):
    """The family's tasks start no earlier than `task` of an earlier family finishes (or
    starts), plus `lag_weeks` working weeks."""

    family: Id | None = Field(None, description="the earlier family (default: the one before)")
    task: Id
    anchor: Literal["finish", "start"] = "finish"
    lag_weeks: float = Field(0, ge=-MAX_WEEKS, le=MAX_WEEKS)

    @model_validator(mode="after")
    def _whole_days(self) -> Stagger:
        _whole(self.lag_weeks, DAYS_PER_WEEK, "the stagger lag")
        return self

    @property
    def lag_days(self) -> int:
        return _whole(self.lag_weeks, DAYS_PER_WEEK, "the stagger lag")


class Family(Model):
    """A core-process family (e.g. child protection) with its task template."""

    id: Id
    name: str = ""
    priority: int = Field(
        1, ge=0, le=MAX_WEIGHT, description="weight of the family's completion in the objective"
    )
    stagger: Stagger | None = None
    tasks: list[Task] = Field(min_length=1)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    def cycle(self) -> list[str] | None:
        """A cycle of `after` references (task ids), or None."""
        return find_cycle({t.id: [p.task for p in t.after] for t in self.tasks})


class Resource(Model):
    """A renewable resource: `capacity` units on every working day."""

    id: Id
    name: str = ""
    capacity: int = Field(ge=0, le=MAX_WEIGHT)
    per_unit: bool = Field(False, description="one copy of the capacity for every unit")


class RolloutWeights(Weights):
    """Weights besides the families' priorities (which weigh each family's completion)."""

    makespan: int = Field(
        1, ge=0, le=MAX_WEIGHT, description="per working day until the last task ends"
    )


class RolloutPart(Model):
    start: dt.date | None = Field(None, description="no task before this date (default: horizon)")
    units: list[Id] | None = Field(
        None, description="centres per-unit tasks are repeated for (default: all centres)"
    )
    calendar_blackouts: bool = Field(
        True, description="pause over the calendar's blackout ranges (school holidays)"
    )
    blackouts: list[DateRange] = Field(
        default_factory=list, description="further date ranges without rollout work"
    )
    resources: list[Resource] = Field(default_factory=list)
    families: list[Family] = Field(min_length=1)
    weights: RolloutWeights = Field(default_factory=RolloutWeights)

    def family(self, family_id: str) -> Family:
        for f in self.families:
            if f.id == family_id:
                return f
        raise KeyError(family_id)

    def resource(self, resource_id: str) -> Resource:
        for r in self.resources:
            if r.id == resource_id:
                return r
        raise KeyError(resource_id)

    def stagger_family(self, k: int) -> str | None:
        """Id of the family that family k is staggered after (None: not staggered)."""
        s = self.families[k].stagger
        if s is None:
            return None
        if s.family is not None:
            return s.family
        return self.families[k - 1].id if k > 0 else None


# ------------------------------------------------------------------ derived data
def rollout_calendar(spec: CalendarSpec, part: RolloutPart) -> WorkingCalendar:
    """The working days of the rollout (see the module docstring)."""
    blackouts = (list(spec.blackouts) if part.calendar_blackouts else []) + list(part.blackouts)
    return WorkingCalendar(spec.model_copy(update={"blackouts": blackouts}))


def unit_ids(part: RolloutPart, centres: list[str]) -> list[str]:
    return list(part.units) if part.units is not None else list(centres)


def resource_key(resource_id: str, unit: str = "") -> str:
    """The id of a resource copy: `team_leads@SZ1` for a per-unit resource."""
    return f"{resource_id}@{unit}" if unit else resource_id


def capacities(part: RolloutPart, units: list[str]) -> dict[str, int]:
    """Capacity of every resource copy."""
    out: dict[str, int] = {}
    for r in part.resources:
        if r.per_unit:
            for u in units:
                out[resource_key(r.id, u)] = r.capacity
        else:
            out[r.id] = r.capacity
    return out


@dataclass(frozen=True)
class TaskInstance:
    """One task of one family for one unit ('' unless per-unit): what gets scheduled."""

    family: str
    task: str
    unit: str
    title: str
    duration: int  # working days
    demands: dict[str, int] = field(hash=False)  # resource copy -> amount
    avoids_training: bool  # a per-unit task kept off its centre's module-training days

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.family, self.task, self.unit)

    @property
    def label(self) -> str:
        return f"{self.family}/{self.task}" + (f"@{self.unit}" if self.unit else "")


def expand(part: RolloutPart, units: list[str]) -> list[TaskInstance]:
    """Every task instance, families and tasks in listing order, units in order."""
    per_unit_res = {r.id for r in part.resources if r.per_unit}
    out: list[TaskInstance] = []
    for f in part.families:
        for t in f.tasks:
            for u in units if t.per_unit else [""]:
                demands: dict[str, int] = {}
                for rid, amount in t.resources.items():
                    if amount == 0:
                        continue
                    if rid not in per_unit_res:
                        demands[rid] = demands.get(rid, 0) + amount
                    elif u:
                        demands[resource_key(rid, u)] = amount
                    else:
                        for v in units:
                            demands[resource_key(rid, v)] = amount
                avoids = bool(u) and (
                    t.avoid_training_days
                    if t.avoid_training_days is not None
                    else any(
                        rid in per_unit_res and amount > 0 for rid, amount in t.resources.items()
                    )
                )
                out.append(TaskInstance(f.id, t.id, u, t.title, t.duration, demands, avoids))
    return out


# -------------------------------------------------------------- cross-references
def rollout_problems(
    part: RolloutPart, spec: CalendarSpec, centres: list[str]
) -> list[tuple[str, str]]:
    """(field path, message) for every broken reference or impossible date of the part."""
    p: list[tuple[str, str]] = []
    for i, d in duplicates([r.id for r in part.resources]):
        p.append((f"rollout.resources[{i}].id", f"id {d!r} is used twice"))
    for i, d in duplicates([f.id for f in part.families]):
        p.append((f"rollout.families[{i}].id", f"id {d!r} is used twice"))
    if part.units is not None:
        for i, d in duplicates(list(part.units)):
            p.append((f"rollout.units[{i}]", f"unit {d!r} is listed twice"))
        for j, u in enumerate(part.units):
            if u not in centres:
                p.append((f"rollout.units[{j}]", f"unknown centre {u!r}"))
    units = unit_ids(part, centres)
    resources = {r.id for r in part.resources}
    family_pos = {f.id: k for k, f in enumerate(part.families)}
    cal = rollout_calendar(spec, part)
    if part.start is not None and not spec.contains(part.start):
        p.append(("rollout.start", f"date {part.start} is outside the horizon {_horizon(spec)}"))

    def check_date(path: str, day: dt.date) -> None:
        if not cal.is_working(day):
            p.append((path, f"{day} is not a rollout working day: {cal.non_working_reason(day)}"))
        elif part.start is not None and day < part.start:
            p.append((path, f"{day} is before the rollout start {part.start}"))

    for k, f in enumerate(part.families):
        fpath = f"rollout.families[{k}]"
        for i, d in duplicates([t.id for t in f.tasks]):
            p.append((f"{fpath}.tasks[{i}].id", f"task id {d!r} is used twice in family {f.id}"))
        tasks = {t.id for t in f.tasks}
        for i, t in enumerate(f.tasks):
            tpath = f"{fpath}.tasks[{i}]"
            for rid in t.resources:
                if rid not in resources:
                    known = ", ".join(sorted(resources)) or "none"
                    p.append(
                        (f"{tpath}.resources.{rid}", f"unknown resource {rid!r} (known: {known})")
                    )
            for j, pre in enumerate(t.after):
                if pre.task not in tasks:
                    p.append(
                        (f"{tpath}.after[{j}].task", f"unknown task {pre.task!r} in family {f.id}")
                    )
                elif pre.task == t.id:
                    p.append((f"{tpath}.after[{j}].task", f"task {t.id} cannot follow itself"))
            if t.per_unit and not units:
                p.append((f"{tpath}.per_unit", "per-unit tasks need units (centres)"))
            for j, day in enumerate(t.event_dates):
                check_date(f"{tpath}.event_dates[{j}]", day)
            if t.fixed_start is not None:
                check_date(f"{tpath}.fixed_start", t.fixed_start)
        cycle = f.cycle()
        if cycle:
            p.append((f"{fpath}.tasks", "cyclic task order: " + " -> ".join(cycle)))
        if f.stagger is not None:
            spath = f"{fpath}.stagger"
            other = part.stagger_family(k)
            if other is None:
                p.append((spath, f"family {f.id} is listed first: name the family it follows"))
            elif other not in family_pos:
                p.append((f"{spath}.family", f"unknown family {other!r}"))
            elif family_pos[other] >= k:
                p.append((f"{spath}.family", f"family {other!r} must be listed before {f.id!r}"))
            elif f.stagger.task not in {t.id for t in part.families[family_pos[other]].tasks}:
                p.append((f"{spath}.task", f"unknown task {f.stagger.task!r} in family {other}"))
    return p


def finish_offset(cal: WorkingCalendar, start: int, duration: int) -> int:
    """Calendar offset of a task's finish: the day after its last day (its start day for a
    milestone). Calendar lags count from here (FS) or from the start's offset (SS)."""
    if duration == 0:
        return cal.offsets[start]
    return cal.offsets[start + duration - 1] + 1


def term_weights(part: RolloutPart) -> dict[str, int]:
    """Objective terms and their weights: every family's completion and the makespan."""
    weights = {f"completion:{f.id}": f.priority for f in part.families}
    weights["makespan"] = part.weights.makespan
    return weights


def _horizon(spec: CalendarSpec) -> str:
    return f"{spec.start}..{spec.end}"


# ---------------------------------------------------------------------- the plan
class PlannedTask(Model):
    family: Id
    task: Id
    unit: str = Field("", description="centre of a per-unit task, '' otherwise")
    title: str = ""
    start: dt.date
    end: dt.date = Field(description="last working day, inclusive (= start for a milestone)")
    resources: dict[str, int] = Field(
        default_factory=dict, description="resource copy (team_leads@SZ1) -> amount"
    )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.family, self.task, self.unit)


class RolloutPlan(Model):
    tasks: list[PlannedTask] = Field(default_factory=list)

    def to_frame(self):  # -> pandas.DataFrame
        """The tasks as a DataFrame with real dates (`models.frames`)."""
        from models.frames import rollout_frame

        return rollout_frame(self)

    def by_key(self) -> dict[tuple[str, str, str], PlannedTask]:
        return {t.key: t for t in self.tasks}


def plan_from_starts(cal: WorkingCalendar, starts: list[tuple[TaskInstance, int]]) -> RolloutPlan:
    """The plan of task instances started on the given working-day indices."""
    out = []
    for inst, start in starts:
        d = inst.duration
        out.append(
            PlannedTask(
                family=inst.family,
                task=inst.task,
                unit=inst.unit,
                title=inst.title,
                start=cal.days[start],
                end=cal.days[start + d - 1] if d else cal.days[start],
                resources=dict(inst.demands),
            )
        )
    return RolloutPlan(tasks=out)
