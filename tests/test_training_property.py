"""Property: on random small instances every solver plan passes the independent checker,
its reported terms match the checker's recomputation, and it is never worse than the
hand-planning baseline (nor called infeasible where the baseline found a plan).

The instances cover the training rules of issue 15 too: random partial orders of the
modules (`after` any subset of the earlier ones), trainer skills, pins, per-centre case
coverage, `same_week`, done sessions with dates (and trainers) and trainer continuity."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.check_training import check_training, training_terms, weighted_objective
from solver.baselines import greedy_training
from tests.builders import tiny
from tests.solving import solve_checked

_PIN_DAYS = ["2026-03-10", "2026-03-17", "2026-03-24"]  # Tuesdays, working days
_DONE_DAYS = ["2026-02-16", "2026-02-19", "2026-02-24"]  # before the horizon (Mon 2 Mar)


def _labels(modules: list[dict]) -> list[str]:
    out = []
    for m in modules:
        reps = m.get("repetitions", 1)
        out += [m["id"]] if reps == 1 else [f"{m['id']}{'ab'[r]}" for r in range(reps)]
    return out


@st.composite
def instances(draw):
    n_mod = draw(st.integers(1, 3))
    modules = []
    for k in range(n_mod):
        m = {"id": f"M{k}", "days": draw(st.integers(1, 2)), "repetitions": draw(st.integers(1, 2))}
        after = [f"M{j}" for j in range(k) if draw(st.booleans())]  # a random partial order
        if after:
            m["after"] = after
        if m["days"] > 1 and draw(st.booleans()):
            m["same_week"] = True
        modules.append(m)
    ids = [m["id"] for m in modules]
    trainers = []
    for k in range(draw(st.integers(1, 3))):
        t = {"id": f"T{k}"}
        if draw(st.booleans()):
            t["max_days_per_month"] = draw(st.integers(2, 8))
        if k and draw(st.booleans()):  # skills; T0 teaches every module
            t["modules"] = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        trainers.append(t)
    lo = draw(st.integers(0, 10))
    spacing = {"min_days": lo}
    if draw(st.booleans()):
        spacing["max_days"] = lo + draw(st.integers(1, 21))
    groups = draw(st.integers(1, 3))
    labels = _labels(modules)
    entries = []
    if draw(st.booleans()):  # done sessions of G1 with dates (and maybe trainers)
        for label, day in zip(
            draw(st.lists(st.sampled_from(labels), max_size=2, unique=True)), _DONE_DAYS
        ):
            e = {"group": "G1", "session": label, "status": "done", "date": day}
            if draw(st.booleans()):
                e["trainer"] = draw(st.sampled_from([t["id"] for t in trainers]))
            entries.append(e)
    if groups > 1 and draw(st.booleans()):  # a pin on G2's session
        label = draw(st.sampled_from(labels))
        module = next(m for m in modules if label.startswith(m["id"]))
        pin = {"group": "G2", "session": label, "status": "pinned"}
        if draw(st.booleans()):
            pin["date"] = draw(st.sampled_from(_PIN_DAYS))
        qualified = [t["id"] for t in trainers if module["id"] in t.get("modules", ids)]
        if "date" not in pin or draw(st.booleans()):
            pin["trainer"] = draw(st.sampled_from(qualified))
        entries.append(pin)
    same_centre = draw(st.booleans())
    extra = {}
    if entries:
        extra["snapshot"] = {"date": "2026-03-02", "sessions": entries}
    if draw(st.booleans()):
        extra["centre_coverage"] = {"C1": draw(st.integers(1, 2))}
    return tiny(
        groups=groups,
        same_centre=same_centre,
        modules=modules,
        trainers=trainers,
        spacing=spacing,
        end="2026-04-30",
        max_groups_per_centre_per_day=draw(st.integers(1, 2)),
        same_week=draw(st.booleans()),
        preferred_weekdays=draw(
            st.sets(st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri"]), min_size=1).map(sorted)
        ),
        weights={
            "weekday": draw(st.integers(0, 5)),
            "trainer_balance": draw(st.integers(0, 3)),
            "trainer_continuity": draw(st.integers(0, 3)),
        },
        **extra,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_solver_plans_pass_checker_and_beat_baseline(instance):
    baseline = greedy_training(instance)
    result = solve_checked(instance, time_limit=10)  # asserts checker and term equality
    if baseline is not None:
        assert check_training(instance, baseline) == []
        assert result.status != "infeasible"
        if result.status == "optimal":
            base_obj = weighted_objective(instance, training_terms(instance, baseline))
            assert result.objective <= base_obj
