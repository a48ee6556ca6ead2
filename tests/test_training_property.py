"""Property: on random small instances every solver plan passes the independent checker,
its reported terms match the checker's recomputation, and it is never worse than the
hand-planning baseline (nor called infeasible where the baseline found a plan)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.check_training import check_training, training_terms, weighted_objective
from solver.baselines import greedy_training
from tests.builders import tiny
from tests.solving import solve_checked


@st.composite
def instances(draw):
    n_mod = draw(st.integers(1, 3))
    modules = []
    for k in range(n_mod):
        m = {"id": f"M{k}", "days": draw(st.integers(1, 2)), "repetitions": draw(st.integers(1, 2))}
        if k:
            m["after"] = [f"M{k - 1}"]
        modules.append(m)
    trainers = [
        {
            "id": f"T{k}",
            **({"max_days_per_month": draw(st.integers(2, 8))} if draw(st.booleans()) else {}),
        }
        for k in range(draw(st.integers(1, 2)))
    ]
    lo = draw(st.integers(0, 10))
    spacing = {"min_days": lo}
    if draw(st.booleans()):
        spacing["max_days"] = lo + draw(st.integers(1, 21))
    return tiny(
        groups=draw(st.integers(1, 3)),
        same_centre=draw(st.booleans()),
        modules=modules,
        trainers=trainers,
        spacing=spacing,
        end="2026-04-30",
        max_groups_per_centre_per_day=draw(st.integers(1, 2)),
        preferred_weekdays=draw(
            st.sets(st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri"]), min_size=1).map(sorted)
        ),
        weights={"weekday": draw(st.integers(0, 5)), "trainer_balance": draw(st.integers(0, 3))},
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_solver_plans_pass_checker_and_beat_baseline(instance):
    baseline = greedy_training(instance)
    result = solve_checked(instance, time_limit=10)  # asserts checker and term equality
    if baseline is not None:
        assert check_training(instance, baseline) == []
        assert result.status != "infeasible"
        if result.status == "optimal":
            base_obj = weighted_objective(instance, training_terms(instance, baseline))
            assert result.objective <= base_obj
