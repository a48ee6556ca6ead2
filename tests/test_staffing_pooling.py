"""The pooled staffing formulation (`StaffingModel`: tranche steps per hiring class and
month, unit steps per month, `extract` deals them out) and the ordering of identical units
(`_unit_symmetry`) leave the optimum where the plain unit x tranche x month model has it.

Hand-worked case (tests/builders.tiny_staffing: a posting is filled one month later,
nobody leaves, threshold 35 cases per BV, excess term only, months 2026-01..03):
A has 385 cases on 10 BV (35 000 thousandths of a case-month over the threshold each
month), B1 and B2 have 250 cases on 7 BV each (5 000 each a month). Tranche t1 (1 BV)
is released in January, t2 (0.5 BV) in February. Before any posting: 3 x (35 000 +
2 x 5 000) = 135 000. Both steps of t1 posted to A in January close A's gap in February
and March (-70 000); t2 posted in February helps only in March: A no longer lacks
anything, so it goes to B1 or B2 (-5 000). Optimum 60 000, i.e. 60 case-months; B1 and
B2 are interchangeable, which the symmetry rule settles.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from models.check_staffing import check_staffing, staffing_figures, staffing_objective
from models.staffing import Allocation, StaffingPlan
from solver.staffing import StaffingModel, _tune_small, solve, split_postings
from tests.builders import tiny_staffing

UNITS = [
    {"id": "A", "category": "cm", "centre": "C1", "bv": 10, "cases": 385},
    {"id": "B1", "category": "cm", "centre": "C2", "bv": 7, "cases": 250},
    {"id": "B2", "category": "cm", "centre": "C2", "bv": 7, "cases": 250},
]
TRANCHES = [
    {"id": "t1", "bv": 1.0, "release": "2026-01"},
    {"id": "t2", "bv": 0.5, "release": "2026-02"},
]


def hand_worked():
    return tiny_staffing(months=3, units=UNITS, tranches=TRANCHES)


def optimum(instance, relief=None, **model_options) -> float | None:
    """The proven optimum of the model built with `model_options` (one worker), after
    its plan passed the checker and scored the same there; None: proven infeasible."""
    sm = StaffingModel(instance, relief, **model_options)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    _tune_small(solver)
    code = solver.solve(sm.model)
    if code == cp_model.INFEASIBLE:
        return None
    assert code == cp_model.OPTIMAL
    plan = sm.extract(solver)
    assert check_staffing(instance, plan, relief) == []
    value = staffing_objective(instance, staffing_figures(instance, plan, relief or {}).terms)
    assert value == pytest.approx(solver.objective_value / 1000)
    return value


def brute_force(instance) -> float:
    """Every plan of the hand-worked case (each step of each tranche to any unit in any
    month of its window), scored by the checker."""
    part = instance.staffing
    best = float("inf")
    choices = []
    for _c, tr in part.tranches():
        slots = [(u.id, p) for u in part.units for p in part.posting_months(tr)]
        choices.append(
            [
                (tr, combo)
                for combo in itertools.combinations_with_replacement(slots, part.steps(tr.bv))
            ]
        )
    for pick in itertools.product(*choices):
        rows = [
            Allocation(
                category="cm",
                tranche=tr.id,
                unit=uid,
                bv=part.granularity,
                release_month=tr.release,
                post_month=part.month(p),
            )
            for tr, combo in pick
            for uid, p in combo
        ]
        plan = StaffingPlan(allocations=rows)
        if check_staffing(instance, plan, {}):
            continue
        best = min(best, staffing_objective(instance, staffing_figures(instance, plan, {}).terms))
    return best


@pytest.mark.parametrize(
    "options",
    [{}, {"pooled": False}, {"symmetry": False}, {"pooled": False, "symmetry": False}],
    ids=["pooled+symmetry", "per-unit+symmetry", "pooled", "per-unit (the previous model)"],
)
def test_hand_worked_optimum_with_and_without_pooling_and_symmetry(options):
    inst = hand_worked()
    assert brute_force(inst) == pytest.approx(60.0)
    assert optimum(inst, **options) == pytest.approx(60.0)


def test_hand_worked_plan_and_the_symmetric_units():
    result = solve(hand_worked(), workers=1, time_limit=20)
    assert result.status == "optimal" and result.objective == pytest.approx(60.0)
    got = {(a.unit, a.tranche, a.bv, a.post_month) for a in result.plan.allocations}
    # B1 and B2 are alike: the one with the later-weighted postings comes last (B2)
    assert got == {("A", "t1", 1.0, "2026-01"), ("B2", "t2", 0.5, "2026-02")}


def test_units_are_pooled_by_hiring_curve_and_told_apart_otherwise():
    inst = tiny_staffing(
        months=3,
        units=[*UNITS, {"id": "C", "category": "cm", "bv": 7, "cases": 250, "attrition": 0.5}],
        tranches=TRANCHES,
    )
    pooled = StaffingModel(inst)
    assert [[u.id for u in units] for _c, _v, units in pooled.classes] == [["A", "B1", "B2"], ["C"]]
    assert len(StaffingModel(inst, pooled=False).classes) == 4


def test_split_postings_deals_tranche_steps_to_units_in_order():
    assert split_postings([("t1", 2), ("t2", 1)], [("A", 1), ("B", 2)]) == [
        ("A", "t1", 1),
        ("B", "t1", 1),
        ("B", "t2", 1),
    ]
    assert split_postings([("t1", 0), ("t2", 2)], [("A", 0), ("B", 2)]) == [("B", "t2", 2)]
    with pytest.raises(ValueError, match="do not add up"):
        split_postings([("t1", 2)], [("A", 1)])


@st.composite
def small_instances(draw):
    """2-4 casework units (some of them alike), 1-3 tranches over 4 months, random
    weights, a random relief need, sometimes a hiring capacity and unit bounds."""
    n = draw(st.integers(2, 4))
    units = []
    for i in range(n):
        if i and draw(st.booleans()):
            units.append({**units[-1], "id": f"U{i}"})  # alike the one before
            continue
        unit = {
            "id": f"U{i}",
            "category": "cm",
            "centre": draw(st.sampled_from(["C1", "C2"])),
            "bv": draw(st.integers(4, 10)),
            "cases": draw(st.integers(100, 420)),
        }
        if draw(st.booleans()):
            unit["max_bv"] = draw(st.sampled_from([0.5, 1.0, 1.5]))
        units.append(unit)
    tranches = [
        {
            "id": f"t{k}",
            "bv": draw(st.sampled_from([0.5, 1.0, 1.5])),
            "release": f"2026-0{draw(st.integers(1, 3))}",
        }
        for k in range(draw(st.integers(1, 3)))
    ]
    cap = sum(u.get("max_bv", 99) for u in units)
    if sum(t["bv"] for t in tranches) > cap:
        tranches = tranches[:1]
        tranches[0]["bv"] = 0.5
    weights = {
        name: draw(st.integers(0, 3))
        for name in ("worst_caseload", "training_relief", "centre_fairness", "late_posting")
    }
    hiring = {"lag": {1: 0.6, 2: 0.4}, "fill_probability": 0.9, "attrition": 0.1}
    if draw(st.booleans()):
        hiring["monthly_capacity"] = 1.0
    relief = {
        (u["id"], t): draw(st.sampled_from([0.2, 0.5, 0.8]))
        for u in units
        for t in range(4)
        if draw(st.integers(0, 3)) == 0
    }
    inst = tiny_staffing(months=4, units=units, tranches=tranches, weights=weights, hiring=hiring)
    return inst, relief


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_random_small_instances_same_optimum_old_and_new_formulation(case):
    inst, relief = case
    old = optimum(inst, relief, pooled=False, symmetry=False)
    new = optimum(inst, relief)
    assert (new is None) == (old is None)
    if old is not None:
        assert new == pytest.approx(old, abs=1e-6)
