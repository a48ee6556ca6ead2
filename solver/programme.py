"""The planning pipeline: every part of a programme, in order, with their coupling.

The training calendar comes first. The staffing's relief need follows from it (teams in
module training lack BV), and the rollout's per-centre tasks avoid the days a centre's
groups are in training. With `joint`, training and rollout are solved once more in one
model, started from the sequential plans, and the joint plans are kept when the combined
objective is lower. Each part falls back to its checked hand-planning baseline when CP-SAT
finds no plan in time (inside the part's solve), so only an infeasible part, or one with
no plan at all, stops the programme.

`plan_programme` is what `juwe plan`, the web service and the sweeps call; `juwe bench`
and `juwe staffing scenarios` call the per-part steps it is made of.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from models.coupling import training_days_by_centre, training_relief
from models.instance import Instance
from models.plan import (
    JointRecord,
    PartOutcome,
    PlanFile,
    RolloutResultRecord,
    StaffingResultRecord,
    Status,
    TrainingPlan,
    TrainingResultRecord,
)
from solver.params import Result, SolveParams
from solver.progress import ProgressEvent, ProgressHook, SolveHistory, StopToken

PARTS = ("training", "staffing", "rollout")


@dataclass(frozen=True)
class PartFailure:
    """A part without a plan: `infeasible` (message names the conflicting rules) or
    `unknown` (no plan found within the time limit)."""

    part: str
    status: Status
    message: str


@dataclass
class Programme:
    """What `plan_programme` returns: `plan` is what plan.json holds; `histories` and
    `seconds` per solve (kept out of plan.json, which stays the same on reruns)."""

    plan: PlanFile
    histories: dict[str, SolveHistory] = field(default_factory=dict)
    failure: PartFailure | None = None
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return self.failure is None

    def outcomes(self) -> dict[str, PartOutcome]:
        """Every solved part's outcome in solve order (`joint` last when present)."""
        out: dict[str, PartOutcome] = {}
        for name in (*PARTS, "joint"):
            record = getattr(self.plan, name)
            if record is not None:
                out[name] = record.outcome
        return out

    def stats(self) -> dict[str, dict[str, Any]]:
        """solve_stats.json: per part status, objective, bound, gap, seconds, CP-SAT's
        deterministic time (`deterministic_time`, the work units of `--work-limit`: a
        figure of the effort that does not grow with the machine's load) and terms."""
        stats = {name: _stats(o, self.histories.get(name)) for name, o in self.outcomes().items()}
        if self.plan.joint is not None:
            j = self.plan.joint
            stats["joint"] |= {"sequential_objective": j.sequential_objective, "used": j.used}
        return stats


def plan_programme(
    instance: Instance,
    params: SolveParams | None = None,
    *,
    previous: TrainingPlan | PlanFile | None = None,
    joint: bool = False,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
    keep_going: bool = False,
) -> Programme:
    """Plan every part present. `params.time_limit` holds per part (and for the joint
    solve). `previous`: an earlier training plan (or plan file) whose changes cost.
    `progress` gets every part's events, numbered part k of n. `stop` set: the running
    search ends and each part keeps its best plan so far (or its checked baseline).
    An infeasible part, or one without a plan, ends the programme (`failure`) unless
    `keep_going`: then the later parts are planned without its coupling."""
    params = params or SolveParams()
    if not instance.parts():
        raise ValueError("the instance has no part to plan")
    if joint and (instance.training is None or instance.rollout is None):
        raise ValueError(
            "joint planning needs a training and a rollout part; the instance has: "
            + ", ".join(instance.parts())
        )
    prev = previous.training.plan if isinstance(previous, PlanFile) and previous.training else None
    if isinstance(previous, TrainingPlan):
        prev = previous
    steps = [p for p in PARTS if getattr(instance, p) is not None]
    if joint:  # the rollout is planned before the joint solve, the staffing after it
        steps = ["training", "rollout", "joint", *(["staffing"] if instance.staffing else [])]
    programme = Programme(PlanFile(instance=instance))
    record = programme.plan
    for k, step in enumerate(steps, start=1):
        hook = _numbered(progress, step, k, len(steps))
        if step == "joint":
            assert record.training is not None and record.rollout is not None
            if record.training.plan is None or record.rollout.plan is None:
                continue  # a failed part (keep_going): nothing to start the joint model from
            done = plan_joint(
                instance, params, record.training, record.rollout,
                previous=prev, progress=hook, stop=stop,
            )  # fmt: skip
            record.joint = done.record
            programme.histories["joint"] = done.history
            if done.training is not None and done.rollout is not None:
                record.training, record.rollout = done.training, done.rollout
            continue
        training_plan = record.training.plan if record.training is not None else None
        if step == "training":
            part, result = plan_training(instance, params, previous=prev, progress=hook, stop=stop)
            record.training = part
        elif step == "staffing":
            part, result = plan_staffing(instance, params, training_plan, progress=hook, stop=stop)
            record.staffing = part
        else:
            part, result = plan_rollout(instance, params, training_plan, progress=hook, stop=stop)
            record.rollout = part
        programme.histories[step] = result.history
        o = part.outcome
        if o.status in ("infeasible", "unknown") and programme.failure is None:
            programme.failure = PartFailure(step, o.status, o.message)
            if not keep_going:
                break
    programme.stopped = stop is not None and stop.is_set()
    return programme


# ------------------------------------------------------------------------- the parts
def plan_training(
    instance: Instance,
    params: SolveParams,
    *,
    previous: TrainingPlan | None = None,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> tuple[TrainingResultRecord, Result[TrainingPlan]]:
    """The training calendar (changes against `previous` cost)."""
    from solver.training import solve

    result = solve(instance, previous=previous, progress=progress, **_args(params, stop))
    return TrainingResultRecord(outcome=result.outcome, plan=result.plan), result


def plan_staffing(
    instance: Instance,
    params: SolveParams,
    training_plan: TrainingPlan | None,
    *,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> tuple[StaffingResultRecord, Result]:
    """The allocation of the additional positions; the teams in training in
    `training_plan` need relief (without one: the instance's own `relief` list)."""
    from solver.staffing import solve

    part = instance.staffing
    assert part is not None
    relief = training_relief(instance, training_plan)
    if training_plan is not None:
        coupling = (
            f"relief need of the teams in training from the training plan: "
            f"{sum(relief.values()):.1f} BV-months over {len({u for u, _ in relief})} units"
        )
    elif relief:
        coupling = "relief need from the instance's `relief` list"
    else:
        coupling = ""
    result = solve(instance, relief=relief, progress=progress, **_args(params, stop))
    record = StaffingResultRecord(
        outcome=result.outcome,
        plan=result.plan,
        coupling=coupling,
        relief=[(u, part.month(t), round(bv, 4)) for (u, t), bv in sorted(relief.items())],
    )
    return record, result


def plan_rollout(
    instance: Instance,
    params: SolveParams,
    training_plan: TrainingPlan | None,
    *,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> tuple[RolloutResultRecord, Result]:
    """The rollout, a centre's own tasks kept off the days its groups are in training."""
    from solver.rollout import solve

    blocked, coupling = None, ""
    if training_plan is not None:
        blocked = training_days_by_centre(instance, training_plan)
        days = sum(len(d) for d in blocked.values())
        coupling = (
            f"a centre's own rollout tasks avoid its {days} centre-days of module "
            "training in the training plan"
        )
    result = solve(instance, blocked_days=blocked, progress=progress, **_args(params, stop))
    return RolloutResultRecord(outcome=result.outcome, plan=result.plan, coupling=coupling), result


@dataclass
class JointStep:
    """The joint solve's record; `training`/`rollout` replace the sequential records when
    the joint plans are better (None otherwise)."""

    record: JointRecord
    history: SolveHistory
    training: TrainingResultRecord | None = None
    rollout: RolloutResultRecord | None = None


def plan_joint(
    instance: Instance,
    params: SolveParams,
    training: TrainingResultRecord,
    rollout: RolloutResultRecord,
    *,
    previous: TrainingPlan | None = None,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> JointStep:
    """Training and rollout in one model, hinted with the sequential plans."""
    from solver.joint import solve_joint

    assert training.plan is not None and rollout.plan is not None
    t, r = training.outcome, rollout.outcome
    assert t.objective is not None and r.objective is not None
    sequential = t.objective + r.objective
    result = solve_joint(
        instance,
        hint=(training.plan, rollout.plan),
        previous=previous,
        training_bound=t.bound,
        progress=progress,
        **_args(params, stop),
    )
    o = result.outcome
    used = o.objective is not None and o.objective < sequential - 1e-9
    step = JointStep(
        JointRecord(outcome=o, sequential_objective=sequential, used=used),
        result.history,
    )
    if used:
        assert result.training is not None and result.rollout is not None
        step.training = TrainingResultRecord(
            outcome=result.training.outcome, plan=result.training.plan
        )
        step.rollout = RolloutResultRecord(
            outcome=result.rollout.outcome,
            plan=result.rollout.plan,
            coupling=(
                "planned jointly with the training (--joint): a centre's own rollout tasks "
                f"avoid its training days; combined objective {o.objective:g} against "
                f"{sequential:g} planned one after the other"
            ),
        )
    return step


# ------------------------------------------------------------------------- helpers
def _args(params: SolveParams, stop: StopToken | None) -> dict[str, Any]:
    return {
        "time_limit": params.time_limit,
        "seed": params.seed,
        "workers": params.workers,
        "log": params.log,
        "work_limit": params.work_limit,
        "stop": stop,
    }


def _numbered(progress: ProgressHook | None, part: str, index: int, total: int) -> Callable | None:
    """The hook for part `index` of `total`."""
    if progress is None:
        return None

    def hook(event: ProgressEvent) -> None:
        progress(replace(event, index=index, total=total))

    return hook


def _stats(o: PartOutcome, history: SolveHistory | None) -> dict[str, Any]:
    return {
        "status": o.status,
        "objective": o.objective,
        "bound": o.bound,
        "gap": o.gap,
        "seconds": round(o.seconds, 3),
        "deterministic_time": None if history is None else float(f"{history.work:.4g}"),
        "terms": o.terms,
    }
