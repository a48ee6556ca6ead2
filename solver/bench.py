"""Solve every part of an instance beside its hand-planning baseline: the rows of
`juwe bench` and the objective/bound history of each solve.

Parts are planned by the pipeline's steps, coupled as in `juwe plan`: the staffing relief
comes from the training plan and the rollout avoids the centres' training days; the
baselines get the same coupling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from models.check_rollout import check_rollout, rollout_objective
from models.check_staffing import check_staffing, staffing_figures, staffing_objective
from models.check_training import check_training, plan_objective
from models.coupling import training_days_by_centre, training_relief
from models.instance import Instance
from models.plan import TrainingPlan
from solver import baselines
from solver.params import Result, SolveParams, raise_on_violations
from solver.programme import plan_joint, plan_rollout, plan_staffing, plan_training
from solver.progress import SolveHistory, StopToken


@dataclass
class BenchRow:
    instance: str
    part: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    baseline: float | None
    history: SolveHistory = field(default_factory=SolveHistory)
    note: str = ""

    @property
    def work(self) -> float:
        """CP-SAT's deterministic time over the part's searches (its history's work): a
        figure of the effort that, unlike `seconds`, does not grow with the load."""
        return self.history.work

    @property
    def ratio(self) -> float | None:
        if self.objective is None or not self.baseline:
            return None
        return self.objective / self.baseline

    def as_dict(self) -> dict[str, object]:
        return {
            "instance": self.instance,
            "part": self.part,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap_pct": None if self.gap is None else round(100 * self.gap, 3),
            "seconds": round(self.seconds, 3),
            "deterministic_time": float(f"{self.work:.4g}"),
            "baseline_objective": self.baseline,
            "ratio_to_baseline": None if self.ratio is None else round(self.ratio, 4),
            "note": self.note,
        }


Step = Callable[[str], None]


def bench_instance(
    name: str,
    instance: Instance,
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
    step: Step | None = None,
    joint: bool = False,
    stop: StopToken | None = None,
    work_limit: float | None = None,
) -> list[BenchRow]:
    """One row per part present, planned by the pipeline's steps (`solver.programme`) with
    the coupling of `juwe plan`, each beside its hand-planning baseline under the same
    coupling. Every plan (solver's and baseline's) passes its checker.

    `joint`: one more row, training and rollout solved in one model (hinted with the
    sequential plans), its baseline the sequential combined objective."""
    rows: list[BenchRow] = []
    say = step or (lambda _part: None)
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit)
    training = None
    if instance.training is not None:
        say("training")
        training, result = plan_training(instance, params, stop=stop)
        rows.append(_row(name, "training", result, training_baseline(instance)))
    training_plan = training.plan if training is not None else None
    if instance.staffing is not None:
        say("staffing")
        _record, result = plan_staffing(instance, params, training_plan, stop=stop)
        rows.append(_row(name, "staffing", result, staffing_baseline(instance, training_plan)))
    if instance.rollout is not None:
        say("rollout")
        rollout, result = plan_rollout(instance, params, training_plan, stop=stop)
        rows.append(_row(name, "rollout", result, rollout_baseline(instance, training_plan)))
        if joint and training is not None and training.plan is not None and rollout.plan:
            say("joint")
            j = plan_joint(instance, params, training, rollout, stop=stop)
            o = j.record.outcome
            rows.append(
                BenchRow(
                    instance=name,
                    part="joint",
                    status=o.status,
                    objective=o.objective,
                    bound=o.bound,
                    gap=o.gap,
                    seconds=o.seconds,
                    baseline=j.record.sequential_objective,
                    history=j.history,
                    note="baseline: training + rollout objective planned one after the other",
                )
            )
    return rows


@dataclass(frozen=True)
class BenchTask:
    """One instance of `juwe bench` as a task of a sweep (`solver.tasks`): picklable, so it
    runs in this process or on a Dask worker alike."""

    name: str
    instance: Instance
    time_limit: float
    workers: int
    seed: int = 0
    joint: bool = False
    work_limit: float | None = None


def run_bench_task(task: BenchTask, stop: StopToken | None = None) -> list[BenchRow]:
    """The rows of one bench instance (`bench_instance` with the task's settings)."""
    return bench_instance(
        task.name,
        task.instance,
        time_limit=task.time_limit,
        workers=task.workers,
        seed=task.seed,
        joint=task.joint,
        stop=stop,
        work_limit=task.work_limit,
    )


def error_row(name: str, error: str) -> BenchRow:
    """The row of a bench task that failed (status `error`, the error in `note`)."""
    return BenchRow(name, "-", "error", None, None, None, 0.0, None, note=error)


def training_baseline(instance: Instance) -> float | None:
    """The objective of the hand-planning baseline (checked), None when it has no plan."""
    plan = baselines.greedy_training(instance)
    if plan is None:
        return None
    raise_on_violations(check_training(instance, plan), "the training baseline")
    return float(plan_objective(instance, plan))


def staffing_baseline(instance: Instance, training_plan: TrainingPlan | None) -> float | None:
    """The proportional allocation's objective under the relief of `training_plan`."""
    plan = baselines.proportional_staffing(instance)
    if plan is None:
        return None
    relief = training_relief(instance, training_plan)
    raise_on_violations(check_staffing(instance, plan, relief), "the staffing baseline")
    return staffing_objective(instance, staffing_figures(instance, plan, relief).terms)


def rollout_baseline(instance: Instance, training_plan: TrainingPlan | None) -> float | None:
    """The serial schedule's objective, off the training days of `training_plan`."""
    blocked = training_days_by_centre(instance, training_plan) if training_plan else None
    plan = baselines.sgs_rollout(instance, blocked)
    if plan is None:
        return None
    raise_on_violations(check_rollout(instance, plan, blocked), "the rollout baseline")
    return rollout_objective(instance, plan)


def _row(name: str, part: str, result: Result, baseline: float | None) -> BenchRow:
    o = result.outcome
    return BenchRow(
        instance=name,
        part=part,
        status=o.status,
        objective=o.objective,
        bound=o.bound,
        gap=o.gap,
        seconds=o.seconds,
        baseline=baseline,
        history=result.history,
        note=o.message,
    )
