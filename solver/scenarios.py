"""One variant of `juwe staffing scenarios` as a task of a sweep (`solver.tasks`): the
staffing allocation re-optimised for the variant, then simulated Monte Carlo. Picklable
in and out, so it runs in this process or on a Dask worker alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from models.instance import Instance
from solver.params import SolveParams
from solver.progress import ProgressHook, StopToken


@dataclass(frozen=True)
class ScenarioTask:
    name: str
    instance: Instance
    params: SolveParams
    runs: int
    seed: int
    dates: tuple[str, ...]


@dataclass
class ScenarioResult:
    """The row of scenarios.csv and the fan of the simulated casework BV (None without a
    plan)."""

    row: dict[str, Any]
    fan: np.ndarray | None = None
    expected: np.ndarray | None = None
    planned: np.ndarray | None = None


def run_scenario(
    task: ScenarioTask,
    stop: StopToken | None = None,
    progress: ProgressHook | None = None,
) -> ScenarioResult:
    from models.simulation import kpi_row, simulate
    from solver.programme import plan_staffing

    # no training plan here: only the instance's own `relief` list counts
    record, _result = plan_staffing(task.instance, task.params, None, progress=progress, stop=stop)
    o = record.outcome
    row: dict[str, Any] = {
        "variant": task.name,
        "status": o.status,
        "objective": o.objective,
        "bound": o.bound,
        "gap": None if o.gap is None else round(o.gap, 6),
        "message": o.message,
    }
    if record.plan is None:
        if o.status == "unknown" and not o.message:
            row["message"] = f"no plan found within {task.params.time_limit:g} s"
        return ScenarioResult(row)
    sim = simulate(task.instance, record.plan, runs=task.runs, seed=task.seed)
    row.update(kpi_row(sim, list(task.dates)))
    cw = [sim.units.index(u) for u in sim.casework]
    return ScenarioResult(
        row, fan=sim.fan(), expected=sim.expected_casework, planned=sim.planned[cw].sum(axis=0)
    )
