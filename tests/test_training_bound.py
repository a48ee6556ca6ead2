"""The time-indexed LP bound of the training model (solver.training_bound).

The bound goes into the CP-SAT model as `objective >= bound`, so a bound above the optimum
would cut off every optimal plan. These tests compare it with optima worked out by hand and
with CP-SAT's proven optima without the relaxation, on many small random instances.
"""

from __future__ import annotations

import random

import pytest

from models.io import load_instance
from solver import training_bound as tb
from solver.training import TrainingModel
from tests.builders import tiny
from tests.solving import solve_checked


def bound_of(instance):
    return tb.training_bound(TrainingModel(instance), seconds=60)


def test_one_trainer_two_groups_on_one_day_is_seen():
    # two groups, one 1-day module, one trainer: offsets 0 and 1 -> the LP also gives 1
    # (CP-SAT's own root bound is 0, the sum of the earliest starts)
    b = bound_of(tiny(groups=2))
    assert (b.value, b.lp_value, b.balance) == (1, pytest.approx(1.0, abs=1e-3), 0)
    assert solve_checked(tiny(groups=2)).objective == 1


def test_two_trainers_no_conflict():
    b = bound_of(tiny(groups=2, trainers=[{"id": "T1"}, {"id": "T2"}]))
    assert b.value == 0


def test_unavailable_trainer_lowers_the_day_capacity():
    # two trainers, T2 away on Mon 2 Mar: only one group that day -> 0 + 1 = 1
    trainers = [
        {"id": "T1"},
        {"id": "T2", "unavailable": [{"start": "2026-03-02", "end": "2026-03-02"}]},
    ]
    assert bound_of(tiny(groups=2, trainers=trainers)).value == 1


def test_centre_coverage_counts():
    # two trainers, both groups of one centre, K = 1: one a day -> 0 + 1
    inst = tiny(
        groups=2,
        same_centre=True,
        trainers=[{"id": "T1"}, {"id": "T2"}],
        max_groups_per_centre_per_day=1,
    )
    assert bound_of(inst).value == 1


def test_monthly_cap_counts():
    # one trainer with one day a month, two groups: 0 and 30 (Wed 1 Apr) -> 30
    inst = tiny(groups=2, trainers=[{"id": "T1", "max_days_per_month": 1}])
    assert bound_of(inst).value == 30


def test_spacing_chain_and_weekday():
    # A then B at least 7 days apart, Mon/Tue preferred at weight 5; horizon from Wed 4 Mar:
    # A on Wed 4 (offset 0) costs 5, B on Wed 11 (7) costs 5 -> 17; A on Mon 9 (5), B on
    # Mon 16 (12) -> 12; the LP bound and the optimum are 12
    mods = [{"id": "A"}, {"id": "B", "after": ["A"]}]
    inst = tiny(
        start="2026-03-04",
        modules=mods,
        spacing={"min_days": 7},
        preferred_weekdays=["Mon", "Tue"],
        weights={"weekday": 5},
    )
    assert bound_of(inst).value == 12
    assert solve_checked(inst).objective == 12


def test_balance_adds_one_when_days_do_not_split_evenly():
    # three 1-day sessions, two trainers, balance weight 3: loads 2 and 1 -> at least 3
    inst = tiny(groups=3, trainers=[{"id": "T1"}, {"id": "T2"}], weights={"trainer_balance": 3})
    b = bound_of(inst)
    assert b.balance == 3
    r = solve_checked(inst)
    assert r.status == "optimal"
    assert b.value <= r.objective


def test_balance_counts_the_days_a_trainer_may_not_teach():
    # two groups x (A: 2 days, B: 1 day), T2 teaches only B: T2 carries at most 2 days,
    # T1 at least the other 4, so the loads differ by 2 or more; weight 3 -> 6
    inst = tiny(
        groups=2,
        modules=[{"id": "A", "days": 2}, {"id": "B", "days": 1, "after": ["A"]}],
        trainers=[{"id": "T1"}, {"id": "T2", "modules": ["B"]}],
        weights={"trainer_balance": 3},
    )
    b = bound_of(inst)
    assert b.balance == 6
    r = solve_checked(inst)
    assert r.status == "optimal"
    assert r.outcome.terms["trainer_balance"] == 2  # days; x 3 in the objective
    assert b.value <= r.objective


def test_bremen_bound_is_the_optimum():
    inst = load_instance("instances/bremen-2016.yaml")
    b = bound_of(inst)
    plain = solve_checked(inst, relax=False, workers=2)
    assert plain.status == "optimal"
    assert b.value == plain.objective == 2466


@pytest.mark.parametrize("seed", [0, 5, 6])  # LP optima 36.0, 24.5 and 98.1
def test_the_dual_simplex_and_the_interior_point_give_the_same_bound(monkeypatch, seed):
    # LPs up to SIMPLEX_MAX_COLUMNS go to the dual simplex, larger ones to the interior point
    inst = random_instance(random.Random(seed))
    simplex = bound_of(inst)
    monkeypatch.setattr(tb, "SIMPLEX_MAX_COLUMNS", 0)
    interior = bound_of(inst)
    assert simplex is not None and interior is not None
    assert simplex.value == interior.value
    # the duals are optimal for the tie-broken costs: each bound may lose up to
    # TIE_BREAK per column
    assert simplex.lp_value == pytest.approx(interior.lp_value, abs=tb.TIE_BREAK * simplex.columns)


def test_an_unknown_lp_method_is_refused():
    with pytest.raises(ValueError, match="unknown LP method"):
        tb.highs_lp([], tb.SparseRows([], [], [], 0, 0), [], [], [], 1.0, method="barrier")


def test_too_large_relaxation_is_skipped(monkeypatch):
    monkeypatch.setattr(tb, "MAX_COLUMNS", 10)
    inst = tiny(groups=2)
    assert bound_of(inst) is None
    r = solve_checked(inst)
    assert (r.status, r.objective) == ("optimal", 1)


def random_instance(rng: random.Random):
    n_mod = rng.randint(1, 3)
    modules = [{"id": "A", "days": rng.randint(1, 2)}]
    for k in range(1, n_mod):
        modules.append({"id": "ABC"[k], "days": rng.randint(1, 2), "after": ["ABC"[k - 1]]})
    trainers = [
        {"id": f"T{t}", "max_days_per_month": rng.choice([None, 3, 6])}
        for t in range(rng.randint(1, 2))
    ]
    if rng.random() < 0.4:
        trainers[0]["unavailable"] = [{"start": "2026-03-03", "end": "2026-03-06"}]
    groups = rng.randint(2, 4)
    extra = {f"group{g}": {"earliest_start": f"2026-03-{rng.randint(2, 12):02d}"} for g in (1, 2)}
    return tiny(
        groups=groups,
        modules=modules,
        trainers=trainers,
        same_centre=rng.random() < 0.5,
        max_groups_per_centre_per_day=rng.choice([1, 2]),
        spacing={"min_days": rng.choice([1, 3, 7])},
        preferred_weekdays=rng.sample(["Mon", "Tue", "Wed", "Thu", "Fri"], 3),
        weights={"weekday": rng.choice([0, 2, 5]), "trainer_balance": rng.choice([0, 1, 2])},
        blackouts=[{"start": "2026-03-16", "end": "2026-03-20"}] if rng.random() < 0.5 else [],
        **extra,
    )


# Seeds left out to keep the suite under 10 minutes (the rule checked is the same for
# them; one more seed each takes their place): 17 in the chain family (12.6 s for the
# test on the 2-core machine), 28 in the featured one (34 s: its proof without the LP
# takes 11-12 s, with it 7 s; the trainer-balance term closes last)
SLOW_CHAIN, SLOW_FEATURED = {17}, {28}


@pytest.mark.parametrize("seed", [s for s in range(31) if s not in SLOW_CHAIN])
def test_bound_never_above_the_proven_optimum(seed):
    inst = random_instance(random.Random(seed))
    plain = solve_checked(inst, relax=False)
    if plain.status == "infeasible":
        return
    assert plain.status == "optimal"
    b = bound_of(inst)
    assert b is not None
    assert b.value <= plain.objective + 1e-9
    relaxed = solve_checked(inst)
    assert relaxed.status == "optimal"
    assert relaxed.objective == plain.objective
    # plans found near the LP's solution carry the LP bound, never the restricted model's
    assert all(p.bound <= plain.objective + 1e-9 for p in relaxed.history if p.bound is not None)


def random_featured_instance(rng: random.Random):
    """As `random_instance`, with the rules of issue 15: a random partial order, trainer
    skills, a pin, per-centre coverage, same_week, dated done sessions with trainers."""
    n_mod = rng.randint(2, 3)
    modules = []
    for k in range(n_mod):
        m = {"id": "ABC"[k], "days": rng.randint(1, 2)}
        after = [x for x in "ABC"[:k] if rng.random() < 0.5]
        if after:
            m["after"] = after
        if m["days"] == 2 and rng.random() < 0.5:
            m["same_week"] = True
        modules.append(m)
    ids = [m["id"] for m in modules]
    trainers = [{"id": "T0", "max_days_per_month": rng.choice([None, 4, 8])}]
    for t in range(1, rng.randint(2, 3)):
        trainers.append({"id": f"T{t}", "modules": rng.sample(ids, rng.randint(1, len(ids)))})
    if rng.random() < 0.4:
        trainers[-1]["unavailable"] = [{"start": "2026-03-03", "end": "2026-03-06"}]
    groups = rng.randint(2, 4)
    sessions = []
    if rng.random() < 0.6:
        done = rng.choice(ids)
        sessions.append(
            {
                "group": "G1",
                "session": done,
                "status": "done",
                "date": "2026-02-24",
                "trainer": "T0",
            }
        )
    if rng.random() < 0.6:
        pinned = rng.choice(ids)
        pin = {"group": "G2", "session": pinned, "status": "pinned", "date": "2026-03-12"}
        if rng.random() < 0.5:
            pin["trainer"] = "T0"
        sessions.append(pin)
    extra = {"snapshot": {"date": "2026-03-02", "sessions": sessions}} if sessions else {}
    return tiny(
        groups=groups,
        modules=modules,
        trainers=trainers,
        same_centre=rng.random() < 0.5,
        max_groups_per_centre_per_day=rng.choice([1, 2]),
        centre_coverage={"C1": rng.choice([1, 2])} if rng.random() < 0.5 else {},
        same_week=rng.random() < 0.3,
        spacing={"min_days": rng.choice([1, 3, 7])},
        preferred_weekdays=rng.sample(["Mon", "Tue", "Wed", "Thu", "Fri"], 3),
        weights={
            "weekday": rng.choice([0, 2, 5]),
            "trainer_balance": rng.choice([0, 1, 2]),
            "trainer_continuity": rng.choice([0, 0, 3]),
        },
        blackouts=[{"start": "2026-03-16", "end": "2026-03-20"}] if rng.random() < 0.5 else [],
        **extra,
    )


@pytest.mark.parametrize("seed", [s for s in range(41) if s not in SLOW_FEATURED])
def test_bound_with_partial_orders_skills_and_pins_stays_below_the_optimum(seed):
    inst = random_featured_instance(random.Random(1000 + seed))
    plain = solve_checked(inst, relax=False)
    if plain.status == "infeasible":
        return
    assert plain.status == "optimal"
    b = bound_of(inst)
    assert b is not None
    assert b.value <= plain.objective + 1e-9
    relaxed = solve_checked(inst)
    assert relaxed.status == "optimal" and relaxed.objective == plain.objective


def test_lagrangian_bound_holds_for_any_duals():
    # min -x1 - x2 with x1 + x2 <= 1, 0 <= x <= 1: optimum -1. The optimal dual 1 gives
    # -1 exactly; any other non-negative dual a lower value (0 -> -2, 5 -> -5); a
    # negative one counts as 0
    import numpy as np

    cost, matrix, rhs = np.array([-1.0, -1.0]), tb.SparseRows.dense([[1.0, 1.0]]), np.array([1.0])
    lower, upper = np.zeros(2), np.ones(2)
    values = [tb.lagrangian_bound(cost, matrix, rhs, lower, upper, [y]) for y in (1, 0, 5, -3)]
    assert values == [-1.0, -2.0, -5.0, -2.0]


def test_rounded_lp_is_the_fallback_when_it_is_better(monkeypatch):
    # one group, a 2-day module, earliest start Wed 4 Mar, Wednesday not preferred (weight
    # 2): groups in order take Wed-Thu (last day offset 3, + 2 = 5); the LP starts on Thu
    # 5 (Thu-Fri, offset 4, no weekday cost = 4) and its rounding keeps that. When CP-SAT
    # ends without a plan (forced here), the rounded plan (4) is returned, not the baseline
    import solver.training as training_solver
    from solver.baselines import greedy_training

    inst = tiny(
        modules=[{"id": "A", "days": 2}],
        group1={"earliest_start": "2026-03-04"},
        preferred_weekdays=["Mon", "Tue", "Thu"],
        weights={"weekday": 2},
    )
    base = greedy_training(inst)
    assert (base.sessions[0].start.isoformat(), solve_checked(inst).objective) == (
        "2026-03-04",
        4,
    )
    monkeypatch.setattr("solver.skeleton.status_name", lambda code: "unknown")
    r = training_solver.solve(inst, time_limit=5, workers=1)
    assert r.status == "feasible" and r.objective == 4
    assert r.plan.sessions[0].start.isoformat() == "2026-03-05"
    assert "rounded into a plan by list scheduling" in r.outcome.message


def test_redundant_completion_keeps_the_hand_worked_optimum():
    # one group from Mon 2 Mar, modules A, B, C of one day, B and C after A (the solver
    # orders B and C: a circuit), spacing at least 7 days: starts Mar 2, 9, 16, completion
    # offset 14. Both redundant rows are tight there: 2k end >= 2 sum(start) + gap k (k - 1)
    # is 6 x 14 >= 2 x 21 + 7 x 6 = 84, and A with two sessions after it: 14 >= 0 + 2 x 7.
    # One day more in either (an off-by-one) would make the optimum 15.
    mods = [{"id": "A"}, {"id": "B", "after": ["A"]}, {"id": "C", "after": ["A"]}]
    inst = tiny(modules=mods, spacing={"min_days": 7})
    tm = TrainingModel(inst)
    assert "G1" in tm.arcs  # the partial order is a circuit, so the rows are added
    result = solve_checked(inst, relax=False)
    assert (result.status, result.objective) == ("optimal", 14)
    assert bound_of(inst).value == 14


class _SetAfter:
    """A stop token that is set from its (n+1)-th poll on; counts the polls."""

    def __init__(self, n: int):
        self.n, self.polls = n, 0

    def is_set(self) -> bool:
        self.polls += 1
        return self.polls > self.n


def test_a_stop_ends_the_lp_while_highs_runs():
    # HiGHS polls the token through its interrupt callbacks: a stop set during the interior
    # point gives no bound (and the full LP still gives Bremen's 2466)
    from instances import load

    tm = TrainingModel(load("bremen-2016"))
    assert tb.training_bound(tm, seconds=60).value == 2466
    stop = _SetAfter(5)
    assert tb.training_bound(tm, seconds=60, stop=stop) is None
    assert stop.polls > 5  # polled inside HiGHS, not only before it started
