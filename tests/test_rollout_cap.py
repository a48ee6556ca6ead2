"""`RolloutModel.cap_objective`: the objective bounded by a known plan's (the baseline's)
keeps the optimum, and below the optimum there is no plan (the cap does bind).

Hand-worked (tests/test_rollout.py's calendar: Mon 2 Mar 2026 is working-day index 0):
A takes one day, the review R one day at least two calendar weeks after A's finish.
A on Mon 2 Mar finishes at offset 1, R starts at offset >= 15, Tue 17 Mar (index 11),
and ends at 12: the objective (the family's completion, makespan weight 0) is 12.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from models.check_rollout import rollout_objective
from solver.baselines import sgs_rollout
from solver.rollout import RolloutModel, solve
from tests.test_rollout import random_rollouts, rollout_instance, task


def hand_worked():
    return rollout_instance(
        tasks=[
            task("A", days=1),
            task("R", days=1, after=[{"task": "A", "lag_weeks": 2, "unit": "calendar"}]),
        ]
    )


def optimum(instance, blocked=None, cap=None):
    model = RolloutModel(instance, blocked_days=blocked)
    if cap is not None:
        model.cap_objective(cap)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    code = solver.solve(model.model)
    assert code in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return solver.objective_value if code == cp_model.OPTIMAL else None


def test_hand_worked_optimum_with_and_without_the_cap():
    inst = hand_worked()
    assert optimum(inst) == 12
    assert optimum(inst, cap=20) == 12
    assert optimum(inst, cap=12) == 12  # a cap at the optimum keeps it
    assert optimum(inst, cap=11.5) is None  # below it nothing is left: the cap binds
    r = solve(inst, time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == 12


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_rollouts())
def test_capped_by_the_baseline_keeps_the_optimum(case):
    inst, blocked = case
    start = sgs_rollout(inst, blocked)
    if start is None:
        return
    capped = optimum(inst, blocked, cap=rollout_objective(inst, start))
    free = optimum(inst, blocked)
    # CP-SAT's objective_value is a float sum (13.000000000000002 seen for 13)
    assert (capped is None) == (free is None)
    assert capped == pytest.approx(free)
