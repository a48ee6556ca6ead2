"""Solve helpers for tests: every plan a test solves goes through the independent checker."""

from __future__ import annotations

from models.check_training import check_training, training_terms
from models.instance import Instance
from models.plan import TrainingPlan
from solver.training import solve


def solve_checked(instance: Instance, previous: TrainingPlan | None = None, **kwargs):
    kwargs.setdefault("time_limit", 30)
    kwargs.setdefault("workers", 1)
    result = solve(instance, previous=previous, **kwargs)
    if result.plan is not None:
        assert check_training(instance, result.plan) == []
        terms = training_terms(instance, result.plan, previous)
        assert {k: float(v) for k, v in terms.items()} == result.outcome.terms
    return result


def starts(result) -> dict[str, str]:
    """'group/session' -> ISO start date of every planned session."""
    return {f"{s.group}/{s.session}": s.start.isoformat() for s in result.plan.planned()}
