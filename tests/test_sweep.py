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
