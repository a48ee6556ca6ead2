"""Bremen staffing allocation with workers=2: status, objective, bound, gap, seconds and
CP-SAT's deterministic time, beside the proportional hand-planning baseline.

Targets: issue 3, proven optimal in under 5 s on the 2-core machine; issue 19, fast for
every optimal training plan (the relief differs between equal-cost training plans). The
second test solves the staffing with the relief of the optimal training plans found with
workers 1 and 2 and seeds 0-2 (each distinct relief once) and prints seconds and
deterministic time for each.
Run: pytest benchmarks/test_bench_staffing.py --benchmark-only -s \
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
    benchmark.extra_info["deterministic_time"] = result.history.work
    assert result.plan is not None and check_staffing(inst, result.plan, relief) == []
    baseline = proportional_staffing(inst)
    assert baseline is not None and check_staffing(inst, baseline, relief) == []
    base = staffing_objective(inst, staffing_figures(inst, baseline, relief).terms)
    benchmark.extra_info["baseline_objective"] = base
    print(f"baseline (proportional) objective={base:.2f}, ratio={result.objective / base:.4f}")


def test_bremen_staffing_for_every_optimal_training_plan(benchmark):
    inst = load_instance(bundled_path("bremen-2016"))
    reliefs = {}
    for workers in (1, 2):
        for seed in range(3):
            training = solve_training(inst, time_limit=60, workers=workers, seed=seed)
            assert training.status == "optimal"
            relief = training_relief(inst, training.plan)
            reliefs.setdefault(tuple(sorted(relief.items())), (f"w{workers}s{seed}", relief))

    def run():
        rows = []
        for name, relief in reliefs.values():
            r = solve(inst, relief=relief, time_limit=60, workers=2, seed=0)
            assert r.plan is not None and check_staffing(inst, r.plan, relief) == []
            rows.append((name, r.status, r.objective, r.seconds, r.history.work))
        return rows

    rows = benchmark.pedantic(run, rounds=1, iterations=1)
    for name, status, objective, seconds, work in rows:
        print(f"{name}: {status} {objective:.2f} in {seconds:.2f} s, deterministic {work:.2f}")
    benchmark.extra_info["runs"] = [
        {"plan": n, "status": st, "objective": o, "seconds": s, "deterministic_time": w}
        for n, st, o, s, w in rows
    ]
    assert all(status == "optimal" for _n, status, *_ in rows)
