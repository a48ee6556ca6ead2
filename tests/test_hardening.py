"""Issue 17 (hardening): one test per defect, named after its item.

Each of them failed before its fix. The fuzz test of the loaders and the signal test of a
real `juwe plan` run live in tests/test_hardening_fuzz.py and tests/test_signals.py.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from instances import bundled_path
from models.io import InputError, instance_from_dict
from models.plan import PartOutcome, PlanFile, TrainingResultRecord
from reports.excel import write_anlage1_xlsx
from reports.tables import write_sessions_csv
from reports.workbook import write_plan_xlsx
from solver.baselines import greedy_training

ROOT = Path(__file__).resolve().parent.parent
EVIL = '=HYPERLINK("http://evil.example/","click")'


def _bremen_data() -> dict:
    return yaml.safe_load(bundled_path("bremen-2016").read_text(encoding="utf-8"))


def run_juwe(*args: object, cwd: Path | None = None, timeout: float = 120, **kw):
    """`juwe ARGS` as a real subprocess of this worktree's code."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        **kw,
    )


# ----------------------------------------------------------------- 1. formula injection
@pytest.fixture(scope="module")
def evil_plan_file() -> PlanFile:
    data = _bremen_data()
    data["training"]["modules"][0]["title"] = EVIL
    data["organisation"]["centres"][0]["name"] = "=1+1"
    inst = instance_from_dict(data)
    plan = greedy_training(inst)
    assert plan is not None
    sessions = [s.model_copy(update={"trainer": "=2+2"}) for s in plan.sessions]
    plan = plan.model_copy(update={"sessions": sessions})
    outcome = PartOutcome(status="feasible", objective=0.0)
    return PlanFile(instance=inst, training=TrainingResultRecord(outcome=outcome, plan=plan))


def test_item1_formula_injection_xlsx_cells_are_text(evil_plan_file, tmp_path):
    assert evil_plan_file.training is not None and evil_plan_file.training.plan is not None
    paths = [
        write_plan_xlsx(evil_plan_file, tmp_path / "plan.xlsx"),
        write_anlage1_xlsx(
            evil_plan_file.instance, evil_plan_file.training.plan, tmp_path / "anlage1.xlsx"
        ),
    ]
    seen = set()
    for path in paths:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate)
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        seen.add(cell.value)
    assert EVIL in seen and "=2+2" in seen  # kept as text, not dropped


def test_item1_formula_injection_csv_text_quoted(evil_plan_file, tmp_path):
    assert evil_plan_file.training is not None and evil_plan_file.training.plan is not None
    path = write_sessions_csv(evil_plan_file.training.plan, tmp_path / "s.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {r["trainer"] for r in rows if r["status"] == "planned"} == {"'=2+2"}
    assert all(r["start"][:1].isdigit() or r["start"] == "" for r in rows)  # dates unchanged
    from reports.cells import csv_text

    assert csv_text("-3.5") == "-3.5" and csv_text(-3) == -3 and csv_text("@x") == "'@x"


# ----------------------------------------------------------------- 3. --force and symlinks
def _plan_folder(tmp_path: Path, evil_plan_file: PlanFile) -> Path:
    from reports.outputs import write_plan_folder

    folder = tmp_path / "out"
    folder.mkdir()
    write_plan_folder(evil_plan_file, folder, ics_per="group")
    return folder


def test_item3_force_keeps_user_files_and_replaces_symlinks(tmp_path, evil_plan_file):
    from reports.outdir import prepare_out_dir
    from reports.outputs import write_plan_folder

    out = _plan_folder(tmp_path, evil_plan_file)
    (out / "ics" / "my-notes.txt").write_text("mine", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    (out / "report.html").unlink()
    (out / "report.html").symlink_to(victim)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "ics2").symlink_to(elsewhere)
    target = prepare_out_dir(out, force=True)
    write_plan_folder(evil_plan_file, target.staging, ics_per="group")
    (target.staging / "ics2").mkdir()
    (target.staging / "ics2" / "x.ics").write_text("new", encoding="utf-8")
    target.commit()
    assert (out / "ics" / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not (out / "report.html").is_symlink() and "<html" in (out / "report.html").read_text()
    assert not (out / "ics2").is_symlink() and list(elsewhere.iterdir()) == []
    assert not list(tmp_path.glob(".out.juwe-*"))


def test_item3_failed_commit_leaves_the_old_folder_intact(tmp_path, evil_plan_file, monkeypatch):
    from reports import outdir
    from reports.outdir import prepare_out_dir
    from reports.outputs import write_plan_folder

    out = _plan_folder(tmp_path, evil_plan_file)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "plan.json").write_text('{"old": true}\n', encoding="utf-8")
    before[Path("plan.json")] = b'{"old": true}\n'
    target = prepare_out_dir(out, force=True)
    write_plan_folder(evil_plan_file, target.staging, ics_per="group")
    real_rename, calls = os.rename, []

    def failing(src, dst):
        calls.append(src)
        if len(calls) == 9:  # in the middle of the commit
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_rename(src, dst)

    monkeypatch.setattr(outdir.os, "rename", failing)
    with pytest.raises(InputError, match="what was there before is intact"):
        target.commit()
    monkeypatch.setattr(outdir.os, "rename", real_rename)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".out.juwe-*"))


def test_item3_report_writes_through_no_symlink(tmp_path, evil_plan_file, juwe):
    out = _plan_folder(tmp_path, evil_plan_file)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    (out / "report.html").unlink()
    (out / "report.html").symlink_to("../victim.txt")
    (out / "ics" / "my-notes.txt").write_text("mine", encoding="utf-8")
    result = juwe("report", out)
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not (out / "report.html").is_symlink()
    assert (out / "ics" / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert not list(tmp_path.glob(".out.juwe-*"))


def test_item3_dangling_symlink_out_refused_before_solving(tmp_path, juwe, assert_input_error):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    result = juwe("plan", "--out", link, "--time-limit", 5, "-q")
    assert_input_error(result, "symbolic link")
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


# ----------------------------------------------------------------- 4. YAML alias bomb
def test_item4_yaml_alias_bomb_refused_quickly(tmp_path, juwe, assert_input_error):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("calendar: *a9")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = juwe("validate", path)  # took 60 s and 3 GB before
    assert_input_error(result, "bomb.yaml", "aliases", "200000")


def test_item4_short_formats_a_bounded_part():
    from models.io import _short

    huge: list = [0]
    for _ in range(30):
        huge = [huge] * 9  # 9**30 values when expanded
    assert len(_short(huge)) <= 60


# ----------------------------------------------------------------- 5. names that collide
def test_item5_ids_that_slug_alike_get_distinct_files_and_uids():
    from reports.ics import ics_uid, slug

    pairs = [("a b", "a_b"), ("T 1", "T/1"), ("T 1", "T_1"), ("x", "x ")]
    for a, b in pairs:
        assert slug(a) != slug(b), (a, b)
        assert ics_uid("i", a, "1") != ics_uid("i", b, "1")
    assert slug("T1") == "T1" and slug("bremen-2016") == "bremen-2016"  # unchanged


def test_item5_ics_per_trainer_keeps_every_event(tmp_path, evil_plan_file):
    from icalendar import Calendar

    from reports.outputs import write_ics_per

    plan = evil_plan_file.training.plan
    sessions = [
        s.model_copy(update={"trainer": "T 1" if i % 2 else "T/1"})
        for i, s in enumerate(plan.sessions)
    ]
    changed = evil_plan_file.model_copy(
        update={
            "training": evil_plan_file.training.model_copy(
                update={"plan": plan.model_copy(update={"sessions": sessions})}
            )
        }
    )
    paths = write_ics_per(changed, "trainer", tmp_path)
    assert len(paths) == 2
    uids = [
        str(ev["uid"]) for p in paths for ev in Calendar.from_ical(p.read_bytes()).walk("VEVENT")
    ]
    assert len(uids) == len(changed.training.plan.planned()) == len(set(uids))


# ----------------------------------------------------------------- 6. tracebacks
INF_CASES = [
    ("rollout.families[0].tasks[1].after", [{"task": "leitungsebene", "lag_weeks": float("inf")}]),
    ("rollout.families[0].tasks[1].after", [{"task": "leitungsebene", "lag_weeks": 1e300}]),
    ("staffing.budgets[0].amount", float("inf")),
    ("staffing.caseload_threshold", float("inf")),
    ("staffing.cost_per_bv_year", float("inf")),
    ("staffing.categories[0].tranches[0].bv", float("inf")),
    ("staffing.categories[0].need", float("inf")),
    ("training.weights.completion", 10**18),
    ("rollout.weights.makespan", 10**18),
    ("rollout.families[0].priority", 10**18),
    ("training.spacing", {"min_days": 10**12}),
    ("calendar.end", "9999-12-31"),
    ("training.modules[0].title", "Modul\x07eins"),
]


@pytest.mark.parametrize(
    ("path", "value"), INF_CASES, ids=[c[0] + "=" + repr(c[1]) for c in INF_CASES]
)
def test_item6_absurd_values_are_input_errors(
    path, value, bremen_data, write_instance, juwe, assert_input_error
):
    from tests.conftest import set_field

    try:
        set_field(copy_of(bremen_data), path, value)
    except (KeyError, IndexError):
        pytest.skip(f"bremen has no {path}")
    file = write_instance(bremen_data, {path: value})
    field = path.rsplit(".", 1)[-1].split("[")[0]
    if isinstance(value, list):
        field = "lag_weeks"
    if isinstance(value, dict):
        field = "min_days"
    assert_input_error(juwe("validate", file), field)


def copy_of(data):
    return json.loads(json.dumps(data, default=str))


def test_item6_deep_nesting_is_an_input_error(tmp_path, juwe, assert_input_error):
    path = tmp_path / "deep.yaml"
    path.write_text("calendar: " + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    assert_input_error(juwe("validate", path), "nested more than 100 levels")
    path = tmp_path / "deep.json"
    path.write_text('{"calendar": ' + "[" * 600 + "]" * 600 + "}", encoding="utf-8")
    assert_input_error(juwe("validate", path), "nested")


def test_item6_markup_in_out_and_variant_names_prints(tmp_path, capsys):
    from cli.main import _print_summary

    stats = {
        "training": {
            "status": "optimal",
            "objective": 1.0,
            "bound": 1.0,
            "gap": 0.0,
            "seconds": 1.0,
        }
    }
    _print_summary(stats, Path("o[/x]"), [Path("o[/x]/plan.json")])
    assert "o[/x]" in capsys.readouterr().out


def test_item6_broken_pipe_is_no_traceback():
    """`juwe validate x | head -1`: the reader is gone before juwe writes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "validate", "bremen-2016"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert proc.returncode == 0


def test_item6_full_disk_is_exit_2(tmp_path, evil_plan_file, juwe, monkeypatch):
    from reports import workbook

    out = _plan_folder(tmp_path, evil_plan_file)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "plan.xlsx")

    monkeypatch.setattr(workbook, "save_workbook", full)
    result = juwe("report", out)
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob(".out.juwe-*"))


# ----------------------------------------------------------------- 7. sizes and time
def test_item7_long_horizon_and_many_groups_refused(
    bremen_data, write_instance, juwe, assert_input_error
):
    file = write_instance(bremen_data, {"calendar.end": "2116-12-31"})
    assert_input_error(juwe("validate", file), "calendar", "ten years")
    data = copy_of(bremen_data)
    group = data["organisation"]["groups"][0]
    data["organisation"]["groups"] = [{**group, "id": f"g{i}", "teams": []} for i in range(2001)]
    data["training"].pop("snapshot", None)
    data.pop("staffing", None)
    file = write_instance(data)
    assert_input_error(juwe("validate", file), "organisation.groups", "2000")


def test_item7_holidays_drawn_as_one_shape_list(monkeypatch):
    import plotly.graph_objects as go

    from reports.gantt import _shade

    def one_by_one(*args, **kwargs):
        raise AssertionError("one add_vrect per band is quadratic")

    monkeypatch.setattr(go.Figure, "add_vrect", one_by_one)
    data = _bremen_data()
    data["calendar"]["start"], data["calendar"]["end"] = "2016-01-01", "2025-12-01"
    fig = go.Figure()
    _shade(fig, instance_from_dict(data))
    holidays = [s for s in fig.layout.shapes if s.fillcolor == "#d62728"]
    assert 50 < len(holidays) <= 10 * 12  # every holiday of ten years, touching days merged


# ----------------------------------------------------------------- 8. reproducible limit
def test_item8_work_limit_gives_identical_files(tmp_path):
    def run(name: str) -> Path:
        out = tmp_path / name
        proc = run_juwe(
            "plan", "--out", out, "--workers", 1, "--work-limit", 0.3, "--time-limit", 60, "-q"
        )
        assert proc.returncode == 0, proc.stderr
        return out

    a, b = run("a"), run("b")
    for name in ("plan.json", "plan.xlsx", "training.ics", "anlage1.xlsx"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_item8_work_limit_is_applied():
    from ortools.sat.python import cp_model

    from solver.params import SolveParams

    solver = cp_model.CpSolver()
    SolveParams(time_limit=5, work_limit=2.5).apply(solver)
    assert solver.parameters.max_deterministic_time == 2.5
    assert solver.parameters.catch_sigint_signal is False


# ----------------------------------------------------------------- 9. inf, excerpts, schema
def test_item9_need_inf_refused(bremen_data, write_instance, juwe, assert_input_error):
    file = write_instance(bremen_data, {"staffing.categories[0].need": float("inf")})
    assert_input_error(juwe("validate", file), "staffing.categories[0].need")


def test_item9_units_from_foreign_file_shows_a_short_excerpt(bremen_data, write_instance, juwe):
    data = copy_of(bremen_data)
    data["staffing"]["units_from"] = {"path": "foreign.csv", "columns": {"id": "Team-ID"}}
    file = write_instance(data)
    (file.parent / "foreign.csv").write_text(
        ",".join(f"\x1b[31mcolumn{i}" for i in range(500)) + "\n1,2\n", encoding="utf-8"
    )
    result = juwe("validate", file)
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output and len(result.output) < 600, result.output


def test_item9_schema_refuses_an_existing_file(tmp_path, juwe):
    target = tmp_path / "schema.json"
    target.write_text("mine", encoding="utf-8")
    result = juwe("schema", "-o", target)
    assert result.exit_code == 2 and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "mine"
    assert juwe("schema", "-o", target, "--force").exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["properties"]
