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
expected-value allocation (a trust region; the expected-value plan is always inside it
and is the hint, so the robust plan is never worse in-sample).
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
    sample_excess,
    sample_filled,
    sample_hiring,
    simulate,
    unit_step_limits,
)
from models.staffing import SCALE, StaffingPlan
from solver.params import Result, SolveParams
from solver.progress import ProgressHook, StopToken
from solver.skeleton import Fallback, Run, Search, run_part, single_search
from solver.staffing import StaffingModel
from solver.staffing import _tune as _staffing_tune

RISK_TERM = "excess_caseload_cvar"


def tail_count(samples: int, alpha: float) -> int:
    """How many of the worst samples the CVaR averages: (1 - alpha) * K, at least 1."""
    return max(1, round((1 - alpha) * samples))


def cvar(values: np.ndarray, alpha: float) -> float:
    """Mean of the worst `tail_count` values (the risk the robust model minimises)."""
    m = tail_count(len(values), alpha)
    return float(np.sort(np.asarray(values, dtype=float))[-m:].mean())


class RobustStaffingModel:
    """`StaffingModel` with its expected excess caseload replaced by the CVaR of the
    sampled excess caseload. `limits`: most steps per casework unit."""

    def __init__(
        self,
        instance: Instance,
        sample: HiringSample,
        limits: dict[str, int],
        *,
        alpha: float,
        relief: Relief | None = None,
    ):
        self.base = StaffingModel(instance, relief)
        self.part = self.base.part
        self.model = self.base.model
        self.sample = sample
        self.limits = limits
        self.tail = tail_count(sample.samples, alpha)
        self.w: dict[tuple[str, int, int], cp_model.IntVar] = {}
        self.months: dict[str, range] = {}
        self._unit_step_limit()
        self._posted_at_least()
        self.risk = self._sampled_excess_cvar()
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
    def _sampled_excess_cvar(self) -> cp_model.LinearExprT:
        """tail * CVaR of the per-sample excess caseload (thousandths of a case-month):
        tail * eta + sum_k max(0, E_k - eta), E_k = sum_{u,t} max(0, 1000 cases -
        10 threshold * filled centi-BV)."""
        part, s = self.part, self.sample
        thr10 = round(10 * part.caseload_threshold)
        big = 10 * SCALE
        n, k_all = part.months, s.samples
        constant = np.zeros(k_all, dtype=np.int64)
        rows: list[list[cp_model.LinearExprT]] = [[] for _ in range(k_all)]
        tops = [0] * k_all
        self.excess_rows: list[tuple[int, str, int, cp_model.IntVar, cp_model.LinearExprT]] = []
        for u in part.units_of(part.casework_category):
            ui = s.units.index(u.id)
            base = s.base[:, ui, :]
            coef = self.filled_terms(u.id) if u.id in self.months else None
            months = self.months.get(u.id, range(0))
            for k in range(k_all):
                for t in range(n):
                    gap = big * u.cases - thr10 * int(base[k, t])
                    if gap <= 0:
                        continue
                    terms = [] if coef is None else np.nonzero(coef[k, :, t, :])
                    if coef is None or not len(terms[0]):
                        constant[k] += gap
                        continue
                    ivals, jvals = terms
                    filled = cp_model.LinearExpr.weighted_sum(
                        [
                            self.w[(u.id, int(i), months.start + int(j))]
                            for i, j in zip(ivals, jvals)
                        ],
                        [s.step_centi * int(coef[k, i, t, j]) for i, j in zip(ivals, jvals)],
                    )
                    ex = self.model.new_int_var(0, gap, f"excess[{k},{u.id},{t}]")
                    self.model.add(ex >= gap - thr10 * filled)
                    rows[k].append(ex)
                    tops[k] += gap
                    self.excess_rows.append((k, u.id, t, ex, filled))
        self.constant = constant
        top = [int(constant[k]) + tops[k] for k in range(k_all)]
        self.sample_excess = [sum(rows[k]) + int(constant[k]) for k in range(k_all)]
        self.shortfall: list[cp_model.IntVar] = []
        if self.tail == k_all:  # every sample: the CVaR is the mean, no eta needed
            self.eta = None
            return sum(self.sample_excess)
        self.eta = self.model.new_int_var(0, max(top), "cvar_eta")
        for k in range(k_all):
            sk = self.model.new_int_var(0, top[k], f"cvar_tail[{k}]")
            self.model.add(sk >= self.sample_excess[k] - self.eta)
            self.shortfall.append(sk)
        return self.tail * self.eta + sum(self.shortfall)

    def objective(self) -> cp_model.LinearExprT:
        """The expected-value model's objective with its excess term replaced by the
        CVaR, everything times `tail` (so that it stays integer)."""
        w = self.part.weights.as_dict()
        others = sum(
            w[name] * (OBJECTIVE_SCALE // TERM_SCALE[name]) * self.tail * term
            for name, term in self.base.terms.items()
            if name != "excess_caseload"
        )
        scale_ex = OBJECTIVE_SCALE // TERM_SCALE["excess_caseload"]
        return others + w["excess_caseload"] * scale_ex * self.risk

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
        thr10 = round(10 * self.part.caseload_threshold)
        cases = {u.id: u.cases for u in self.part.units}
        for k, uid, t, ex, _f in self.excess_rows:
            gap = 10 * SCALE * cases[uid] - thr10 * int(filled[k, self.sample.units.index(uid), t])
            self.model.add_hint(ex, max(0, gap))
        excess = sample_excess(self.part, filled, self.sample.units)
        if self.eta is None:
            return
        eta = int(np.sort(excess)[-self.tail])
        self.model.add_hint(self.eta, eta)
        for k, sk in enumerate(self.shortfall):
            self.model.add_hint(sk, max(0, int(excess[k]) - eta))

    def sample_filled_values(self, solver: cp_model.CpSolver) -> dict[tuple[int, str, int], int]:
        """(sample, unit, month) -> filled centi-BV by the model's expressions, for the
        rows that have variables (the test compares them with the simulation)."""
        s = self.sample
        return {
            (k, uid, t): int(s.base[k, s.units.index(uid), t]) + int(solver.value(f))
            for k, uid, t, _ex, f in self.excess_rows
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
    ):
        assert instance.staffing is not None
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
            self.instance, self.sample, self.limits, alpha=self.alpha, relief=self.relief
        )
        self.rm.add_hint(self.start)

    def search(self, run: Run) -> Search:
        assert self.rm is not None
        return single_search(run, self.rm.model, _staffing_tune)

    def value(self, plan: StaffingPlan) -> tuple[float, dict[str, float]]:
        """The robust objective of a plan and its terms (the checker's expected-value
        terms, the excess as the sampled CVaR)."""
        figures = staffing_figures(self.instance, plan, self.relief or {})
        terms = reported_terms(figures.terms)
        filled = sample_filled(self.instance.staffing, plan, self.sample, casework_only=True)
        excess = sample_excess(self.instance.staffing, filled, self.sample.units)
        terms[RISK_TERM] = cvar(excess, self.alpha) / TERM_SCALE["excess_caseload"]
        w = self.weights
        total = sum(w[k] * v for k, v in terms.items() if k in w and k != "excess_caseload")
        return total + w["excess_caseload"] * terms[RISK_TERM], terms

    def fallback(self) -> Fallback[StaffingPlan] | None:
        value, terms = self.value(self.start)
        return Fallback(
            self.start,
            value,
            terms,
            worse_message="the expected-value allocation (no better robust one found)",
            no_plan_message="the expected-value allocation (no robust one found in time)",
        )

    def objective(self, solver: cp_model.CpSolver) -> float:
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
        if value > self.objective(solver) + 1e-6 * max(1.0, abs(value)):
            raise RuntimeError(
                f"robust objective {self.objective(solver)} is below the plan's {value}"
            )
        return terms

    def explain(self, time_limit: float) -> list[str]:
        from solver.staffing import explain_infeasibility

        return explain_infeasibility(self.instance, self.relief, time_limit=time_limit)


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
    params: SolveParams | None = None,
    relief: Relief | None = None,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> tuple[Result[StaffingPlan], HiringSample]:
    """The robust allocation near `start` (the expected-value plan, which must pass the
    checker): CVaR_alpha of the excess caseload over `samples` sampled outcomes (seed
    `seed`), the other terms as in the expected-value model. The plan has passed
    `check_staffing`."""
    part = instance.staffing
    if part is None:
        raise ValueError("the instance has no staffing part")
    if not 0 <= alpha < 1:
        raise ValueError(f"alpha {alpha:g} must be at least 0 and below 1 (e.g. 0.9)")
    if not part.weights.excess_caseload:
        raise ValueError(
            "the weight of excess_caseload is 0, so there is no risk to minimise; "
            "set staffing.weights.excess_caseload to 1 or more"
        )
    if check_staffing(instance, start, relief):
        raise ValueError("the start allocation breaks the staffing rules")
    limits = trust_region(instance, start, spread)
    sample = sample_hiring(part, samples, seed, steps=limits)
    part_solve = RobustSolve(instance, sample, limits, start, alpha=alpha, relief=relief)
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
    rows: list[dict[str, Any]] = field(default_factory=list)
    plans: dict[str, StaffingPlan] = field(default_factory=dict)


def kpi_quantiles(instance: Instance, plan: StaffingPlan, runs: int, seed: int, alpha: float):
    """P50, P90 and mean of the vacancy, overload and excess-caseload KPIs of `plan`
    simulated `runs` times with `seed`, and the CVaR of the excess."""
    sim = simulate(instance, plan, runs=runs, seed=seed)
    row: dict[str, float] = {}
    for name, values in (
        ("vacancy_bv_months", sim.vacancy_months()),
        ("overload_unit_months", sim.overload_months()),
        ("excess_case_months", sim.excess_case_months()),
    ):
        row[f"{name}_mean"] = round(float(values.mean()), 2)
        row[f"{name}_p50"] = round(float(np.quantile(values, 0.5)), 2)
        row[f"{name}_p90"] = round(float(np.quantile(values, 0.9)), 2)
    row["excess_case_months_cvar"] = round(cvar(sim.excess_case_months(), alpha), 2)
    return row


def compare_robust(
    instance: Instance,
    *,
    samples: int = 40,
    alpha: float = 0.9,
    spread: float = 2.0,
    seed: int = 0,
    runs: int = 2000,
    eval_seed: int | None = None,
    params: SolveParams | None = None,
    progress: ProgressHook | None = None,
    stop: StopToken | None = None,
) -> RobustComparison:
    """Solve the expected-value allocation, then the robust one near it, and simulate
    both on fresh samples (`eval_seed`, default seed + 1; `simulate` draws from a stream
    the optimisation's samples never use). Only the instance's own `relief` list counts
    (no training plan)."""
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
    out = RobustComparison(instance.name, samples, alpha, seed, runs, eval_seed)
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
        params=params,
        relief=relief,
        progress=progress,
        stop=stop,
    )
    part = instance.staffing
    for name, res in (("expected", ev), ("robust", rb)):
        row: dict[str, Any] = {
            "allocation": name,
            "status": res.status,
            "objective": res.objective,
            "bound": res.bound,
        }
        if res.plan is None:
            row["message"] = res.outcome.message
            out.rows.append(row)
            continue
        out.plans[name] = res.plan
        row["checked"] = not check_staffing(instance, res.plan, relief)
        row["expected_excess_case_months"] = (
            staffing_figures(instance, res.plan, relief).terms["excess_caseload"]
            / TERM_SCALE["excess_caseload"]
        )
        insample = sample_excess(
            part, sample_filled(part, res.plan, sample, casework_only=True), sample.units
        )
        row["in_sample_excess_mean"] = round(float(insample.mean()) / 1000, 2)
        row["in_sample_excess_cvar"] = round(cvar(insample, alpha) / 1000, 2)
        row.update(kpi_quantiles(instance, res.plan, runs, eval_seed, alpha))
        row["message"] = res.outcome.message
        out.rows.append(row)
    return out


def _explicit_relief(instance: Instance) -> Relief:
    from models.coupling import training_relief

    return training_relief(instance, None)  # without a training plan: the `relief` list
