"""The robust (CVaR over sampled hiring outcomes) staffing allocation: the model's
per-sample caseload is the simulation's, a hand-worked sample where the risk measure
changes the allocation, and the robust plan passes the checker."""

from __future__ import annotations

import numpy as np
import pytest
from ortools.sat.python import cp_model

from models.check_staffing import check_staffing
from models.simulation import (
    HiringSample,
    sample_excess,
    sample_filled,
    sample_hiring,
    sample_kpi,
    simulate,
    simulate_sample,
)
from models.staffing import SCALE, StaffingPlan
from solver.params import SolveParams
from solver.staffing_robust import (
    RobustStaffingModel,
    compare_robust,
    cvar,
    solve_robust,
    trust_region,
    tune,
)
from tests.builders import tiny_staffing
from tests.test_simulation import PLAN, make

SOLVE = SolveParams(time_limit=20, workers=1)


def _fix(rm: RobustStaffingModel, plan: StaffingPlan) -> None:
    part = rm.part
    category = {tr.id: c.id for c, tr in part.tranches()}
    steps: dict[tuple[str, str, int], int] = {}
    for a in plan.allocations:
        key = (a.unit, category[a.tranche], part.offset(a.post_month))
        steps[key] = steps.get(key, 0) + part.steps(a.bv)
    for key, var in rm.base.y.items():
        rm.model.add(var == steps.get(key, 0))


def _solve(model: cp_model.CpModel) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    tune(solver)
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver


KPI = {
    "excess": lambda sim: sim.excess_case_months() * 10 * SCALE,
    "overload": lambda sim: sim.overload_months(),
    "vacancy": lambda sim: sim.vacancy_months() * SCALE,
}


@pytest.mark.parametrize("kind", ["excess", "overload", "vacancy"])
def test_the_models_sampled_kpi_is_the_simulations(kind):
    """For a fixed allocation, the model's filled BV and its risk KPI in every sample
    equal `sample_filled`/`sample_kpi` of that plan and the simulation's KPI on the same
    sample. alpha = 0 puts every sample in the objective, so each KPI variable is tight
    at the optimum."""
    inst = make(hiring={"lag": {2: 0.5, 3: 0.3, 5: 0.2}, "fill_probability": 0.7})
    part = inst.staffing
    limits = {"a": 4, "b": 4}
    sample = sample_hiring(part, 12, seed=5, steps=limits)
    rm = RobustStaffingModel(inst, sample, limits, alpha=0.0, kind=kind)
    _fix(rm, PLAN)
    solver = _solve(rm.model)
    filled = sample_filled(part, PLAN, sample, casework_only=True)
    values = rm.sample_filled_values(solver)
    assert values  # the rows with posting variables
    for (k, uid, t), v in values.items():
        assert v == filled[k, sample.units.index(uid), t], (k, uid, t)
    expected = sample_kpi(part, PLAN, filled, sample.units, kind)
    model_values = [int(solver.value(e)) for e in rm.sample_risk]
    assert model_values == expected.tolist()
    assert expected.max() > expected.min()  # the samples differ
    # the simulation's KPI (floats) on the same sample
    sim = simulate_sample(inst, PLAN, sample, casework_only=True)
    assert np.allclose(KPI[kind](sim), expected)


def test_sampled_outcomes_are_draws_of_the_simulation():
    """`sample_filled` and `simulate` are the same process: their means over many runs
    agree within 4 standard errors (plus a 1e-9 floor)."""
    inst = make(hiring={"lag": {2: 0.5, 3: 0.3, 5: 0.2}, "fill_probability": 0.7})
    part = inst.staffing
    runs = 3000
    sample = sample_hiring(part, runs, seed=2, steps={"a": 3, "b": 1, "e": 2})
    ours = sample_filled(part, PLAN, sample) / SCALE
    sim = simulate(inst, PLAN, runs=runs, seed=2).filled
    for ui in range(len(part.units)):
        a, b = ours[:, ui, :], sim[:, ui, :]
        se = np.sqrt(a.var(axis=0, ddof=1) / runs + b.var(axis=0, ddof=1) / runs)
        assert (np.abs(a.mean(axis=0) - b.mean(axis=0)) <= 4 * se + 1e-9).all(), ui


def _hand_sample() -> tuple[object, HiringSample]:
    """Two casework units with 20 cases each, threshold 40 (a filled 0.5-BV step covers
    20 cases), two months, one step to place in month 0. By hand, two samples:

    - A's own 0.5 BV is there in sample 0 and absent in sample 1; B has none.
    - A step at A is filled in months [0, 1] = [yes, yes] in sample 0, [no, yes] in 1;
      a step at B: [yes, yes] in sample 0, [no, no] in sample 1.

    Excess caseload (case-months), per sample:
      step to A: sample 0: A covered, B 20 + 20 = 40; sample 1: A 20 (month 0), B 40 -> 60
      step to B: sample 0: 0;                        sample 1: A 40, B 40 -> 80
    Mean: A 50, B 40 -> the mean (alpha = 0) puts the step at B.
    Worst sample (alpha = 0.5, tail of one): A 60, B 80 -> the CVaR puts it at A.
    The expected-value model of this instance (a certain 1-month lag, A's own 0.5 BV
    certain) sees A covered and puts the step at B: excess 20 (B in month 0) against 40.
    """
    inst = tiny_staffing(
        units=[
            {"id": "A", "category": "cm", "centre": "C1", "bv": 0.5, "cases": 20},
            {"id": "B", "category": "cm", "centre": "C2", "bv": 0, "cases": 20},
        ],
        tranches=[{"id": "t1", "bv": 0.5, "release": "2026-01"}],
        months=2,
        caseload_threshold=40,
        hiring={"max_posting_delay": 0},
    )
    base = np.zeros((2, 2, 2), dtype=np.int64)
    base[0, 0, :] = 50
    paths = [
        np.array([[[True, True]], [[False, True]]]),
        np.array([[[True, True]], [[False, False]]]),
    ]
    return inst, HiringSample(0, 2, ["A", "B"], 50, base, paths)


def test_the_expected_value_model_puts_the_hand_step_at_b():
    from solver.staffing import solve

    inst, _sample = _hand_sample()
    result = solve(inst, time_limit=10, workers=1)
    assert result.status == "optimal"
    assert [(a.unit, a.bv) for a in result.plan.allocations] == [("B", 0.5)]
    assert result.objective == pytest.approx(20.0)


@pytest.mark.parametrize(("alpha", "unit", "value"), [(0.0, "B", 40.0), (0.5, "A", 60.0)])
def test_the_risk_measure_moves_the_step(alpha, unit, value):
    inst, sample = _hand_sample()
    rm = RobustStaffingModel(inst, sample, {"A": 1, "B": 1}, alpha=alpha)
    solver = _solve(rm.model)
    plan = rm.base.extract(solver)
    assert [(a.unit, a.bv) for a in plan.allocations] == [(unit, 0.5)]
    assert solver.objective_value / rm.scale == pytest.approx(value)
    assert not check_staffing(inst, plan, {})
    excess = sample_excess(inst.staffing, sample_filled(inst.staffing, plan, sample), ["A", "B"])
    assert cvar(excess, alpha) / 1000 == pytest.approx(value)


def test_robust_plan_passes_the_checker_and_is_no_worse_in_sample():
    """On a random instance-like case: the robust plan is checked, stays in the trust
    region, and its in-sample CVaR is at most the start plan's (which is its hint)."""
    inst = make(hiring={"lag": {2: 0.5, 3: 0.3, 5: 0.2}, "fill_probability": 0.7})
    start = StaffingPlan(allocations=[a for a in PLAN.allocations])
    result, sample = solve_robust(inst, start, samples=20, alpha=0.8, spread=1.0, params=SOLVE)
    assert result.plan is not None
    assert not check_staffing(inst, result.plan, {})
    limits = trust_region(inst, start, 1.0)
    for uid, bv in result.plan.by_unit().items():
        if uid in limits:
            assert inst.staffing.steps(bv) <= limits[uid]
    part = inst.staffing
    robust = cvar(
        sample_excess(part, sample_filled(part, result.plan, sample, True), sample.units), 0.8
    )
    start_cvar = cvar(
        sample_excess(part, sample_filled(part, start, sample, True), sample.units), 0.8
    )
    assert robust <= start_cvar


def test_compare_robust_rows():
    inst = make(hiring={"lag": {2: 0.5, 3: 0.3, 5: 0.2}, "fill_probability": 0.7})
    out = compare_robust(inst, samples=10, alpha=0.8, runs=200, params=SOLVE)
    assert [r["allocation"] for r in out.rows] == ["expected", "robust"]
    for r in out.rows:
        assert r["checked"] is True
        assert r["excess_case_months_p50"] <= r["excess_case_months_p90"]
        assert r["in_sample_excess_cvar"] >= r["in_sample_excess_mean"]
    expected, robust = out.rows
    assert robust["robust_objective"] <= expected["robust_objective"] + 1e-6
    assert out.eval_seed != out.seed


def test_alpha_and_weight_errors():
    inst = make()
    with pytest.raises(ValueError, match="alpha"):
        solve_robust(inst, PLAN, alpha=1.0)
    inst.staffing.weights.excess_caseload = 0
    with pytest.raises(ValueError, match="excess_caseload"):
        solve_robust(inst, PLAN)


def test_cli_writes_the_comparison(tmp_path):
    import csv

    import yaml
    from click.testing import CliRunner

    from cli.main import cli
    from tests.test_simulation import BASE

    inst = tmp_path / "instance.yaml"
    inst.write_text(yaml.safe_dump(BASE, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    args = ["staffing", "robust", str(inst), "--out", str(out), "--samples", "8"]
    args += ["--runs", "100", "--workers", "1", "--time-limit", "10", "--risk", "overload"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(open(out / "robust.csv", encoding="utf-8")))
    assert [r["allocation"] for r in rows] == ["expected", "robust"]
    assert all(r["checked"] == "True" for r in rows)
    assert "overload_unit_months_p90" in rows[0]
    assert "robust-kpis" in (out / "robust.html").read_text(encoding="utf-8")
    allocs = list(csv.DictReader(open(out / "allocations.csv", encoding="utf-8")))
    assert {a["allocation"] for a in allocs} == {"expected", "robust"}
    bad = CliRunner().invoke(cli, [*args[:4], str(tmp_path / "o2"), "--alpha", "1"])
    assert bad.exit_code == 2


def test_local_search_improves_the_hand_case():
    """From the mean-optimal step at B, one move (the step to A) lowers the worst sample
    from 80 to 60 case-months (see `_hand_sample`); the search finds it and stops."""
    from solver.staffing_robust import RobustSolve, local_search

    inst, sample = _hand_sample()
    at_b = StaffingPlan.model_validate(
        {
            "allocations": [
                {
                    "category": "cm",
                    "tranche": "t1",
                    "unit": "B",
                    "bv": 0.5,
                    "release_month": "2026-01",
                    "post_month": "2026-01",
                }
            ]
        }
    )
    scorer = RobustSolve(inst, sample, {"A": 1, "B": 1}, at_b, alpha=0.5, relief={})
    assert scorer.value(at_b)[0] == pytest.approx(80.0)
    plan, evals = local_search(scorer, at_b)
    assert [(a.unit, a.bv) for a in plan.allocations] == [("A", 0.5)]
    assert scorer.value(plan)[0] == pytest.approx(60.0)
    assert evals >= 1


def test_no_expected_value_plan_names_the_rules():
    """A budget of 0 for the tranche that must be posted in its year: no allocation at
    all, so the comparison has one row, infeasible, with the conflicting rules."""
    inst = make(
        hiring={"max_posting_delay": 0},
        budgets=[{"year": 2026, "amount": 0, "tranches": ["t1"]}],
    )
    out = compare_robust(inst, samples=5, runs=20, params=SOLVE)
    assert [(r["allocation"], r["status"]) for r in out.rows] == [("expected", "infeasible")]
    assert "budget" in out.rows[0]["message"]
    assert out.plans == {}
