"""The independent checker of staffing plans, and the objective terms recomputed from a
plan exactly as the solver defines them (integer arithmetic on the shared curves).

One function `check_<rule_id>` per rule (ids of `models.rules`) over one `StaffingContext`;
`check_staffing` runs them in the order of `STAFFING_CHECKS`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from models.instance import Instance
from models.staffing import SCALE, Allocation, Category, StaffingPart, StaffingPlan, Tranche, Unit
from models.violations import Violation, missing_part

TERM_SCALE = {
    "excess_caseload": 10 * SCALE,  # case-months, exact (threshold in tenths x centi-BV)
    "worst_caseload": 1,  # cases per BV (rounded up)
    "training_relief": SCALE,  # centi-BV-months -> BV-months
    "centre_fairness": SCALE,  # centi-BV -> BV
    "late_posting": SCALE,  # centi-BV-months -> BV-months
}
"""Internal integer units per reported unit of each term."""

OBJECTIVE_SCALE = math.lcm(*TERM_SCALE.values())

Relief = dict[tuple[str, int], float]


def budget_limit(amount_teur: float) -> int:
    """A budget in the units of `budget_cost`: euros x SCALE."""
    return round(amount_teur * 1000 * SCALE)


def euro_per_bv_month(part: StaffingPart, month: int) -> int:
    """Whole euros one BV costs in grid month `month` (the budget rule's integer price)."""
    return round(1000 * part.monthly_cost(month))


def relief_centi(relief: Relief) -> dict[tuple[str, int], int]:
    return {k: math.ceil(SCALE * v - 1e-9) for k, v in relief.items() if v > 0}


def fairness_targets(part: StaffingPart) -> dict[str, int]:
    """Centre -> its share of the casework BV in centi-BV, in proportion to the BV its
    teams lack to reach the caseload threshold (equal shares when none lacks any)."""
    cw = part.casework_category
    total = sum(SCALE * t.bv for c, t in part.tranches() if c.id == cw)
    need: dict[str, float] = defaultdict(float)
    for u in part.units_of(cw):
        if u.centre is not None:
            need[u.centre] += max(0.0, u.cases / part.caseload_threshold - u.bv)
    if not need:
        return {}
    if sum(need.values()) <= 0:
        need = defaultdict(float, {c: 1.0 for c in need})
    s = sum(need.values())
    return {c: round(total * v / s) for c, v in sorted(need.items())}


def worst_caseload_units(part: StaffingPart) -> list[str]:
    return [u.id for u in part.units_of(part.casework_category) if u.cases > 0]


@dataclass
class StaffingFigures:
    """Month-by-month expectations of a plan (centi-BV) and its internal terms."""

    base: dict[str, list[int]]
    added: dict[str, list[int]]
    terms: dict[str, int]
    cost: dict[int, int]  # budget year -> euros x SCALE of the budgeted tranches

    def effective(self, unit: str) -> list[int]:
        return [b + a for b, a in zip(self.base[unit], self.added[unit])]


def staffing_figures(instance: Instance, plan: StaffingPlan, relief: Relief) -> StaffingFigures:
    part = instance.staffing
    assert part is not None
    units = {u.id: u for u in part.units}
    n = part.months
    base = {u.id: part.base_bv(u) for u in part.units}
    added = {u.id: [0] * n for u in part.units}
    scoped: dict[int, list[int]] = {}  # budget index -> centi-BV by month
    for bi in range(len(part.budgets)):
        scoped[bi] = [0] * n
    late = 0
    for a in plan.allocations:
        u = units.get(a.unit)
        if u is None:
            continue
        curve = part.new_curve(u)
        steps = part.steps(a.bv)
        p = part.offset(a.post_month)
        late += steps * round(part.granularity * SCALE) * max(0, p - part.offset(a.release_month))
        for t in range(max(p, 0), n):
            v = steps * curve[t - p]
            added[a.unit][t] += v
            for bi, b in enumerate(part.budgets):
                if not b.tranches or a.tranche in b.tranches:
                    scoped[bi][t] += v
    cost: dict[int, int] = {}
    for bi, b in enumerate(part.budgets):
        cost[bi] = sum(
            scoped[bi][t] * euro_per_bv_month(part, t)
            for t in range(n)
            if part.year_of(t) == b.year
        )
    thr10 = round(10 * part.caseload_threshold)
    excess = 0
    for u in part.units_of(part.casework_category):
        for t in range(n):
            eff = base[u.id][t] + added[u.id][t]
            excess += max(0, 10 * SCALE * u.cases - thr10 * eff)
    worst = 0
    a0 = part.assess_start()
    for uid in worst_caseload_units(part):
        m = max(1, min(base[uid][t] + added[uid][t] for t in range(a0, n)))
        worst = max(worst, -(-SCALE * units[uid].cases // m))
    unmet = sum(
        max(0, r - added[uid][t])
        for (uid, t), r in relief_centi(relief).items()
        if uid in added and 0 <= t < n
    )
    got: dict[str, int] = defaultdict(int)
    cw = {u.id: u.centre for u in part.units_of(part.casework_category)}
    for a in plan.allocations:
        if a.unit in cw and cw[a.unit] is not None:
            got[cw[a.unit]] += part.steps(a.bv) * round(part.granularity * SCALE)
    fairness = sum(abs(got.get(c, 0) - target) for c, target in fairness_targets(part).items())
    terms = {
        "excess_caseload": excess,
        "worst_caseload": worst,
        "training_relief": unmet,
        "centre_fairness": fairness,
        "late_posting": late,
    }
    return StaffingFigures(base, added, terms, cost)


def reported_terms(internal: dict[str, int]) -> dict[str, float]:
    return {k: v / TERM_SCALE[k] for k, v in internal.items()}


def staffing_objective(instance: Instance, internal: dict[str, int]) -> float:
    """The weighted objective in reported units (what `PartOutcome.objective` holds)."""
    assert instance.staffing is not None
    w = instance.staffing.weights.as_dict()
    return sum(w[k] * v / TERM_SCALE[k] for k, v in internal.items())


@dataclass(frozen=True)
class _Row:
    """One allocation whose tranche is known; `unit` is None when its unit is not."""

    subject: str
    alloc: Allocation
    category: Category
    tranche: Tranche
    unit: Unit | None


@dataclass
class StaffingContext:
    """What every rule reads, computed once: the allocations by whether their tranche and
    unit are known, and the BV placed per tranche, unit and posting month."""

    instance: Instance
    plan: StaffingPlan
    part: StaffingPart
    relief: Relief
    tranches: dict[str, tuple[Category, Tranche]]
    unknown_tranche: list[tuple[str, Allocation]] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    placed: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    per_unit: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    per_month: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def valid(self) -> list[_Row]:
        """Allocations of a known tranche to a known unit: the ones that place BV."""
        return [r for r in self.rows if r.unit is not None]


def staffing_context(instance: Instance, plan: StaffingPlan, relief: Relief) -> StaffingContext:
    part = instance.staffing
    assert part is not None
    units = {u.id: u for u in part.units}
    ctx = StaffingContext(instance, plan, part, relief, {t.id: (c, t) for c, t in part.tranches()})
    for i, a in enumerate(plan.allocations):
        subject = f"allocation {i + 1} ({a.tranche} -> {a.unit})"
        if a.tranche not in ctx.tranches:
            ctx.unknown_tranche.append((subject, a))
            continue
        cat, tr = ctx.tranches[a.tranche]
        row = _Row(subject, a, cat, tr, units.get(a.unit))
        ctx.rows.append(row)
        if row.unit is not None:
            ctx.placed[a.tranche] += a.bv
            ctx.per_unit[a.unit] += a.bv
            ctx.per_month[part.offset(a.post_month)] += a.bv
    return ctx


# ------------------------------------------------------------------ one function per rule
def check_tranche(ctx: StaffingContext) -> list[Violation]:
    return [
        Violation("tranche", subject, f"unknown tranche {a.tranche!r}")
        for subject, a in ctx.unknown_tranche
    ]


def check_category(ctx: StaffingContext) -> list[Violation]:
    v = []
    for r in ctx.rows:
        if r.alloc.category != r.category.id:
            msg = f"tranche is {r.category.id}, not {r.alloc.category}"
            v.append(Violation("category", r.subject, msg))
        if r.unit is not None and r.unit.category != r.category.id:
            msg = f"unit receives {r.unit.category}, not {r.category.id}"
            v.append(Violation("category", r.subject, msg))
    return v


def check_unit(ctx: StaffingContext) -> list[Violation]:
    return [
        Violation("unit", r.subject, f"unknown unit {r.alloc.unit!r}")
        for r in ctx.rows
        if r.unit is None
    ]


def check_granularity(ctx: StaffingContext) -> list[Violation]:
    g = ctx.part.granularity
    return [
        Violation("granularity", r.subject, f"{r.alloc.bv:g} BV is not a multiple of {g:g}")
        for r in ctx.valid
        if abs(r.alloc.bv / g - round(r.alloc.bv / g)) > 1e-9
    ]


def _outside_window(part: StaffingPart, r: _Row) -> Violation | None:
    """A posting outside the tranche's window: before it (or no window on the grid) breaks
    the release rule, after it the posting delay, as in the solver's explain mode."""
    w = part.posting_months(r.tranche)
    p = part.offset(r.alloc.post_month)
    if p in w:
        return None
    msg = (
        f"posted {r.alloc.post_month}, outside {part.month(w.start)}..{part.month(w.stop - 1)}"
        if len(w)
        else f"posted {r.alloc.post_month}; the tranche cannot be posted on the grid"
    )
    rule = "release" if p < w.start or not len(w) else "posting_delay"
    return Violation(rule, r.subject, msg)


def check_release(ctx: StaffingContext) -> list[Violation]:
    v = []
    for r in ctx.valid:
        if r.alloc.release_month != r.tranche.release:
            v.append(Violation("release", r.subject, f"release month is {r.tranche.release}"))
        outside = _outside_window(ctx.part, r)
        if outside is not None and outside.rule == "release":
            v.append(outside)
    return v


def check_posting_delay(ctx: StaffingContext) -> list[Violation]:
    outside = (_outside_window(ctx.part, r) for r in ctx.valid)
    return [o for o in outside if o is not None and o.rule == "posting_delay"]


def check_tranche_total(ctx: StaffingContext) -> list[Violation]:
    return [
        Violation("tranche_total", f"tranche {tid}", f"{ctx.placed[tid]:g} of {t.bv:g} BV placed")
        for tid, (_c, t) in ctx.tranches.items()
        if abs(ctx.placed[tid] - t.bv) > 1e-9
    ]


def check_unit_bounds(ctx: StaffingContext) -> list[Violation]:
    v = []
    for u in ctx.part.units:
        got = ctx.per_unit[u.id]
        if got < u.min_bv - 1e-9 or (u.max_bv is not None and got > u.max_bv + 1e-9):
            hi = "" if u.max_bv is None else f"..{u.max_bv:g}"
            v.append(
                Violation("unit_bounds", f"unit {u.id}", f"{got:g} BV, not in {u.min_bv:g}{hi}")
            )
    return v


def check_hiring_capacity(ctx: StaffingContext) -> list[Violation]:
    cap = ctx.part.hiring.monthly_capacity
    if cap is None:
        return []
    return [
        Violation("hiring_capacity", f"month {ctx.part.month(p)}", f"{bv:g} BV posted, cap {cap:g}")
        for p, bv in sorted(ctx.per_month.items())
        if bv > cap + 1e-9
    ]


def check_budget(ctx: StaffingContext) -> list[Violation]:
    figures = staffing_figures(ctx.instance, ctx.plan, ctx.relief)
    return [
        Violation(
            "budget",
            f"budget {b.year}",
            f"expected cost {figures.cost[bi] / SCALE / 1000:.1f} TEUR over {b.amount:g}",
        )
        for bi, b in enumerate(ctx.part.budgets)
        if figures.cost[bi] > budget_limit(b.amount)
    ]


STAFFING_CHECKS = (
    check_tranche,
    check_category,
    check_unit,
    check_granularity,
    check_release,
    check_posting_delay,
    check_tranche_total,
    check_unit_bounds,
    check_hiring_capacity,
    check_budget,
)
"""Every rule of a staffing plan, in the order its violations are listed. The budget is
checked last and only when every other rule holds: the expected cost is only meaningful
for allocations that place whole steps of known tranches in the posting window."""


def check_staffing(
    instance: Instance, plan: StaffingPlan, relief: Relief | None = None
) -> list[Violation]:
    """Every hard rule of the staffing part, re-verified from the plan alone."""
    if instance.staffing is None:
        return missing_part("staffing")
    ctx = staffing_context(instance, plan, relief or {})
    v: list[Violation] = []
    for check in STAFFING_CHECKS:
        if check is check_budget and v:
            break
        v += check(ctx)
    return v
