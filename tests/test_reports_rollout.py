"""Anlage 2 and the rollout tables, from the Bremen rollout plan."""

from __future__ import annotations

import pytest

from instances import bundled_path
from models.io import load_instance
from reports.rollout import anlage2_table, resource_usage, rollout_tasks_table, write_rollout_files
from solver.rollout import solve

SEED_TASKS = [  # Anlage 2, child protection, in the seed's order
    "Kernprozesse auf Leitungsebene vorstellen und abstimmen",
    "Überarbeiten / ergänzen",
    "In der Fachkonferenz vorstellen und abstimmen",
    "Referatsleitungen in die Prozesse einführen",
    "Schulungsmaterial",
    "Schulung",
    "Testphase",
    "Zwischenauswertung",
    "anpassen",
]


@pytest.fixture(scope="module")
def bremen_rollout():
    inst = load_instance(bundled_path())
    result = solve(inst, time_limit=30, workers=2)
    assert result.plan is not None
    return inst, result.plan


def test_anlage2_lists_the_nine_seed_tasks_in_order(bremen_rollout):
    inst, plan = bremen_rollout
    table = anlage2_table(inst, plan)
    titles = table[table["Familie"] == inst.rollout.families[0].name]["Titel"].tolist()
    positions = []
    for words in SEED_TASKS:
        hits = [i for i, t in enumerate(titles) if words.lower() in t.lower()]
        assert hits, f"no Anlage 2 row for {words!r}: {titles}"
        positions.append(hits[0])
    assert positions == sorted(positions)


def test_anlage2_marks_the_months_each_task_runs(bremen_rollout):
    inst, plan = bremen_rollout
    table = anlage2_table(inst, plan).set_index(["Familie", "Aufgabe"])
    names = {f.id: f.name or f.id for f in inst.rollout.families}
    for t in plan.tasks:
        row = table.loc[(names[t.family], t.task)]
        assert row[f"{t.start.year}-{t.start.month:02d}"] == "x"
        assert row[f"{t.end.year}-{t.end.month:02d}"] == "x"


def test_rollout_files_and_resource_profile(bremen_rollout, tmp_path):
    inst, plan = bremen_rollout
    paths = write_rollout_files(inst, plan, tmp_path)
    assert [p.name for p in paths] == ["rollout_tasks.csv", "anlage2.csv", "anlage2.html"]
    assert len(rollout_tasks_table(plan)) == len(plan.tasks)
    html = paths[2].read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html
    caps = {r.id: r.capacity for r in inst.rollout.resources}
    usage = resource_usage(inst, plan)
    for res, used in usage.groupby("resource")["used"].max().items():
        assert used <= caps[res.split("@")[0]], res
