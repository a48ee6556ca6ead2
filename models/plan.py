"""Plans and solve statistics: what leaves the solver and what reports read."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from models.common import Id, Model
from models.instance import Instance
from models.rollout import RolloutPlan
from models.staffing import StaffingPlan

PLAN_SCHEMA_VERSION = 1

Status = Literal["optimal", "feasible", "infeasible", "unknown"]


class PlannedSession(Model):
    group: Id
    session: Id = Field(description="session label, e.g. '9c'")
    module: Id
    repetition: int = Field(ge=1)
    start: dt.date | None = Field(None, description="first day (unknown for some done ones)")
    end: dt.date | None = Field(None, description="last day, inclusive")
    trainer: Id | None = None
    status: Literal["done", "planned"]
    was_missed: bool = Field(False, description="missed at the snapshot, re-planned here")


class TrainingPlan(Model):
    sessions: list[PlannedSession] = Field(default_factory=list)

    def planned(self) -> list[PlannedSession]:
        return [s for s in self.sessions if s.status == "planned"]

    def by_key(self) -> dict[tuple[str, str], PlannedSession]:
        return {(s.group, s.session): s for s in self.sessions}

    def to_frame(self):  # -> pandas.DataFrame
        """The sessions as a DataFrame with real dates (`models.frames`)."""
        from models.frames import training_frame

        return training_frame(self)


class PartOutcome(Model):
    """How one part was solved. `seconds` is kept out of plan.json (determinism)."""

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = Field(None, description="relative gap |objective-bound|/|objective|")
    seconds: float = 0.0
    terms: dict[str, float] = Field(
        default_factory=dict, description="value of every objective term (unweighted)"
    )
    weights: dict[str, int] = Field(default_factory=dict)
    message: str = ""


class TrainingResultRecord(Model):
    outcome: PartOutcome
    plan: TrainingPlan | None = None


class StaffingResultRecord(Model):
    outcome: PartOutcome
    plan: StaffingPlan | None = None
    coupling: str = Field("", description="how the training plan set the teams' relief need")
    relief: list[tuple[str, str, float]] = Field(
        default_factory=list, description="(unit, month, BV) training relief the plan used"
    )


class RolloutResultRecord(Model):
    outcome: PartOutcome
    plan: RolloutPlan | None = None
    coupling: str = Field("", description="how the training plan constrained the rollout")


class JointRecord(Model):
    """`juwe plan --joint`: training and rollout solved again in one CP-SAT model, hinted
    with the plans made one after the other; the joint plans are used when better."""

    outcome: PartOutcome = Field(description="the combined objective (training + rollout)")
    sequential_objective: float = Field(
        description="training objective + rollout objective when planned one after the other"
    )
    used: bool = Field(description="the joint plans replaced the sequential ones")


class Revision(Model):
    """A re-plan against an earlier plan (`juwe plan --previous`): what moved, and the
    calendar SEQUENCE of every event that changed at least once (so Outlook updates it)."""

    previous: str = Field(description="the earlier plan's file name, as the report shows it")
    changes: dict[str, Any] = Field(
        default_factory=dict, description="`models.diff.diff_plans(previous, this plan)`"
    )
    sequences: list[tuple[str, str, int]] = Field(
        default_factory=list,
        description="(group, session, SEQUENCE) of the calendar events changed so far",
    )

    def sequence_of(self) -> dict[tuple[str, str], int]:
        return {(g, s): n for g, s, n in self.sequences}


class PlanFile(Model):
    """plan.json: the instance and every part's outcome and plan."""

    schema_version: int = PLAN_SCHEMA_VERSION
    instance: Instance
    training: TrainingResultRecord | None = None
    staffing: StaffingResultRecord | None = None
    rollout: RolloutResultRecord | None = None
    joint: JointRecord | None = None
    interrupted: bool = Field(
        False,
        description="the run was stopped (Ctrl-C with --keep-on-interrupt): the plans are the "
        "best found until then",
    )
    revision: Revision | None = Field(
        None, description="a re-plan: what moved against the previous plan"
    )
