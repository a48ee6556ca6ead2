"""Monte Carlo simulation of the Bremen staffing allocation: 1,000 runs, 48 months.

Target (staffing issue, part 5): 1,000 runs of the Bremen allocation (17 casework teams
and 13 further units, 48 months) in under 2 s. The allocation is solved once (workers=2);
only `simulate` is timed.
Run: pytest benchmarks/test_bench_simulation.py --benchmark-only -s
"""

from __future__ import annotations

import numpy as np

from instances import bundled_path
from models.io import load_instance
from models.simulation import simulate
from solver.staffing import solve


def test_bremen_simulation_1000_runs(benchmark):
    inst = load_instance(bundled_path("bremen-2016"))
    result = solve(inst, time_limit=60, workers=2, seed=0)
    assert result.plan is not None
    sim = benchmark.pedantic(
        lambda: simulate(inst, result.plan, runs=1000, seed=0), rounds=7, iterations=1
    )
    assert sim.filled.shape == (1000, len(inst.staffing.units), 48)
    assert len(sim.casework) == 17
    gap = float(np.abs(sim.casework_total().mean(axis=0) - sim.expected_casework).max())
    median = benchmark.stats.stats.median
    benchmark.extra_info.update({"median_seconds": median, "max_mean_deviation_bv": gap})
    print(
        f"\nsimulate: 1000 runs x {sim.filled.shape[1]} units x 48 months, median "
        f"{median:.3f} s (target < 2 s); largest deviation of the mean casework BV from "
        f"the model's expectation {gap:.3f} BV"
    )
