"""The one shape of every part's solve: build -> hint -> search -> fall back to the
baseline -> explain infeasibility -> check -> outcome.

A part (training, staffing, rollout, joint) implements `Part`: its model, its checked
baseline plan, how its plan is read from a solver, checked and scored, and how a conflict
is explained. `run_part` does the rest once, with progress events and the stop token. The
search itself is the part's `search(run)`; the default (`Part.search` in a part that has
nothing special) is one CP-SAT run through `Run.cp_sat`. Training plugs in its LP bound and
its search near the LP there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from ortools.sat.python import cp_model

from models.plan import PartOutcome
from solver.params import (
    BASELINE_FALLBACK,
    Result,
    SolveParams,
    baseline_result,
    raise_on_violations,
    relative_gap,
    status_name,
)
from solver.progress import Phase, ProgressHook, SearchRecorder, SolveHistory, StopToken, emit

P = TypeVar("P")
Tune = Callable[[cp_model.CpSolver], None]


@dataclass
class Fallback(Generic[P]):
    """A checked plan from outside CP-SAT (the hand-planning baseline, the rounded LP),
    returned when CP-SAT ends without a plan or, where the part allows, with a worse one."""

    plan: P
    value: float
    terms: dict[str, float]
    worse_message: str = ""  # when CP-SAT found a worse plan
    no_plan_message: str = BASELINE_FALLBACK  # when CP-SAT found none

    def message(self, cp_sat_found_a_plan: bool) -> str:
        return self.worse_message if cp_sat_found_a_plan else self.no_plan_message


@dataclass
class Search:
    """How a part's search ended. `solver` holds the plan (when `code` says there is one)
    and None when nothing ran; `bound_holds`: its best bound is a bound of the part (not
    of a restricted model); `known_bound`: a bound proven outside CP-SAT; `modelled`: False
    when no model CP-SAT can solve was built (the part is infeasible before any search)."""

    code: int
    solver: cp_model.CpSolver | None = None
    bound_holds: bool = True
    known_bound: float | None = None
    modelled: bool = True


class Run:
    """One part's solve in progress: its parameters, clock, history, hook and stop token."""

    def __init__(
        self,
        part: str,
        params: SolveParams,
        progress: ProgressHook | None,
        stop: StopToken | None,
        *,
        scale: float = 1.0,
    ):
        self.part = part
        self.params = params
        self.progress = progress
        self.stop = stop
        self.scale = scale
        self.t0 = time.perf_counter()
        self.history = SolveHistory()

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def time_left(self) -> float:
        return max(0.0, self.params.time_limit - self.seconds())

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def emit(self, phase: Phase, **values) -> None:
        emit(self.progress, self.part, phase, self.seconds(), time_left=self.time_left(), **values)

    def cp_sat(
        self,
        model: cp_model.CpModel,
        params: SolveParams,
        *,
        tune: Tune | None = None,
        phase: Phase = "search",
        bound_override: float | None = None,
    ) -> tuple[cp_model.CpSolver | None, int]:
        """One CP-SAT run on `model` with `params`; its history joins the part's. Returns
        (None, UNKNOWN) when the stop token is set before it starts."""
        if self.stopped():
            return None, cp_model.UNKNOWN
        solver = cp_model.CpSolver()
        params.apply(solver)
        if tune is not None:
            tune(solver)
        try:
            code, history = self._record(solver, model, params, phase, bound_override)
        except IndexError:
            # CP-SAT 9.15's symmetry detection can fail on some models with duplicated
            # no-overlap constraints ("raw_hash_map<>::at"); solving without it is sound.
            solver.parameters.symmetry_level = 0
            code, history = self._record(solver, model, params, phase, bound_override)
        self.history.extend(history)
        return solver, code

    def _record(self, solver, model, params, phase, bound_override) -> tuple[int, SolveHistory]:
        recorder = SearchRecorder(
            self.part,
            self.progress,
            phase=phase,
            offset=self.seconds(),
            scale=self.scale,
            time_limit=params.time_limit,
            stop=self.stop,
            bound_override=bound_override,
        )
        return recorder.solve(solver, model), recorder.history


class Part(Protocol[P]):
    """What differs between the parts; `run_part` does the rest."""

    name: str
    weights: dict[str, int]
    scale: float  # the model's objective is the reported one times `scale`
    replaces_worse: bool  # a better fallback replaces a worse CP-SAT plan

    def build(self) -> None: ...
    def search(self, run: Run) -> Search: ...
    def fallback(self) -> Fallback[P] | None: ...
    def objective(self, solver: cp_model.CpSolver, plan: P) -> float: ...
    def extract(self, solver: cp_model.CpSolver) -> P: ...
    def check(self, plan: P) -> list: ...
    def terms(self, solver: cp_model.CpSolver, plan: P) -> dict[str, float]: ...
    def explain(self, time_limit: float) -> list[str]: ...


def integral_objective(solver: cp_model.CpSolver) -> float:
    """The objective of a model whose objective is integral, as an integer-valued float:
    CP-SAT reports it as a float that can be off by rounding (98.00000000000001)."""
    return float(round(solver.objective_value))


def two_full_subsolvers(solver: cp_model.CpSolver, first: str, second: str) -> None:
    """With two workers, both search the whole model, with subsolvers `first` and `second`
    (`num_full_subsolvers`; otherwise CP-SAT keeps one full worker and gives the other
    to LNS). Any other worker count is left as it is."""
    p = solver.parameters
    if p.num_workers == 2:
        p.subsolvers.extend([first, second])
        p.num_full_subsolvers = 2


def single_search(run: Run, model: cp_model.CpModel | None, tune: Tune | None = None) -> Search:
    """The default search: one CP-SAT run on the part's model with the time left."""
    if model is None:
        return Search(cp_model.INFEASIBLE, modelled=False)
    solver, code = run.cp_sat(model, run.params.left_after(run.t0), tune=tune)
    return Search(code, solver)


def run_part(
    part: Part[P],
    params: SolveParams,
    *,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
    explain: bool = True,
    what: str = "the solver's plan",
) -> Result[P]:
    """Search, fall back, explain, check: a part's Result. Every plan that leaves passes
    the part's checker."""
    run = Run(part.name, params, progress, stop, scale=part.scale)
    run.emit("start")
    part.build()  # counts against the time limit
    search = part.search(run)
    result = _result(part, run, search, explain, what)
    result.history = run.history
    o = result.outcome
    run.emit("done", objective=o.objective, bound=o.bound, status=o.status)
    return result


def _result(part: Part[P], run: Run, search: Search, explain: bool, what: str) -> Result[P]:
    status = status_name(search.code)
    solver = search.solver
    fallback = part.fallback() if search.modelled else None
    plan: P | None = None  # CP-SAT's plan, extracted once
    if fallback is not None and status in ("unknown", "feasible"):
        found = status == "feasible" and solver is not None
        if found and part.replaces_worse:
            plan = part.extract(solver)
        if not found or (plan is not None and fallback.value < part.objective(solver, plan)):
            result = baseline_result(
                part.name,
                fallback.plan,
                fallback.value,
                fallback.terms,
                part.weights,
                solver if search.bound_holds else None,
                run.t0,
                run.history,
                scale=part.scale,
                known_bound=search.known_bound,
                message=fallback.message(cp_sat_found_a_plan=found),
            )
            run.emit("fallback", objective=result.objective, bound=result.bound)
            return result
    if solver is None or status in ("infeasible", "unknown"):
        outcome = PartOutcome(status=status, weights=part.weights)
        if status == "infeasible" and explain:
            run.emit("explain")
            conflicts = part.explain(max(1.0, run.params.time_limit - run.seconds()))
            outcome.message = "conflicting rules: " + "; ".join(conflicts)
        outcome.seconds = run.seconds()
        return Result(part.name, outcome, None)
    if plan is None:
        plan = part.extract(solver)
    raise_on_violations(part.check(plan), what)
    terms = part.terms(solver, plan)
    objective = part.objective(solver, plan)
    bound = solver.best_objective_bound / part.scale if search.bound_holds else -float("inf")
    if search.known_bound is not None and search.known_bound <= objective:
        bound = max(bound, search.known_bound)
    if not math.isfinite(bound):
        bound = None  # no bound proven (plan.json holds no infinities)
    outcome = PartOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=run.seconds(),
        terms=terms,
        weights=part.weights,
    )
    return Result(part.name, outcome, plan)
