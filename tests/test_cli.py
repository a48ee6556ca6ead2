"""The `juwe` command line: schema, validate, help, and planning the bundled instance.

The end-to-end run solves the bundled Bremen instance once (a few seconds) and is shared by
the tests of this module; every plan it writes goes through the independent checker.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from instances import bundled_path
from models.check_training import check_training, training_terms
from models.io import load_instance, load_plan
from models.plan import TrainingPlan
from tests.builders import tiny_dict
from tests.conftest import set_field

TRAINING_FILES = [
    "training_sessions.csv",
    "anlage1.csv",
    "anlage1.xlsx",
    "anlage1.html",
    "training.ics",
    "report.html",
]


def _reports_ready() -> bool:
    try:
        from reports import write_report_html, write_training_files  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def reports_ready():
    """True when reports/ is importable; otherwise a no-op stand-in is used for the module.

    So plan.json and solve_stats.json are tested even while reports/ is being written.
    """
    if _reports_ready():
        yield True
        return
    stub = types.ModuleType("reports")
    stub.write_training_files = lambda instance, plan, folder: None
    stub.write_report_html = lambda record, folder: None
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "reports", stub)
        yield False


@pytest.fixture(scope="module")
def planned(tmp_path_factory, reports_ready):
    """One `juwe plan` of the default instance: (result, out folder)."""
    out = tmp_path_factory.mktemp("e2e") / "plan-out"
    args = ["plan", "--out", str(out), "--workers", "2", "--time-limit", "60", "-q"]
    result = CliRunner().invoke(cli, args, prog_name="juwe")
    return result, out


def _assert_valid_plan(out: Path, previous: TrainingPlan | None = None) -> dict:
    """plan.json and solve_stats.json agree, the plan is good, and it passes the checker."""
    record = load_plan(out / "plan.json")
    stats = json.loads((out / "solve_stats.json").read_text("utf-8"))
    outcome = record.training.outcome
    assert outcome.status in ("optimal", "feasible")
    assert outcome.objective is not None and outcome.bound is not None
    assert outcome.objective >= outcome.bound - 1e-6
    assert stats["training"]["status"] == outcome.status
    assert stats["training"]["objective"] == outcome.objective
    assert stats["training"]["bound"] == outcome.bound
    assert stats["training"]["seconds"] >= 0
    instance = load_instance(bundled_path())
    assert record.instance == instance
    plan = record.training.plan
    assert check_training(instance, plan) == []
    assert len(plan.planned()) == 62
    terms = training_terms(instance, plan, previous)
    assert {k: float(v) for k, v in terms.items()} == outcome.terms
    return stats


# ---- schema, validate, help -------------------------------------------------------------


def test_schema_is_json_with_the_three_sections(juwe):
    result = juwe("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert {"calendar", "organisation", "training"} <= set(schema["properties"])
    assert "calendar" in schema["required"]


def test_schema_to_file(tmp_path, juwe):
    target = tmp_path / "schema.json"
    result = juwe("schema", "-o", target)
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text("utf-8")) == json.loads(juwe("schema").stdout)


@pytest.mark.parametrize("name", ["bremen-2016", str(bundled_path())])
def test_validate_bundled_instance(name, juwe):
    result = juwe("validate", name)
    assert result.exit_code == 0, result.output
    assert "valid (bremen-2016)" in result.stdout
    assert "13 groups" in result.stdout
    assert "62 sessions to plan" in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["plan", "--help"], ["validate", "-h"]])
def test_help(args, juwe):
    result = juwe(*args)
    assert result.exit_code == 0, result.output
    assert "Usage: juwe" in result.stdout


def test_plan_help_lists_the_options(juwe):
    text = juwe("plan", "--help").stdout
    for option in ("--out", "--time-limit", "--seed", "--workers", "--previous", "--force", "-q"):
        assert option in text


def test_version(juwe):
    result = juwe("--version")
    assert result.exit_code == 0 and "version" in result.stdout


def test_console_script(tmp_path, bremen_data, write_instance):
    """The installed `juwe` script: exit codes and messages through a real process."""
    exe = shutil.which("juwe")
    if exe is None:
        pytest.skip("the juwe console script is not installed")
    ok = subprocess.run(
        [exe, "validate", "bremen-2016"], capture_output=True, text=True, cwd=tmp_path
    )
    assert ok.returncode == 0 and "62 sessions to plan" in ok.stdout
    bad = write_instance(bremen_data, {"training.modules[1].days": "two"})
    out = tmp_path / "out"
    run = subprocess.run(
        [exe, "plan", str(bad), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 2
    assert f"{bad}: training.modules[1].days" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert not out.exists()


# ---- planning the bundled instance -------------------------------------------------------


def test_plan_default_instance(planned):
    result, out = planned
    assert result.exit_code == 0, result.output
    assert result.output == ""  # -q: no progress, no summary
    _assert_valid_plan(out)
    assert not list(out.parent.glob(".plan-out.juwe-*"))


def test_plan_writes_the_training_files(planned, reports_ready):
    result, out = planned
    assert result.exit_code == 0, result.output
    if not reports_ready:
        pytest.skip("reports/ is not importable yet")
    for name in TRAINING_FILES:
        assert (out / name).stat().st_size > 0, name
    with (out / "training_sessions.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # the Bremen instance is German (`language: de`): German headers and words
    columns = {"Gruppe", "Modul", "Wiederholung", "Beginn", "Ende", "Trainer", "Status"}
    assert columns <= set(rows[0])
    assert len(rows) == 13 * 12
    assert sum(r["Status"] == "geplant" for r in rows) == 62


def test_non_empty_out_without_force_keeps_files(planned, juwe, assert_input_error):
    _, out = planned
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = juwe("plan", "--out", out, "--time-limit", 5, "--workers", 1, "-q")
    assert_input_error(result, str(out), "not empty", "--force")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(out.parent.glob(".plan-out.juwe-*"))


def test_force_rewrites_the_plan_and_keeps_the_planners_files(planned, juwe):
    # (that one worker and a work limit repeat a run byte for byte:
    # tests/test_hardening.py::test_item8_work_limit_gives_identical_files)
    _, out = planned
    (out / "plan.json").write_text("stale\n", "utf-8")
    (out / "notes.txt").write_text("the planner's own notes\n", "utf-8")
    args = ("--time-limit", 60, "--workers", 1, "--work-limit", 0.5, "--seed", 3, "-q")
    forced = juwe("plan", "bremen-2016", "--out", out, "--force", *args)
    assert forced.exit_code == 0, forced.output
    _assert_valid_plan(out)
    assert (out / "notes.txt").read_text("utf-8") == "the planner's own notes\n"
    assert not list(out.parent.glob(".plan-out.juwe-*"))


def test_replanning_against_an_optimal_plan_changes_nothing(planned, tmp_path, juwe):
    _, out = planned
    previous = tmp_path / "previous.json"
    previous.write_bytes((out / "plan.json").read_bytes())
    old = load_plan(previous).training
    again = tmp_path / "again"
    result = juwe("plan", "--previous", previous, "--out", again, "--workers", 2, "-q")
    assert result.exit_code == 0, result.output
    _assert_valid_plan(again, previous=old.plan)
    new = load_plan(again / "plan.json").training
    if new.outcome.status == "optimal" and old.outcome.status == "optimal":
        # keeping the previous plan costs nothing, so the optimum keeps its objective
        # and moves no session
        assert new.outcome.objective == old.outcome.objective
        assert new.outcome.terms["change"] == new.outcome.terms["trainer_change"] == 0


def test_summary_without_quiet(tmp_path, bremen_data, write_instance, juwe, reports_ready):
    # a small variant solves in a moment: one group, nothing done yet (12 sessions)
    data = set_field(bremen_data, "training.snapshot.sessions", [])
    data = set_field(data, "organisation.groups", data["organisation"]["groups"][:1])
    path = write_instance(data)
    out = tmp_path / "out"
    # the staffing for this relief is slow to prove; the summary does not need the proof
    result = juwe("plan", path, "--out", out, "--time-limit", 20, "--work-limit", 0.5,
                  "--workers", 1)
    assert result.exit_code == 0, result.output
    assert "training" in result.stdout and "files written to" in result.stdout
    assert (out / "plan.json").exists()


def test_infeasible_names_the_conflicting_rules(
    bremen_data, write_instance, tmp_path, juwe, leftovers, reports_ready
):
    # group 5 (index 4) still has six sessions, each 28+ days after the one before
    path = write_instance(bremen_data, {"organisation.groups[4].deadline": "2016-02-01"})
    out = tmp_path / "new" / "nested" / "out"
    result = juwe("plan", path, "--out", out, "--time-limit", 20, "--workers", 1, "-q")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    message = result.stderr
    for fragment in (str(path), "no plan", "deadline", "group 5", "spacing"):
        assert fragment in message, message
    assert leftovers(out) == []
    assert not (tmp_path / "new").exists()  # parent folders made for the run are removed too


def test_horizon_without_working_day_is_infeasible(write_instance, tmp_path, juwe, reports_ready):
    # a weekend-only horizon: explain_infeasibility has a message for it, if it gets there
    path = write_instance(tiny_dict(start="2026-03-07", end="2026-03-08"))
    result = juwe("plan", path, "--out", tmp_path / "out", "--workers", 1, "-q")
    assert result.exit_code == 3, result.output
    assert "no working day" in result.stderr


# ---- the time limit and the other exit codes --------------------------------------------


def _failing_solve(outcome=None, error=None):
    def solve(instance, **kwargs):
        from solver.params import Result

        if error is not None:
            raise error
        return Result("training", outcome, None)

    return solve


def test_no_plan_in_time_exits_4(monkeypatch, tmp_path, juwe, leftovers, reports_ready):
    # a solve that ends without any plan, as CP-SAT does when the time limit is too short
    from models.plan import PartOutcome

    monkeypatch.setattr(
        "solver.training.solve", _failing_solve(PartOutcome(status="unknown", seconds=0.5))
    )
    out = tmp_path / "out"
    result = juwe("plan", "--out", out, "--time-limit", 0.5, "-q")
    assert result.exit_code == 4, result.output
    assert "no training plan found within 0.5 s" in result.stderr
    assert "--time-limit" in result.stderr and "Traceback" not in result.output
    assert leftovers(out) == []


def test_a_bug_exits_1_with_a_traceback(monkeypatch, tmp_path, juwe, leftovers, reports_ready):
    monkeypatch.setattr("solver.training.solve", _failing_solve(error=RuntimeError("boom")))
    out = tmp_path / "out"
    result = juwe("plan", "--out", out, "-q")
    assert result.exit_code == 1, result.output
    assert "internal error" in result.stderr and "RuntimeError: boom" in result.stderr
    assert leftovers(out) == []


def test_tiny_time_limit_returns_a_status_not_a_crash():
    # exit 4 ("no plan in time") cannot be triggered reliably; the library contract can
    from solver.training import solve

    instance = load_instance(bundled_path())
    result = solve(instance, time_limit=0.01, workers=1, hint=False)
    assert result.status in {"unknown", "feasible", "optimal"}
    if result.plan is None:
        assert result.status == "unknown"
    else:
        assert check_training(instance, result.plan) == []
        assert result.objective >= result.bound - 1e-6
