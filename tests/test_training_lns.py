"""The training LNS on small models (solver.training_lns): a neighbourhood's model keeps
the other groups' sessions where the plan has them, its objective is the whole plan's less
a constant, and every plan the LNS returns passes the checker."""

from __future__ import annotations

import random

from ortools.sat.python import cp_model

from instances import bundled_path, load
from models.check_training import check_training, training_terms, weighted_objective
from models.training_tasks import SessionWindows
from solver.baselines import greedy_training
from solver.training_lns import _complete_hint, _model, _neighbourhood, improve


def _office():
    inst = load(bundled_path("office-unlike"))
    windows = SessionWindows.of(inst)
    return inst, windows, greedy_training(inst, windows=windows)


def _value(inst, plan) -> float:
    return float(weighted_objective(inst, training_terms(inst, plan)))


def test_neighbourhood_model_keeps_the_fixed_groups_and_scores_the_whole_plan():
    inst, windows, base = _office()
    groups = sorted({t.group for t in windows.tasks})
    centre_of = {g.id: g.centre for g in inst.organisation.groups}
    free = _neighbourhood(base, groups, centre_of, 3, random.Random(3))
    assert len(free) == 3
    tm = _model(inst, base, free, windows, None)
    assert {s.task.group for s in tm.sessions} == free
    assert _complete_hint(tm, base)  # the plan itself solves the neighbourhood
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.random_seed = 0
    # the start plan's value in the neighbourhood's model: its hint, fixed
    solver.parameters.fix_variables_to_their_hinted_value = True
    assert solver.solve(tm.model) == cp_model.OPTIMAL
    solver.parameters.fix_variables_to_their_hinted_value = False
    start_sub = solver.objective_value
    assert solver.solve(tm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = tm.extract(solver)
    assert check_training(inst, plan) == []  # the fixed groups' days were respected
    before = {(s.group, s.session): s for s in base.sessions}
    after = {(s.group, s.session): s for s in plan.sessions}
    assert before.keys() == after.keys()  # the whole plan, nothing lost
    for key, s in before.items():
        if s.group not in free:
            assert after[key] == s
    # the model's objective is the whole plan's less a constant
    gain_model = start_sub - solver.objective_value
    assert _value(inst, base) - _value(inst, plan) == gain_model
    assert gain_model > 0  # the baseline is far from the best (7352 against about 6800)


def test_improve_returns_a_checked_better_plan():
    inst, windows, base = _office()
    seen = []
    out = improve(
        inst,
        base,
        seconds=6,
        windows=windows,
        workers=2,
        seed=1,
        on_better=lambda plan, v: seen.append(v),
    )
    assert out.moves >= 1 and out.work > 0
    assert out.value < _value(inst, base)
    assert out.value == _value(inst, out.plan)
    assert check_training(inst, out.plan) == []
    assert seen == sorted(seen, reverse=True) and seen[-1] == out.value
    values = [v for _t, v in out.history]
    assert values == sorted(values, reverse=True)


def test_solve_uses_the_lns_only_where_the_lp_is_skipped(monkeypatch):
    import solver.training as training

    def phases(name, **kw):
        seen = []
        result = training.solve(
            load(bundled_path(name)), workers=2, seed=0, progress=seen.append, **kw
        )
        return result, {e.phase for e in seen}

    result, seen = phases("bremen-2016", time_limit=30)
    assert "lns" not in seen and result.outcome.status == "optimal"  # the LP ran
    # a whole model too large to search: the LNS gets all the time, from the baseline
    monkeypatch.setattr(training, "LNS_ONLY_SESSIONS", 100)
    result, seen = phases("office-unlike", time_limit=8)
    inst = load(bundled_path("office-unlike"))
    assert "lns" in seen and "search" not in seen
    o = result.outcome
    assert o.status == "feasible" and "re-planning a few groups" in o.message
    assert check_training(inst, result.plan) == []
    assert o.objective == _value(inst, result.plan) < _value(inst, greedy_training(inst))
    assert o.bound is not None and o.bound <= o.objective
