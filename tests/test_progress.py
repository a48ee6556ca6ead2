"""Progress events, the solve history and the stop token of every part's solve (Bremen)."""

from __future__ import annotations

import threading
import time
from functools import cache

import pytest

from instances import bundled_path
from models.check_rollout import check_rollout
from models.check_staffing import check_staffing
from models.check_training import check_training
from models.instance import Instance
from models.io import load_instance
from solver import rollout, staffing, training
from solver.progress import ProgressEvent, SolveHistory


@cache
def bremen() -> Instance:
    return load_instance(bundled_path("bremen-2016"))


def _collect() -> tuple[list[ProgressEvent], callable]:
    events: list[ProgressEvent] = []
    return events, events.append


def _stopped() -> threading.Event:
    stop = threading.Event()
    stop.set()
    return stop


def test_training_reports_its_phases_and_bound():
    events, hook = _collect()
    r = training.solve(bremen(), time_limit=20, workers=2, progress=hook)
    assert r.status == "optimal"
    assert isinstance(r.history, SolveHistory) and r.history.solutions()
    assert {e.part for e in events} == {"training"}
    phases = [e.phase for e in events]
    assert phases[0] == "start" and phases[-1] == "done"
    assert "lp_bound" in phases
    assert {"near_lp", "search"} & set(phases)
    assert events[-1].status == "optimal" and events[-1].objective == r.objective
    assert any(e.bound is not None for e in events if e.phase != "done")
    assert all(e.time_left is None or e.time_left >= 0 for e in events)
    seconds = [e.seconds for e in events]
    assert seconds == sorted(seconds)


def test_staffing_reports_unscaled_objective_and_bound():
    events, hook = _collect()
    r = staffing.solve(bremen(), time_limit=20, workers=2, progress=hook)
    assert r.status == "optimal" and isinstance(r.history, SolveHistory)
    found = [e for e in events if e.phase == "search" and e.objective is not None]
    assert found and {e.part for e in events} == {"staffing"}
    # unscaled: the last solution's objective is the result's
    assert found[-1].objective == pytest.approx(r.objective, rel=1e-9)
    assert any(e.bound is not None for e in events if e.phase == "search")
    assert events[-1].phase == "done" and events[-1].status == "optimal"


def test_rollout_reports_events():
    events, hook = _collect()
    r = rollout.solve(bremen(), time_limit=20, workers=2, progress=hook)
    assert r.status in ("optimal", "feasible")
    assert {e.part for e in events} == {"rollout"}
    assert [e.phase for e in events][0] == "start"
    assert events[-1].phase == "done" and events[-1].objective == r.objective
    assert r.history.solutions()


def test_joint_reports_part_name_joint():
    from solver.joint import solve_joint

    events, hook = _collect()
    inst = bremen()
    t = training.solve(inst, time_limit=10, workers=2)
    from models.coupling import training_days_by_centre

    ro = rollout.solve(
        inst, time_limit=10, workers=2, blocked_days=training_days_by_centre(inst, t.plan)
    )
    j = solve_joint(inst, hint=(t.plan, ro.plan), time_limit=10, workers=2, progress=hook)
    assert j.outcome.status in ("optimal", "feasible")
    assert {e.part for e in events} == {"joint"}
    assert events[-1].phase == "done"
    assert isinstance(j.history, SolveHistory)


@pytest.mark.parametrize("part", ["training", "staffing", "rollout"])
def test_a_set_stop_token_returns_the_checked_baseline(part):
    inst = bremen()
    events, hook = _collect()
    solve = {"training": training.solve, "staffing": staffing.solve, "rollout": rollout.solve}
    t0 = time.perf_counter()
    r = solve[part](inst, time_limit=60, workers=2, progress=hook, stop=_stopped())
    assert time.perf_counter() - t0 < 50  # generous: far below the time limit
    assert r.status == "feasible" and r.plan is not None
    check = {
        "training": lambda p: check_training(inst, p),
        "staffing": lambda p: check_staffing(inst, p),
        "rollout": lambda p: check_rollout(inst, p),
    }
    assert check[part](r.plan) == []
    assert "fallback" in [e.phase for e in events]
    assert events[-1].phase == "done" and events[-1].status == "feasible"


def test_a_history_keeps_cp_sat_deterministic_time():
    """`work` (CP-SAT's deterministic time, `juwe bench`'s and solve_stats.json's
    `deterministic_time`) is positive for a tiny solve, adds up over searches and survives
    scaling; solve_stats.json carries it per part."""
    from solver.params import SolveParams
    from solver.programme import plan_programme
    from tests.builders import tiny_staffing

    inst = tiny_staffing()
    r = staffing.solve(inst, time_limit=10, workers=1)
    assert r.status == "optimal" and r.history.work > 0
    both = SolveHistory()
    both.extend(r.history)
    both.extend(r.history, offset=1.0)
    assert both.work == pytest.approx(2 * r.history.work)
    assert r.history.scaled(10.0).work == r.history.work
    stats = plan_programme(inst, SolveParams(time_limit=10, workers=1)).stats()
    assert stats["staffing"]["deterministic_time"] > 0
