"""Scheduling the core-process rollout: `solve` (the hand-planning baseline as hint and
fallback, CP-SAT on `solver.rollout_model.RolloutModel`) and `explain_infeasibility`."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from models.check_rollout import BlockedDays, check_rollout, rollout_objective, rollout_terms
from models.instance import Instance
from models.plan import PartOutcome
from models.rollout import RolloutPlan, capacities, term_weights
from solver.params import (
    BASELINE_FALLBACK,
    Progress,
    ProgressRecorder,
    Result,
    SolveParams,
    baseline_result,
    raise_on_violations,
    relative_gap,
    status_name,
)
from solver.rollout_model import RolloutModel

__all__ = ["RolloutModel", "explain_infeasibility", "solve", "term_weights"]


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    progress: Progress | None = None,
    blocked_days: BlockedDays | None = None,
    explain: bool = True,
    log: bool = False,
) -> Result[RolloutPlan]:
    """Schedule the rollout tasks.

    `blocked_days` (centre -> dates) keeps a centre's per-unit tasks that need its team
    leads off the days its training groups are in training. The returned plan has passed
    `check_rollout`; status `infeasible` carries the conflicting rules in `outcome.message`
    (when `explain`), `unknown` means no plan was found in time. The hand-planning baseline
    (`baselines.sgs_rollout`) is the hint; when CP-SAT ends with no plan, or with a worse
    one, the baseline's plan is returned (status `feasible`, CP-SAT's bound, a message).
    """
    from solver.baselines import sgs_rollout

    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, log=log)
    t0 = time.perf_counter()
    rm = RolloutModel(instance, blocked_days=blocked_days)
    weights = term_weights(rm.part)
    solver: cp_model.CpSolver | None = None
    recorder = ProgressRecorder(progress)
    start = sgs_rollout(instance, blocked_days)  # the hint, and the fallback
    if start is not None:
        rm.add_hint(start)
    if rm.empty:
        code = cp_model.INFEASIBLE
    else:
        solver = cp_model.CpSolver()
        params.left_after(t0).apply(solver)
        code = solver.solve(rm.model, recorder)
    status = status_name(code)
    if solver is not None and start is not None and status in ("unknown", "feasible"):
        base = rollout_objective(instance, start)
        if status == "unknown" or base < solver.objective_value:
            message = (
                BASELINE_FALLBACK
                if status == "unknown"
                else "The hand-planning baseline's plan (checked) is better than CP-SAT's "
                "best within the time limit and is returned; the bound is CP-SAT's."
            )
            terms = {k: float(v) for k, v in rollout_terms(instance, start).items()}
            return baseline_result(
                "rollout", start, base, terms, weights, solver, t0, recorder.history,
                message=message,
            )  # fmt: skip
    if solver is None or status in ("infeasible", "unknown"):
        outcome = PartOutcome(status=status, weights=weights)
        if status == "infeasible" and explain:
            left = max(1.0, time_limit - (time.perf_counter() - t0))
            conflicts = explain_infeasibility(
                instance, blocked_days=blocked_days, time_limit=left, seed=seed
            )
            outcome.message = "conflicting rules: " + "; ".join(conflicts)
        outcome.seconds = time.perf_counter() - t0
        return Result("rollout", outcome, None, history=recorder.history)
    plan = rm.extract(solver)
    raise_on_violations(check_rollout(instance, plan, blocked_days), "the solver's rollout plan")
    objective, bound = solver.objective_value, solver.best_objective_bound
    outcome = PartOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=time.perf_counter() - t0,
        terms={name: float(solver.value(var)) for name, var in rm.terms.items()},
        weights=weights,
    )
    return Result("rollout", outcome, plan, history=recorder.history)


def explain_infeasibility(
    instance: Instance,
    *,
    blocked_days: BlockedDays | None = None,
    time_limit: float = 20.0,
    seed: int = 0,
) -> list[str]:
    """The rule families (with family, task, centre or resource) that conflict."""
    rm = RolloutModel(instance, blocked_days=blocked_days, explain=True)
    n = len(rm.cal)
    if n == 0:
        return ["working calendar: the rollout has no working day"]
    caps = capacities(rm.part, rm.units)
    for t in rm.tasks:
        if t.inst.duration > n:
            return [
                f"working calendar: {t.inst.label} needs {t.inst.duration} working days, "
                f"the horizon has {n}"
            ]
        for res, amount in t.inst.demands.items():
            if t.inst.duration and amount > caps[res]:
                return [
                    f"resource capacity: {t.inst.label} needs {amount} of {res}, "
                    f"capacity {caps[res]}"
                ]
    return rm.assumptions.minimal_conflict(time_limit=time_limit, seed=seed)
