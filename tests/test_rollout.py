"""The rollout part: one tiny instance per rule family, the optimum worked out in a comment;
validation errors; the bundled Bremen rollout data. (Over 500 lines: one file per part's
rules, as for training and staffing, so a rule's tests are found beside each other.)

Horizon from Mon 2026-03-02 (working-day index 0; March 2026 has no Bremen holiday, so
index 5 is Mon 9 Mar, 10 is Mon 16 Mar). Weights: every family's priority 1, makespan 0,
so the objective is the sum of the families' completions (working-day index after their
last task ends).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import models.check_rollout as check_rollout_module
from instances import bundled_path
from models.check_rollout import check_rollout, rollout_context, rollout_terms
from models.instance import Instance
from models.io import InputError, instance_from_dict, load_instance
from models.rollout import RolloutPlan, expand, plan_from_starts, rollout_calendar, unit_ids
from solver.rollout import RolloutModel, solve


def task(tid: str, *, weeks: float | None = None, days: int | None = None, **kw: Any) -> dict:
    t: dict[str, Any] = {"id": tid, **kw}
    if days is not None:
        t["days"] = days
    else:
        t["weeks"] = 1 if weeks is None else weeks
    return t


def rollout_instance(
    families: list[dict] | None = None,
    *,
    tasks: list[dict] | None = None,
    resources: list[dict] | None = None,
    centres: int = 1,
    closed: list[dict] | None = None,
    **part: Any,
) -> Instance:
    """`closed`: the calendar's blackout ranges; `part`: further fields of the rollout."""
    if families is None:
        families = [{"id": "F", "tasks": tasks or [task("A")]}]
    data = {
        "name": "tiny-rollout",
        "calendar": {
            "country": "DE",
            "subdivision": "HB",
            "start": "2026-03-02",
            "end": "2026-05-29",
            "blackouts": closed or [],
        },
        "organisation": {"centres": [{"id": f"C{i}"} for i in range(1, centres + 1)]},
        "rollout": {
            "resources": resources or [],
            "families": families,
            "weights": {"makespan": 0},
            **part,
        },
    }
    return instance_from_dict(data, "tiny-rollout")


def solve_checked(instance: Instance, blocked_days=None, **kwargs):
    kwargs.setdefault("time_limit", 20)
    kwargs.setdefault("workers", 1)
    result = solve(instance, blocked_days=blocked_days, **kwargs)
    if result.plan is not None:
        assert check_rollout(instance, result.plan, blocked_days) == []
        terms = rollout_terms(instance, result.plan)
        assert {k: float(v) for k, v in terms.items()} == result.outcome.terms
    return result


def starts(result) -> dict[str, str]:
    """'task' or 'task@unit' (family 'F' dropped) -> ISO start date."""
    out = {}
    for t in result.plan.tasks:
        key = (t.task if t.family == "F" else f"{t.family}/{t.task}") + (
            f"@{t.unit}" if t.unit else ""
        )
        out[key] = t.start.isoformat()
    return out


# ------------------------------------------------------------------ rule families
def test_single_task_and_its_end_date():
    # one week from Mon 2 Mar: Mon 2 - Fri 6 Mar, completion index 5
    r = solve_checked(rollout_instance())
    assert (r.status, r.objective, r.bound) == ("optimal", 5, 5)
    (t,) = r.plan.tasks
    assert (t.start, t.end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 6))


def test_finish_to_start_with_lag():
    # A [0,5); B waits one working week after A finishes: B [10,15) from Mon 16 Mar
    r = solve_checked(
        rollout_instance(tasks=[task("A"), task("B", after=[{"task": "A", "lag_weeks": 1}])])
    )
    assert starts(r) == {"A": "2026-03-02", "B": "2026-03-16"}
    assert r.objective == 15


def test_start_to_start_with_lag():
    # A two weeks [0,10); B starts one week after A starts: [5,10) -> completion 10
    tasks = [task("A", weeks=2), task("B", after=[{"task": "A", "type": "SS", "lag_weeks": 1}])]
    r = solve_checked(rollout_instance(tasks=tasks))
    assert starts(r) == {"A": "2026-03-02", "B": "2026-03-09"}
    assert r.objective == 10


def test_milestone_has_no_days():
    # A [0,5); milestone M at index 5 (Mon 9 Mar, end = start); B after M: [5,10)
    tasks = [task("A"), task("M", days=0, after=["A"]), task("B", after=["M"])]
    r = solve_checked(rollout_instance(tasks=tasks))
    plan = r.plan.by_key()
    assert plan[("F", "M", "")].start == plan[("F", "M", "")].end == dt.date(2026, 3, 9)
    assert starts(r)["B"] == "2026-03-09" and r.objective == 10


@pytest.mark.parametrize(("capacity", "completion"), [(1, 10), (2, 5)])
def test_resource_capacity(capacity, completion):
    # A and B one week each, both need the trainer: capacity 1 -> one after the other (10),
    # capacity 2 -> side by side (5)
    tasks = [task("A", resources={"R": 1}), task("B", resources={"R": 1})]
    r = solve_checked(rollout_instance(tasks=tasks, resources=[{"id": "R", "capacity": capacity}]))
    assert r.objective == completion


def test_per_unit_tasks_share_a_global_resource_and_link_unit_to_unit():
    # two centres; A per centre needs the one trainer: A@C1 [0,5), A@C2 [5,10) (unit order
    # breaks the symmetry); B per centre follows its own A: B@C2 [10,15) (B@C1 may float);
    # C (one day) waits for every B: [15,16) -> completion 16
    tasks = [
        task("A", per_unit=True, resources={"R": 1}),
        task("B", per_unit=True, after=["A"]),
        task("C", days=1, after=["B"]),
    ]
    r = solve_checked(
        rollout_instance(tasks=tasks, centres=2, resources=[{"id": "R", "capacity": 1}])
    )
    assert r.objective == 16
    s = starts(r)
    assert (s["A@C1"], s["A@C2"], s["B@C2"], s["C"]) == (
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
    )


def test_per_unit_resource_is_expanded_per_centre():
    # team leads, capacity 1 per centre: per-unit tasks of two centres run side by side
    # (completion 5), a city-wide task needing all leads waits: [5,10) -> completion 10
    tasks = [task("A", per_unit=True, resources={"leads": 1}), task("B", resources={"leads": 1})]
    inst = rollout_instance(
        tasks=tasks, centres=2, resources=[{"id": "leads", "capacity": 1, "per_unit": True}]
    )
    r = solve_checked(inst)
    assert r.objective == 10
    b = r.plan.by_key()[("F", "B", "")]
    assert b.resources == {"leads@C1": 1, "leads@C2": 1}


def test_event_dates():
    # the Fachkonferenz meets Wed 11 Mar (index 7) or Wed 25 Mar: earliest -> finish 8
    r = solve_checked(
        rollout_instance(tasks=[task("K", days=1, event_dates=["2026-03-25", "2026-03-11"])])
    )
    assert starts(r) == {"K": "2026-03-11"} and r.objective == 8


def test_fixed_start():
    # the leads' day is fixed on Wed 18 Mar (index 12); B (one day) after it: [13,14)
    tasks = [task("D", days=1, fixed_start="2026-03-18"), task("B", days=1, after=["D"])]
    r = solve_checked(rollout_instance(tasks=tasks))
    assert starts(r) == {"D": "2026-03-18", "B": "2026-03-19"} and r.objective == 14


def test_review_lag_in_calendar_weeks():
    # A on Mon 2 Mar (finish offset 1); the review starts at least 2 calendar weeks after
    # A's finish: offset >= 15 -> Tue 17 Mar (index 11), finish 12
    tasks = [
        task("A", days=1),
        task("R", days=1, after=[{"task": "A", "lag_weeks": 2, "unit": "calendar"}]),
    ]
    r = solve_checked(rollout_instance(tasks=tasks))
    assert starts(r)["R"] == "2026-03-17" and r.objective == 12


@pytest.mark.parametrize(
    ("anchor", "second_start", "objective"),
    [("finish", "2026-03-16", 5 + 11), ("start", "2026-03-09", 5 + 6)],
)
def test_stagger_after_previous_family(anchor, second_start, objective):
    # F1: A one week [0,5). F2: X one day, staggered one working week after A finishes
    # (X at 10 -> completion 11) or starts (X at 5 -> completion 6)
    families = [
        {"id": "F1", "tasks": [task("A")]},
        {
            "id": "F2",
            "stagger": {"task": "A", "anchor": anchor, "lag_weeks": 1},
            "tasks": [task("X", days=1)],
        },
    ]
    r = solve_checked(rollout_instance(families))
    assert starts(r)["F2/X"] == second_start and r.objective == objective


def test_rollout_blackout_is_skipped_and_paused_over():
    # blackout Mon 9 - Fri 13 Mar: a two-week task from Mon 2 Mar pauses over it and ends
    # Fri 20 Mar; it still counts 10 working days (completion 10)
    r = solve_checked(
        rollout_instance(
            tasks=[task("A", weeks=2)], blackouts=[{"start": "2026-03-09", "end": "2026-03-13"}]
        )
    )
    (t,) = r.plan.tasks
    assert (t.start, t.end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 20)) and r.objective == 10


def test_calendar_blackouts_apply_unless_switched_off():
    # the calendar closes Mon 2 - Fri 6 Mar: a one-day task starts Mon 9 Mar; with
    # calendar_blackouts off it starts Mon 2 Mar, with the rollout's own blackout of
    # 2-3 Mar on Wed 4 Mar
    closed = [{"start": "2026-03-02", "end": "2026-03-06"}]
    one = [task("A", days=1)]
    assert starts(solve_checked(rollout_instance(tasks=one, closed=closed))) == {"A": "2026-03-09"}
    off = rollout_instance(tasks=one, closed=closed, calendar_blackouts=False)
    assert starts(solve_checked(off)) == {"A": "2026-03-02"}
    own = rollout_instance(
        tasks=one,
        closed=closed,
        calendar_blackouts=False,
        blackouts=[{"start": "2026-03-02", "end": "2026-03-03"}],
    )
    assert starts(solve_checked(own)) == {"A": "2026-03-04"}


def test_blocked_days_keep_team_lead_tasks_off_training_days():
    # centre C1 has a training group in training on Tue 3 Mar: the two-day per-unit task
    # that needs C1's team leads cannot use it -> Wed 4 - Thu 5 Mar (completion 4); a
    # per-unit task without the leads and a city-wide task with them are not affected
    tasks = [
        task("L", days=2, per_unit=True, resources={"leads": 1}),
        task("N", days=2, per_unit=True),
    ]
    families = [
        {"id": "F", "tasks": tasks},
        {"id": "G", "tasks": [task("W", days=1, resources={"leads": 1})]},
    ]
    inst = rollout_instance(families, resources=[{"id": "leads", "capacity": 2, "per_unit": True}])
    free = solve_checked(inst)
    assert starts(free)["L@C1"] == "2026-03-02"
    blocked = {"C1": {dt.date(2026, 3, 3)}}
    r = solve_checked(inst, blocked_days=blocked)
    s = starts(r)
    assert (s["L@C1"], s["N@C1"], s["G/W"]) == ("2026-03-04", "2026-03-02", "2026-03-02")
    assert r.objective == 4 + 1
    # the checker sees the violation in the unconstrained plan
    (v,) = check_rollout(inst, free.plan, blocked)
    assert v.rule == "blocked_days" and v.dates == (dt.date(2026, 3, 3),)


def _root_bound(instance: Instance, *, redundant: bool) -> float:
    """CP-SAT's bound after root propagation alone (no search conflict allowed)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_number_of_conflicts = 0
    solver.solve(RolloutModel(instance, redundant=redundant).model)
    return solver.best_objective_bound


@pytest.mark.parametrize(
    ("after_b", "optimum"),
    [
        # C (one day) right after every B: the last B ends at 20 -> completion 21
        (["B"], 21),
        # C two calendar weeks after the last B's finish: B ends Fri 27 Mar (finish offset
        # 26), C on offset >= 40 (Sat 11 Apr) -> Mon 13 Apr (index 28; Good Friday and Easter
        # Monday are holidays) -> completion 29
        ([{"task": "B", "lag_weeks": 2, "unit": "calendar"}], 29),
    ],
)
def test_group_span_carries_the_bound_of_a_whole_task(after_b, optimum):
    # seven centres, A per centre needs the one institute of capacity 3: three waves of a
    # week, the last A ends at 15 at the earliest, its centre's B at 20. CP-SAT's energy
    # reasoning alone sees 7 x 5 / 3 = 11.7 days of A; the redundant span rule (and the
    # whole-task precedences) put the optimum into the root bound
    tasks = [
        task("A", per_unit=True, resources={"R": 1}),
        task("B", per_unit=True, after=["A"]),
        task("C", days=1, after=after_b),
    ]
    inst = rollout_instance(tasks=tasks, centres=7, resources=[{"id": "R", "capacity": 3}])
    assert solve_checked(inst).objective == optimum
    assert _root_bound(inst, redundant=True) == optimum
    assert _root_bound(inst, redundant=False) < optimum


def test_infeasible_names_the_conflicting_rules():
    # B is fixed on Tue 3 Mar but must follow the one-week task A
    tasks = [task("A"), task("B", days=1, fixed_start="2026-03-03", after=["A"])]
    r = solve_checked(rollout_instance(tasks=tasks))
    assert r.status == "infeasible" and r.plan is None
    assert "fixed start" in r.outcome.message and "task order" in r.outcome.message


def test_infeasible_capacity_is_named():
    tasks = [task("A", resources={"R": 2})]
    r = solve_checked(rollout_instance(tasks=tasks, resources=[{"id": "R", "capacity": 1}]))
    assert r.status == "infeasible"
    assert "resource capacity" in r.outcome.message and "F/A needs 2 of R" in r.outcome.message


def test_checker_finds_broken_plans():
    inst = rollout_instance(
        tasks=[task("A", resources={"R": 1}), task("B", resources={"R": 1}, after=["A"])],
        resources=[{"id": "R", "capacity": 1}],
    )
    r = solve_checked(inst)
    plan = r.plan.model_copy(deep=True)
    b = plan.by_key()[("F", "B", "")]
    b.start, b.end = dt.date(2026, 3, 2), dt.date(2026, 3, 6)  # overlaps A
    rules = {v.rule for v in check_rollout(inst, plan)}
    assert rules == {"precedence", "capacity"}
    plan.tasks[0].start = dt.date(2026, 3, 7)  # a Saturday
    assert "working_days" in {v.rule for v in check_rollout(inst, plan)}


def test_same_seed_one_worker_same_plan():
    tasks = [task("A", per_unit=True, resources={"R": 1}), task("B", after=["A"])]
    inst = rollout_instance(tasks=tasks, centres=3, resources=[{"id": "R", "capacity": 1}])
    runs = [solve_checked(inst, seed=3).plan.model_dump_json() for _ in range(2)]
    assert runs[0] == runs[1]


# ---------------------------------------------------------------------- validation
def _problems(families: list[dict], **kw: Any) -> str:
    with pytest.raises(InputError) as exc:
        rollout_instance(families, **kw)
    return str(exc.value)


@pytest.mark.parametrize(
    ("families", "fragments"),
    [
        (
            [{"id": "F", "tasks": [task("A", resources={"INSO": 1})]}],
            ["rollout.families[0].tasks[0].resources.INSO", "unknown resource 'INSO'"],
        ),
        (
            [{"id": "F", "tasks": [task("A", after=["Z"])]}],
            ["rollout.families[0].tasks[0].after[0].task", "unknown task 'Z'"],
        ),
        (
            [{"id": "F", "tasks": [task("A", after=["B"]), task("B", after=["A"])]}],
            ["rollout.families[0].tasks", "cyclic task order: A -> B -> A"],
        ),
        (
            [
                {"id": "F", "tasks": [task("A")]},
                {"id": "G", "stagger": {"family": "H", "task": "A"}, "tasks": [task("X")]},
            ],
            ["rollout.families[1].stagger.family", "unknown family 'H'"],
        ),
        (
            [{"id": "F", "stagger": {"task": "A"}, "tasks": [task("A")]}],
            ["rollout.families[0].stagger", "listed first"],
        ),
        (
            [{"id": "F", "tasks": [task("A", weeks=-2)]}],
            ["rollout.families[0].tasks[0]", "must not be negative (got -2 weeks)"],
        ),
        (
            [{"id": "F", "tasks": [task("A", weeks=0.3)]}],
            ["rollout.families[0].tasks[0]", "give whole days"],
        ),
        (
            [{"id": "F", "tasks": [task("A", days=1, fixed_start="2026-03-07")]}],
            ["rollout.families[0].tasks[0].fixed_start", "not a working weekday (Sat)"],
        ),
        (
            [{"id": "F", "tasks": [task("A", days=1, event_dates=["2026-04-06"])]}],
            ["rollout.families[0].tasks[0].event_dates[0]", "public holiday"],
        ),
        (
            [{"id": "F", "tasks": [task("A"), task("A")]}],
            ["rollout.families[0].tasks", "task id 'A' is used twice"],
        ),
    ],
)
def test_validation_errors_name_the_field(families, fragments):
    message = _problems(families)
    for fragment in fragments:
        assert fragment in message, message


def test_unknown_unit_is_named():
    message = _problems([{"id": "F", "tasks": [task("A")]}], units=["SZ9"])
    assert "rollout.units[0]" in message and "unknown centre 'SZ9'" in message


# ------------------------------------------------------------- the Bremen rollout
@pytest.fixture(scope="module")
def bremen_rollout() -> Instance:
    inst = load_instance(bundled_path())
    assert inst.rollout is not None
    return inst


def test_bremen_rollout_solves_to_optimality(bremen_rollout):
    inst = bremen_rollout
    r = solve(inst, time_limit=30, workers=2, seed=0)
    assert r.status == "optimal", r.outcome
    assert check_rollout(inst, r.plan) == []
    terms = rollout_terms(inst, r.plan)
    assert {k: float(v) for k, v in terms.items()} == r.outcome.terms
    plan = r.plan.by_key()
    assert len(r.plan.tasks) == 8 + 2 * 6 + 3 * (6 + 2 * 6)
    assert plan[("kinderschutz", "einfuehrung_rl", "")].start == dt.date(2016, 1, 28)
    assert plan[("kinderschutz", "leitungsebene", "")].start == dt.date(2016, 1, 18)
    trained = max(
        t.end for t in r.plan.tasks if t.task == "schulung" and t.family == "kinderschutz"
    )
    review = plan[("kinderschutz", "ueberpruefung", "")].start
    assert (review - trained).days >= 26 * 7
    # child protection (the highest priority) does not finish last
    ends = {f: v for f, v in terms.items() if f.startswith("completion:")}
    assert ends["completion:kinderschutz"] <= ends["completion:kollegiale_beratung"]
    assert inst.parts() == ["training", "staffing", "rollout"]


# ---------------------------------------------------------------------- property
@st.composite
def random_rollouts(draw):
    n_centres = draw(st.integers(1, 2))
    caps = {"R": draw(st.integers(1, 2)), "leads": draw(st.integers(1, 2))}
    fridays = ["2026-03-06", "2026-03-13", "2026-03-20", "2026-03-27"]
    families = []
    for f in range(draw(st.integers(1, 2))):
        tasks = []
        for k in range(draw(st.integers(1, 3))):
            t = task(
                f"T{k}",
                days=draw(st.integers(0, 4)),
                per_unit=draw(st.booleans()),
                resources={r: draw(st.integers(0, caps[r])) for r in caps if draw(st.booleans())},
            )
            if k and draw(st.booleans()):
                unit = draw(st.sampled_from(["working", "calendar"]))
                lags = [0, 0.2, 1] if unit == "working" else [0, 1]
                t["after"] = [
                    {
                        "task": f"T{draw(st.integers(0, k - 1))}",
                        "type": draw(st.sampled_from(["FS", "SS"])),
                        "lag_weeks": draw(st.sampled_from(lags)),
                        "unit": unit,
                    }
                ]
            if draw(st.integers(0, 4)) == 0:
                t["event_dates"] = draw(st.lists(st.sampled_from(fridays), min_size=1, max_size=2))
            tasks.append(t)
        fam = {"id": f"F{f}", "priority": draw(st.integers(0, 3)), "tasks": tasks}
        if f and draw(st.booleans()):
            fam["stagger"] = {
                "task": "T0",
                "anchor": draw(st.sampled_from(["finish", "start"])),
                "lag_weeks": draw(st.sampled_from([0, 0.4])),
            }
        families.append(fam)
    inst = rollout_instance(
        families,
        centres=n_centres,
        resources=[
            {"id": "R", "capacity": caps["R"]},
            {"id": "leads", "capacity": caps["leads"], "per_unit": True},
        ],
        weights={"makespan": draw(st.integers(0, 2))},
    )
    days = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(14)]
    blocked = {"C1": set(draw(st.lists(st.sampled_from(days), max_size=3)))}
    return inst, blocked


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_rollouts())
def test_every_plan_passes_the_checker(case):
    inst, blocked = case
    r = solve_checked(inst, blocked_days=blocked, time_limit=10)  # checks plan and terms
    assert r.status in ("optimal", "infeasible")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_rollouts())
def test_redundant_rules_keep_the_optimum(case):
    # the redundant rules (`_group_precedences`, `_group_spans`) only strengthen the bound:
    # with and without them CP-SAT proves the same optimum
    inst, blocked = case
    values = []
    for redundant in (True, False):
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10
        model = RolloutModel(inst, blocked_days=blocked, redundant=redundant)
        code = solver.solve(model.model)
        assert code in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
        values.append(solver.objective_value if code == cp_model.OPTIMAL else None)
    assert values[0] == values[1]


# ------------------------------------------------------------------ the checker by rule
def _hand_plan(inst: Instance, starts: dict[str, int] | None = None) -> RolloutPlan:
    """Every task instance started on a working-day index (`starts` by label, default 0),
    with the end and resources its template gives."""
    part = inst.rollout
    cal = rollout_calendar(inst.calendar, part)
    tasks = expand(part, unit_ids(part, inst.organisation.centre_ids()))
    return plan_from_starts(cal, [(i, (starts or {}).get(i.label, 0)) for i in tasks])


def _moved(plan: RolloutPlan, start: str, end: str) -> RolloutPlan:
    """The plan with its first task moved to the given dates."""
    plan.tasks[0].start, plan.tasks[0].end = (
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
    )
    return plan


_R1 = [{"id": "R", "capacity": 1}]
_LEADS = [{"id": "leads", "capacity": 1, "per_unit": True}]
_STAGGERED = [
    {"id": "F1", "tasks": [task("A")]},
    {"id": "F2", "stagger": {"task": "A"}, "tasks": [task("X", days=1)]},
]

BROKEN_ROLLOUT = [
    # (rule id, instance, plan, blocked days); Mon 2 Mar 2026 is working-day index 0
    ("completeness", rollout_instance(), lambda inst: RolloutPlan(), None),
    (
        "working_days",
        rollout_instance(),
        lambda inst: _moved(_hand_plan(inst), "2026-03-07", "2026-03-13"),  # a Saturday
        None,
    ),
    (
        "horizon",  # 26-29 May are the last 4 working days, the task needs 5
        rollout_instance(),
        lambda inst: _moved(_hand_plan(inst), "2026-05-26", "2026-05-29"),
        None,
    ),
    ("rollout_start", rollout_instance(start="2026-03-09"), _hand_plan, None),
    (
        "resources",
        rollout_instance(tasks=[task("A", resources={"R": 1})], resources=_R1),
        lambda inst: RolloutPlan(
            tasks=[_hand_plan(inst).tasks[0].model_copy(update={"resources": {}})]
        ),
        None,
    ),
    ("precedence", rollout_instance(tasks=[task("A"), task("B", after=["A"])]), _hand_plan, None),
    (
        "event_date",
        rollout_instance(tasks=[task("A", event_dates=["2026-03-09"])]),
        _hand_plan,
        None,
    ),
    (
        "fixed_start",
        rollout_instance(tasks=[task("A", fixed_start="2026-03-03")]),
        _hand_plan,
        None,
    ),
    ("stagger", rollout_instance(_STAGGERED), _hand_plan, None),
    (
        "blocked_days",
        rollout_instance(
            tasks=[task("L", days=1, per_unit=True, resources={"leads": 1})], resources=_LEADS
        ),
        _hand_plan,
        {"C1": {dt.date(2026, 3, 2)}},
    ),
    (
        "capacity",
        rollout_instance(
            tasks=[task("A", resources={"R": 1}), task("B", resources={"R": 1})], resources=_R1
        ),
        _hand_plan,
        None,
    ),
]


@pytest.mark.parametrize(
    ("rule", "instance", "make_plan", "blocked"),
    [pytest.param(*case, id=case[0]) for case in BROKEN_ROLLOUT],
)
def test_check_rollout_rule(rule, instance, make_plan, blocked):
    """`check_<rule>` catches a hand-made plan that breaks the rule, only with that id, and
    check_rollout lists what it finds."""
    plan = make_plan(instance)
    check = getattr(check_rollout_module, f"check_{rule}")
    found = check(rollout_context(instance, plan, blocked))
    assert found and {v.rule for v in found} == {rule}
    assert set(found) <= set(check_rollout(instance, plan, blocked))


def test_objective_is_the_integer_cp_sat_reports_as_a_float():
    # CP-SAT reports an integral objective as a double (98.00000000000001 came up in
    # tests/test_baselines_rollout.py): the rollout part reports the integer, so a plan of
    # the same value compares equal
    from types import SimpleNamespace

    from solver.joint import JointSolve
    from solver.rollout import RolloutSolve

    near = SimpleNamespace(objective_value=98.00000000000001)
    for part in (RolloutSolve, JointSolve):
        assert part.objective(None, near, None) == 98.0


def test_a_small_model_is_searched_whole_by_both_workers_a_large_one_keeps_the_lns():
    from ortools.sat.python import cp_model

    from solver import rollout

    def tuned(n_vars: int, workers: int):
        model = cp_model.CpModel()
        for i in range(n_vars):
            model.new_int_var(0, 1, f"v{i}")
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        rollout._tuner(model)(solver)
        return list(solver.parameters.subsolvers), solver.parameters.num_full_subsolvers

    small, large = rollout.FULL_SEARCH_VARIABLES, rollout.FULL_SEARCH_VARIABLES + 1
    assert tuned(small, 2) == (["default_lp", "no_lp"], 2)
    assert tuned(large, 2) == ([], 0)
    assert tuned(small, 1) == ([], 0)
