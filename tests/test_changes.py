"""What moved: changes.csv on a hand-built pair of plans, `juwe diff`, and a re-plan's
changes.csv, Changes sheet and report section."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from models.diff import diff_plans, revise
from models.io import save_plan
from models.plan import (
    PartOutcome,
    PlanFile,
    PlannedSession,
    TrainingPlan,
    TrainingResultRecord,
)
from reports.changes import write_changes_csv
from reports.html import report_html
from reports.outputs import write_plan_folder
from tests.builders import tiny

D = dt.date


def _session(group: str, label: str, start: D | None, trainer: str | None, **kw) -> PlannedSession:
    return PlannedSession(
        group=group,
        session=label,
        module=label,
        repetition=1,
        start=start,
        end=start,
        trainer=trainer,
        status=kw.pop("status", "planned"),
    )


def _plan(sessions: list[PlannedSession]) -> PlanFile:
    inst = tiny(groups=2, modules=[{"id": "A"}, {"id": "B"}], trainers=[{"id": "T1"}, {"id": "T2"}])
    return PlanFile(
        instance=inst,
        training=TrainingResultRecord(
            outcome=PartOutcome(status="optimal"), plan=TrainingPlan(sessions=sessions)
        ),
    )


# G1/A stays; G1/B moves a week later (G1 finishes 7 days later); G2/A gets trainer T2;
# G2/B is no longer planned (G2 then finishes with A, one day earlier).
OLD = _plan(
    [
        _session("G1", "A", D(2026, 3, 2), "T1"),
        _session("G1", "B", D(2026, 3, 9), "T1"),
        _session("G2", "A", D(2026, 3, 3), "T1"),
        _session("G2", "B", D(2026, 3, 4), "T2"),
    ]
)
NEW = _plan(
    [
        _session("G1", "A", D(2026, 3, 2), "T1"),
        _session("G1", "B", D(2026, 3, 16), "T1"),
        _session("G2", "A", D(2026, 3, 3), "T2"),
    ]
)

EXPECTED = [
    "kind,change,group,session,family,task,unit,month,old_start,old_end,new_start,new_end,"
    "old_trainer,new_trainer,old_status,new_status,days,old_bv,new_bv",
    "session,moved 7 days later,G1,B,,,,,2026-03-09,2026-03-09,2026-03-16,2026-03-16,T1,T1,"
    "planned,planned,7,,",
    "session,trainer T1 -> T2,G2,A,,,,,2026-03-03,2026-03-03,2026-03-03,2026-03-03,T1,T2,"
    "planned,planned,0,,",
    "session,no longer planned,G2,B,,,,,2026-03-04,2026-03-04,,,T2,,planned,,,,",
    "group,finishes 7 days later,G1,,,,,,,2026-03-09,,2026-03-16,,,,,7,,",
    "group,finishes 1 day earlier,G2,,,,,,,2026-03-04,,2026-03-03,,,,,-1,,",
]


def test_changes_csv_of_a_hand_built_pair(tmp_path):
    path = write_changes_csv(diff_plans(OLD, NEW), tmp_path / "changes.csv")
    assert path.read_text(encoding="utf-8").splitlines() == EXPECTED


def test_diff_plans_keeps_its_shape_for_the_web_service():
    out = diff_plans(OLD, NEW)
    assert set(out) == {"sessions", "groups", "tasks", "staffing", "changed"}
    assert out["changed"] == {"sessions": 3, "groups": 2, "tasks": 0, "staffing": 0}


def test_revise_counts_sequences_up():
    first = NEW.model_copy(update={"revision": revise(OLD, NEW, "old/plan.json")})
    assert first.revision.sequence_of() == {("G1", "B"): 1, ("G2", "A"): 1, ("G2", "B"): 1}
    moved = _plan(
        [
            _session("G1", "A", D(2026, 3, 2), "T1"),
            _session("G1", "B", D(2026, 3, 17), "T1"),
            _session("G2", "A", D(2026, 3, 3), "T2"),
        ]
    )
    second = revise(first, moved, "plan.json")
    # G1/B moved again: 2; G2/A unchanged keeps 1; G2/B stays cancelled with 1
    assert second.sequence_of() == {("G1", "B"): 2, ("G2", "A"): 1, ("G2", "B"): 1}


def test_a_replan_writes_changes_csv_sheet_and_section(tmp_path):
    plan = NEW.model_copy(update={"revision": revise(OLD, NEW, "old/plan.json")})
    written = write_plan_folder(plan, tmp_path)
    assert tmp_path / "changes.csv" in written
    assert (tmp_path / "changes.csv").read_text(encoding="utf-8").splitlines() == EXPECTED
    ws = load_workbook(tmp_path / "plan.xlsx")["Changes"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:4] == ("session", "moved 7 days later", "G1", "B")
    assert rows[1][8] == dt.datetime(2026, 3, 9)  # a real date, shown as DD.MM.YYYY
    page = report_html(plan)
    assert "What moved against the previous plan" in page
    assert "moved 7 days later" in page


def test_a_plan_without_revision_writes_no_changes(tmp_path):
    write_plan_folder(NEW, tmp_path)
    assert not (tmp_path / "changes.csv").exists()
    assert "Changes" not in load_workbook(tmp_path / "plan.xlsx").sheetnames


def test_juwe_diff(tmp_path: Path, juwe):
    (tmp_path / "old").mkdir()
    save_plan(OLD, tmp_path / "old" / "plan.json")
    save_plan(NEW, tmp_path / "new.json")
    out = tmp_path / "changes.csv"
    r = juwe("diff", tmp_path / "old", tmp_path / "new.json", "-o", out)
    assert r.exit_code == 0, r.output
    assert "3 sessions, 2 finishing dates of groups" in r.output
    assert "session G1 B: moved 7 days later" in r.output
    with out.open(encoding="utf-8", newline="") as f:
        assert len(list(csv.reader(f))) == len(EXPECTED)
    again = juwe("diff", tmp_path / "old", tmp_path / "new.json", "-o", out)
    assert again.exit_code == 2 and "--force" in again.output
    missing = juwe("diff", tmp_path, tmp_path / "new.json")
    assert missing.exit_code == 2 and "plan.json" in missing.output


# G1/A took place as planned (done, with its day); G1/B took place a day late; G2/B is
# dropped. In German: the words and headers of the catalogue.
DONE_OLD = OLD
DONE_NEW = _plan(
    [
        _session("G1", "A", D(2026, 3, 2), "T1", status="done"),
        _session("G1", "B", D(2026, 3, 10), "T1", status="done"),
        _session("G2", "A", D(2026, 3, 3), "T1"),
    ]
)
EXPECTED_DE = [
    "Art,Änderung,Gruppe,Sitzung,Familie,Aufgabe,Einheit,Monat,Beginn alt,Ende alt,Beginn neu,"
    "Ende neu,Trainer alt,Trainer neu,Status alt,Status neu,Tage,BV alt,BV neu",
    "Termin,erledigt,G1,A,,,,,2026-03-02,2026-03-02,2026-03-02,2026-03-02,T1,T1,geplant,"
    "erledigt,0,,",
    "Termin,erledigt am 2026-03-10,G1,B,,,,,2026-03-09,2026-03-09,2026-03-10,2026-03-10,T1,T1,"
    "geplant,erledigt,1,,",
    "Termin,nicht mehr geplant,G2,B,,,,,2026-03-04,2026-03-04,,,T2,,geplant,,,,",
    "Gruppe,endet 1 Tag später,G1,,,,,,,2026-03-09,,2026-03-10,,,,,1,,",
    "Gruppe,endet 1 Tag früher,G2,,,,,,,2026-03-04,,2026-03-03,,,,,-1,,",
]


def test_done_sessions_read_as_done_in_german(tmp_path):
    path = write_changes_csv(diff_plans(DONE_OLD, DONE_NEW), tmp_path / "changes.csv", "de")
    assert path.read_text(encoding="utf-8").splitlines() == EXPECTED_DE
    plan = DONE_NEW.model_copy(update={"revision": revise(DONE_OLD, DONE_NEW, "alt/plan.json")})
    (tmp_path / "de").mkdir()
    write_plan_folder(plan, tmp_path / "de", lang="de")
    ws = load_workbook(tmp_path / "de" / "plan.xlsx")["Änderungen"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:4] == ("Termin", "erledigt", "G1", "A")
    page = report_html(plan, "de")
    assert "Was sich gegenüber dem vorigen Plan geändert hat" in page
    assert "erledigt am 2026-03-10" in page and "Termine: altes und neues Datum" in page
