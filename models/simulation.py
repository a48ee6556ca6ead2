"""Monte Carlo simulation of a staffing plan: what the expectations of `models.staffing`
look like run by run.

Every position is modelled as independent slots of one granularity step (0.5 BV; a
unit's BV that are no whole multiple get one smaller slot). A slot is either filled or
waiting for a posting to resolve, with exactly the semantics of `models.staffing._curves`:

- a posting made in month p resolves in month p + L, L drawn from `hiring.lag`; it is
  filled there with probability `fill_probability`, else re-posted at once (a new lag);
- a filled slot counts from the month it is filled; it leaves at the end of a month with
  probability r = 1 - (1 - attrition)^(1/12) (the unit's own rate when it has one) and
  is re-posted in the next month;
- a unit's current staff (`bv - vacancies`) is filled in month 0, its `vacancies` are
  posted in month 0; an allocation's steps are posted in its `post_month`.

The simulation is vectorised over runs and slots (a Python loop over the months only)
and deterministic for a given seed (a numpy Generator). Its mean agrees with the
expectations the solver optimises; the tests check that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.instance import Instance
from models.staffing import SCALE, StaffingPart, StaffingPlan, parse_month

_NEVER = np.iinfo(np.int32).max


@dataclass
class _Slots:
    unit: np.ndarray  # unit index per slot
    weight: np.ndarray  # BV per slot
    post: np.ndarray  # month of the first posting (-1: filled at month 0)
    attrition: np.ndarray  # monthly leaving probability per slot
    budget: np.ndarray  # (slots, budgets): 1 where a budget pays for the slot


def _split(bv: float, step: float) -> list[float]:
    """`bv` as slots of `step` BV, a smaller last slot for any remainder."""
    whole = int(bv / step + 1e-9)
    rest = bv - whole * step
    return [step] * whole + ([rest] if rest > 1e-9 else [])


def _slots(part: StaffingPart, plan: StaffingPlan) -> _Slots:
    index = {u.id: i for i, u in enumerate(part.units)}
    g = part.granularity
    unit, weight, post, rate, tranche = [], [], [], [], []

    def add(ui: int, w: float, p: int, r: float, tid: str | None) -> None:
        unit.append(ui)
        weight.append(w)
        post.append(p)
        rate.append(r)
        tranche.append(tid)

    monthly = {u.id: 1 - (1 - part.unit_attrition(u)) ** (1 / 12) for u in part.units}
    for i, u in enumerate(part.units):
        for w in _split(u.bv - u.vacancies, g):
            add(i, w, -1, monthly[u.id], None)
        for w in _split(u.vacancies, g):
            add(i, w, 0, monthly[u.id], None)
    for a in plan.allocations:
        if a.unit not in index:
            raise ValueError(f"allocation to unknown unit {a.unit!r}")
        p = part.offset(a.post_month)
        for w in _split(a.bv, g):
            add(index[a.unit], w, p, monthly[a.unit], a.tranche)
    budget = np.zeros((len(unit), len(part.budgets)))
    for bi, b in enumerate(part.budgets):
        for s, tid in enumerate(tranche):
            if tid is not None and (not b.tranches or tid in b.tranches):
                budget[s, bi] = 1.0
    return _Slots(
        unit=np.array(unit, dtype=np.int64),
        weight=np.array(weight, dtype=float),
        post=np.array(post, dtype=np.int64),
        attrition=np.array(rate, dtype=float),
        budget=budget,
    )


class _Lags:
    """Draws lags (months) from the hiring model's distribution by inverse CDF."""

    def __init__(self, lag: dict[int, float]):
        self.values = np.array(list(lag), dtype=np.int64)
        self.cdf = np.cumsum(np.array(list(lag.values()), dtype=float))
        self.cdf[-1] = 1.0

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        i = np.searchsorted(self.cdf, rng.random(n), side="right")
        return self.values[np.minimum(i, len(self.values) - 1)]


def _stay(rng: np.random.Generator, rate: np.ndarray, t: int, horizon: int) -> np.ndarray:
    """The month at whose end slots filled in month t leave: each month's end with
    probability `rate` (per slot), so t + G - 1 with G geometric on 1, 2, ...; never
    (past the horizon) where the rate is 0."""
    out = np.full(len(rate), _NEVER, dtype=np.int64)
    leaves = rate > 0
    if leaves.any():
        stay = rng.geometric(rate[leaves])
        out[leaves] = np.minimum(t + stay - 1, horizon + 1)
    return out


def _evolve(rng: np.random.Generator, slots: _Slots, lags: _Lags, q: float, n: int, runs: int):
    """Which slots are filled in each month t (yields a (runs, slots) bool array per
    month, valid until the next one is drawn). The one place the hiring process is
    drawn: `simulate` and `sample_hiring` both run it."""
    n_slots = len(slots.unit)
    # `due`: the month a vacant slot's posting resolves, or the month at whose end a
    # filled slot leaves (drawn when it is filled: the months it stays are geometric)
    filled = np.broadcast_to(slots.post < 0, (runs, n_slots)).copy()
    due = np.full((runs, n_slots), _NEVER, dtype=np.int64)
    vacant = np.flatnonzero(slots.post >= 0)
    if len(vacant):
        draws = lags.draw(rng, runs * len(vacant)).reshape(runs, len(vacant))
        due[:, vacant] = slots.post[vacant][None, :] + draws
    rows, cols = np.nonzero(filled)
    due[rows, cols] = _stay(rng, slots.attrition[cols], 0, n)
    for t in range(n):
        now = due == t
        rows, cols = np.nonzero(now & ~filled)
        if len(rows):
            ok = rng.random(len(rows)) < q
            r_ok, c_ok = rows[ok], cols[ok]
            filled[r_ok, c_ok] = True
            due[r_ok, c_ok] = _stay(rng, slots.attrition[c_ok], t, n)
            bad = ~ok
            due[rows[bad], cols[bad]] = t + lags.draw(rng, int(bad.sum()))
            now[r_ok, c_ok] = due[r_ok, c_ok] == t  # filled and gone this very month
        yield filled
        rows, cols = np.nonzero(now & filled)
        if len(rows):  # leave at the end of month t, re-posted in month t + 1
            filled[rows, cols] = False
            due[rows, cols] = t + 1 + lags.draw(rng, len(rows))


@dataclass
class SimulationResult:
    """Simulated filled BV and the figures derived from them.

    `filled[r, u, t]`: filled BV of unit u (order of `units`) in month t of run r.
    `planned[u, t]`: the unit's current BV plus the allocated BV posted by month t.
    `cost[r, b]`: TEUR spent in budget b's year on the tranches it pays for.
    """

    months: list[str]
    units: list[str]
    casework: list[str]
    runs: int
    seed: int
    filled: np.ndarray
    planned: np.ndarray
    cost: np.ndarray
    budgets: list[tuple[int, float]]  # (year, amount TEUR) per budget
    cases: dict[str, int]
    threshold: float
    expected_casework: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def unit(self, uid: str) -> np.ndarray:
        """(runs, months) filled BV of one unit."""
        return self.filled[:, self.units.index(uid), :]

    def _cw_index(self) -> list[int]:
        return [self.units.index(u) for u in self.casework]

    def casework_total(self) -> np.ndarray:
        """(runs, months) filled BV summed over the casework units."""
        return self.filled[:, self._cw_index(), :].sum(axis=1)

    def vacancy_months(self) -> np.ndarray:
        """Per run: BV-months by which casework units fall short of their planned BV."""
        cw = self._cw_index()
        gap = self.planned[None, cw, :] - self.filled[:, cw, :]
        return np.clip(gap, 0, None).sum(axis=(1, 2))

    def overload_months(self) -> np.ndarray:
        """Per run: unit-months in which a casework unit carries more cases per filled BV
        than the caseload threshold (an empty unit with cases counts)."""
        idx = [self.units.index(u) for u in self.casework if self.cases.get(u, 0) > 0]
        if not idx:
            return np.zeros(self.runs)
        cases = np.array([self.cases[self.units[i]] for i in idx], dtype=float)
        over = cases[None, :, None] > self.threshold * self.filled[:, idx, :] + 1e-9
        return over.sum(axis=(1, 2)).astype(float)

    def excess_case_months(self) -> np.ndarray:
        """Per run: case-months above the caseload threshold, the staffing model's
        `excess_caseload` term on the filled BV: the sum over casework units and months
        of max(0, cases - threshold * filled BV)."""
        cw = self._cw_index()
        if not cw:
            return np.zeros(self.runs)
        cases = np.array([self.cases.get(self.units[i], 0) for i in cw], dtype=float)
        gap = cases[None, :, None] - self.threshold * self.filled[:, cw, :]
        return np.clip(gap, 0, None).sum(axis=(1, 2))

    def fan(self, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)) -> np.ndarray:
        """(len(quantiles), months) quantiles of the casework total over runs."""
        return np.quantile(self.casework_total(), quantiles, axis=0)

    def mean_cost(self) -> np.ndarray:
        return self.cost.mean(axis=0) if self.runs else np.zeros(len(self.budgets))


def default_dates(part: StaffingPart) -> list[str]:
    """The end of each year on the grid (December, or the grid's last month)."""
    labels = part.month_labels()
    out = [m for m in labels if parse_month(m)[1] == 12]
    if labels and labels[-1] not in out:
        out.append(labels[-1])
    return out


def simulate(
    instance: Instance, plan: StaffingPlan, *, runs: int = 1000, seed: int = 0
) -> SimulationResult:
    """Simulate `plan` `runs` times (seeded). See the module docstring for the rules."""
    part = instance.staffing
    if part is None:
        raise ValueError("the instance has no staffing part")
    if runs < 1:
        raise ValueError("runs must be at least 1")
    n = part.months
    rng = np.random.default_rng(seed)
    slots = _slots(part, plan)
    lags = _Lags(part.hiring.lag)
    q = part.hiring.fill_probability
    n_units, n_budgets, n_slots = len(part.units), len(part.budgets), len(slots.unit)

    # one matrix maps filled slots to (BV per unit | budgeted BV per budget)
    per_unit = np.zeros((n_slots, n_units))
    per_unit[np.arange(n_slots), slots.unit] = slots.weight
    collect = np.hstack([per_unit, slots.budget * slots.weight[:, None]])

    out = np.empty((n, runs, n_units + n_budgets))
    for t, filled in enumerate(_evolve(rng, slots, lags, q, n, runs)):
        out[t] = filled.astype(np.float64) @ collect  # (a bool matmul is 3x slower)

    filled_bv = np.ascontiguousarray(out[:, :, :n_units].transpose(1, 2, 0))
    budgeted = out[:, :, n_units:]  # (months, runs, budgets)
    cost = np.zeros((runs, n_budgets))
    price = np.array([part.monthly_cost(t) for t in range(n)])
    years = np.array([part.year_of(t) for t in range(n)])
    for bi, b in enumerate(part.budgets):
        in_year = years == b.year
        cost[:, bi] = (budgeted[in_year, :, bi] * price[in_year, None]).sum(axis=0)

    planned = _planned(part, plan)
    casework = [u.id for u in part.units_of(part.casework_category)]
    return SimulationResult(
        months=part.month_labels(),
        units=[u.id for u in part.units],
        casework=casework,
        runs=runs,
        seed=seed,
        filled=filled_bv,
        planned=planned,
        cost=cost,
        budgets=[(b.year, b.amount) for b in part.budgets],
        cases={u.id: u.cases for u in part.units},
        threshold=part.caseload_threshold,
        expected_casework=expected_casework(instance, plan),
    )


def _planned(part: StaffingPart, plan: StaffingPlan) -> np.ndarray:
    """(units, months): a unit's current BV plus the allocated BV posted by month t."""
    planned = np.zeros((len(part.units), part.months))
    for i, u in enumerate(part.units):
        planned[i, :] = u.bv
    index = {u.id: i for i, u in enumerate(part.units)}
    for a in plan.allocations:
        planned[index[a.unit], max(0, part.offset(a.post_month)) :] += a.bv
    return planned


def expected_casework(instance: Instance, plan: StaffingPlan) -> np.ndarray:
    """The model's expected filled BV of the casework units, summed, month by month."""
    from models.check_staffing import staffing_figures

    part = instance.staffing
    assert part is not None
    fig = staffing_figures(instance, plan, {})
    total = np.zeros(part.months)
    for u in part.units_of(part.casework_category):
        total += np.array(fig.effective(u.id), dtype=float) / SCALE
    return total


def kpi_row(sim: SimulationResult, dates: list[str]) -> dict[str, float]:
    """The figures of one simulated variant, as a flat row (means over runs unless the
    column names a quantile)."""
    vac = sim.vacancy_months()
    over = sim.overload_months()
    row: dict[str, float] = {
        "vacancy_bv_months": round(float(vac.mean()), 2),
        "vacancy_bv_months_p90": round(float(np.quantile(vac, 0.9)), 2),
        "overload_unit_months": round(float(over.mean()), 2),
        "overload_unit_months_p90": round(float(np.quantile(over, 0.9)), 2),
    }
    total = sim.casework_total()
    for d in dates:
        t = sim.months.index(d)
        p10, p50, p90 = np.quantile(total[:, t], (0.1, 0.5, 0.9))
        row[f"cw_bv_{d}_p10"] = round(float(p10), 2)
        row[f"cw_bv_{d}_p50"] = round(float(p50), 2)
        row[f"cw_bv_{d}_p90"] = round(float(p90), 2)
    years = [y for y, _ in sim.budgets]
    for bi, ((year, amount), cost) in enumerate(zip(sim.budgets, sim.mean_cost())):
        key = str(year) if years.count(year) == 1 else f"{year}_{bi + 1}"
        row[f"cost_{key}_teur"] = round(float(cost), 1)
        row[f"budget_{key}_teur"] = round(float(amount), 1)
    return row


# sampled hiring outcomes (for the robust allocation) -------------------------------------


@dataclass
class HiringSample:
    """K sampled hiring outcomes, drawn by the simulation's own process (`_evolve`), in a
    form in which a unit's filled BV is linear in its postings.

    Every step is a slot of its own, and slots are independent with a process that does
    not depend on the month it starts in. So a sample holds, per unit, the filled BV of
    its current staff (`base[k, u, t]`, centi-BV, its vacancies posted in month 0) and
    one path per step the unit can receive: `paths[u][k, i, d]` is True when the unit's
    i-th step (its steps ordered by posting month) is filled d months after its
    posting. `sample_filled` adds the paths up for a plan exactly as the robust model
    does, and simulating a plan this way is a draw from the same distribution as
    `simulate`.
    """

    seed: int
    samples: int
    units: list[str]
    step_centi: int
    base: np.ndarray  # (samples, units, months) int64 centi-BV
    paths: list[np.ndarray]  # per unit (samples, steps, months) bool

    def steps(self, uid: str) -> int:
        return self.paths[self.units.index(uid)].shape[1]


def unit_step_limits(part: StaffingPart) -> dict[str, int]:
    """The most steps a unit can receive: its category's tranches, capped by `max_bv`."""
    steps: dict[str, int] = {}
    per_cat = {c.id: sum(part.steps(t.bv) for t in c.tranches) for c in part.categories}
    for u in part.units:
        s = per_cat.get(u.category, 0)
        if u.max_bv is not None:
            s = min(s, part.steps(u.max_bv))
        steps[u.id] = s
    return steps


def sample_hiring(
    part: StaffingPart, samples: int, seed: int, steps: dict[str, int] | None = None
) -> HiringSample:
    """Draw `samples` hiring outcomes (seeded; a different random stream from
    `simulate(seed=...)` for every seed, so simulating with any seed is a fresh sample).
    `steps`: paths per unit (default `unit_step_limits`)."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    n = part.months
    limits = steps if steps is not None else unit_step_limits(part)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5A4]))
    base_plan = StaffingPlan()
    base = _slots(part, base_plan)
    monthly = {u.id: 1 - (1 - part.unit_attrition(u)) ** (1 / 12) for u in part.units}
    new_unit: list[int] = []
    for i, u in enumerate(part.units):
        new_unit += [i] * limits.get(u.id, 0)
    k_new = len(new_unit)
    slots = _Slots(
        unit=np.concatenate([base.unit, np.array(new_unit, dtype=np.int64)]),
        weight=np.concatenate([base.weight, np.full(k_new, part.granularity)]),
        post=np.concatenate([base.post, np.zeros(k_new, dtype=np.int64)]),
        attrition=np.concatenate(
            [base.attrition, np.array([monthly[part.units[i].id] for i in new_unit])]
        ),
        budget=np.zeros((len(base.unit) + k_new, 0)),
    )
    n_base = len(base.unit)
    centi = np.rint(base.weight * SCALE).astype(np.int64)
    per_unit = np.zeros((n_base, len(part.units)), dtype=np.int64)
    per_unit[np.arange(n_base), base.unit] = centi
    base_bv = np.zeros((samples, len(part.units), n), dtype=np.int64)
    status = np.zeros((samples, k_new, n), dtype=bool)
    lags = _Lags(part.hiring.lag)
    for t, filled in enumerate(_evolve(rng, slots, lags, part.hiring.fill_probability, n, samples)):
        base_bv[:, :, t] = filled[:, :n_base].astype(np.int64) @ per_unit
        status[:, :, t] = filled[:, n_base:]
    paths, at = [], 0
    for u in part.units:
        k = limits.get(u.id, 0)
        paths.append(status[:, at : at + k, :])
        at += k
    return HiringSample(
        seed=seed,
        samples=samples,
        units=[u.id for u in part.units],
        step_centi=round(part.granularity * SCALE),
        base=base_bv,
        paths=paths,
    )


def ordered_steps(part: StaffingPart, plan: StaffingPlan) -> dict[str, list[tuple[int, str]]]:
    """Per unit, (posting month, tranche) of each of its steps, in posting-month order:
    the order in which steps take the paths of a `HiringSample`."""
    out: dict[str, list[tuple[int, str]]] = {u.id: [] for u in part.units}
    for a in plan.allocations:
        if a.unit not in out:
            raise ValueError(f"allocation to unknown unit {a.unit!r}")
        out[a.unit] += [(part.offset(a.post_month), a.tranche)] * part.steps(a.bv)
    for steps in out.values():
        steps.sort(key=lambda s: s[0])
    return out


def sample_filled(
    part: StaffingPart, plan: StaffingPlan, sample: HiringSample, casework_only: bool = False
) -> np.ndarray:
    """(samples, units, months) filled centi-BV of `plan` in each sampled outcome
    (`casework_only`: the other units keep their current staff only)."""
    n = part.months
    out = sample.base.copy()
    casework = {u.id for u in part.units_of(part.casework_category)}
    for ui, (uid, steps) in enumerate(ordered_steps(part, plan).items()):
        if casework_only and uid not in casework:
            continue
        paths = sample.paths[ui]
        if len(steps) > paths.shape[1]:
            raise ValueError(
                f"unit {uid} gets {len(steps)} steps but the sample has paths for "
                f"{paths.shape[1]}; draw the sample with more steps for it"
            )
        for i, (p, _tid) in enumerate(steps):
            if 0 <= p < n:
                out[:, ui, p:] += sample.step_centi * paths[:, i, : n - p]
    return out


SAMPLE_KPIS = ("excess", "overload", "vacancy")


def sample_kpi_rows(
    part: StaffingPart, plan: StaffingPlan, filled_centi: np.ndarray, units: list[str], kind: str
) -> np.ndarray:
    """(samples, casework units, months) integer value of a KPI per unit-month, in the
    robust model's units: `excess` thousandths of a case-month above the threshold
    (max(0, 1000 cases - 10 threshold * filled centi-BV)), `overload` 1 where the cases
    exceed threshold * filled BV, `vacancy` centi-BV of planned minus filled (at least 0).
    Summed over units and months they are `excess_case_months`, `overload_months` and
    `vacancy_months` of the SimulationResult, scaled."""
    cw = part.units_of(part.casework_category)
    idx = [units.index(u.id) for u in cw]
    filled = filled_centi[:, idx, :]
    if kind == "vacancy":
        planned = np.rint(_planned(part, plan) * SCALE).astype(np.int64)
        pidx = [[x.id for x in part.units].index(u.id) for u in cw]
        return np.clip(planned[None, pidx, :] - filled, 0, None)
    thr10 = round(10 * part.caseload_threshold)
    cases = np.array([u.cases for u in cw], dtype=np.int64)[None, :, None]
    gap = 10 * SCALE * cases - thr10 * filled
    if kind == "overload":
        return (gap > 0).astype(np.int64)
    if kind == "excess":
        return np.clip(gap, 0, None)
    raise ValueError(f"unknown KPI {kind!r}; choose one of {', '.join(SAMPLE_KPIS)}")


def sample_kpi(
    part: StaffingPart, plan: StaffingPlan, filled_centi: np.ndarray, units: list[str], kind: str
) -> np.ndarray:
    """Per sample, the KPI summed over casework units and months (`sample_kpi_rows`)."""
    return sample_kpi_rows(part, plan, filled_centi, units, kind).sum(axis=(1, 2))


def sample_excess(part: StaffingPart, filled_centi: np.ndarray, units: list[str]) -> np.ndarray:
    """Per sample, the excess caseload in thousandths of a case-month."""
    return sample_kpi(part, StaffingPlan(), filled_centi, units, "excess")


def simulate_sample(
    instance: Instance, plan: StaffingPlan, sample: HiringSample, casework_only: bool = False
) -> SimulationResult:
    """`plan` run through the sampled outcomes: a SimulationResult (without costs) whose
    run k is sample k."""
    part = instance.staffing
    assert part is not None
    filled = sample_filled(part, plan, sample, casework_only).astype(float) / SCALE
    planned = _planned(part, plan)
    return SimulationResult(
        months=part.month_labels(),
        units=[u.id for u in part.units],
        casework=[u.id for u in part.units_of(part.casework_category)],
        runs=sample.samples,
        seed=sample.seed,
        filled=filled,
        planned=planned,
        cost=np.zeros((sample.samples, 0)),
        budgets=[],
        cases={u.id: u.cases for u in part.units},
        threshold=part.caseload_threshold,
    )
