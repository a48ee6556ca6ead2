"""Coupled planning: the training calendar drives the rollout (a centre's own tasks avoid its
training days) and the staffing relief need (teams in training lose BV-days).

The instance: one group G1 of centre C1 (team T1, 10 BV, 2 vacant), one one-day module
`A`; a rollout task `L` (2 days, per centre, needs C1's team leads) and a task `N`
(2 days, per centre, no leads); a staffing unit U1 linked to team T1. The horizon starts on
Monday 2 March 2026 (22 working days in March; 20 in April: 22 weekdays less Good Friday
3 April and Easter Monday 6 April, holidays in Bremen).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from cli.main import cli
from models.check_rollout import check_rollout
from models.coupling import training_days_by_centre, training_relief
from models.io import instance_from_dict
from solver.rollout import solve as solve_rollout
from solver.training import solve as solve_training
from tests.builders import tiny_dict


def coupled_dict(earliest: str | None = None) -> dict:
    data = tiny_dict(group1={"teams": ["T1"], **({"earliest_start": earliest} if earliest else {})})
    data["organisation"]["teams"] = [{"id": "T1", "centre": "C1"}]
    data["rollout"] = {
        "resources": [{"id": "leads", "capacity": 1, "per_unit": True}],
        "families": [
            {
                "id": "F",
                "tasks": [
                    {"id": "L", "days": 2, "per_unit": True, "resources": {"leads": 1}},
                    {"id": "N", "days": 2, "per_unit": True},
                ],
            }
        ],
        "weights": {"makespan": 0},
    }
    data["staffing"] = {
        "start_month": "2026-03",
        "months": 3,
        "categories": [{"id": "cm", "tranches": [{"id": "t", "bv": 1, "release": "2026-03"}]}],
        "units": [
            {"id": "U1", "category": "cm", "centre": "C1", "team": "T1", "bv": 10, "vacancies": 2}
        ],
        "hiring": {"lag": {1: 1.0}, "fill_probability": 1.0, "attrition": 0.0},
    }
    return data


def _starts(plan) -> dict[str, dt.date]:
    return {f"{t.task}@{t.unit}": t.start for t in plan.tasks}


def test_rollout_moves_off_the_centres_training_day():
    # training: A on Mon 2 Mar (completion). Free rollout: L and N on Mon 2 - Tue 3 Mar.
    # Coupled: C1 is in training on 2 Mar, so L (needs C1's leads) moves to Tue 3 - Wed 4;
    # N (no leads) stays. Objective (completion, working days) 2 -> 3.
    inst = instance_from_dict(coupled_dict())
    training = solve_training(inst, time_limit=10, workers=1)
    assert [s.start for s in training.plan.planned()] == [dt.date(2026, 3, 2)]
    blocked = training_days_by_centre(inst, training.plan)
    assert blocked == {"C1": {dt.date(2026, 3, 2)}}
    free = solve_rollout(inst, time_limit=10, workers=1)
    coupled = solve_rollout(inst, time_limit=10, workers=1, blocked_days=blocked)
    assert _starts(free.plan)["L@C1"] == dt.date(2026, 3, 2)
    assert _starts(coupled.plan)["L@C1"] == dt.date(2026, 3, 3)
    assert _starts(coupled.plan)["N@C1"] == dt.date(2026, 3, 2)
    assert check_rollout(inst, coupled.plan, blocked) == []
    assert [v.rule for v in check_rollout(inst, free.plan, blocked)] == ["blocked_days"]


@pytest.mark.parametrize(
    ("earliest", "month", "working_days"), [(None, 0, 22), ("2026-04-01", 1, 20)]
)
def test_relief_need_follows_the_training_plan(earliest, month, working_days):
    # one training day of a team with 8 filled BV in a month of w working days:
    # 8/w BV of relief in the month of the session, nothing in the others
    inst = instance_from_dict(coupled_dict(earliest))
    plan = solve_training(inst, time_limit=10, workers=1).plan
    (day,) = [s.start for s in plan.planned()]
    assert (day.month - 3) == month
    assert training_relief(inst, plan) == {("U1", month): pytest.approx(8 / working_days)}


def test_juwe_plan_records_the_coupling(tmp_path):
    path = tmp_path / "coupled.json"
    path.write_text(json.dumps(coupled_dict()), encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(
        cli, ["plan", str(path), "--out", str(out), "--workers", "1", "--time-limit", "10", "-q"]
    )
    assert r.exit_code == 0, r.output
    saved = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    starts = {f"{t['task']}@{t['unit']}": t["start"] for t in saved["rollout"]["plan"]["tasks"]}
    assert starts["L@C1"] == "2026-03-03"
    assert "1 centre-days of module training" in saved["rollout"]["coupling"]
    assert saved["staffing"]["relief"] == [["U1", "2026-03", round(8 / 22, 4)]]
    assert (
        "relief need of the teams in training from the training plan"
        in (saved["staffing"]["coupling"])
    )


# ------------------------------------------------------------------- joint planning
def test_joint_model_lets_the_training_give_way():
    # rollout family F weighted 5. Sequential: A on Mon 2 Mar (training objective t0),
    # L on Tue 3 - Wed 4 -> F completes at working-day index 3: 15. Jointly: A on
    # Wed 4 Mar (2 calendar days later: t0 + 2), L and N on Mon 2 - Tue 3 -> F at 2: 10.
    # Combined 15 + t0 -> 12 + t0.
    from solver.joint import solve_joint

    data = coupled_dict()
    data["rollout"]["families"][0]["priority"] = 5
    inst = instance_from_dict(data)
    training = solve_training(inst, time_limit=10, workers=1)
    blocked = training_days_by_centre(inst, training.plan)
    rollout = solve_rollout(inst, time_limit=10, workers=1, blocked_days=blocked)
    t0 = training.objective
    assert rollout.objective == 15
    joint = solve_joint(inst, hint=(training.plan, rollout.plan), time_limit=10, workers=1)
    assert joint.outcome.status == "optimal"
    assert joint.outcome.objective == joint.outcome.bound == t0 + 12
    assert joint.outcome.terms == {"training": t0 + 2, "rollout": 10}
    assert [s.start for s in joint.training.plan.planned()] == [dt.date(2026, 3, 4)]
    assert _starts(joint.rollout.plan)["L@C1"] == dt.date(2026, 3, 2)
    new_blocked = training_days_by_centre(inst, joint.training.plan)
    assert check_rollout(inst, joint.rollout.plan, new_blocked) == []


def test_joint_respects_rollout_blackouts_like_blocked_days():
    # the rollout is closed on Tue 3 Mar (its own blackout), the training is not, and the
    # group trains on Tue 3 Mar (its earliest start). L runs on the rollout's working days
    # Mon 2 and Wed 4 Mar: the training day lies inside its span but is no rollout day, so
    # it does not block L (the rule of `blocked_days`), jointly as well as sequentially.
    from solver.joint import solve_joint

    data = coupled_dict("2026-03-03")
    data["rollout"]["blackouts"] = [{"start": "2026-03-03", "end": "2026-03-03"}]
    inst = instance_from_dict(data)
    training = solve_training(inst, time_limit=10, workers=1)
    blocked = training_days_by_centre(inst, training.plan)
    rollout = solve_rollout(inst, time_limit=10, workers=1, blocked_days=blocked)
    assert _starts(rollout.plan)["L@C1"] == dt.date(2026, 3, 2)
    joint = solve_joint(inst, time_limit=10, workers=1)
    assert joint.outcome.objective == training.objective + rollout.objective
    assert [s.start for s in joint.training.plan.planned()] == [dt.date(2026, 3, 3)]
    assert _starts(joint.rollout.plan)["L@C1"] == dt.date(2026, 3, 2)
    assert joint.rollout.plan.by_key()[("F", "L", "C1")].end == dt.date(2026, 3, 4)


def test_juwe_plan_joint(tmp_path):
    data = coupled_dict()
    data["rollout"]["families"][0]["priority"] = 5
    path = tmp_path / "coupled.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out"
    args = ["plan", str(path), "--out", str(out), "--workers", "1", "--time-limit", "10"]
    r = CliRunner().invoke(cli, [*args, "--joint"])
    assert r.exit_code == 0, r.output
    assert "joint (used; sequential" in r.output
    saved = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert saved["joint"]["used"] is True
    assert saved["joint"]["outcome"]["objective"] == saved["joint"]["sequential_objective"] - 3
    assert "seconds" not in saved["joint"]["outcome"]
    assert "planned jointly" in saved["rollout"]["coupling"]
    sessions = (out / "training_sessions.csv").read_text(encoding="utf-8")
    assert "2026-03-04" in sessions
    # relief follows the joint training plan (Wed 4 Mar is still March)
    assert saved["staffing"]["relief"] == [["U1", "2026-03", round(8 / 22, 4)]]


def test_joint_needs_training_and_rollout(tmp_path):
    data = coupled_dict()
    del data["rollout"]
    path = tmp_path / "no-rollout.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    r = CliRunner().invoke(cli, ["plan", str(path), "--out", str(tmp_path / "o"), "--joint"])
    assert r.exit_code == 2
    assert "--joint needs an instance with a training and a rollout part" in r.output


def test_joint_keeps_centres_apart_that_training_tells_apart():
    # centres C1 (group G1, training pinned to Mon 2 Mar) and C2 (no group); L (2 days, per
    # centre, needs the leads and the one city-wide R). Sequentially: L@C2 Mon 2 - Tue 3,
    # L@C1 Wed 4 - Thu 5 (R busy before, 2 Mar blocked) -> F completes at index 4.
    # The rollout's unit symmetry breaking (L@C1 no later than L@C2) would force
    # L@C1 Tue 3 - Wed 4, L@C2 Thu 5 - Fri 6 -> 5: the joint model must not use it.
    from solver.joint import solve_joint

    data = coupled_dict()
    data["organisation"]["centres"].append({"id": "C2"})
    g = data["organisation"]["groups"][0]
    g["earliest_start"] = g["deadline"] = "2026-03-02"
    data["rollout"]["resources"].append({"id": "R", "capacity": 1})
    data["rollout"]["families"][0]["tasks"] = [
        {"id": "L", "days": 2, "per_unit": True, "resources": {"leads": 1, "R": 1}}
    ]
    inst = instance_from_dict(data)
    training = solve_training(inst, time_limit=10, workers=1)
    blocked = training_days_by_centre(inst, training.plan)
    rollout = solve_rollout(inst, time_limit=10, workers=1, blocked_days=blocked)
    assert rollout.objective == 4
    assert _starts(rollout.plan) == {"L@C1": dt.date(2026, 3, 4), "L@C2": dt.date(2026, 3, 2)}
    joint = solve_joint(inst, hint=(training.plan, rollout.plan), time_limit=10, workers=1)
    assert joint.outcome.status == "optimal"
    assert joint.outcome.objective == training.objective + 4
