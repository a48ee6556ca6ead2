"""The training calendar's search strategy (CP-SAT on `solver.training_model.TrainingModel`).

`solve` first bounds the objective with the time-indexed LP of solver.training_bound
(when it fits the time limit) and adds `objective >= bound` to the model; the LP's start
days are the hint, and rounded by list scheduling (`lp_rounding`) they give a complete plan:
the full model's hint when nothing better is known, and the returned plan when CP-SAT ends
with none as good. It then searches near the LP's solution (`_lp_neighbourhood`) before the
full model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models.check_training import check_training, training_terms, weighted_objective
from models.instance import Instance
from models.plan import PartOutcome, TrainingPlan
from models.training_tasks import SessionWindows, remaining_sessions
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
from solver.training_bound import TrainingBound, training_bound, window_bound
from solver.training_model import TrainingModel

__all__ = ["TrainingModel", "calendar_conflict", "explain_infeasibility", "solve", "tune"]


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    previous: TrainingPlan | None = None,
    progress: Progress | None = None,
    hint: bool = True,
    explain: bool = True,
    relax: bool = True,
    log: bool = False,
) -> Result[TrainingPlan]:
    """Plan the remaining training sessions.

    `relax`: first solve the time-indexed LP relaxation (solver.training_bound); its bound
    goes into the model and its start days are the hint.

    Returns a Result whose plan has passed `check_training`; its status is `infeasible`
    (with `outcome.message` naming the conflicting rules when `explain`) or `unknown` when
    no plan exists or none was found in time.
    """
    from solver.baselines import greedy_training  # local: baselines import this module

    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, log=log)
    t0 = time.perf_counter()
    w = instance.training.weights.as_dict() if instance.training else {}
    start_plan: TrainingPlan | None = None
    if calendar_conflict(instance):
        tm = None
    else:
        windows = SessionWindows.of(instance)  # shared by the baseline, model and LP
        start_plan = greedy_training(instance, windows=windows) if hint else None
        tm = TrainingModel(instance, previous, hint=start_plan, windows=windows)
    ready = tm is not None and not tm.empty_windows  # a model CP-SAT can solve
    lower: TrainingBound | None = None
    floor: int | None = window_bound(tm) if ready else None  # proven outside CP-SAT
    fallback = _Fallback.of(instance, previous, start_plan, rounded=False)
    if ready and relax:
        # at most LP_SHARE of the time left goes to the LP; without it CP-SAT's bound is weak
        left = params.time_limit - (time.perf_counter() - t0)
        lower = training_bound(tm, left * LP_SHARE)
        if lower is not None:
            floor = lower.value
            tm.add_lower_bound(lower.value)
            if hint:
                plan = lp_rounding(instance, tm, lower)
                rounded = _Fallback.of(instance, previous, plan, rounded=True)
                if rounded is not None and (fallback is None or rounded.value < fallback.value):
                    fallback = rounded
                    tm.hint_plan(rounded.plan)  # a complete plan near the LP's solution
                else:
                    tm.hint_start_days(lower.days(), start_plan)
    solver: cp_model.CpSolver | None = None
    code = cp_model.INFEASIBLE
    history: list[tuple[float, float, float]] = []
    near: cp_model.CpSolver | None = None  # a plan found near the LP's solution
    if ready:
        if lower is not None:
            rounded = fallback.plan if fallback is not None and fallback.rounded else None
            near, _code, history = _lp_neighbourhood(tm, lower, params, t0, progress, rounded)
        if near is not None and near.objective_value <= lower.value + 1e-9:
            solver, code = near, cp_model.OPTIMAL  # at the LP bound: optimal
        else:
            if near is not None and (fallback is None or near.objective_value < fallback.value):
                tm.hint_solution(near)
            offset = time.perf_counter() - t0
            solver, code, more = _run(tm.model, params.left_after(t0), progress, lower)
            history += [(t + offset, o, b) for t, o, b in more]
            if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and near is not None:
                solver, code = near, cp_model.FEASIBLE
    status = status_name(code)
    if solver is not None and fallback is not None and status in ("unknown", "feasible"):
        if status == "unknown" or fallback.value < round(solver.objective_value):
            return baseline_result(
                "training",
                fallback.plan,
                fallback.value,
                fallback.terms,
                w,
                None if solver is near else solver,  # a restricted model's bound is no bound
                t0,
                history,
                known_bound=floor,
                message=fallback.message(cp_sat_found_a_plan=status == "feasible"),
            )
    if solver is None or status in ("infeasible", "unknown"):
        outcome = PartOutcome(status=status, seconds=time.perf_counter() - t0, weights=w)
        if status == "infeasible" and explain:
            remaining = max(1.0, time_limit - outcome.seconds)
            conflicts = explain_infeasibility(instance, time_limit=remaining, seed=seed)
            outcome.message = "conflicting rules: " + "; ".join(conflicts)
        outcome.seconds = time.perf_counter() - t0
        return Result("training", outcome, None)
    plan = tm.extract(solver)
    raise_on_violations(check_training(instance, plan), "the solver's plan")
    terms = {name: float(solver.value(expr)) for name, expr in tm.terms.items()}
    objective = float(round(solver.objective_value))  # integral; CP-SAT reports a float
    # the restricted model's bound says nothing about the full model; the LP's does
    bound = solver.best_objective_bound if solver is not near else -math.inf
    if floor is not None and floor <= objective:
        bound = max(bound, floor)
    outcome = PartOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=time.perf_counter() - t0,
        terms=terms,
        weights=w,
    )
    return Result("training", outcome, plan, history=history)


@dataclass
class _Fallback:
    """A checked plan from outside CP-SAT (the hand-planning baseline, or the LP rounded
    by list scheduling), returned when CP-SAT ends without a plan or with a worse one."""

    plan: TrainingPlan
    value: float
    terms: dict[str, float]
    rounded: bool  # the rounded LP, else the hand-planning baseline

    @classmethod
    def of(
        cls,
        instance: Instance,
        previous: TrainingPlan | None,
        plan: TrainingPlan | None,
        *,
        rounded: bool,
    ) -> _Fallback | None:
        if plan is None:
            return None
        raise_on_violations(check_training(instance, plan), "a fallback training plan")
        terms = training_terms(instance, plan, previous)
        value = float(weighted_objective(instance, terms))
        return cls(plan, value, {k: float(v) for k, v in terms.items()}, rounded)

    def message(self, cp_sat_found_a_plan: bool) -> str:
        if not self.rounded and not cp_sat_found_a_plan:
            return BASELINE_FALLBACK
        source = (
            "the LP relaxation's start days rounded into a plan by list scheduling"
            if self.rounded
            else "the hand-planning baseline's plan"
        )
        found = "a worse plan" if cp_sat_found_a_plan else "no plan"
        return (
            f"CP-SAT found {found} within the time limit; this is {source} (it passed the "
            "checker), the bound is the LP's or CP-SAT's. Raise --time-limit for a better plan."
        )


def lp_rounding(instance: Instance, tm: TrainingModel, lower: TrainingBound) -> TrainingPlan | None:
    """The LP's start days rounded into a plan: list scheduling in their order, each
    session on the first feasible day from its LP day (`baselines.greedy_training`)."""
    from solver.baselines import greedy_training

    days = {tm.sessions[i].task.key: tm.cal.days[w] for i, w in lower.days().items()}
    return greedy_training(instance, priority=days, windows=tm.windows)


def _run(
    model: cp_model.CpModel,
    params: SolveParams,
    progress: Progress | None,
    lower: TrainingBound | None,
) -> tuple[cp_model.CpSolver, int, list[tuple[float, float, float]]]:
    """One CP-SAT run on `model` (tm's model or a restriction of it)."""
    solver = cp_model.CpSolver()
    params.apply(solver)
    tune(solver)
    if lower is not None and solver.parameters.num_workers == 2:
        # the bound comes from the LP; the full worker searches without CP-SAT's own LP
        # (faster nodes). generated-S at 40 s: the optimum in 2 of 5 runs against 0 of 3
        # with default_lp; generated-M at 60 s: 18752 against 18757
        solver.parameters.subsolvers.append("no_lp")
    recorder = ProgressRecorder(progress)
    try:
        code = solver.solve(model, recorder)
    except IndexError:
        # CP-SAT 9.15's symmetry detection can fail on some models with duplicated
        # no-overlap constraints ("raw_hash_map<>::at"); solving without it is sound.
        solver.parameters.symmetry_level = 0
        recorder = ProgressRecorder(progress)
        code = solver.solve(model, recorder)
    return solver, code, recorder.history


LP_SHARE = 0.65
"""The LP may take this share of the time left, and runs when predicted to need at most 90 %
of that: generated-L's LP (56-65 s) runs at a 120 s limit, not at 60 s."""

LP_FIX_SHARE = 0.9  # sessions whose LP start has at least this share on one day are fixed


def _lp_neighbourhood(
    tm: TrainingModel,
    lower: TrainingBound,
    params: SolveParams,
    t0: float,
    progress: Progress | None,
    rounded: TrainingPlan | None = None,
) -> tuple[cp_model.CpSolver | None, int, list[tuple[float, float, float]]]:
    """Search near the LP's solution first: the sessions whose LP start sits (mostly) on
    one day are fixed there, for at most a third of the time left. A plan found there is
    a plan of the full model; one at the LP bound is optimal. The restricted model's own
    bound says nothing about the full model, so the history carries the LP bound.
    generated-S: the optimum 5831 in 4.0-4.5 s over three seeds with 48 of 156 sessions
    fixed (share 0.9; 4.8-5.9 s at 0.8, 4.2-5.3 s at 0.6-0.7, and at 0.5 the fixings
    conflict), where the full model needed 16 s to more than 60 s; generated-M: 18742 in
    0.7-0.9 s (352 of 360 fixed), the full model 18746 after 60 s.

    `rounded` (the LP rounded into a plan, already tm's hint): only the sessions it places
    on their LP day are fixed, so the restricted model starts from a complete plan.
    generated-L at 120 s: 50025 against 50201-50223 with the LP days fixed and hinted."""
    fixed = lower.days(LP_FIX_SHARE)
    if rounded is not None:
        by_key = rounded.by_key()
        agreed = {}
        for i, w in fixed.items():
            p = by_key.get(tm.sessions[i].task.key)
            if p is not None and p.start == tm.cal.days[w]:
                agreed[i] = w
        fixed = agreed
    if not fixed:
        return None, cp_model.UNKNOWN, []
    restricted = cp_model.CpModel()
    restricted.proto.copy_from(tm.model.proto)
    for i, w in fixed.items():
        restricted.add(tm.sessions[i].start == tm.cal.offsets[w])
    left = params.left_after(t0)
    budget = SolveParams(
        time_limit=max(1.0, left.time_limit / 3),
        seed=params.seed,
        workers=params.workers,
        log=params.log,
    )
    start = time.perf_counter() - t0
    hook = None if progress is None else (lambda s, o, _b: progress(s, o, lower.value))
    solver, code, history = _run(restricted, budget, hook, lower)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, code, []
    return solver, code, [(start + t, o, float(lower.value)) for t, o, _b in history]


def tune(solver: cp_model.CpSolver) -> None:
    """No probing in presolve: on the calendar models probing costs most of the presolve
    and finds little. workers=2, shared machine: time to the first solution Bremen
    0.82 -> 0.13 s (proof 1.65 -> 0.6 s), generated-S 8.7 -> 2.9 s, generated-M 15.0 ->
    3.1 s; objective after 20 s S 5907 -> 5856, M 19544 -> 19184."""
    solver.parameters.cp_model_probing_level = 0


def calendar_conflict(instance: Instance) -> str | None:
    """Why no session can be placed at all (too few working days), or None."""
    cal = instance.working_calendar
    if len(cal) == 0:
        return "working calendar: the horizon has no working day"
    too_long = [t for t in remaining_sessions(instance) if t.days > len(cal)]
    if too_long:
        t = too_long[0]
        return (
            f"working calendar: module {t.module} needs {t.days} working days, "
            f"the horizon has {len(cal)}"
        )
    return None


def explain_infeasibility(
    instance: Instance, *, time_limit: float = 20.0, seed: int = 0
) -> list[str]:
    """Names of the rule families (with group/trainer/centre) that conflict."""
    problem = calendar_conflict(instance)
    if problem:
        return [problem]
    tm = TrainingModel(instance, explain=True)
    return tm.assumptions.minimal_conflict(time_limit=time_limit, seed=seed)
