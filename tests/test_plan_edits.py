"""Edits in plan.xlsx as pins: a planner moves a session, changes a trainer and marks a
row pinned in the Sessions sheet; `juwe plan --previous plan.xlsx` keeps all three, the
checker passes, and unreadable cells exit 2 naming the cell."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from models.check_plan import check_plan
from models.io import load_plan
from reports.i18n import canonical_column
from tests.test_anlage1_import import _plan, tiny_file  # noqa: F401 (fixture)


def _columns(ws) -> dict[str, str]:
    """Canonical column name (`start`, also for `Beginn`) -> its letter."""
    return {canonical_column(c.value): c.column_letter for c in ws[1]}


def _row_of(ws, group: str, session: str) -> int:
    col = _columns(ws)
    for r in range(2, ws.max_row + 1):
        if ws[f"{col['group']}{r}"].value == group and ws[f"{col['session']}{r}"].value == session:
            return r
    raise KeyError((group, session))


@pytest.mark.parametrize(
    ("lang", "sheet", "pin", "moved"),
    [
        ("en", "Sessions", "pinned", "moved 14 days later"),
        ("de", "Termine", "fest", "verschoben: 14 Tage später"),
    ],
)
def test_plan_xlsx_edits_are_kept_as_pins(tmp_path, juwe, tiny_file, lang, sheet, pin, moved):  # noqa: F811
    first = tmp_path / "first"
    _plan(juwe, tiny_file, first, "--lang", lang)
    record = load_plan(first / "plan.json")
    old = record.training.plan.by_key()
    wb = load_workbook(first / "plan.xlsx")
    assert wb.sheetnames[0] == sheet
    ws = wb[sheet]
    col = _columns(ws)
    # G1's last session C moves two weeks later (a Monday-Friday day two weeks on is one too)
    moved_day = old[("G1", "C")].start + dt.timedelta(days=14)
    ws[f"{col['start']}{_row_of(ws, 'G1', 'C')}"] = moved_day
    other = "T2" if old[("G2", "A")].trainer == "T1" else "T1"
    ws[f"{col['trainer']}{_row_of(ws, 'G2', 'A')}"] = other
    ws[f"{col['status']}{_row_of(ws, 'G2', 'B')}"] = pin
    ws.cell(row=50, column=1)  # a stray empty row is ignored
    wb.save(first / "plan.xlsx")
    second = tmp_path / "second"
    r = juwe(
        "plan",
        tiny_file,
        "--out",
        second,
        "--workers",
        "1",
        "--time-limit",
        "10",
        "--previous",
        first / "plan.xlsx",
        "--lang",
        lang,
    )
    assert r.exit_code == 0, r.output
    assert "3 edited rows kept as pins" in r.output
    new = load_plan(second / "plan.json")
    assert not any(check_plan(new).values())
    now = new.training.plan.by_key()
    assert now[("G1", "C")].start == moved_day
    assert now[("G2", "A")].trainer == other
    assert now[("G2", "B")].start == old[("G2", "B")].start
    assert now[("G2", "B")].trainer == old[("G2", "B")].trainer
    pins = {(e.group, e.session) for e in new.instance.training.snapshot.sessions}
    assert pins == {("G1", "C"), ("G2", "A"), ("G2", "B")}  # recorded for the next re-plan
    changes = (second / "changes.csv").read_text(encoding="utf-8")
    assert "G1,C" in changes and moved in changes


def test_bad_plan_xlsx_cells_name_the_cell(tmp_path, juwe, tiny_file):  # noqa: F811
    first = tmp_path / "first"
    _plan(juwe, tiny_file, first)
    wb = load_workbook(first / "plan.xlsx")
    ws = wb["Sessions"]
    col = _columns(ws)
    ws[f"{col['trainer']}2"] = "T9"
    ws[f"{col['start']}3"] = "19.10.26"
    ws[f"{col['start']}4"] = "=TODAY()"
    wb.save(first / "plan.xlsx")
    r = juwe("plan", tiny_file, "--out", tmp_path / "x", "--previous", first / "plan.xlsx")
    assert r.exit_code == 2, r.output
    assert f"cell {col['trainer']}2: unknown trainer 'T9'" in r.output
    assert f"cell {col['start']}3: cannot read the day '19.10.26'" in r.output
    assert f"cell {col['start']}4: a formula" in r.output
    assert not (tmp_path / "x").exists()
    alone = tmp_path / "alone.xlsx"
    alone.write_bytes((first / "plan.xlsx").read_bytes())
    r = juwe("plan", tiny_file, "--out", tmp_path / "y", "--previous", alone)
    assert r.exit_code == 2 and "plan.json" in r.output
