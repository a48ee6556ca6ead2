"""Sweep files of `juwe sweep`: a grid (or a list) of changes to an instance's training
part, each point solved, and optionally the direct question "the smallest number of
trainers (or monthly cap) with which every group finishes by a date".

```yaml
grid:                 # every combination of the values
  trainers: [2, 3, 4]           # the first N trainers of the instance
  monthly_cap: [8, 12]          # every trainer's max_days_per_month
  coverage: [1, 2]              # groups of one centre in training on the same day
  finish_by: [2016-12-31, 2017-06-30]   # every group's latest deadline
  start: [2016-01-04]           # the planning start
  rollout_start: [2016-09-01]   # no rollout task before this date
  weights: [{completion: 1}, {completion: 5, trainer_balance: 0}]   # training weights
points:               # or (and) explicit points; fields left out keep the instance's value
  - {name: "trainer t1 off in Q1", absent: {trainer: t1, start: 2016-01-01, end: 2016-03-31}}
  - {name: "SZ1 covers two", centre_coverage: {SZ1: 2}}
  - {name: "two project leads", rollout_capacity: {project_lead: 2}}
finish_by: 2016-12-31 # every group's deadline at the latest this date (optional)
question: {smallest: trainers, finish_by: 2016-12-31}   # answered from the sweep
```
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from models.common import Id, Model
from models.instance import Instance
from models.io import InputError, read_data, validation_problems

MAX_POINTS = 500


class Absence(Model):
    trainer: Id
    start: dt.date
    end: dt.date


class Point(Model):
    """One change set; fields left out keep the instance's value."""

    name: str = Field("", max_length=80)
    trainers: int | None = Field(None, ge=1, le=500, description="keep the first N trainers")
    monthly_cap: int | None = Field(None, ge=0, le=31, description="max_days_per_month of all")
    finish_by: dt.date | None = Field(None, description="latest deadline of every group")
    start: dt.date | None = Field(None, description="the planning start (calendar.start)")
    coverage: int | None = Field(
        None, ge=1, le=1000, description="max_groups_per_centre_per_day of every centre"
    )
    centre_coverage: dict[Id, int] | None = Field(
        None, description="per-centre coverage (added to the instance's centre_coverage)"
    )
    weights: dict[str, int] | None = Field(
        None, description="training weights to change (the others keep their value)"
    )
    rollout_start: dt.date | None = Field(None, description="no rollout task before this date")
    rollout_capacity: dict[Id, int] | None = Field(
        None, description="rollout resource id -> capacity"
    )
    absent: Absence | None = None

    def values(self) -> dict[str, object]:
        """The point's changes as flat cells (a mapping as `key:value key:value`)."""
        out: dict[str, object] = {}
        for k, v in self.model_dump(exclude={"name", "absent"}).items():
            if v is None:
                continue
            out[k] = " ".join(f"{a}:{b}" for a, b in v.items()) if isinstance(v, dict) else v
        return out

    def label(self) -> str:
        if self.name:
            return self.name
        parts = [f"{k}={v}" for k, v in self.values().items()]
        if self.absent is not None:
            parts.append(f"{self.absent.trainer} off {self.absent.start}..{self.absent.end}")
        return ", ".join(parts) or "instance"


class Question(Model):
    smallest: Literal["trainers", "monthly_cap"]
    finish_by: dt.date
    values: list[int] | None = Field(
        None, min_length=1, description="the values tried (default: 1..all trainers, 1..31)"
    )


class Grid(Model):
    trainers: list[int] | None = Field(None, min_length=1)
    monthly_cap: list[int] | None = Field(None, min_length=1)
    start: list[dt.date] | None = Field(None, min_length=1)
    coverage: list[int] | None = Field(None, min_length=1)
    finish_by: list[dt.date] | None = Field(None, min_length=1)
    rollout_start: list[dt.date] | None = Field(None, min_length=1)
    weights: list[dict[str, int]] | None = Field(None, min_length=1)


class SweepFile(Model):
    grid: Grid | None = None
    points: list[Point] = Field(default_factory=list)
    finish_by: dt.date | None = None
    question: Question | None = None

    @model_validator(mode="after")
    def _something(self) -> SweepFile:
        if self.grid is None and not self.points and self.question is None:
            raise ValueError("give a `grid`, `points` or a `question`")
        return self

    def expand(self, instance: Instance) -> list[Point]:
        """Every point of the sweep (the question's values included), each validated."""
        out = list(self.points)
        if self.grid is not None:
            axes = {k: v for k, v in self.grid.model_dump().items() if v is not None}
            for combo in itertools.product(*axes.values()):
                out.append(Point(**dict(zip(axes, combo))))
        if self.question is not None:
            q = self.question
            part = instance.training
            top = len(part.trainers) if part is not None else 1
            values = q.values or (range(1, top + 1) if q.smallest == "trainers" else range(1, 32))
            for v in values:
                out.append(Point(**{q.smallest: v, "finish_by": q.finish_by}))
        if self.finish_by is not None:
            out = [
                p if p.finish_by else p.model_copy(update={"finish_by": self.finish_by})
                for p in out
            ]
        return out


def load_sweep(path: str | Path) -> SweepFile:
    data = read_data(path)
    if not isinstance(data, dict):
        raise InputError(path, ["expected a mapping (grid, points, question) at the top level"])
    try:
        return SweepFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(path, validation_problems(exc)) from None


def apply_point(instance: Instance, p: Point) -> Instance:
    """The instance with the point's changes, validated again (ValueError naming them)."""
    data = instance.model_dump(mode="python")
    training = data.get("training")
    if training is None:
        raise ValueError("the instance has no training part to vary")
    if p.trainers is not None:
        if p.trainers > len(training["trainers"]):
            raise ValueError(
                f"trainers={p.trainers}: the instance has {len(training['trainers'])} trainers"
            )
        training["trainers"] = training["trainers"][: p.trainers]
    if p.monthly_cap is not None:
        for t in training["trainers"]:
            t["max_days_per_month"] = p.monthly_cap
    if p.absent is not None:
        ids = [t["id"] for t in training["trainers"]]
        if p.absent.trainer not in ids:
            raise ValueError(f"absent.trainer: unknown trainer {p.absent.trainer!r}")
        t = training["trainers"][ids.index(p.absent.trainer)]
        t["unavailable"] = [*t["unavailable"], {"start": p.absent.start, "end": p.absent.end}]
    if p.finish_by is not None:
        for g in data["organisation"]["groups"]:
            g["deadline"] = min(g["deadline"], p.finish_by) if g["deadline"] else p.finish_by
    if p.start is not None:
        data["calendar"]["start"] = p.start
    if p.coverage is not None:
        training["max_groups_per_centre_per_day"] = p.coverage
    if p.centre_coverage is not None:
        centres = {c["id"] for c in data["organisation"]["centres"]}
        for c in p.centre_coverage:
            if c not in centres:
                raise ValueError(f"centre_coverage: unknown centre {c!r}")
        training["centre_coverage"] = {**training["centre_coverage"], **p.centre_coverage}
    if p.weights is not None:
        unknown = sorted(set(p.weights) - set(training["weights"]))
        if unknown:
            known = ", ".join(training["weights"])
            raise ValueError(f"weights: unknown training weight {unknown[0]!r} (known: {known})")
        training["weights"] = {**training["weights"], **p.weights}
    if p.rollout_start is not None or p.rollout_capacity is not None:
        rollout = data.get("rollout")
        if rollout is None:
            raise ValueError("rollout_start/rollout_capacity: the instance has no rollout part")
        if p.rollout_start is not None:
            rollout["start"] = p.rollout_start
        for rid, cap in (p.rollout_capacity or {}).items():
            ids = [r["id"] for r in rollout["resources"]]
            if rid not in ids:
                raise ValueError(
                    f"rollout_capacity: unknown resource {rid!r} (known: {', '.join(ids)})"
                )
            rollout["resources"][ids.index(rid)]["capacity"] = cap
    try:
        return Instance.model_validate(data)
    except ValidationError as exc:
        raise ValueError("; ".join(validation_problems(exc))) from None
