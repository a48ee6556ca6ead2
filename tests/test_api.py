"""The public Python API (`import juwe`), and the README's notebook example run as is."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

import juwe

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_notebook_example_runs(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert (tmp_path / "plan-out" / "plan.json").is_file()
    assert (tmp_path / "plan-out" / "solve_stats.json").is_file()
    assert isinstance(namespace["sessions"], pd.DataFrame)


@pytest.fixture(scope="module")
def programme():
    return juwe.plan(juwe.load_instance("bremen-2016"), juwe.SolveParams(time_limit=30, workers=2))


def test_frames_have_real_dates(programme):
    sessions = programme.plan.training.plan.to_frame()
    assert pd.api.types.is_datetime64_any_dtype(sessions["start"])
    planned = sessions[sessions["status"] == "planned"]
    assert planned["start"].notna().all() and (planned["end"] >= planned["start"]).all()
    allocations = programme.plan.staffing.plan.to_frame()
    assert pd.api.types.is_datetime64_any_dtype(allocations["post_month"])
    assert allocations["bv"].sum() > 0
    tasks = programme.plan.rollout.plan.to_frame()
    assert pd.api.types.is_datetime64_any_dtype(tasks["end"])


def test_check_finds_a_broken_plan(programme):
    plan = programme.plan.model_copy(deep=True)
    first = plan.training.plan.planned()[0]
    first.start = first.start.replace(year=first.start.year + 30)  # outside the horizon
    found = juwe.check(plan)["training"]
    assert found and all(str(v) for v in found)


def test_write_outputs_never_overwrites(programme, tmp_path):
    out = tmp_path / "out"
    written = juwe.write_outputs(programme, out)
    assert {"plan.json", "solve_stats.json", "report.html", "plan.xlsx"} <= {
        p.name for p in written
    }
    (out / "notes.txt").write_text("mine")
    with pytest.raises(juwe.InputError, match="not empty"):
        juwe.write_outputs(programme, out)
    assert (out / "notes.txt").read_text() == "mine"
    again = juwe.write_outputs(programme.plan, out, force=True)  # a PlanFile: no stats
    assert "solve_stats.json" not in {p.name for p in again}
    assert juwe.load_plan(out / "plan.json").training.plan == programme.plan.training.plan


def test_load_instance_names_the_bad_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncalendar: {country: DE, subdivision: HB, start: 2026-13-01}\n")
    with pytest.raises(juwe.InputError) as info:
        juwe.load_instance(bad)
    assert "calendar" in str(info.value) and os.fspath(bad) in str(info.value)


def test_the_api_reexports_only():
    import inspect

    own = [n for n, v in vars(juwe).items() if inspect.isfunction(v) and v.__module__ == "juwe"]
    assert own == []  # no logic in the API package: it names what the layers below provide
    assert juwe.plan.__module__ == "solver.programme"
    assert juwe.compare_robust.__module__ == "solver.staffing_robust"
    assert set(juwe.__all__) <= set(vars(juwe))
    assert juwe.__version__
