"""Issue 17 (hardening): one test per defect, named after its item.

Each of them failed before its fix. The fuzz test of the loaders and the signal test of a
real `juwe plan` run live in tests/test_hardening_fuzz.py and tests/test_signals.py.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from instances import bundled_path
from models.io import instance_from_dict
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
