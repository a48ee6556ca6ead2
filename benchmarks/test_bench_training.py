"""Bremen training calendar with workers=2: status, objective, bound, gap and seconds.

Target (issue 2): proven optimal in under 10 s on the 2-core machine.
Run: pytest benchmarks --benchmark-only --benchmark-columns=min,median,max,rounds
"""

from __future__ import annotations

import pytest

from instances import bundled_path
from models.check_training import check_training, training_terms, weighted_objective
from models.io import load_instance
from solver.baselines import greedy_training
from solver.training import solve


def _checked_against_baseline(benchmark, record, inst, result) -> float:
    """Record the result, check its plan, and return (and record) the greedy baseline's
    objective beside it."""
    record(result)
    assert result.plan is not None and check_training(inst, result.plan) == []
    baseline = greedy_training(inst)
    assert baseline is not None
    base = weighted_objective(inst, training_terms(inst, baseline))
    benchmark.extra_info["baseline_objective"] = base
    return base


def test_bremen_training_workers2(benchmark, record):
    inst = load_instance(bundled_path("bremen-2016"))
    result = benchmark.pedantic(
        lambda: solve(inst, time_limit=60, workers=2, seed=0), rounds=5, iterations=1
    )
    base = _checked_against_baseline(benchmark, record, inst, result)
    print(f"baseline (greedy) objective={base}, ratio={result.objective / base:.3f}")


def test_bremen_training_no_hint_workers2(benchmark, record):
    """The same without the greedy hint, to see what the hint is worth."""
    inst = load_instance(bundled_path("bremen-2016"))
    result = benchmark.pedantic(
        lambda: solve(inst, time_limit=60, workers=2, seed=0, hint=False), rounds=3, iterations=1
    )
    record(result)


OFFICE_CASES = ["office-unlike", "generated-S-office"]


@pytest.mark.parametrize("name", OFFICE_CASES)
def test_office_training_workers2(benchmark, record, name):
    """Offices unlike the plain generator (issue 19): the hand-written office-unlike and
    the generator's `--profile office`, 60 s with workers=2. Target: gap <= 1 %."""
    inst = load_instance(bundled_path(name))
    result = benchmark.pedantic(
        lambda: solve(inst, time_limit=60, workers=2, seed=0), rounds=1, iterations=1
    )
    base = _checked_against_baseline(benchmark, record, inst, result)
    print(f"{name}: {result.status} {result.objective} bound {result.bound}, baseline {base}")
