"""Re-planning against a previous plan starts from that plan (`solver.training.kept_previous`)."""

from __future__ import annotations

import datetime as dt

import pytest

from instances import bundled_path, load
from models.check_training import check_training, training_terms
from models.plan import TrainingPlan
from solver import training
from solver.training import TrainingPart, kept_previous


@pytest.fixture(scope="module")
def bremen():
    return load(bundled_path("bremen-2016"))


@pytest.fixture(scope="module")
def optimal(bremen) -> tuple[TrainingPlan, float]:
    r = training.solve(bremen, time_limit=30, workers=2, seed=0)
    assert r.outcome.status == "optimal"
    return r.plan, r.outcome.objective


def test_a_previous_plan_that_still_fits_is_the_start_and_the_fallback(bremen, optimal):
    plan, objective = optimal
    part = TrainingPart(bremen, plan, hint=True, relax=True, seed=0)
    part.build()
    fallback = part.fallback()
    assert fallback is not None and fallback.plan == plan
    assert fallback.value == objective  # nothing moved: no change cost
    assert fallback.terms["change"] == fallback.terms["trainer_change"] == 0
    assert "previous plan" in fallback.message(cp_sat_found_a_plan=True)


def test_a_replan_with_almost_no_search_keeps_the_previous_plan(bremen, optimal):
    # the baseline it started from before (2919 and more, with its change costs) is far
    # worse than the previous plan: a re-plan that may do almost no work keeps that plan
    plan, objective = optimal
    r = training.solve(bremen, previous=plan, time_limit=30, workers=1, work_limit=0.01)
    assert r.plan is not None and check_training(bremen, r.plan) == []
    assert r.outcome.objective <= objective
    terms = training_terms(bremen, r.plan, plan)
    assert terms["change"] == terms["trainer_change"] == 0


def test_a_previous_plan_that_no_longer_fits_is_list_scheduled_from_its_dates(bremen, optimal):
    plan, _ = optimal
    s0 = plan.planned()[5]
    saturday = s0.start + dt.timedelta(days=(5 - s0.start.weekday()) % 7)
    moved = plan.model_copy(deep=True)
    for s in moved.sessions:
        if (s.group, s.session) == (s0.group, s0.session):
            s.start, s.end = saturday, saturday + (s0.end - s0.start)
    assert any(v.rule == "working_days" for v in check_training(bremen, moved))
    kept = kept_previous(bremen, moved)
    assert kept is not None and check_training(bremen, kept) == []
    before = plan.by_key()
    same = [s for s in kept.planned() if before[(s.group, s.session)].start == s.start]
    assert len(same) >= 0.9 * len(kept.planned())  # 60 of 62 when written
