"""`juwe sweep`: every point of a small grid on the Bremen training is planned and checked,
sweep.csv has a row per point with each group's finishing date, sweep.html is offline, and
the question "smallest number of trainers with which every group finishes by a date" is
answered with the status of one fewer."""

from __future__ import annotations

import csv

import yaml

from instances import resolve_instance
from models.io import load_instance
from models.sweep import Point, SweepFile, apply_point
from solver.sweep import smallest


def test_points_change_the_instance():
    inst = load_instance(resolve_instance("bremen-2016"))
    changed = apply_point(inst, Point(trainers=1, monthly_cap=5))
    assert [t.id for t in changed.training.trainers] == ["T1"]
    assert changed.training.trainers[0].max_days_per_month == 5
    spec = SweepFile.model_validate({"grid": {"monthly_cap": [6, 8]}, "finish_by": "2017-06-30"})
    points = spec.expand(inst)
    assert [p.monthly_cap for p in points] == [6, 8]
    assert all(str(p.finish_by) == "2017-06-30" for p in points)


def test_smallest_names_the_proof_for_one_fewer():
    rows = [
        {"trainers": 1, "status": "infeasible", "message": "deadline (group 3)"},
        {"trainers": 2, "status": "optimal"},
        {"trainers": 3, "status": "optimal"},
    ]
    out = smallest(rows, "trainers")
    assert out["answer"] == 2
    assert "trainers=1 (one fewer) is infeasible: deadline (group 3)" in out["text"]


def test_sweep_writes_a_row_per_point_and_answers(juwe, tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        yaml.safe_dump(
            {
                "grid": {"monthly_cap": [0, 8]},
                "question": {"smallest": "trainers", "finish_by": "2017-12-31", "values": [1, 2]},
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = juwe(
        "sweep",
        "bremen-2016",
        "--grid",
        grid,
        "--out",
        out,
        "--time-limit",
        "10",
        "--work-limit",
        "5",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out / "sweep.csv", encoding="utf-8")))
    assert len(rows) == 4
    by = {r["point"]: r for r in rows}
    assert by["monthly_cap=0"]["status"] == "infeasible" and by["monthly_cap=0"]["message"]
    assert by["monthly_cap=8"]["status"] in ("optimal", "feasible")
    assert by["monthly_cap=8"]["finish_4"] and by["monthly_cap=8"]["wave_1_end"]
    assert "smallest trainers: 1" in result.output
    page = (out / "sweep.html").read_text(encoding="utf-8")
    assert "last_finish against" in page and 'src="http' not in page


def test_points_change_coverage_weights_and_rollout():
    inst = load_instance(resolve_instance("bremen-2016"))
    changed = apply_point(
        inst,
        Point(
            coverage=2,
            centre_coverage={"SZ1": 3},
            weights={"completion": 7},
            rollout_start="2016-01-20",
            rollout_capacity={"inso": 2},
        ),
    )
    tr = changed.training
    assert tr.max_groups_per_centre_per_day == 2 and tr.coverage("SZ1") == 3
    assert tr.coverage("SZ2") == 2
    assert tr.weights.completion == 7 and tr.weights.weekday == inst.training.weights.weekday
    assert str(changed.rollout.start) == "2016-01-20"
    assert {r.id: r.capacity for r in changed.rollout.resources}["inso"] == 2
    for bad, words in [
        (Point(centre_coverage={"SZ9": 2}), "unknown centre 'SZ9'"),
        (Point(weights={"speed": 1}), "unknown training weight 'speed'"),
        (Point(rollout_capacity={"nobody": 1}), "unknown resource 'nobody'"),
    ]:
        try:
            apply_point(inst, bad)
        except ValueError as exc:
            assert words in str(exc)
        else:
            raise AssertionError(f"{bad} was accepted")
    spec = SweepFile.model_validate(
        {"grid": {"coverage": [1, 2], "finish_by": ["2017-06-30", "2017-12-31"]}}
    )
    points = spec.expand(inst)
    assert len(points) == 4 and {p.coverage for p in points} == {1, 2}
    assert Point(centre_coverage={"SZ1": 2}).label() == "centre_coverage=SZ1:2"


def test_sweep_point_answers_rollout_and_checked():
    """One point with a training and a rollout plan: both checked, the rollout's end and
    each family's end are answers."""
    from solver.params import SolveParams
    from solver.sweep import SweepTask, run_sweep_point

    inst = load_instance(resolve_instance("bremen-2016"))
    params = SolveParams(time_limit=10, workers=1, work_limit=5)
    row = run_sweep_point(SweepTask(Point(coverage=2), inst, params))
    assert row["status"] in ("optimal", "feasible"), row
    assert row["checked"] is True
    assert row["coverage"] == 2
    assert row["rollout_status"] in ("optimal", "feasible")
    assert row["rollout_span_days"] > 0
    families = [k for k in row if k.startswith("rollout_") and k.endswith("_end")]
    families.remove("rollout_end")
    assert families and max(row[k] for k in families) == row["rollout_end"]
