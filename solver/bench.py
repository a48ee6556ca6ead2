"""Solve every part of an instance beside its hand-planning baseline: the rows of
`juwe bench` and the objective/bound history of each solve.

Parts are coupled as in `juwe plan`: the staffing relief comes from the training plan and
the rollout avoids the centres' training days; the baselines get the same coupling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from models.check_rollout import check_rollout, rollout_objective
from models.check_staffing import check_staffing, staffing_figures, staffing_objective
from models.check_training import check_training, training_terms, weighted_objective
from models.coupling import training_days_by_centre, training_relief
from models.instance import Instance
from models.plan import RolloutPlan, TrainingPlan
from solver import baselines
from solver.joint import solve_joint
from solver.params import Result, raise_on_violations
from solver.rollout import solve as solve_rollout
from solver.staffing import solve as solve_staffing
from solver.training import solve as solve_training


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
    history: list[tuple[float, float, float]] = field(default_factory=list)
    note: str = ""

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
) -> list[BenchRow]:
    """One row per part present. Every plan (solver's and baseline's) passes its checker.

    `joint`: one more row, training and rollout solved in one model (`solver.joint`,
    hinted with the sequential plans), its baseline the sequential combined objective."""
    rows: list[BenchRow] = []
    say = step or (lambda _part: None)
    args = {"time_limit": time_limit, "workers": workers, "seed": seed}
    training_plan = None
    if instance.training is not None:
        say("training")
        row, training_plan = bench_training(name, instance, **args)
        rows.append(row)
    if instance.staffing is not None:
        say("staffing")
        rows.append(bench_staffing(name, instance, training_plan, **args))
    if instance.rollout is not None:
        say("rollout")
        row, r = bench_rollout(name, instance, training_plan, **args)
        rows.append(row)
        first = next((row for row in rows if row.part == "training"), None)
        if joint and r.plan is not None and first is not None and first.objective is not None:
            say("joint")
            assert training_plan is not None and r.objective is not None
            j = solve_joint(
                instance,
                hint=(training_plan, r.plan),
                training_bound=first.bound,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
            )
            rows.append(_row(name, "joint", j, first.objective + r.objective))
            rows[-1].note = "baseline: training + rollout objective planned one after the other"
    return rows


def bench_training(
    name: str, instance: Instance, *, time_limit: float, workers: int, seed: int = 0
) -> tuple[BenchRow, TrainingPlan | None]:
    """The training row, and the plan the other parts are coupled to (the solver's, else
    the baseline's)."""
    r = solve_training(instance, time_limit=time_limit, seed=seed, workers=workers)
    base_plan = baselines.greedy_training(instance)
    base = None
    if base_plan is not None:
        raise_on_violations(check_training(instance, base_plan), "the training baseline")
        base = float(weighted_objective(instance, training_terms(instance, base_plan)))
    return _row(name, "training", r, base), r.plan or base_plan


def bench_staffing(
    name: str,
    instance: Instance,
    training_plan: TrainingPlan | None,
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
) -> BenchRow:
    """The staffing row, with the relief need of the training plan."""
    relief = training_relief(instance, training_plan)
    r = solve_staffing(instance, relief=relief, time_limit=time_limit, seed=seed, workers=workers)
    base_plan = baselines.proportional_staffing(instance)
    base = None
    if base_plan is not None:
        raise_on_violations(check_staffing(instance, base_plan, relief), "the staffing baseline")
        base = staffing_objective(instance, staffing_figures(instance, base_plan, relief).terms)
    return _row(name, "staffing", r, base)


def bench_rollout(
    name: str,
    instance: Instance,
    training_plan: TrainingPlan | None,
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
) -> tuple[BenchRow, Result[RolloutPlan]]:
    """The rollout row, kept off the training days of the training plan's centres."""
    assert instance.rollout is not None
    blocked = training_days_by_centre(instance, training_plan) if training_plan else None
    r = solve_rollout(
        instance, time_limit=time_limit, seed=seed, workers=workers, blocked_days=blocked
    )
    base_plan = baselines.sgs_rollout(instance, blocked)
    base = None
    if base_plan is not None:
        raise_on_violations(check_rollout(instance, base_plan, blocked), "the rollout baseline")
        base = rollout_objective(instance, base_plan)
    return _row(name, "rollout", r, base), r


def _row(name: str, part: str, result, baseline: float | None) -> BenchRow:
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
        history=[(p.seconds, p.objective, p.bound) for p in result.history.solutions()],
        note=o.message,
    )
