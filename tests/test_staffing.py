"""The staffing part: hand-worked tiny cases per rule, the expectation curves, the checker,
and the Bremen allocation against the Senate paper's table.

Tiny cases (tests/builders.tiny_staffing): units A (400 cases, 10 BV) and B (200 cases,
10 BV), threshold 35 cases per BV, so A lacks 400/35 - 10 = 1.43 BV and B none; a posting
is filled after exactly one month, nobody leaves; 1 BV costs 1 TEUR a month.
"""

from __future__ import annotations

import math

import pytest
from ortools.sat.python import cp_model

import models.check_staffing as check_staffing_module
from instances import bundled_path
from models.check_staffing import (
    OBJECTIVE_SCALE,
    check_staffing,
    reported_terms,
    staffing_context,
    staffing_figures,
    staffing_objective,
)
from models.io import load_instance
from models.staffing import Allocation, StaffingPlan, _curves
from reports.staffing import staffing_table
from solver.baselines import proportional_staffing
from solver.staffing import StaffingSolve, model_terms_agree, solve
from tests.builders import tiny_staffing


def solve_checked(instance, relief=None, **kwargs):
    kwargs.setdefault("time_limit", 20)
    kwargs.setdefault("workers", 1)
    result = solve(instance, relief=relief, **kwargs)
    if result.plan is not None:
        assert check_staffing(instance, result.plan, relief) == []
        figures = staffing_figures(instance, result.plan, relief or {})
        assert reported_terms(figures.terms) == result.outcome.terms
    return result


def allocation(result) -> set[tuple[str, float, str]]:
    return {(a.unit, a.bv, a.post_month) for a in result.plan.allocations}


def test_one_tranche_goes_to_the_overloaded_unit():
    # All of it to A, posted at release: A has 10 BV in month 0 and 11 from month 1:
    # excess 400-350 = 50, then 5 x (400-385) = 75 -> 125 case-months (to B: 6 x 50 = 300).
    result = solve_checked(tiny_staffing())
    assert result.status == "optimal"
    assert result.objective == pytest.approx(125)
    assert allocation(result) == {("A", 1.0, "2026-01")}


def test_binding_budget_delays_the_posting():
    # 3 TEUR for 2026 pay 3 BV-months. A posting in month p costs (5 - p) BV-months, so
    # 1 BV waits until month 2 (or 0.5 BV in month 0 and 0.5 in month 4): excess
    # 3 x 50 + 3 x 15 = 195 (or 50 + 4 x 32.5 + 15 = 195).
    inst = tiny_staffing(budgets=[{"year": 2026, "amount": 3.0}])
    result = solve_checked(inst)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(195)
    figures = staffing_figures(inst, result.plan, {})
    assert figures.cost[0] <= 3 * 1000 * 100
    assert any(a.post_month != "2026-01" for a in result.plan.allocations)


def test_budget_too_small_is_infeasible_and_named():
    # Even the latest allowed posting (month 2) costs 3 BV-months > 0.5 TEUR.
    inst = tiny_staffing(budgets=[{"year": 2026, "amount": 0.5}], hiring={"max_posting_delay": 2})
    result = solve_checked(inst)
    assert result.status == "infeasible"
    assert "yearly budget (2026: 0.5 TEUR)" in result.outcome.message
    assert result.plan is None


def test_release_and_capacity_conflict_is_named():
    # 2 BV released in the grid's last month, at most 1 BV posted a month: no plan.
    inst = tiny_staffing(
        tranches=[{"id": "t1", "bv": 2.0, "release": "2026-06"}],
        hiring={"monthly_capacity": 1.0},
    )
    result = solve_checked(inst)
    assert result.status == "infeasible"
    message = result.outcome.message
    assert "release month (tranche t1 from 2026-06)" in message
    assert "monthly hiring capacity (month 2026-06)" in message


def test_hiring_capacity_spreads_the_postings():
    # 2 BV, at most 1 BV posted a month. Month 0: 1 BV to A (11 BV from month 1); month 1:
    # at least 0.5 to A (11.5 x 35 = 402.5 >= 400 from month 2). Excess 50 + 15 = 65.
    inst = tiny_staffing(
        tranches=[{"id": "t1", "bv": 2.0, "release": "2026-01"}],
        hiring={"monthly_capacity": 1.0},
    )
    result = solve_checked(inst)
    assert result.objective == pytest.approx(65)
    per_month: dict[str, float] = {}
    for a in result.plan.allocations:
        per_month[a.post_month] = per_month.get(a.post_month, 0) + a.bv
    assert per_month == {"2026-01": 1.0, "2026-02": 1.0}
    assert ("A", 1.0, "2026-01") in allocation(result)


def test_unit_bounds():
    # A may take 0.5 BV only, so B gets the rest: 50 + 5 x (400 - 367.5) = 212.5.
    inst = tiny_staffing(
        units=[
            {"id": "A", "category": "cm", "centre": "C1", "bv": 10, "cases": 400, "max_bv": 0.5},
            {"id": "B", "category": "cm", "centre": "C2", "bv": 10, "cases": 200},
        ]
    )
    result = solve_checked(inst)
    assert result.objective == pytest.approx(212.5)
    assert allocation(result) == {("A", 0.5, "2026-01"), ("B", 0.5, "2026-01")}


def two_loaded_units(excess_caseload: int):
    """A 400 and B 300 cases, 10 BV each, the worst caseload weighted 1."""
    return tiny_staffing(
        units=[
            {"id": "A", "category": "cm", "bv": 10, "cases": 400},
            {"id": "B", "category": "cm", "bv": 10, "cases": 300},
        ],
        weights={"excess_caseload": excess_caseload, "worst_caseload": 1},
    )


def test_worst_caseload():
    # A 400 and B 300 cases, 10 BV each, worst term only (from month 1). All to A:
    # A 400/11 = 36.4 -> 37, B 30; half each: A 400/10.5 = 38.1 -> 39; all to B: 40.
    inst = two_loaded_units(excess_caseload=0)
    result = solve_checked(inst)
    assert result.outcome.terms["worst_caseload"] == 37
    assert result.objective == pytest.approx(37)
    assert allocation(result) == {("A", 1.0, "2026-01")}


def test_a_search_stopped_early_reports_the_plans_own_terms():
    # a penalty variable is bounded from below only: a search stopped before the optimum
    # can leave it above its plan's figure. Forced here: the plan of the optimum, its
    # excess variable held 10 above the plan's figure.
    inst = two_loaded_units(excess_caseload=1)
    part = StaffingSolve(inst, None, hint=False, seed=0)
    part.build()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(part.sm.model) == cp_model.OPTIMAL
    plan = part.extract(solver)
    figures = staffing_figures(inst, plan, {})
    for var in part.sm.z.values():
        part.sm.model.add(var == solver.value(var))
    part.sm.model.add(part.sm.terms["excess_caseload"] >= figures.terms["excess_caseload"] + 10)
    assert solver.solve(part.sm.model) == cp_model.OPTIMAL
    assert part.extract(solver) == plan
    assert part.terms(solver, plan) == reported_terms(figures.terms)
    assert part.objective(solver, plan) == pytest.approx(staffing_objective(inst, figures.terms))
    assert part.objective(solver, plan) < solver.objective_value / OBJECTIVE_SCALE


def test_a_model_term_below_the_checkers_is_an_error():
    assert model_terms_agree({"late_posting": 5}, {"late_posting": 3}) == {"late_posting": 3}
    with pytest.raises(RuntimeError, match="late_posting 2 < 3"):
        model_terms_agree({"late_posting": 2}, {"late_posting": 3})


def test_teams_in_training_come_first():
    # Equal units; B needs 1 BV of relief in month 3 (its staff in training). The excess
    # is the same either way, so the relief decides: all to B, before month 3.
    inst = tiny_staffing(
        units=[
            {"id": "A", "category": "cm", "bv": 10, "cases": 400},
            {"id": "B", "category": "cm", "bv": 10, "cases": 400},
        ],
        weights={"training_relief": 50},
    )
    relief = {("B", 3): 1.0}
    result = solve_checked(inst, relief)
    assert result.outcome.terms["training_relief"] == 0
    assert allocation(result) == {("B", 1.0, "2026-01")}
    # and without relief need, the unmet relief of the same plan is what it lacks
    other = StaffingPlan(
        allocations=[
            Allocation(
                category="cm",
                tranche="t1",
                unit="A",
                bv=1.0,
                release_month="2026-01",
                post_month="2026-01",
            )
        ]
    )
    assert reported_terms(staffing_figures(inst, other, relief).terms)["training_relief"] == 1.0


def test_fairness_follows_the_need_of_the_centres():
    # Fairness only: A lacks 1.43 BV, B lacks 0.29 BV (210 cases) -> targets 0.83 / 0.17
    # of 1 BV; 1.0 to A deviates 0.17 + 0.17, 0.5 each 0.33 + 0.33: all to A.
    inst = tiny_staffing(
        units=[
            {"id": "A", "category": "cm", "centre": "C1", "bv": 10, "cases": 400},
            {"id": "B", "category": "cm", "centre": "C2", "bv": 10, "cases": 360},
        ],
        weights={"excess_caseload": 0, "centre_fairness": 1},
    )
    result = solve_checked(inst)
    assert {a.unit for a in result.plan.allocations} == {"A"}
    assert result.outcome.terms["centre_fairness"] == pytest.approx(0.34, abs=0.01)


# ---------------------------------------------------------------- expectation curves
def test_fixed_lag_nobody_starts_before_it():
    new, kept = _curves(((3, 1.0),), 1.0, 0.0, 10)
    assert new == (0, 0, 0, 1, 1, 1, 1, 1, 1, 1)
    assert kept == (1,) * 10


def test_attrition_without_refill_decays_geometrically():
    # a lag beyond the horizon: leavers are never replaced; 20 % a year
    p = 0.2
    r = 1 - (1 - p) ** (1 / 12)
    _new, kept = _curves(((60, 1.0),), 1.0, p, 36)
    for k in (0, 1, 12, 24, 35):
        assert kept[k] == pytest.approx((1 - r) ** k)
    assert kept[12] == pytest.approx(1 - p)


def test_failed_postings_are_reposted():
    # lag 2, half the postings fail: filled by month k with probability 1 - 0.5^(k // 2)
    new, _ = _curves(((2, 1.0),), 0.5, 0.0, 12)
    for k in range(12):
        assert new[k] == pytest.approx(1 - 0.5 ** (k // 2))


def test_steady_state_with_attrition_and_refill():
    # filled share tends to 1 / (1 + r * mean time to refill) for a 3-month lag
    p = 0.12
    r = 1 - (1 - p) ** (1 / 12)
    _new, kept = _curves(((3, 1.0),), 1.0, p, 240)
    assert kept[-1] == pytest.approx(1 / (1 + 3 * r), rel=0.02)


# ---------------------------------------------------------------- the checker
def _good_plan(**alloc):
    row = {
        "category": "cm",
        "tranche": "t1",
        "unit": "A",
        "bv": 1.0,
        "release_month": "2026-01",
        "post_month": "2026-01",
    }
    row.update(alloc)
    return StaffingPlan(allocations=[Allocation(**row)])


_UNIT_A_AT_MOST_HALF = [
    {"id": "A", "category": "cm", "bv": 10, "cases": 400, "max_bv": 0.5},
    {"id": "B", "category": "cm", "bv": 10, "cases": 200},
]

BROKEN_STAFFING = [
    # (rule id, instance of `tiny_staffing`, change to the good allocation)
    ("tranche", {}, {"tranche": "t9"}),
    ("category", {}, {"category": "eb"}),
    ("unit", {}, {"unit": "Z"}),
    ("granularity", {}, {"bv": 1.25}),
    ("release", {}, {"post_month": "2025-12"}),
    ("release", {}, {"release_month": "2026-02"}),
    ("posting_delay", {}, {"post_month": "2027-06"}),  # past the grid
    ("posting_delay", {"hiring": {"max_posting_delay": 1}}, {"post_month": "2026-03"}),
    ("tranche_total", {}, {"bv": 0.5}),
    ("unit_bounds", {"units": _UNIT_A_AT_MOST_HALF}, {}),
    ("hiring_capacity", {"hiring": {"monthly_capacity": 0.5}}, {}),
    # filled from February: 5 BV-months at 1 TEUR > 3 TEUR
    ("budget", {"budgets": [{"year": 2026, "amount": 3.0}]}, {}),
]


@pytest.mark.parametrize(
    ("rule", "instance", "change"),
    [pytest.param(*case, id=case[0]) for case in BROKEN_STAFFING],
)
def test_check_staffing_rule(rule, instance, change):
    """`check_<rule>` catches a plan that breaks the rule, only with that id, and
    check_staffing lists what it finds; the unchanged plan keeps every rule."""
    assert check_staffing(tiny_staffing(), _good_plan()) == []
    inst, plan = tiny_staffing(**instance), _good_plan(**change)
    check = getattr(check_staffing_module, f"check_{rule}")
    found = check(staffing_context(inst, plan, {}))
    assert found and {v.rule for v in found} == {rule}
    assert set(found) <= set(check_staffing(inst, plan))


def test_checker_budget_capacity_and_bounds():
    inst = tiny_staffing(
        budgets=[{"year": 2026, "amount": 3.0}],
        hiring={"monthly_capacity": 0.5},
        units=[
            {"id": "A", "category": "cm", "bv": 10, "cases": 400, "min_bv": 0.5, "max_bv": 0.5},
            {"id": "B", "category": "cm", "bv": 10, "cases": 200},
        ],
    )
    rules = {v.rule for v in check_staffing(inst, _good_plan())}
    assert rules == {"hiring_capacity", "unit_bounds"}
    split = StaffingPlan(
        allocations=[
            _good_plan(bv=0.5).allocations[0],
            _good_plan(bv=0.5, unit="B", post_month="2026-02").allocations[0],
        ]
    )
    # 0.5 x 5 + 0.5 x 4 = 4.5 BV-months > 3 TEUR
    assert [v.rule for v in check_staffing(inst, split)] == ["budget"]


# ---------------------------------------------------------------- Bremen
SEED_TABLE = [
    # area (start), need, existing, additional, {year: (total, [(bv, release)])}
    (
        "Casemanagement",
        29.0,
        8.5,
        20.5,
        {2015: [(8, "2015-01"), (3.5, "2015-04")], 2016: [(5, "2016-01"), (4, "2016-04")]},
    ),
    ("Sozialraum", 4.0, 1.0, 3.0, {2015: [(1.0, "2015-07")], 2016: [(2.0, None)]}),
    ("Geschäftsstelle", 1.0, 1.0, 0.0, {}),
    ("Projektmanagement", 1.0, 0.0, 1.0, {2015: [(1.0, None)]}),
    ("Erziehungsberatung", 3.0, 0.0, 3.0, {2017: [(3.0, None)]}),
]


@pytest.fixture(scope="module")
def bremen_staffing():
    inst = load_instance(bundled_path("bremen-2016"))
    return inst, solve_checked(inst, workers=2, time_limit=60)


def test_bremen_meets_every_tranche_of_the_seed(bremen_staffing):
    inst, result = bremen_staffing
    assert result.status in ("optimal", "feasible")
    part = inst.staffing
    placed: dict[str, float] = {}
    for a in result.plan.allocations:
        placed[a.tranche] = placed.get(a.tranche, 0) + a.bv
        tranche = next(t for _, t in part.tranches() if t.id == a.tranche)
        assert a.post_month >= tranche.release
    for area, _need, _existing, additional, years in SEED_TABLE:
        cat = next(c for c in part.categories if c.name.startswith(area))
        assert sum(placed.get(t.id, 0) for t in cat.tranches) == additional
        for year, tranches in years.items():
            mine = [t for t in cat.tranches if t.booked_year() == year]
            assert [t.bv for t in mine] == [bv for bv, _ in tranches]
            for t, (_bv, release) in zip(mine, tranches):
                if release is not None:
                    assert t.release == release and t.release_stated


def test_bremen_table_equals_the_seed(bremen_staffing):
    inst, result = bremen_staffing
    table = staffing_table(inst, result.plan)
    assert list(table.columns) == [
        "area",
        "need_bv",
        "existing_bv",
        "additional_bv",
        "2015",
        "2016",
        "2017",
    ]
    rows = table.to_dict("records")
    for row, (area, need, existing, additional, _years) in zip(rows, SEED_TABLE):
        assert row["area"].startswith(area)
        assert (row["need_bv"], row["existing_bv"], row["additional_bv"]) == (
            need,
            existing,
            additional,
        )
    cm, srk, office, pm, eb, total = rows
    assert cm["2015"] == "11,5 (8 BV ab 1/15 und 3,5 BV ab 4/15)"
    assert cm["2016"] == "9 (5 BV ab 1/16 und 4 BV ab 4/16)"
    assert (srk["2015"], srk["2016"]) == ("1,0 (7/15)", "2,0")
    assert (office["2015"], office["2016"], office["2017"]) == ("", "", "")
    assert (pm["2015"], eb["2017"]) == ("1,0", "3,0")
    assert total == {
        "area": "Insgesamt",
        "need_bv": 38.0,
        "existing_bv": 10.5,
        "additional_bv": 27.5,
        "2015": "13,5",
        "2016": "11,0",
        "2017": "3,0",
    }


def test_bremen_beats_the_proportional_baseline(bremen_staffing):
    inst, result = bremen_staffing
    baseline = proportional_staffing(inst)
    assert check_staffing(inst, baseline) == []
    figures = staffing_figures(inst, baseline, {})
    w = inst.staffing.weights.model_dump()
    base_objective = sum(w[k] * v for k, v in reported_terms(figures.terms).items())
    assert result.objective <= base_objective + 1e-6
    assert math.isclose(result.objective, sum(w[k] * v for k, v in result.outcome.terms.items()))
    # the budgets of 2016 and 2017 hold
    assert all(v.rule != "budget" for v in check_staffing(inst, result.plan))


# ---------------------------------------------------------------- CLI
def test_plan_writes_the_staffing_files(tmp_path, juwe, write_instance):
    from tests.builders import tiny_staffing_dict

    path = write_instance(tiny_staffing_dict())
    out = tmp_path / "out"
    result = juwe("plan", path, "--out", out, "--workers", 1, "-q")
    assert result.exit_code == 0, result.output
    alloc = (out / "staffing_allocation.csv").read_text().splitlines()
    assert alloc == [
        "category,unit,bv,release_month,start_month,tranche,centre",
        "cm,A,1.0,2026-01,2026-01,t1,C1",
    ]
    timeline = (out / "staffing_timeline.csv").read_text().splitlines()
    assert timeline[0] == "month,unit,planned_bv,expected_bv,category,centre"
    assert "2026-01,A,11.0,10.0,cm,C1" in timeline  # posted in January, filled from February
    assert "2026-02,A,11.0,11.0,cm,C1" in timeline
    assert len(timeline) == 1 + 6 * 2


def test_plan_infeasible_budget_exit_3(tmp_path, juwe, write_instance):
    from tests.builders import tiny_staffing_dict

    data = tiny_staffing_dict(budgets=[{"year": 2026, "amount": 0.5}])
    data["staffing"]["hiring"]["max_posting_delay"] = 2
    out = tmp_path / "out"
    result = juwe("plan", write_instance(data), "--out", out, "--workers", 1, "-q")
    assert result.exit_code == 3, result.output
    assert "the staffing part has no plan" in result.output
    assert "yearly budget (2026: 0.5 TEUR)" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_no_plan_in_time_falls_back_to_the_checked_baseline(monkeypatch):
    # CP-SAT reports "unknown" (no solution in time; forced here): the proportional
    # baseline's plan is returned as `feasible`, with its checked figures and a message
    import solver.staffing as staffing_solver
    from models.check_staffing import check_staffing, staffing_figures, staffing_objective
    from solver.baselines import proportional_staffing

    monkeypatch.setattr("solver.skeleton.status_name", lambda code: "unknown")
    inst = tiny_staffing()
    r = staffing_solver.solve(inst, time_limit=5, workers=1)
    base = proportional_staffing(inst)
    assert r.status == "feasible" and r.plan == base
    assert check_staffing(inst, r.plan) == []
    assert r.objective == staffing_objective(inst, staffing_figures(inst, base, {}).terms)
    assert "hand-planning baseline" in r.outcome.message
