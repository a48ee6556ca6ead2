"""The Monte Carlo simulation of staffing plans against analytic expectations.

Tolerances: a simulated mean may differ from its expectation by 4 standard errors (the
sample standard deviation over sqrt(runs)); a false alarm has odds of about 1 in 16,000
per compared value, and the seeds are fixed, so the tests are deterministic anyway.
Where the expectation comes from the solver's integer curves (centi-BV, rounded per
step), 0.01 BV per granularity step is added for that rounding.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from models.check_staffing import staffing_figures
from models.instance import Instance
from models.io import instance_from_dict
from models.simulation import default_dates, kpi_row, simulate
from models.staffing import SCALE, Allocation, StaffingPlan, _curves

BASE: dict[str, Any] = {
    "name": "staffing-sim",
    "calendar": {"country": "DE", "subdivision": "HB", "start": "2026-01-01", "end": "2026-12-31"},
    "organisation": {"centres": [{"id": "C1"}]},
    "staffing": {
        "start_month": "2026-01",
        "months": 24,
        "cost_per_bv_year": 60.0,
        "categories": [
            {"id": "cm", "tranches": [{"id": "t1", "bv": 2.0, "release": "2026-01"}]},
            {"id": "eb", "tranches": [{"id": "t2", "bv": 1.0, "release": "2026-06"}]},
        ],
        "units": [
            {"id": "a", "category": "cm", "centre": "C1", "bv": 5, "vacancies": 1, "cases": 200},
            {"id": "b", "category": "cm", "centre": "C1", "bv": 3, "cases": 100, "attrition": 0.3},
            {"id": "e", "category": "eb", "centre": "C1"},
        ],
        "budgets": [{"year": 2026, "amount": 100, "tranches": ["t1"]}],
    },
}


def make(hiring: dict[str, Any] | None = None, **staffing: Any) -> Instance:
    data = copy.deepcopy(BASE)
    data["staffing"].update(staffing)
    if hiring:
        data["staffing"]["hiring"] = hiring
    return instance_from_dict(data, "test")


def plan(*rows: tuple[str, str, float, str]) -> StaffingPlan:
    """(tranche, unit, bv, post month) rows."""
    release = {"t1": "2026-01", "t2": "2026-06"}
    cat = {"t1": "cm", "t2": "eb"}
    return StaffingPlan(
        allocations=[
            Allocation(
                category=cat[t], tranche=t, unit=u, bv=bv, release_month=release[t], post_month=p
            )
            for t, u, bv, p in rows
        ]
    )


PLAN = plan(("t1", "a", 1.5, "2026-03"), ("t1", "b", 0.5, "2026-01"), ("t2", "e", 1.0, "2026-08"))


def within(sim_runs: np.ndarray, expected: np.ndarray, extra: float = 0.0) -> None:
    """Mean over runs (axis 0) within 4 standard errors (+ extra) of `expected`."""
    mean = sim_runs.mean(axis=0)
    se = sim_runs.std(axis=0, ddof=1) / np.sqrt(sim_runs.shape[0])
    bad = np.abs(mean - expected) > 4 * se + extra + 1e-9
    assert not bad.any(), (
        f"months {np.flatnonzero(bad).tolist()}: mean {mean[bad]} vs expected {expected[bad]}"
    )


def test_mean_matches_the_solvers_expectations():
    inst = make()
    sim = simulate(inst, PLAN, runs=4000, seed=1)
    fig = staffing_figures(inst, PLAN, {})
    steps = {u.id: 0 for u in inst.staffing.units}
    for a in PLAN.allocations:
        steps[a.unit] += inst.staffing.steps(a.bv)
    for u in inst.staffing.units:
        expected = np.array(fig.effective(u.id)) / SCALE
        within(sim.unit(u.id), expected, extra=0.01 * (1 + steps[u.id]))
    # the cost of the budgeted tranche agrees with the budget rule's expectation
    expected_cost = fig.cost[0] / SCALE / 1000
    c = sim.cost[:, 0]
    assert abs(c.mean() - expected_cost) <= 4 * c.std(ddof=1) / np.sqrt(len(c)) + 0.05


@pytest.mark.parametrize("vacancies", [0.0, 10.0], ids=["kept", "new"])
def test_mean_matches_the_exact_curves(vacancies):
    """A unit of 10 BV all filled (the `kept` curve) or all vacant (the `new` curve)."""
    hiring = {"lag": {2: 0.5, 5: 0.5}, "fill_probability": 0.7, "attrition": 0.25}
    units = [{"id": "a", "category": "cm", "centre": "C1", "bv": 10, "vacancies": vacancies}]
    inst = make(hiring, units=units, budgets=[], categories=[{"id": "cm"}])
    sim = simulate(inst, StaffingPlan(), runs=3000, seed=7)
    new, kept = _curves(((2, 0.5), (5, 0.5)), 0.7, 0.25, 24)
    expected = 10 * np.array(kept if vacancies == 0 else new)
    within(sim.unit("a"), expected)


def test_constant_attrition_without_refills_gives_geometric_decay():
    """A lag longer than the horizon: nobody is refilled, so n(1-p)^t stay after t months,
    p = 1 - (1 - yearly rate)^(1/12)."""
    yearly = 0.3
    hiring = {"lag": {60: 1.0}, "attrition": yearly}
    units = [{"id": "a", "category": "cm", "centre": "C1", "bv": 20}]
    inst = make(hiring, units=units, budgets=[], categories=[{"id": "cm"}])
    sim = simulate(inst, StaffingPlan(), runs=4000, seed=3)
    p = 1 - (1 - yearly) ** (1 / 12)
    t = np.arange(24)
    within(sim.unit("a"), 20 * (1 - p) ** t)
    assert sim.unit("a")[:, 0].min() == 20  # month 0: everybody is there
    assert (np.diff(sim.unit("a"), axis=1) <= 0).all()  # nobody ever arrives


@pytest.mark.parametrize("q, yearly", [(1.0, 0.0), (0.5, 0.3)])
def test_fixed_lag_nobody_starts_before_it(q, yearly):
    lag = 5
    hiring = {"lag": {lag: 1.0}, "fill_probability": q, "attrition": yearly}
    units = [
        {"id": "a", "category": "cm", "centre": "C1", "bv": 4, "vacancies": 4},
        {"id": "b", "category": "cm", "centre": "C1"},
    ]
    inst = make(hiring, units=units, budgets=[], categories=BASE["staffing"]["categories"][:1])
    p = plan(("t1", "b", 2.0, "2026-03"))  # posted in month 2
    sim = simulate(inst, p, runs=500, seed=11)
    assert (sim.unit("a")[:, :lag] == 0).all()
    assert (sim.unit("b")[:, : 2 + lag] == 0).all()
    assert sim.unit("a")[:, lag].max() > 0 and sim.unit("b")[:, 2 + lag].max() > 0
    if q == 1.0:  # certain fills, nobody leaves: everybody starts exactly at the lag
        assert (sim.unit("a")[:, lag:] == 4).all()
        assert (sim.unit("b")[:, 2 + lag :] == 2).all()


def test_same_seed_same_result_different_seed_different():
    inst = make()
    one = simulate(inst, PLAN, runs=200, seed=5)
    two = simulate(inst, PLAN, runs=200, seed=5)
    other = simulate(inst, PLAN, runs=200, seed=6)
    assert np.array_equal(one.filled, two.filled) and np.array_equal(one.cost, two.cost)
    assert not np.array_equal(one.filled, other.filled)


def test_kpis_of_a_deterministic_case():
    """Certain fills after exactly 5 months and no attrition: every figure is exact."""
    hiring = {"lag": {5: 1.0}, "fill_probability": 1.0, "attrition": 0.0}
    units = copy.deepcopy(BASE["staffing"]["units"])
    del units[1]["attrition"]
    inst = make(hiring, units=units)
    p = plan(("t1", "a", 2.0, "2026-03"))
    sim = simulate(inst, p, runs=20, seed=0)
    dates = ["2026-06", "2026-12"]
    row = kpi_row(sim, dates)
    # unit a: 1 BV vacant for months 0-4, 2 BV posted in month 2 vacant for months 2-6
    assert row["vacancy_bv_months"] == row["vacancy_bv_months_p90"] == 1 * 5 + 2 * 5
    # casework BV: 4 + 3 filled at first, +1 from month 5, +2 from month 7
    assert row["cw_bv_2026-06_p10"] == row["cw_bv_2026-06_p90"] == 8
    assert row["cw_bv_2026-12_p50"] == 10
    # cost in 2026 of tranche t1: 2 BV for months 7-11 at 60 TEUR a year
    assert row["cost_2026_teur"] == pytest.approx(2 * 5 * 60 / 12, abs=0.05)
    assert row["budget_2026_teur"] == 100
    # unit a (200 cases) needs 200/35 = 5.7 BV: over the threshold until month 7 (4, 5,
    # then 5 BV); unit b (100 cases, 3 BV) never is
    assert row["overload_unit_months"] == 7
    expected_total = sim.expected_casework
    assert np.allclose(sim.casework_total().mean(axis=0), expected_total, atol=0.011)


def test_default_dates_are_the_year_ends():
    inst = make(months=20)
    assert default_dates(inst.staffing) == ["2026-12", "2027-08"]
