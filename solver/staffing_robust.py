"""The robust staffing allocation: the same decision and hard rules as
`solver.staffing.StaffingModel`, but the excess caseload is measured in K sampled hiring
outcomes instead of on the expected hiring curve, and its risk is minimised: the mean of
the worst (1 - alpha) share of the samples (CVaR, Rockafellar-Uryasev linearisation).

Sampled outcomes (`models.simulation.HiringSample`) are drawn by the simulation's own
process. Each step of a unit takes a path of its own (its steps ordered by posting
month), so a unit's filled BV in sample k is linear in binary "the unit has posted at
least i steps by month p" variables w[u, i, p]: a step first posted in month p_i
contributes path_i(t - p_i), which telescopes over p into

    sum_p w[u, i, p] * (path_i(t - p) - path_i(t - p - 1))     (the last month: path_i(t - p))

whose coefficients are non-zero only where the path changes (a fill, a leave). The
model's filled BV per sample is therefore exactly `models.simulation.sample_filled` of
the plan; `tests/test_staffing_robust.py` checks that.

The other soft terms (worst caseload, training relief, fairness, late posting) stay the
expected-value model's, so the objectives of both allocations are comparable. To keep
the model small, each casework unit may receive at most `spread` BV more than in the
expected-value allocation (a trust region; the expected-value plan is always inside it).

The search: a local search on the exact sampled objective (`local_search`: one step to
another unit or month, checked) from the expected-value plan, then CP-SAT on the model
above with that plan as a complete hint (and as the fallback), which improves it further
where it can and gives the bound. So the robust plan is never worse in-sample than the
expected-value plan. CP-SAT alone, on Bremen (overload, the machine loaded), found
nothing better than the expected-value plan in 120 s with one worker and a partial hint,
and 0.8 % better in 66 s with two workers and the complete hint; the local search lowered
the objective by 5.2 % (the in-sample overload CVaR by 18 %) in 29 s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from models.check_staffing import (
    OBJECTIVE_SCALE,
    TERM_SCALE,
    Relief,
    check_staffing,
    reported_terms,
    staffing_figures,
)
from models.instance import Instance
from models.simulation import (
    HiringSample,
    ordered_steps,
    sample_filled,
    sample_hiring,
    sample_kpi,
    sample_kpi_rows,
    simulate,
    unit_step_limits,
)
from models.staffing import SCALE, StaffingPlan
from solver.params import Result, SolveParams
from solver.progress import ProgressHook, StopToken
from solver.skeleton import Fallback, Run, Search, run_part, single_search
from solver.staffing import StaffingModel, lp_guided

RISK_UNIT = {"excess": 10 * SCALE, "overload": 1, "vacancy": SCALE}
"""Internal units per reported unit of each risk: thousandths of a case-month above the
threshold, overloaded unit-months, centi-BV-months of vacancy (the KPIs of
`models.simulation.SimulationResult`)."""

DEFAULT_RISK_WEIGHT = {"overload": 35, "vacancy": 35}
"""Per overloaded unit-month / per BV-month of vacancy in the worst samples, against the
objective's case-months: one BV's full caseload for a month."""


def risk_weight(instance: Instance, kind: str, weight: int | None) -> int:
    """The risk term's weight: given, else the excess weight (excess) or the default."""
    if weight is not None:
        return weight
    assert instance.staffing is not None
    if kind == "excess":
        return instance.staffing.weights.excess_caseload
    return DEFAULT_RISK_WEIGHT[kind]


def risk_term(kind: str) -> str:
    return f"{kind}_cvar"


def tail_count(samples: int, alpha: float) -> int:
    """How many of the worst samples the CVaR averages: (1 - alpha) * K, at least 1."""
    return max(1, round((1 - alpha) * samples))


def cvar(values: np.ndarray, alpha: float) -> float:
    """Mean of the worst `tail_count` values (the risk the robust model minimises)."""
    m = tail_count(len(values), alpha)
    return float(np.sort(np.asarray(values, dtype=float))[-m:].mean())


def tune(solver: cp_model.CpSolver) -> None:
    """As the expected-value staffing search with one worker (`lp_guided`: the sampled
    rows and the CVaR are linear too). The search starts from the complete hint."""
    lp_guided(solver)


class RobustStaffingModel:
    """`StaffingModel` (its variables, hard rules and soft terms) plus the CVaR of a
    sampled KPI (`kind`: excess, overload, vacancy) in the objective; with `excess` it
    replaces the expected excess term. `limits`: most steps per casework unit. Uses the
    staffing model's `y`, `terms`, `add_hint` and `extract` only."""

    def __init__(
        self,
        instance: Instance,
        sample: HiringSample,
        limits: dict[str, int],
        *,
        alpha: float,
        relief: Relief | None = None,
        kind: str = "excess",
        weight: int | None = None,
    ):
        if kind not in RISK_UNIT:
            raise ValueError(f"unknown risk {kind!r}; choose one of {', '.join(RISK_UNIT)}")
        self.kind = kind
        self.weight = risk_weight(instance, kind, weight)
        # no `_unit_symmetry`: units alike in the expected model differ in their sampled
        # hiring paths, so ordering them would cut off robust optima
        self.base = StaffingModel(instance, relief, symmetry=False)
        self.part = self.base.part
        self.model = self.base.model
        self.sample = sample
        self.limits = limits
        self.tail = tail_count(sample.samples, alpha)
        self.w: dict[tuple[str, int, int], cp_model.IntVar] = {}
        self.months: dict[str, range] = {}
        self._unit_step_limit()
        self._posted_at_least()
        self.risk = self._sampled_risk_cvar()
        self.model.minimize(self.objective())

    # decisions --------------------------------------------------------------------------
    def _unit_step_limit(self) -> None:
        """The trust region: at most `limits[u]` steps for a casework unit."""
        by_unit: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (uid, _tid, _p), var in self.base.y.items():
            by_unit[uid].append(var)
        for u in self.part.units_of(self.part.casework_category):
            self.model.add(sum(by_unit.get(u.id, [])) <= self.limits[u.id])

    def _posted_at_least(self) -> None:
        """w[u, i, p] = 1 iff unit u has posted more than i steps by month p (i from 0):
        the unary code of the cumulative postings, ordered in i and in p."""
        posts: dict[str, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
        for (uid, _tid, p), var in self.base.y.items():
            posts[uid][p].append(var)
        for u in self.part.units_of(self.part.casework_category):
            if u.id not in posts or not self.limits[u.id]:
                continue
            p0, p1 = min(posts[u.id]), max(posts[u.id])
            self.months[u.id] = range(p0, p1 + 1)
            cumulative: list[cp_model.IntVar] = []
            for p in range(p0, p1 + 1):
                cumulative += posts[u.id].get(p, [])
                row = [
                    self.model.new_bool_var(f"w[{u.id},{i},{p}]") for i in range(self.limits[u.id])
                ]
                for i, var in enumerate(row):
                    self.w[(u.id, i, p)] = var
                    if i:
                        self.model.add_implication(var, row[i - 1])
                    if p > p0:
                        self.model.add_implication(self.w[(u.id, i, p - 1)], var)
                self.model.add(sum(row) == sum(cumulative))

    def filled_terms(self, uid: str) -> np.ndarray:
        """(samples, steps, months t, posting months p) coefficients of w[u, i, p] in
        the unit's filled steps in month t (see the module docstring)."""
        n = self.part.months
        months = self.months[uid]
        path = self.sample.paths[self.sample.units.index(uid)][:, : self.limits[uid], :]
        pad = np.concatenate([np.zeros_like(path), path], axis=2).astype(np.int8)
        t = np.arange(n)[:, None]
        j = np.arange(len(months))[None, :]
        at = pad[:, :, t - months.start - j + n]  # path(t - p), 0 before the posting
        coef = at.copy()
        coef[..., :-1] -= at[..., 1:]
        return coef

    # the sampled risk -------------------------------------------------------------------
    def _sampled_risk_cvar(self) -> cp_model.LinearExprT:
        """tail * CVaR of the per-sample KPI R_k (in `RISK_UNIT` internal units):
        tail * eta + sum_k max(0, R_k - eta), R_k a sum over casework units and months
        (`models.simulation.sample_kpi`)."""
        part, s = self.part, self.sample
        n, k_all = part.months, s.samples
        constant = np.zeros(k_all, dtype=np.int64)
        rows: list[list[cp_model.LinearExprT]] = [[] for _ in range(k_all)]
        tops = [0] * k_all
        self.risk_rows: list[tuple[int, str, int, cp_model.IntVar, cp_model.LinearExprT]] = []
        for u in part.units_of(part.casework_category):
            ui = s.units.index(u.id)
            coef = self.filled_terms(u.id) if u.id in self.months else None
            months = self.months.get(u.id, range(0))
            for k in range(k_all):
                for t in range(n):
                    nz = None if coef is None else np.nonzero(coef[k, :, t, :])
                    if nz is None or not len(nz[0]):
                        filled = None
                    else:
                        filled = cp_model.LinearExpr.weighted_sum(
                            [self.w[(u.id, int(i), months.start + int(j))] for i, j in zip(*nz)],
                            [s.step_centi * int(coef[k, i, t, j]) for i, j in zip(*nz)],
                        )
                    got = self._risk_row(u, int(s.base[k, ui, t]), t, months, filled, k)
                    if got is None:
                        continue
                    if isinstance(got, int):
                        constant[k] += got
                        continue
                    value, top = got
                    rows[k].append(value)
                    tops[k] += top
                    self.risk_rows.append((k, u.id, t, value, filled))
        self.constant = constant
        top = [int(constant[k]) + tops[k] for k in range(k_all)]
        self.sample_risk = [sum(rows[k]) + int(constant[k]) for k in range(k_all)]
        self.shortfall: list[cp_model.IntVar] = []
        if self.tail == k_all:  # every sample: the CVaR is the mean, no eta needed
            self.eta = None
            return sum(self.sample_risk)
        self.eta = self.model.new_int_var(0, max(top), "cvar_eta")
        for k in range(k_all):
            sk = self.model.new_int_var(0, top[k], f"cvar_tail[{k}]")
            self.model.add(sk >= self.sample_risk[k] - self.eta)
            self.shortfall.append(sk)
        return self.tail * self.eta + sum(self.shortfall)

    def _risk_row(self, u, base: int, t: int, months: range, filled, k: int):
        """One unit-month of one sample: None (always 0), an int (a constant), or
        (variable, its upper bound) with the variable >= the KPI's value there."""
        part = self.part
        if self.kind == "vacancy":
            gap = round(SCALE * u.bv) - base  # planned minus filled, before any posting
            if t < months.start:  # (also a unit without postings: an empty range)
                return max(0, gap) or None
            if filled is None:  # posted steps still vacant: planned rises, filled not
                filled = 0
            posted = sum(
                self.w[(u.id, i, min(t, months.stop - 1))] for i in range(self.limits[u.id])
            )
            top = max(0, gap + self.sample.step_centi * self.limits[u.id])
            v = self.model.new_int_var(0, top, f"vacancy[{k},{u.id},{t}]")
            self.model.add(v >= gap + self.sample.step_centi * posted - filled)
            return v, top
        thr10 = round(10 * part.caseload_threshold)
        gap = 10 * SCALE * u.cases - thr10 * base
        if gap <= 0:
            return None
        if self.kind == "overload":
            if filled is None:
                return 1
            o = self.model.new_bool_var(f"overload[{k},{u.id},{t}]")
            self.model.add(gap - thr10 * filled <= gap * o)
            return o, 1
        if filled is None:
            return gap
        ex = self.model.new_int_var(0, gap, f"excess[{k},{u.id},{t}]")
        self.model.add(ex >= gap - thr10 * filled)
        return ex, gap

    def objective(self) -> cp_model.LinearExprT:
        """The expected-value model's objective plus the risk, everything times `tail`
        (so that it stays integer); with the excess caseload as the risk, the risk
        replaces the expected excess term."""
        w = self.part.weights.as_dict()
        others = sum(
            w[name] * (OBJECTIVE_SCALE // TERM_SCALE[name]) * self.tail * term
            for name, term in self.base.terms.items()
            if not (name == "excess_caseload" and self.kind == "excess")
        )
        return others + self.weight * (OBJECTIVE_SCALE // RISK_UNIT[self.kind]) * self.risk

    @property
    def scale(self) -> float:
        return float(OBJECTIVE_SCALE * self.tail)

    # hint and values --------------------------------------------------------------------
    def add_hint(self, plan: StaffingPlan) -> None:
        """`plan` (e.g. the expected-value allocation) as a complete hint."""
        self.base.add_hint(plan)
        steps = ordered_steps(self.part, plan)
        for (uid, i, p), var in self.w.items():
            self.model.add_hint(var, sum(1 for q, _t in steps[uid] if q <= p) > i)
        filled = sample_filled(self.part, plan, self.sample, casework_only=True)
        values = sample_kpi_rows(self.part, plan, filled, self.sample.units, self.kind)
        cw = [u.id for u in self.part.units_of(self.part.casework_category)]
        for k, uid, t, var, _f in self.risk_rows:
            self.model.add_hint(var, int(values[k, cw.index(uid), t]))
        excess = values.sum(axis=(1, 2))
        if self.eta is not None:
            eta = int(np.sort(excess)[-self.tail])
            self.model.add_hint(self.eta, eta)
            for k, sk in enumerate(self.shortfall):
                self.model.add_hint(sk, max(0, int(excess[k]) - eta))
        self._complete_hint()

    def _complete_hint(self) -> None:
        """Extend the hint to every variable (the expected-value model's auxiliaries
        too): CP-SAT drops a partial hint it cannot complete quickly, and then starts from
        scratch. The hinted values, fixed, leave a model that solves at once."""
        proto = self.model.proto
        fixed = cp_model.CpModel()
        fixed.proto.copy_from(proto)
        fixed.clear_hints()
        for v, val in zip(proto.solution_hint.vars, proto.solution_hint.values):
            fixed.add(fixed.get_int_var_from_proto_index(v) == val)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 30.0
        if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return  # keep the partial hint
        self.model.clear_hints()
        for i in range(len(proto.variables)):
            var = self.model.get_int_var_from_proto_index(i)
            self.model.add_hint(var, solver.value(var))

    def sample_filled_values(self, solver: cp_model.CpSolver) -> dict[tuple[int, str, int], int]:
        """(sample, unit, month) -> filled centi-BV by the model's expressions, for the
        rows that have variables (the test compares them with the simulation)."""
        s = self.sample
        return {
            (k, uid, t): int(s.base[k, s.units.index(uid), t]) + int(solver.value(f))
            for k, uid, t, _v, f in self.risk_rows
            if f is not None
        }


# the solve ------------------------------------------------------------------------------


class RobustSolve:
    """The robust part for `solver.skeleton.run_part`: the expected-value plan as hint
    and fallback."""

    name = "staffing"
    replaces_worse = True

    def __init__(
        self,
        instance: Instance,
        sample: HiringSample,
        limits: dict[str, int],
        start: StaffingPlan,
        *,
        alpha: float,
        relief: Relief | None,
        kind: str = "excess",
        weight: int | None = None,
        start_name: str = "the expected-value allocation",
    ):
        assert instance.staffing is not None
        self.start_name = start_name
        self.kind = kind
        self.weight = risk_weight(instance, kind, weight)
        self.instance = instance
        self.sample = sample
        self.limits = limits
        self.start = start
        self.alpha = alpha
        self.relief = relief
        self.weights = instance.staffing.weights.as_dict()
        self.rm: RobustStaffingModel | None = None
        self.scale = float(OBJECTIVE_SCALE * tail_count(sample.samples, alpha))

    def build(self) -> None:
        self.rm = RobustStaffingModel(
            self.instance,
            self.sample,
            self.limits,
            alpha=self.alpha,
            relief=self.relief,
            kind=self.kind,
            weight=self.weight,
        )
        self.rm.add_hint(self.start)

    def search(self, run: Run) -> Search:
        assert self.rm is not None
        return single_search(run, self.rm.model, tune)

    def value(self, plan: StaffingPlan) -> tuple[float, dict[str, float]]:
        """The robust objective of a plan and its terms (the checker's expected-value
        terms and the sampled CVaR of the risk KPI)."""
        part = self.instance.staffing
        figures = staffing_figures(self.instance, plan, self.relief or {})
        terms = reported_terms(figures.terms)
        filled = sample_filled(part, plan, self.sample, casework_only=True)
        risk = sample_kpi(part, plan, filled, self.sample.units, self.kind)
        name = risk_term(self.kind)
        terms[name] = cvar(risk, self.alpha) / RISK_UNIT[self.kind]
        w = self.weights
        skip = "excess_caseload" if self.kind == "excess" else None
        total = sum(w[k] * v for k, v in terms.items() if k in w and k != skip)
        return total + self.weight * terms[name], terms

    def fallback(self) -> Fallback[StaffingPlan] | None:
        value, terms = self.value(self.start)
        return Fallback(
            self.start,
            value,
            terms,
            worse_message=f"{self.start_name} (CP-SAT found no better one in the time limit)",
            no_plan_message=f"{self.start_name} (CP-SAT found no plan in the time limit)",
        )

    def objective(self, solver: cp_model.CpSolver, plan: StaffingPlan) -> float:
        return solver.objective_value / self.scale

    def extract(self, solver: cp_model.CpSolver) -> StaffingPlan:
        assert self.rm is not None
        return self.rm.base.extract(solver)

    def check(self, plan: StaffingPlan) -> list:
        return check_staffing(self.instance, plan, self.relief)

    def terms(self, solver: cp_model.CpSolver, plan: StaffingPlan) -> dict[str, float]:
        # the model's terms are upper bounds that are tight at the optimum (a sample
        # outside the tail may keep a loose excess): the plan's own value is never higher
        value, terms = self.value(plan)
        if value > self.objective(solver, plan) + 1e-6 * max(1.0, abs(value)):
            raise RuntimeError(
                f"robust objective {self.objective(solver, plan)} is below the plan's {value}"
            )
        return terms

    def explain(self, time_limit: float) -> list[str]:
        from solver.staffing import explain_infeasibility

        return explain_infeasibility(self.instance, self.relief, time_limit=time_limit)


def local_search(
    scorer: RobustSolve, plan: StaffingPlan, *, max_evaluations: int = 4000
) -> tuple[StaffingPlan, int]:
    """First-improvement hill climbing on the robust objective, exact on the samples:
    move one step of an allocation to another casework unit (same tranche and month) or
    to the month before or after; a move is kept when the plan still passes the checker,
    stays in the trust region and lowers `scorer.value`. Deterministic. Returns the plan
    and the number of evaluations."""
    inst = scorer.instance
    part = inst.staffing
    assert part is not None
    cw = [u.id for u in part.units_of(part.casework_category)]
    g = part.granularity
    best, evals = plan, 0
    best_value = scorer.value(plan)[0]
    improved = True
    while improved and evals < max_evaluations:
        improved = False
        for cand in _neighbours(part, best, cw, g):
            if evals >= max_evaluations:
                break
            got = cand.by_unit()
            if any(part.steps(got.get(u, 0.0)) > scorer.limits[u] for u in cw):
                continue
            if check_staffing(inst, cand, scorer.relief):
                continue
            evals += 1
            value = scorer.value(cand)[0]
            if value < best_value - 1e-9:
                best, best_value, improved = cand, value, True
                break
    return best, evals


def _neighbours(part, plan: StaffingPlan, cw: list[str], g: float):
    """Plans one step away: a step to another casework unit, or a month earlier/later."""
    rows = [(a.unit, a.tranche, a.post_month) for a in plan.allocations]
    for i, a in enumerate(plan.allocations):
        moves = [(u, a.post_month) for u in cw if u != a.unit and a.unit in cw]
        p = part.offset(a.post_month)
        moves += [(a.unit, part.month(q)) for q in (p - 1, p + 1) if 0 <= q < part.months]
        for unit, month in moves:
            allocs = [x.model_copy() for x in plan.allocations]
            if allocs[i].bv - g < 1e-9:
                allocs.pop(i)
            else:
                allocs[i] = allocs[i].model_copy(update={"bv": allocs[i].bv - g})
            key = (unit, a.tranche, month)
            if key in rows and key != rows[i]:
                j = next(
                    k for k, x in enumerate(allocs) if (x.unit, x.tranche, x.post_month) == key
                )
                allocs[j] = allocs[j].model_copy(update={"bv": allocs[j].bv + g})
            else:
                allocs.append(a.model_copy(update={"unit": unit, "post_month": month, "bv": g}))
            yield StaffingPlan(allocations=allocs)


def trust_region(instance: Instance, start: StaffingPlan, spread: float) -> dict[str, int]:
    """Most steps per casework unit: its steps in `start` plus `spread` BV, within what
    it can receive at all."""
    part = instance.staffing
    assert part is not None
    possible = unit_step_limits(part)
    got = {u: part.steps(bv) for u, bv in start.by_unit().items()}
    extra = part.steps(spread)
    return {
        u.id: min(possible[u.id], got.get(u.id, 0) + extra)
        for u in part.units_of(part.casework_category)
    }


def solve_robust(
    instance: Instance,
    start: StaffingPlan,
    *,
    samples: int = 40,
    alpha: float = 0.9,
    spread: float = 2.0,
    seed: int = 0,
    risk: str = "excess",
    weight: int | None = None,
    local_evaluations: int = 3000,
    params: SolveParams | None = None,
    relief: Relief | None = None,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> tuple[Result[StaffingPlan], HiringSample]:
    """The robust allocation near `start` (the expected-value plan, which must pass the
    checker): CVaR_alpha of the `risk` KPI (excess, overload or vacancy; weight `weight`)
    over `samples` sampled outcomes (seed `seed`) added to the expected-value model's
    terms (with `excess` it replaces the expected excess). The plan has passed
    `check_staffing`."""
    part = instance.staffing
    if part is None:
        raise ValueError("the instance has no staffing part")
    if not 0 <= alpha < 1:
        raise ValueError(f"alpha {alpha:g} must be at least 0 and below 1 (e.g. 0.9)")
    if risk not in RISK_UNIT:
        raise ValueError(f"unknown risk {risk!r}; choose one of {', '.join(RISK_UNIT)}")
    if not risk_weight(instance, risk, weight):
        raise ValueError(
            f"the weight of the {risk} risk is 0, so there is no risk to minimise; "
            "give it a weight of 1 or more (for excess: staffing.weights.excess_caseload)"
        )
    if check_staffing(instance, start, relief):
        raise ValueError("the start allocation breaks the staffing rules")
    limits = trust_region(instance, start, spread)
    sample = sample_hiring(part, samples, seed, steps=limits)
    start_name = "the expected-value allocation"
    if local_evaluations:
        scorer = RobustSolve(
            instance, sample, limits, start, alpha=alpha, relief=relief, kind=risk, weight=weight
        )
        found, evaluations = local_search(scorer, start, max_evaluations=local_evaluations)
        if found is not start:
            start = found
            start_name = f"the local search's allocation ({evaluations} plans tried)"
    part_solve = RobustSolve(
        instance,
        sample,
        limits,
        start,
        alpha=alpha,
        relief=relief,
        kind=risk,
        weight=weight,
        start_name=start_name,
    )
    result = run_part(
        part_solve,
        params or SolveParams(),
        progress=progress,
        stop=stop,
        what="the robust staffing plan",
    )
    return result, sample


# expected value vs robust on fresh samples -----------------------------------------------


@dataclass
class RobustComparison:
    """Both allocations and their figures: in-sample (the optimisation's samples) and
    out-of-sample (`simulate` with a seed of its own)."""

    instance: str
    samples: int
    alpha: float
    seed: int
    runs: int
    eval_seed: int
    risk: str = "excess"
    rows: list[dict[str, Any]] = field(default_factory=list)
    plans: dict[str, StaffingPlan] = field(default_factory=dict)


KPI_COLUMNS = {
    "vacancy": "vacancy_bv_months",
    "overload": "overload_unit_months",
    "excess": "excess_case_months",
}
"""The simulation's KPIs, by the name of the risk that targets them."""


def kpi_quantiles(
    instance: Instance, plan: StaffingPlan, runs: int, seed: int, alpha: float
) -> dict[str, float]:
    """Mean, P50, P90 and CVaR_alpha of the vacancy, overload and excess-caseload KPIs of
    `plan` simulated `runs` times with `seed`."""
    sim = simulate(instance, plan, runs=runs, seed=seed)
    row: dict[str, float] = {}
    for kind, values in (
        ("vacancy", sim.vacancy_months()),
        ("overload", sim.overload_months()),
        ("excess", sim.excess_case_months()),
    ):
        name = KPI_COLUMNS[kind]
        row[f"{name}_mean"] = round(float(values.mean()), 2)
        row[f"{name}_p50"] = round(float(np.quantile(values, 0.5)), 2)
        row[f"{name}_p90"] = round(float(np.quantile(values, 0.9)), 2)
        row[f"{name}_cvar"] = round(cvar(values, alpha), 2)
    return row


def compare_robust(
    instance: Instance,
    *,
    samples: int = 40,
    alpha: float = 0.9,
    spread: float = 2.0,
    seed: int = 0,
    risk: str = "excess",
    weight: int | None = None,
    moves: int = 3000,
    runs: int = 2000,
    eval_seed: int | None = None,
    params: SolveParams | None = None,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> RobustComparison:
    """Solve the expected-value allocation, then the robust one near it, and simulate
    both on fresh samples (`eval_seed`, default seed + 1; `simulate` draws from a stream
    the optimisation's samples never use). Per allocation: both objectives (the
    expected-value model's, the robust model's), the risk in-sample (mean and CVaR over
    the optimisation's samples) and out-of-sample (`kpi_quantiles`). Only the instance's
    own `relief` list counts (no training plan)."""
    from models.check_staffing import staffing_objective
    from solver.staffing import solve as solve_expected

    params = params or SolveParams()
    relief = _explicit_relief(instance)
    ev = solve_expected(
        instance,
        relief=relief,
        time_limit=params.time_limit,
        seed=params.seed,
        workers=params.workers,
        work_limit=params.work_limit,
        progress=progress,
        stop=stop,
    )
    eval_seed = seed + 1 if eval_seed is None else eval_seed
    out = RobustComparison(instance.name, samples, alpha, seed, runs, eval_seed, risk)
    if ev.plan is None:
        out.rows.append(
            {"allocation": "expected", "status": ev.status, "message": ev.outcome.message}
        )
        return out
    rb, sample = solve_robust(
        instance,
        ev.plan,
        samples=samples,
        alpha=alpha,
        spread=spread,
        seed=seed,
        risk=risk,
        weight=weight,
        local_evaluations=moves,
        params=params,
        relief=relief,
        progress=progress,
        stop=stop,
    )
    part = instance.staffing
    assert part is not None
    limits = trust_region(instance, ev.plan, spread)
    scorer = RobustSolve(
        instance, sample, limits, ev.plan, alpha=alpha, relief=relief, kind=risk, weight=weight
    )
    for name, res in (("expected", ev), ("robust", rb)):
        row: dict[str, Any] = {"allocation": name, "status": res.status}
        if res.plan is None:
            row["message"] = res.outcome.message
            out.rows.append(row)
            continue
        out.plans[name] = res.plan
        row["checked"] = not check_staffing(instance, res.plan, relief)
        figures = staffing_figures(instance, res.plan, relief)
        row["expected_objective"] = round(staffing_objective(instance, figures.terms), 2)
        row["robust_objective"] = round(scorer.value(res.plan)[0], 2)
        if name == "robust":
            row["robust_bound"] = None if res.bound is None else round(res.bound, 2)
        filled = sample_filled(part, res.plan, sample, casework_only=True)
        insample = sample_kpi(part, res.plan, filled, sample.units, risk) / RISK_UNIT[risk]
        row[f"in_sample_{risk}_mean"] = round(float(insample.mean()), 2)
        row[f"in_sample_{risk}_cvar"] = round(cvar(insample, alpha), 2)
        row.update(kpi_quantiles(instance, res.plan, runs, eval_seed, alpha))
        row["message"] = res.outcome.message
        out.rows.append(row)
    return out


def _explicit_relief(instance: Instance) -> Relief:
    from models.coupling import training_relief

    return training_relief(instance, None)  # without a training plan: the `relief` list
