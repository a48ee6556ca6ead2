"""The training part of an instance: modules, trainers, rules, weights, status snapshot."""

from __future__ import annotations

import datetime as dt
import string
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from models.calendar import WEEKDAYS, known_weekdays
from models.common import MAX_DAYS, MAX_WEIGHT, DateRange, Id, Model, Weights, find_cycle


class Module(Model):
    """A training module; held `repetitions` times per group (module 9: 9a..9d)."""

    id: Id
    title: str = ""
    days: int = Field(1, ge=1, le=20, description="duration in consecutive working days")
    repetitions: int = Field(1, ge=1, le=26, description="how often each group attends it")
    after: list[Id] = Field(
        default_factory=list,
        description="modules a group must have finished before this one; modules that "
        "`after` does not order (directly or through others) are held in the order the "
        "planner finds best. Example: `after: ['1']`",
    )
    same_week: bool | None = Field(
        None,
        description="a multi-day session runs within one calendar week (Mon-Sun), never "
        "over a weekend; unset: the training part's `same_week`. Example: `same_week: true`",
    )

    def session_labels(self) -> list[str]:
        if self.repetitions == 1:
            return [self.id]
        return [f"{self.id}{string.ascii_lowercase[r]}" for r in range(self.repetitions)]


class Trainer(Model):
    id: Id
    name: str = ""
    unavailable: list[DateRange] = Field(default_factory=list)
    max_days_per_month: int | None = Field(None, ge=0, le=31, description="cap on training days")
    modules: list[Id] | None = Field(
        None,
        description="the modules this trainer teaches (unset: all); a session only goes to a "
        "qualified trainer. Example: `modules: ['1', '2', '3']`",
    )


class Spacing(Model):
    """Calendar days from the start of a group's session to the start of its next one."""

    min_days: int = Field(0, ge=0, le=MAX_DAYS)
    max_days: int | None = Field(None, ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _ordered(self) -> Spacing:
        if self.max_days is not None and self.max_days < self.min_days:
            raise ValueError(f"min_days {self.min_days} is greater than max_days {self.max_days}")
        return self


class TrainingWeights(Weights):
    """Weights of the soft rules (objective terms); 0 switches a rule off."""

    completion: int = Field(
        1, ge=0, le=MAX_WEIGHT, description="per calendar day of each group's completion"
    )
    trainer_balance: int = Field(
        2,
        ge=0,
        le=MAX_WEIGHT,
        description="per training day between the busiest and the least busy trainer",
    )
    weekday: int = Field(
        5, ge=0, le=MAX_WEIGHT, description="per session on a non-preferred weekday"
    )
    change: int = Field(
        1,
        ge=0,
        le=MAX_WEIGHT,
        description="per calendar day a session moves against the previous plan",
    )
    trainer_change: int = Field(
        10,
        ge=0,
        le=MAX_WEIGHT,
        description="per session whose trainer differs from the previous plan",
    )
    trainer_continuity: int = Field(
        0,
        ge=0,
        le=MAX_WEIGHT,
        description="per change of trainer between a group's consecutive sessions (dated "
        "done sessions with a trainer count too); 0 switches it off",
    )


class SessionStatus(StrEnum):
    done = "done"
    missed = "missed"
    planned = "planned"
    pinned = "pinned"  # a planner's decision the solver keeps: a start date and/or a trainer


class SnapshotEntry(Model):
    """The state of one session of one group at the snapshot date."""

    group: Id
    session: Id = Field(description="session label, e.g. '4' or '9c'")
    status: SessionStatus
    date: dt.date | None = Field(
        None, description="when it took place (done sessions), or its pinned first day (pinned)"
    )
    year: int | None = Field(
        None, ge=1900, le=2200, description="planned year (planned sessions): a hard window"
    )
    trainer: Id | None = Field(
        None, description="who held it (done sessions), or its pinned trainer (pinned)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> SnapshotEntry:
        dated = (SessionStatus.done, SessionStatus.pinned)
        if self.status not in dated and self.date is not None:
            raise ValueError("only done and pinned sessions carry a date")
        if self.status in dated and self.year is not None:
            raise ValueError(f"a {self.status.value} session has no planned year")
        if self.status == SessionStatus.pinned and self.date is None and self.trainer is None:
            raise ValueError("a pinned session needs a `date` (first day), a `trainer`, or both")
        return self


class Snapshot(Model):
    date: dt.date = Field(description="the status date; sessions are planned after it")
    sessions: list[SnapshotEntry] = Field(default_factory=list)


class TrainingPart(Model):
    modules: list[Module] = Field(min_length=1)
    trainers: list[Trainer] = Field(min_length=1)
    spacing: Spacing = Field(default_factory=Spacing)
    max_groups_per_centre_per_day: int = Field(
        1,
        ge=1,
        le=1000,
        description="case coverage: groups of one centre in training on the same day",
    )
    centre_coverage: dict[Id, Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=dict,
        description="per-centre exceptions to max_groups_per_centre_per_day, by centre id. "
        "Example: `centre_coverage: {SZ1: 2}`",
    )
    same_week: bool = Field(
        False,
        description="every multi-day module runs within one calendar week (a module's own "
        "`same_week` overrides this)",
    )
    preferred_weekdays: list[str] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    weights: TrainingWeights = Field(default_factory=TrainingWeights)
    snapshot: Snapshot | None = None

    @field_validator("preferred_weekdays")
    @classmethod
    def _weekdays(cls, v: list[str]) -> list[str]:
        return known_weekdays(v)

    def module(self, module_id: str) -> Module:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(module_id)

    def coverage(self, centre: str) -> int:
        """How many groups of the centre may be in training on the same day."""
        return self.centre_coverage.get(centre, self.max_groups_per_centre_per_day)

    def keeps_week(self, module: Module) -> bool:
        """Whether the module's sessions must stay within one calendar week."""
        flag = self.same_week if module.same_week is None else module.same_week
        return flag and module.days > 1

    def qualified(self, module_id: str) -> list[str]:
        """The trainers who teach the module, in listing order."""
        return [t.id for t in self.trainers if t.modules is None or module_id in t.modules]

    def module_cycle(self) -> list[str] | None:
        """A cycle in the `after` relation (as a list of module ids), or None."""
        return find_cycle({m.id: list(m.after) for m in self.modules})

    def module_sequence(self) -> list[Module]:
        """Modules in training order: topological by `after`, ties by listing order."""
        remaining = list(self.modules)
        placed: set[str] = set()
        order: list[Module] = []
        while remaining:
            for m in remaining:
                if all(a in placed for a in m.after):
                    order.append(m)
                    placed.add(m.id)
                    remaining.remove(m)
                    break
            else:  # a cycle; validation reports it, keep the rest in listing order
                order.extend(remaining)
                break
        return order

    def precedence(self) -> dict[str, set[str]]:
        """Session label -> the labels that must come before it: the sessions of every
        module it is (transitively) `after`, and the earlier repetitions of its own module.
        Sessions of modules `after` does not order are in the order the plan gives them."""
        before_module: dict[str, set[str]] = {}
        for m in self.module_sequence():  # topological: the `after` modules are done
            known = set()
            for a in m.after:
                known |= {a} | before_module.get(a, set())
            before_module[m.id] = known
        labels = {m.id: m.session_labels() for m in self.modules}
        out: dict[str, set[str]] = {}
        for m in self.modules:
            earlier = {lb for a in before_module[m.id] for lb in labels.get(a, [])}
            for r, label in enumerate(labels[m.id]):
                out[label] = earlier | set(labels[m.id][:r])
        return out

    def session_sequence(self) -> list[tuple[Module, int, str]]:
        """Every session a group attends, in a training order that keeps `after` (ties by
        listing order): (module, repetition 1.., label)."""
        return [
            (m, r + 1, label)
            for m in self.module_sequence()
            for r, label in enumerate(m.session_labels())
        ]

    def status_of(self) -> dict[tuple[str, str], SnapshotEntry]:
        if self.snapshot is None:
            return {}
        return {(e.group, e.session): e for e in self.snapshot.sessions}
