"""The staffing model: which unit gets how many BV of which tranche, posted in which month.

Decision: y[u, tranche, p] = granularity steps of the tranche posted for unit u in grid
month p. Everything downstream is linear in y: a step posted in month p adds
`new_curve(u)[t - p]` expected centi-BV to unit u in month t (the hiring lag, failed
postings, attrition and refills are folded into that curve, see models.staffing).

Hard rules (one method each): tranche totals, release months and the posting window, unit
bounds, monthly hiring capacity, yearly budgets. Soft rules return named integer terms in
the units of `models.check_staffing.TERM_SCALE`; the objective is assembled once in
`objective`, scaled so that every weight applies per reported unit.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from ortools.sat.python import cp_model

from models.check_staffing import (
    OBJECTIVE_SCALE,
    TERM_SCALE,
    Relief,
    budget_limit,
    check_staffing,
    euro_per_bv_month,
    fairness_targets,
    relief_centi,
    reported_terms,
    staffing_figures,
    staffing_objective,
    worst_caseload_units,
)
from models.instance import Instance
from models.staffing import SCALE, Allocation, StaffingPart, StaffingPlan, Tranche, Unit
from solver.explain import Assumptions
from solver.params import Result, SolveParams
from solver.progress import ProgressHook, StopToken
from solver.skeleton import Fallback, Run, Search, run_part, single_search, two_full_subsolvers


class StaffingModel:
    """The staffing model. Decisions (see `_create_postings`): `x[tranche, month, class]`,
    the steps of a tranche posted in a month to the units of one hiring class, and
    `z[unit, month]`, the steps a unit gets posted in a month, linked month by month.

    `pooled=False` gives every unit a class of its own: then x is the plain
    unit x tranche x month allocation (the formulation before pooling; tests compare
    both). `symmetry=False` leaves out `_unit_symmetry` (for the same comparison)."""

    def __init__(
        self,
        instance: Instance,
        relief: Relief | None = None,
        *,
        explain: bool = False,
        pooled: bool = True,
        symmetry: bool = True,
    ):
        assert instance.staffing is not None
        self.instance = instance
        self.part: StaffingPart = instance.staffing
        self.relief = relief or {}
        self.model = cp_model.CpModel()
        self.assumptions = Assumptions(self.model, active=explain)
        self.explain = explain
        self.pooled = pooled
        self.step_centi = round(self.part.granularity * SCALE)
        self.classes = self._hiring_classes()
        self.x: dict[tuple[str, int, int], cp_model.IntVar] = {}
        self.z: dict[tuple[str, int], cp_model.IntVar] = {}
        self._create_postings()
        self.added = self._added_bv()
        self._tranche_total()
        self._release()
        self._posting_delay()
        self._unit_bounds()
        self._hiring_capacity()
        self._budget()
        if symmetry and not explain:
            self._unit_symmetry()
        rules = {
            "excess_caseload": self._excess_caseload,
            "worst_caseload": self._worst_caseload,
            "training_relief": self._training_relief,
            "centre_fairness": self._centre_fairness,
            "late_posting": self._late_posting,
        }
        weights = self.part.weights.as_dict()
        # a rule of weight 0 is left out of the model (its term is reported by the checker)
        self.terms: dict[str, cp_model.LinearExprT] = {
            name: rule() for name, rule in rules.items() if weights[name]
        }
        self.model.minimize(self.objective())

    # decisions --------------------------------------------------------------------------
    def _hiring_classes(self) -> list[tuple[str, tuple[int, ...], list[Unit]]]:
        """(category, hiring curve, units): the units of a category whose postings cost
        and fill alike. Which of them a tranche's step goes to changes nothing but the
        unit's own curve, so a tranche is allocated to a class and the class's steps to
        its units (one class per unit when not `pooled`)."""
        classes: dict[tuple, list[Unit]] = defaultdict(list)
        for u in self.part.units:
            curve = self.part.new_curve(u)
            classes[(u.category, curve) if self.pooled else (u.category, curve, u.id)].append(u)
        return [(key[0], key[1], units) for key, units in classes.items()]

    def _candidate_months(self, tranche: Tranche) -> range:
        """Posting months with a variable: the allowed window, or (when explaining) the
        whole grid with the window as a rule that can be switched off."""
        return range(self.part.months) if self.explain else self.part.posting_months(tranche)

    def _unit_cap(self, u: Unit, steps: int) -> int:
        if u.max_bv is not None and not self.explain:
            return min(steps, self.part.steps(u.max_bv))
        return steps

    def _create_postings(self) -> None:
        """x[tranche, p, class] and z[unit, p] with, per month p and class, the class's
        tranche steps = its units' steps. Any such pair splits into a unit x tranche
        allocation with the same figures (`extract`), so nothing is lost by pooling, and
        the search no longer tells apart the tranches of one month."""
        part = self.part
        for k, (cat, _curve, units) in enumerate(self.classes):
            trs = [tr for c, tr in part.tranches() if c.id == cat]
            total = sum(part.steps(tr.bv) for tr in trs)
            room = sum(self._unit_cap(u, total) for u in units)
            months: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for tr in trs:
                cap = min(part.steps(tr.bv), room)
                for p in self._candidate_months(tr):
                    var = self.model.new_int_var(0, cap, f"x[{tr.id},{p},{k}]")
                    self.x[(tr.id, p, k)] = var
                    months[p].append(var)
            for p, tranche_steps in sorted(months.items()):
                unit_steps = []
                for u in units:
                    var = self.model.new_int_var(0, self._unit_cap(u, total), f"z[{u.id},{p}]")
                    self.z[(u.id, p)] = var
                    unit_steps.append(var)
                self.model.add(sum(tranche_steps) == sum(unit_steps))

    @property
    def y(self) -> dict[tuple[str, str, int], cp_model.IntVar]:
        """(unit, category, month) -> the steps posted for the unit in that month (any
        tranche of its category): the unit's postings, for models built on this one."""
        cat = {u.id: u.category for u in self.part.units}
        return {(uid, cat[uid], p): var for (uid, p), var in self.z.items()}

    def _added_bv(self) -> dict[str, list[cp_model.LinearExprT]]:
        """Unit -> expected additional centi-BV per month (a linear expression)."""
        n = self.part.months
        by_unit: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for (uid, p), var in self.z.items():
            by_unit[uid].append((p, var))
        out: dict[str, list[cp_model.LinearExprT]] = {}
        for u in self.part.units:
            curve = self.part.new_curve(u)
            posts = by_unit.get(u.id, [])
            out[u.id] = [
                cp_model.LinearExpr.weighted_sum(
                    [v for p, v in posts if p <= t and curve[t - p]],
                    [curve[t - p] for p, v in posts if p <= t and curve[t - p]],
                )
                for t in range(n)
            ]
        return out

    # hard rules -------------------------------------------------------------------------
    def _tranche_total(self) -> None:
        for _cat, tr in self.part.tranches():
            on = self.assumptions.literal("tranche_total", f"tranche {tr.id}")
            placed = cp_model.LinearExpr.sum([v for k, v in self.x.items() if k[0] == tr.id])
            self.model.add(placed == self.part.steps(tr.bv)).only_enforce_if(on)

    def _outside_window(self, early: bool):
        """Per tranche, the posting variables before (`early`) or after its window. Only in
        explain mode do variables exist outside the window."""
        for _cat, tr in self.part.tranches():
            window = self.part.posting_months(tr)
            yield (
                tr,
                [
                    var
                    for (tid, p, _k), var in self.x.items()
                    if tid == tr.id
                    and p not in window
                    and (p < window.start or not len(window)) == early
                ],
            )

    def _release(self) -> None:
        """No posting before a tranche's release month (explain mode: held at 0)."""
        if not self.explain:
            return  # the variables start there
        for tr, before in self._outside_window(early=True):
            lit = self.assumptions.literal("release", f"tranche {tr.id} from {tr.release}")
            for var in before:
                self.model.add(var == 0).only_enforce_if(lit)

    def _posting_delay(self) -> None:
        """No posting later than `max_posting_delay` months after the release (explain
        mode: held at 0)."""
        if not self.explain:
            return  # the variables end there
        delay = self.part.hiring.max_posting_delay
        for tr, after in self._outside_window(early=False):
            subject = f"tranche {tr.id} within {delay} months"
            lit = self.assumptions.literal("posting_delay", subject)
            for var in after:
                self.model.add(var == 0).only_enforce_if(lit)

    def _unit_bounds(self) -> None:
        by_unit: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (uid, _p), var in self.z.items():
            by_unit[uid].append(var)
        for u in self.part.units:
            on = self.assumptions.literal("unit_bounds", f"unit {u.id}")
            got = cp_model.LinearExpr.sum(by_unit.get(u.id, []))
            self.model.add(got >= self.part.steps(u.min_bv)).only_enforce_if(on)
            if u.max_bv is not None:
                self.model.add(got <= self.part.steps(u.max_bv)).only_enforce_if(on)

    def _hiring_capacity(self) -> None:
        cap = self.part.hiring.monthly_capacity
        if cap is None:
            return
        limit = int(cap / self.part.granularity + 1e-9)
        by_month: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (_t, p, _k), var in self.x.items():
            by_month[p].append(var)
        for p, vars_ in sorted(by_month.items()):
            if len(vars_) > 0:
                on = self.assumptions.literal("hiring_capacity", f"month {self.part.month(p)}")
                self.model.add(sum(vars_) <= limit).only_enforce_if(on)

    def _budget(self) -> None:
        part = self.part
        cost = [euro_per_bv_month(part, t) for t in range(part.months)]
        year = [part.year_of(t) for t in range(part.months)]
        for b in part.budgets:
            months = [t for t in range(part.months) if year[t] == b.year]
            coeffs: dict[tuple[str, int, int], int] = {}
            for key in self.x:
                tid, p, k = key
                if b.tranches and tid not in b.tranches:
                    continue
                curve = self.classes[k][1]
                c = sum(curve[t - p] * cost[t] for t in months if t >= p)
                if c:
                    coeffs[key] = c
            if not coeffs:
                continue
            on = self.assumptions.literal("budget", f"{b.year}: {b.amount:g} TEUR")
            expr = cp_model.LinearExpr.weighted_sum(
                [self.x[k] for k in coeffs], list(coeffs.values())
            )
            self.model.add(expr <= budget_limit(b.amount)).only_enforce_if(on)

    # soft rules (named terms) -----------------------------------------------------------
    @cached_property
    def _unit_posts(self) -> dict[str, tuple[list[int], tuple[int, ...], int]]:
        """Per unit: its posting months, its expected-headcount curve and the steps of
        its category (for the domain bounds of `_upper_added`)."""
        posts: dict[str, set[int]] = defaultdict(set)
        for i, p in self.z:
            posts[i].add(p)
        units = {u.id: u for u in self.part.units}
        steps: dict[str, int] = defaultdict(int)
        for c, tr in self.part.tranches():
            steps[c.id] += self.part.steps(tr.bv)
        return {
            i: (sorted(ps), self.part.new_curve(units[i]), steps[units[i].category])
            for i, ps in posts.items()
        }

    def _upper_added(self, uid: str, t: int) -> int:
        """Largest additional centi-BV unit uid could have in month t (for domains)."""
        if uid not in self._unit_posts:
            return 0
        months, curve, total = self._unit_posts[uid]
        best = max((curve[t - p] for p in months if p <= t), default=0)
        return best * total

    def _excess_caseload(self) -> cp_model.LinearExprT:
        """Cases above the threshold, summed over units and months (exact: in thousandths
        of a case-month, so the LP relaxation is not weakened by rounding)."""
        part = self.part
        thr10 = round(10 * part.caseload_threshold)
        big = 10 * SCALE
        parts: list[cp_model.IntVar] = []
        for u in part.units_of(part.casework_category):
            base = part.base_bv(u)
            for t in range(part.months):
                worst_gap = big * u.cases - thr10 * base[t]
                if worst_gap <= 0:
                    continue
                ex = self.model.new_int_var(0, worst_gap, f"excess[{u.id},{t}]")
                self.model.add(ex >= big * u.cases - thr10 * (base[t] + self.added[u.id][t]))
                parts.append(ex)
        return sum(parts)

    def _worst_caseload(self) -> cp_model.LinearExprT:
        """Cases per BV of the worst unit in its worst month from `assess_from` (rounded
        up): W * min_t eff(u, t) >= SCALE * cases for every casework unit.

        W is order-encoded ([W >= w] for every level w above its least value), so the
        product becomes one linear row per unit: min_t eff >= ceil(SCALE * cases / W),
        exact at every level. Its LP relaxation follows the hyperbola (the interpolation
        of its integer points) where the product with tangent cuts was weaker, and it
        propagates both ways without a multiplication constraint. Bremen staffing over
        the relief of four optimal training plans x three seeds (workers=2): median
        deterministic time 1.51 -> 1.03, slowest run 8.5 s -> 3.5 s wall through
        `solve` (benchmarks/README.md)."""
        part = self.part
        a0 = part.assess_start()
        uids = worst_caseload_units(part)
        if not uids:
            return 0
        units = {u.id: u for u in part.units}
        highs, lows = [], []
        for uid in uids:
            base = part.base_bv(units[uid])
            lo = max(1, min(base[a0:]))
            hi = max(lo, max(base[t] + self._upper_added(uid, t) for t in range(a0, part.months)))
            lows.append(lo)
            highs.append(hi)
        w_hi = max(-(-SCALE * units[uid].cases // lo) for uid, lo in zip(uids, lows))
        w_lo = max(-(-SCALE * units[uid].cases // hi) for uid, hi in zip(uids, highs))
        worst = self.model.new_int_var(w_lo, w_hi, "worst_caseload")
        mins = []
        for uid, lo, hi in zip(uids, lows, highs):
            m = self.model.new_int_var(lo, hi, f"min_eff[{uid}]")
            base = part.base_bv(units[uid])
            for t in range(a0, part.months):
                self.model.add(m <= base[t] + self.added[uid][t])
            mins.append(m)
        # order encoding of worst: at_least[w] = [worst >= w], non-increasing in w
        levels = range(w_lo + 1, w_hi + 1)
        at_least = {w: self.model.new_bool_var(f"worst>={w}") for w in levels}
        self.model.add(worst == w_lo + sum(at_least.values()))
        for w in levels:
            if w + 1 in at_least:
                self.model.add_implication(at_least[w + 1], at_least[w])
        for uid, m in zip(uids, mins):
            c = SCALE * units[uid].cases

            def need(w: int, c: int = c) -> int:  # the least m with w * m >= c
                return -(-c // w)

            # m >= need(worst): need(w_lo) less the drop in need at every level reached
            self.model.add(
                m >= need(w_lo) - sum((need(w - 1) - need(w)) * at_least[w] for w in levels)
            )
        return worst

    def _training_relief(self) -> cp_model.LinearExprT:
        """Centi-BV-months of training relief that teams in training lack."""
        parts = []
        for (uid, t), need in sorted(relief_centi(self.relief).items()):
            if uid not in self.added or not 0 <= t < self.part.months:
                continue
            short = self.model.new_int_var(0, need, f"relief[{uid},{t}]")
            self.model.add(short >= need - self.added[uid][t])
            parts.append(short)
        return sum(parts)

    def _centre_fairness(self) -> cp_model.LinearExprT:
        """Centi-BV by which each centre's casework share misses its need share."""
        centre_of = {u.id: u.centre for u in self.part.units_of(self.part.casework_category)}
        parts = []
        for centre, target in fairness_targets(self.part).items():
            got = self.step_centi * cp_model.LinearExpr.sum(
                [v for (uid, _p), v in self.z.items() if centre_of.get(uid, ...) == centre]
            )
            dev = self.model.new_int_var(0, 10 * SCALE * 1000, f"fair[{centre}]")
            self.model.add(dev >= got - target)
            self.model.add(dev >= target - got)
            parts.append(dev)
        return sum(parts)

    def _late_posting(self) -> cp_model.LinearExprT:
        """Centi-BV-months between a tranche's release and the posting."""
        release = {tr.id: self.part.offset(tr.release) for _c, tr in self.part.tranches()}
        keys = [k for k in self.x if k[1] > release[k[0]]]
        return cp_model.LinearExpr.weighted_sum(
            [self.x[k] for k in keys], [self.step_centi * (k[1] - release[k[0]]) for k in keys]
        )

    # symmetry ---------------------------------------------------------------------------
    def _unit_symmetry(self) -> None:
        """Units that nothing tells apart (one hiring class, the same staff, cases, bounds,
        relief need, and for casework the same centre) are interchangeable: any plan can
        be relabelled so that their postings, weighted by month, come in the units'
        order. Without this the search revisits every permutation of, e.g., the six
        one-step SRK units."""
        need: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for (uid, t), r in sorted(relief_centi(self.relief).items()):
            need[uid].append((t, r))
        worst = set(worst_caseload_units(self.part))
        cw = self.part.casework_category
        for _cat, _curve, units in self.classes:
            alike: dict[tuple, list[Unit]] = defaultdict(list)
            for u in units:
                key = (
                    u.cases,
                    tuple(self.part.base_bv(u)),
                    u.min_bv,
                    u.max_bv,
                    u.centre if u.category == cw else None,
                    tuple(need[u.id]),
                    u.id in worst,
                )
                alike[key].append(u)
            for group in alike.values():
                for a, b in zip(group, group[1:]):
                    self.model.add(self._posting_weight(a.id) <= self._posting_weight(b.id))

    def _posting_weight(self, uid: str) -> cp_model.LinearExprT:
        keys = [k for k in self.z if k[0] == uid]
        return cp_model.LinearExpr.weighted_sum([self.z[k] for k in keys], [k[1] + 1 for k in keys])

    def objective(self) -> cp_model.LinearExprT:
        w = self.part.weights.as_dict()
        return sum(
            w[name] * (OBJECTIVE_SCALE // TERM_SCALE[name]) * term
            for name, term in self.terms.items()
        )

    # result -----------------------------------------------------------------------------
    def extract(self, solver: cp_model.CpSolver) -> StaffingPlan:
        """The unit x tranche allocation: per month and hiring class, the class's tranche
        steps dealt out to its units' steps in order (`split_postings`)."""
        tranches = {tr.id: (c, tr) for c, tr in self.part.tranches()}
        months = sorted({p for (_t, p, _k) in self.x})
        got: dict[tuple[str, str, int], int] = defaultdict(int)
        for k, (_cat, _curve, units) in enumerate(self.classes):
            for p in months:
                offer = [
                    (tid, solver.value(var))
                    for (tid, q, c), var in self.x.items()
                    if c == k and q == p
                ]
                want = [
                    (u.id, solver.value(self.z[(u.id, p)])) for u in units if (u.id, p) in self.z
                ]
                for uid, tid, n in split_postings(offer, want):
                    got[(uid, tid, p)] += n
        order = {u.id: i for i, u in enumerate(self.part.units)}
        rows = []
        for (uid, tid, p), steps in sorted(
            got.items(), key=lambda kv: (kv[0][1], order[kv[0][0]], kv[0][2])
        ):
            cat, tr = tranches[tid]
            rows.append(
                Allocation(
                    category=cat.id,
                    tranche=tid,
                    unit=uid,
                    bv=steps * self.part.granularity,
                    release_month=tr.release,
                    post_month=self.part.month(p),
                )
            )
        return StaffingPlan(allocations=rows)

    def class_of(self, uid: str) -> int:
        return next(
            k for k, (_c, _v, units) in enumerate(self.classes) if any(u.id == uid for u in units)
        )

    def add_hint(self, plan: StaffingPlan) -> None:
        """Start the search from `plan` (every posting variable hinted)."""
        xs: dict[tuple[str, int, int], int] = defaultdict(int)
        zs: dict[tuple[str, int], int] = defaultdict(int)
        for a in plan.allocations:
            p, n = self.part.offset(a.post_month), self.part.steps(a.bv)
            xs[(a.tranche, p, self.class_of(a.unit))] += n
            zs[(a.unit, p)] += n
        for key, var in self.x.items():
            self.model.add_hint(var, xs.get(key, 0))
        for key, var in self.z.items():
            self.model.add_hint(var, zs.get(key, 0))


def split_postings(
    offer: list[tuple[str, int]], want: list[tuple[str, int]]
) -> list[tuple[str, str, int]]:
    """Deal steps offered by tranches ((tranche, steps), in order) to units wanting them
    ((unit, steps), in order, the same total): (unit, tranche, steps) pieces."""
    if sum(n for _, n in offer) != sum(n for _, n in want):
        raise ValueError(f"postings do not add up: {offer} vs {want}")
    out: list[tuple[str, str, int]] = []
    offer = [[t, n] for t, n in offer if n]
    i = 0
    for uid, n in want:
        while n:
            take = min(n, offer[i][1])
            out.append((uid, offer[i][0], take))
            n -= take
            offer[i][1] -= take
            if not offer[i][1]:
                i += 1
    return out


def term_weights(part: StaffingPart) -> dict[str, int]:
    return part.weights.as_dict()


def solve(
    instance: Instance,
    *,
    relief: Relief | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    progress: ProgressHook | None = None,
    hint: bool = True,
    explain: bool = True,
    log: bool = False,
    stop: StopToken | None = None,
    work_limit: float | None = None,
) -> Result[StaffingPlan]:
    """Allocate the tranches. `relief` ((unit, month) -> BV) is the training relief need,
    derived from a training plan by `models.coupling.training_relief`. The plan has passed
    `check_staffing`; `infeasible` names the conflicting rules in `outcome.message`.
    Progress events carry the objective unscaled (in the checker's units)."""
    params = SolveParams(
        time_limit=time_limit, seed=seed, workers=workers, log=log, work_limit=work_limit
    )
    part = StaffingSolve(instance, relief, hint=hint, seed=seed)
    return run_part(
        part,
        params,
        progress=progress,
        stop=stop,
        explain=explain,
        what="the solver's staffing plan",
    )


class StaffingSolve:
    """The staffing part for `solver.skeleton.run_part`: the proportional baseline as hint
    and, when CP-SAT finds no plan, as fallback; one CP-SAT run."""

    name = "staffing"
    scale = float(OBJECTIVE_SCALE)
    replaces_worse = False

    def __init__(self, instance: Instance, relief: Relief | None, *, hint: bool, seed: int):
        assert instance.staffing is not None
        self.instance = instance
        self.relief = relief
        self.hint = hint
        self.seed = seed
        self.weights = term_weights(instance.staffing)
        self.sm: StaffingModel | None = None
        self.start: StaffingPlan | None = None

    def build(self) -> None:
        from solver.baselines import proportional_staffing

        self.sm = StaffingModel(self.instance, self.relief)
        start = proportional_staffing(self.instance) if self.hint else None
        if start is not None and check_staffing(self.instance, start, self.relief):
            start = None
        if start is not None:
            self.sm.add_hint(start)
        self.start = start

    def search(self, run: Run) -> Search:
        assert self.sm is not None
        return single_search(run, self.sm.model, _tune_small)

    def fallback(self) -> Fallback[StaffingPlan] | None:
        if self.start is None:
            return None
        figures = staffing_figures(self.instance, self.start, self.relief or {})
        value = staffing_objective(self.instance, figures.terms)
        return Fallback(self.start, value, reported_terms(figures.terms))

    def objective(self, solver: cp_model.CpSolver, plan: StaffingPlan) -> float:
        # the plan's own objective, from its checked terms: the solver's can be higher
        # when the search stopped before proving the optimum
        return staffing_objective(self.instance, self._checked(solver, plan))

    def extract(self, solver: cp_model.CpSolver) -> StaffingPlan:
        assert self.sm is not None
        return self.sm.extract(solver)

    def check(self, plan: StaffingPlan) -> list:
        return check_staffing(self.instance, plan, self.relief)

    def terms(self, solver: cp_model.CpSolver, plan: StaffingPlan) -> dict[str, float]:
        return reported_terms(self._checked(solver, plan))

    def _checked(self, solver: cp_model.CpSolver, plan: StaffingPlan) -> dict[str, int]:
        # terms of weight 0 are not minimised, so their variables say nothing: the
        # checker's figures, which the solver's must not undercut wherever a weight is set
        assert self.sm is not None
        recomputed = staffing_figures(self.instance, plan, self.relief or {}).terms
        internal = {name: int(solver.value(term)) for name, term in self.sm.terms.items()}
        return model_terms_agree(internal, recomputed)

    def explain(self, time_limit: float) -> list[str]:
        return explain_infeasibility(
            self.instance, self.relief, time_limit=time_limit, seed=self.seed
        )


def model_terms_agree(internal: dict[str, int], recomputed: dict[str, int]) -> dict[str, int]:
    """The checker's terms of a plan, once the model's agree with them. The model's
    penalty variables are bounded from below only (excess >= need - effective, ...): at
    the optimum they are tight, but a search that stops earlier (time or work limit) can
    leave one above its plan's figure, so the model may overstate a term, never
    understate it; an understated term is a modelling error and raises."""
    low = {
        name: (value, recomputed[name])
        for name, value in internal.items()
        if value < recomputed[name]
    }
    if low:
        raise RuntimeError(
            "staffing terms below the checker's (model, checker): "
            + ", ".join(f"{name} {a} < {b}" for name, (a, b) in sorted(low.items()))
        )
    return recomputed


def lp_guided(solver: cp_model.CpSolver) -> None:
    """Full linearisation, LP-guided branching and no probing in presolve: the search
    settings of every staffing model, whose LP relaxation is (near) exact (this one and
    the sampled robust model of solver.staffing_robust)."""
    p = solver.parameters
    p.linearization_level = 2
    p.search_branching = cp_model.LP_SEARCH
    p.cp_model_probing_level = 0


def _tune(solver: cp_model.CpSolver) -> None:
    """The LP relaxation of this model is (near) exact, so the search follows it: full
    linearisation (the caseload and budget rows, the order-encoded worst caseload) and LP-guided
    branching. On Bremen this proves the optimum in about 2 s where the defaults stall.
    No probing in presolve, and with two workers the second one also searches on the full
    LP (`max_lp`) instead of LNS: with the relief of a later Bremen training plan the proof
    took 2.5-16 s before, 2.0-2.5 s with both (workers=2, three random seeds). Both run
    as full workers (`num_full_subsolvers`; otherwise CP-SAT keeps only the first beside
    its first-solution and LNS workers): generated-S with the relief of its optimal
    training plan, five seeds, median 8.2 s (6.9-20.6 s) before, 6.4 s (4.8-9.1 s) after."""
    lp_guided(solver)
    two_full_subsolvers(solver, "max_lp", "default_lp")


def _tune_small(solver: cp_model.CpSolver) -> None:
    """`_tune`, and every linear row in the LP from the start (`add_lp_constraints_lazily`
    off): the model is small, and added lazily the root bound took most of a second to
    come up on Bremen. Over the relief of nine different optimal Bremen training plans
    the whole solve is about as fast as before (median deterministic time 1.1-1.4, single
    runs up to 17; benchmarks/README.md). The sampled robust model, with many more rows,
    keeps them lazy (solver.staffing_robust.tune)."""
    _tune(solver)
    solver.parameters.add_lp_constraints_lazily = False


def explain_infeasibility(
    instance: Instance, relief: Relief | None = None, *, time_limit: float = 20.0, seed: int = 0
) -> list[str]:
    """The staffing rules (with tranche, unit, month or budget) that conflict."""
    part = instance.staffing
    assert part is not None
    for _c, tr in part.tranches():
        if not len(part.posting_months(tr)):
            return [f"release month of tranche {tr.id} ({tr.release}) lies outside the grid"]
    sm = StaffingModel(instance, relief, explain=True)
    return sm.assumptions.minimal_conflict(time_limit=time_limit, seed=seed)
