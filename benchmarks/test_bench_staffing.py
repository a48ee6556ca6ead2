"""Bremen staffing allocation with workers=2: status, objective, bound, gap and seconds,
beside the proportional hand-planning baseline.

Target (issue 3): proven optimal in under 5 s on the 2-core machine.
Run: pytest benchmarks/test_bench_staffing.py --benchmark-only \
        --benchmark-columns=min,median,max,rounds
"""

from __future__ import annotations

import pytest

from instances import bundled_path
from models.check_staffing import check_staffing, staffing_figures, staffing_objective
from models.coupling import training_relief
from models.io import load_instance
from solver.baselines import proportional_staffing
from solver.staffing import solve
from solver.training import solve as solve_training


@pytest.fixture(scope="module")
def bremen():
    inst = load_instance(bundled_path("bremen-2016"))
    training = solve_training(inst, time_limit=60, workers=2, seed=0)
    return inst, training_relief(inst, training.plan)


@pytest.mark.parametrize("with_relief", [True, False], ids=["relief", "no-relief"])
def test_bremen_staffing_workers2(benchmark, record, bremen, with_relief):
    inst, relief = bremen
    relief = relief if with_relief else {}
    result = benchmark.pedantic(
        lambda: solve(inst, relief=relief, time_limit=60, workers=2, seed=0),
        rounds=5,
        iterations=1,
    )
    record(result)
    assert result.plan is not None and check_staffing(inst, result.plan, relief) == []
    baseline = proportional_staffing(inst)
    assert baseline is not None and check_staffing(inst, baseline, relief) == []
    base = staffing_objective(inst, staffing_figures(inst, baseline, relief).terms)
    benchmark.extra_info["baseline_objective"] = base
    print(f"baseline (proportional) objective={base:.2f}, ratio={result.objective / base:.4f}")
