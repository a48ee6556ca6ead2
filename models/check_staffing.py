"""The independent checker of staffing plans, and the objective terms recomputed from a
plan exactly as the solver defines them (integer arithmetic on the shared curves)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from models.check_training import Violation
from models.instance import Instance
from models.staffing import SCALE, StaffingPart, StaffingPlan

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


def check_staffing(
    instance: Instance, plan: StaffingPlan, relief: Relief | None = None
) -> list[Violation]:
    """Every hard rule of the staffing part, re-verified from the plan alone."""
    part = instance.staffing
    if part is None:
        return [Violation("part", "staffing", "the instance has no staffing part")]
    v: list[Violation] = []
    units = {u.id: u for u in part.units}
    tranches = {t.id: (c, t) for c, t in part.tranches()}
    placed: dict[str, float] = defaultdict(float)
    per_unit: dict[str, float] = defaultdict(float)
    per_month: dict[int, float] = defaultdict(float)
    g = part.granularity
    for i, a in enumerate(plan.allocations):
        subject = f"allocation {i + 1} ({a.tranche} -> {a.unit})"
        if a.tranche not in tranches:
            v.append(Violation("tranche", subject, f"unknown tranche {a.tranche!r}"))
            continue
        cat, tr = tranches[a.tranche]
        if a.category != cat.id:
            v.append(Violation("category", subject, f"tranche is {cat.id}, not {a.category}"))
        u = units.get(a.unit)
        if u is None:
            v.append(Violation("unit", subject, f"unknown unit {a.unit!r}"))
            continue
        if u.category != cat.id:
            v.append(Violation("category", subject, f"unit receives {u.category}, not {cat.id}"))
        if abs(a.bv / g - round(a.bv / g)) > 1e-9:
            v.append(Violation("granularity", subject, f"{a.bv:g} BV is not a multiple of {g:g}"))
        if a.release_month != tr.release:
            v.append(Violation("release", subject, f"release month is {tr.release}"))
        p = part.offset(a.post_month)
        if p not in part.posting_months(tr):
            w = part.posting_months(tr)
            v.append(
                Violation(
                    "release",
                    subject,
                    f"posted {a.post_month}, outside "
                    f"{part.month(w.start)}..{part.month(w.stop - 1)}"
                    if len(w)
                    else f"posted {a.post_month}; the tranche cannot be posted on the grid",
                )
            )
        placed[a.tranche] += a.bv
        per_unit[a.unit] += a.bv
        per_month[p] += a.bv
    for tid, (_c, t) in tranches.items():
        if abs(placed[tid] - t.bv) > 1e-9:
            v.append(
                Violation(
                    "tranche_total", f"tranche {tid}", f"{placed[tid]:g} of {t.bv:g} BV placed"
                )
            )
    for u in part.units:
        got = per_unit[u.id]
        if got < u.min_bv - 1e-9 or (u.max_bv is not None and got > u.max_bv + 1e-9):
            hi = "" if u.max_bv is None else f"..{u.max_bv:g}"
            v.append(
                Violation(
                    "unit_bounds",
                    f"unit {u.id}",
                    f"{got:g} BV, not in {u.min_bv:g}{hi}",
                )
            )
    cap = part.hiring.monthly_capacity
    if cap is not None:
        for p, bv in sorted(per_month.items()):
            if bv > cap + 1e-9:
                v.append(
                    Violation(
                        "hiring_capacity",
                        f"month {part.month(p)}",
                        f"{bv:g} BV posted, cap {cap:g}",
                    )
                )
    if v:
        return v
    figures = staffing_figures(instance, plan, relief or {})
    for bi, b in enumerate(part.budgets):
        if figures.cost[bi] > budget_limit(b.amount):
            v.append(
                Violation(
                    "budget",
                    f"budget {b.year}",
                    f"expected cost {figures.cost[bi] / SCALE / 1000:.1f} TEUR over {b.amount:g}",
                )
            )
    return v
