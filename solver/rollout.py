"""Scheduling the core-process rollout: `solve` (the hand-planning baseline as hint and
fallback, CP-SAT on `solver.rollout_model.RolloutModel`) and `explain_infeasibility`."""

from __future__ import annotations

from ortools.sat.python import cp_model

from models.check_rollout import BlockedDays, check_rollout, rollout_objective, rollout_terms
from models.instance import Instance
from models.rollout import RolloutPlan, capacities, term_weights
from solver.params import Result, SolveParams
from solver.progress import ProgressHook, StopToken
from solver.rollout_model import RolloutModel
from solver.skeleton import (
    Fallback,
    Run,
    Search,
    integral_objective,
    run_part,
    single_search,
    two_full_subsolvers,
)

__all__ = ["RolloutModel", "explain_infeasibility", "solve", "term_weights"]


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    progress: ProgressHook | None = None,
    blocked_days: BlockedDays | None = None,
    explain: bool = True,
    log: bool = False,
    stop: StopToken | None = None,
    work_limit: float | None = None,
) -> Result[RolloutPlan]:
    """Schedule the rollout tasks.

    `blocked_days` (centre -> dates) keeps a centre's per-unit tasks that need its team
    leads off the days its training groups are in training. The returned plan has passed
    `check_rollout`; status `infeasible` carries the conflicting rules in `outcome.message`
    (when `explain`), `unknown` means no plan was found in time. The hand-planning baseline
    (`baselines.sgs_rollout`) is the hint; when CP-SAT ends with no plan, or with a worse
    one, the baseline's plan is returned (status `feasible`, CP-SAT's bound, a message).
    """
    params = SolveParams(
        time_limit=time_limit, seed=seed, workers=workers, log=log, work_limit=work_limit
    )
    part = RolloutSolve(instance, blocked_days, seed=seed)
    what = "the solver's rollout plan"
    return run_part(part, params, progress=progress, stop=stop, explain=explain, what=what)


class RolloutSolve:
    """The rollout part for `solver.skeleton.run_part`: the SGS baseline as hint and
    fallback, one CP-SAT run."""

    name = "rollout"
    scale = 1.0
    replaces_worse = True

    def __init__(self, instance: Instance, blocked_days: BlockedDays | None, *, seed: int):
        self.instance = instance
        self.blocked_days = blocked_days
        self.seed = seed
        self.rm: RolloutModel | None = None
        self.start: RolloutPlan | None = None
        self.weights: dict[str, int] = {}

    def build(self) -> None:
        from solver.baselines import sgs_rollout

        self.rm = RolloutModel(self.instance, blocked_days=self.blocked_days)
        self.weights = term_weights(self.rm.part)
        self.start = sgs_rollout(self.instance, self.blocked_days)  # the hint, and the fallback
        if self.start is not None and check_rollout(self.instance, self.start, self.blocked_days):
            self.start = None
        if self.start is not None:
            self.rm.add_hint(self.start)
            # CP-SAT searches only plans at least as good as the baseline it would
            # otherwise return (`replaces_worse`); its bound stays a bound of the part
            self.rm.cap_objective(rollout_objective(self.instance, self.start))

    def search(self, run: Run) -> Search:
        assert self.rm is not None
        if self.rm.empty:
            return single_search(run, None)
        return single_search(run, self.rm.model, _tuner(self.rm.model))

    def fallback(self) -> Fallback[RolloutPlan] | None:
        if self.start is None:
            return None
        base = rollout_objective(self.instance, self.start)
        terms = {k: float(v) for k, v in rollout_terms(self.instance, self.start).items()}
        worse = (
            "The hand-planning baseline's plan (checked) is better than CP-SAT's best within "
            "the time limit and is returned; the bound is CP-SAT's."
        )
        return Fallback(self.start, base, terms, worse_message=worse)

    def objective(self, solver: cp_model.CpSolver, plan: RolloutPlan) -> float:
        return integral_objective(solver)

    def extract(self, solver: cp_model.CpSolver) -> RolloutPlan:
        assert self.rm is not None
        return self.rm.extract(solver)

    def check(self, plan: RolloutPlan) -> list:
        return check_rollout(self.instance, plan, self.blocked_days)

    def terms(self, solver: cp_model.CpSolver, plan: RolloutPlan) -> dict[str, float]:
        assert self.rm is not None
        return {name: float(solver.value(var)) for name, var in self.rm.terms.items()}

    def explain(self, time_limit: float) -> list[str]:
        return explain_infeasibility(
            self.instance, blocked_days=self.blocked_days, time_limit=time_limit, seed=self.seed
        )


FULL_SEARCH_VARIABLES = 200


def _tuner(model: cp_model.CpModel):  # type: ignore[no-untyped-def]
    """`_tune`; with two workers on a model of at most FULL_SEARCH_VARIABLES variables, both
    search the whole model (`default_lp` and `no_lp`, no LNS): the optimum comes in the
    first tenth of a second, the time goes into the proof. Bremen over the relief of four
    training plans x five seeds, two runs: max 0.42-0.47 s against 0.73-1.26 s, median
    0.31-0.39 against 0.34; generated-S (99 variables) 0.59-1.02 s against 1.20-1.47 s;
    generated-M (132) alike. generated-L (325) keeps the LNS: 13487-13942 against 13402
    with it after 20 s (benchmarks/README.md)."""
    small = len(model.proto.variables) <= FULL_SEARCH_VARIABLES

    def tune(solver: cp_model.CpSolver) -> None:
        _tune(solver)
        if small:
            two_full_subsolvers(solver, "default_lp", "no_lp")

    return tune


def _tune(solver: cp_model.CpSolver) -> None:
    """No probing in presolve. The calendar-week lags are element constraints, which
    presolve expands into one literal per start day; probing those literals ran into its
    work limit three times (Bremen: presolve 5 of 10 s, deterministic time 4.7), while
    the search after it needs a fraction of that. Without probing: deterministic time
    0.2 for the same proof of 2900 (benchmarks/README.md)."""
    solver.parameters.cp_model_probing_level = 0


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
