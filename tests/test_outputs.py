"""What a planner opens after `juwe plan` of Bremen: report.html (summary, every part, the
terms explained), plan.xlsx (the CSV rows as a workbook), the calendars (one file, or one
per group or trainer, with stable UIDs) and `juwe report DIR` rebuilding them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import icalendar
import pytest
from openpyxl import load_workbook

from models.io import load_plan
from reports.html import report_html
from reports.workbook import plan_tables


@pytest.fixture(scope="module")
def planned(tmp_path_factory, juwe_module) -> Path:
    out = tmp_path_factory.mktemp("outputs") / "plan"
    r = juwe_module(
        "plan", "--out", out, "--workers", "2", "--time-limit", "30", "--ics-per", "group", "-q",
        "--lang", "en",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def record(planned):
    return load_plan(planned / "plan.json")


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _norm(value: object) -> object:
    """A cell as comparable text or number: Excel dates -> ISO text, numbers -> float
    (Excel keeps 29.0 as 29; the CSV writes 29.0), empty -> ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


def test_plan_xlsx_holds_the_csv_rows(planned, record):
    wb = load_workbook(planned / "plan.xlsx")
    tables = plan_tables(record)
    assert (
        wb.sheetnames
        == list(tables)
        == [
            "Sessions",
            "Anlage 1",
            "Staffing table",
            "Allocation",
            "Timeline",
            "Rollout tasks",
            "Anlage 2",
        ]
    )
    for sheet, (csv_name, _df) in tables.items():
        ws = wb[sheet]
        expected = _csv_rows(planned / csv_name)
        header = [c.value for c in ws[1]]
        assert header == expected[0], sheet
        got = [[_norm(c.value) for c in row] for row in ws.iter_rows(min_row=2)]
        assert got == [[_norm(v) for v in row] for row in expected[1:]], sheet
        assert ws.freeze_panes == "A2"
        assert ws[1][0].font.bold
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(w and w >= len(str(h)) for w, h in zip(widths, header)), sheet


def test_plan_xlsx_dates_are_excel_dates(planned):
    ws = load_workbook(planned / "plan.xlsx")["Rollout tasks"]
    header = [c.value for c in ws[1]]
    start = ws.cell(row=2, column=header.index("start") + 1)
    assert isinstance(start.value, dt.datetime)
    assert start.number_format == "DD.MM.YYYY"
    sessions = load_workbook(planned / "plan.xlsx")["Sessions"]
    values = [
        row[0] for row in sessions.iter_rows(min_row=2, min_col=5, max_col=5, values_only=True)
    ]
    assert any(isinstance(v, dt.datetime) for v in values)
    assert all(v is None or isinstance(v, dt.datetime) for v in values)  # done: no date


def _events(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_ics_per_group_holds_every_session_once(planned, record):
    whole = _events(planned / "training.ics")
    assert len(whole) == len(record.training.plan.planned())
    files = sorted((planned / "ics").glob("group-*.ics"))
    groups = {s.group for s in record.training.plan.planned()}
    assert len(files) == len(groups)
    seen: dict[str, icalendar.Event] = {}
    for f in files:
        for uid, ev in _events(f).items():
            assert uid not in seen
            seen[uid] = ev
    assert seen.keys() == whole.keys()
    for uid, ev in seen.items():
        assert ev["dtstart"].dt == whole[uid]["dtstart"].dt


def test_replan_keeps_the_uids_of_unchanged_sessions(planned, tmp_path, juwe):
    # a re-plan against the saved plan (changes cost) of a new snapshot is not needed here:
    # planning again against --previous gives the same sessions, and every session keeps
    # its UID; the events of sessions whose date is unchanged are equal but for DTSTAMP
    out = tmp_path / "again"
    r = juwe(
        "plan", "--out", out, "--workers", "2", "--time-limit", "30", "-q",
        "--previous", planned / "plan.json", "--ics-per", "trainer",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    before, after = _events(planned / "training.ics"), _events(out / "training.ics")
    assert before.keys() == after.keys()
    same = [u for u in before if before[u]["dtstart"].dt == after[u]["dtstart"].dt]
    assert len(same) >= len(before) * 0.9
    per_trainer = {u for f in (out / "ics").glob("trainer-*.ics") for u in _events(f)}
    assert per_trainer == after.keys()


def test_report_has_a_summary_and_every_part(planned, record):
    text = (planned / "report.html").read_text(encoding="utf-8")
    head = text[: text.index("plotly.js v")] + text[text.rindex("</script>") :]
    summary = text[text.index("<h2 id='summary'>") : text.index("Assumptions")]
    for part in ("Training calendar", "Staffing", "Core-process rollout"):
        assert part in summary
    found = summary.count('class="status optimal"') + summary.count('class="status feasible"')
    assert found == 3
    assert "relief need of the teams in training" in summary
    for assumption in record.instance.assumptions[:3]:
        assert assumption.replace('"', "&quot;")[:40] in text
    for section in ("id='training'", "id='staffing'", "id='rollout'"):
        assert section in text
    for chart in ("gantt-by-group", "gantt-by-trainer", "staffing-timeline", "rollout-gantt",
                  "rollout-resources"):  # fmt: skip
        assert f'id="{chart}"' in text
    # terms explained in plain words, per part
    for term, words in [
        ("excess_caseload", "Case-months above the caseload threshold"),
        ("training_relief", "teams in training lack"),
        ("makespan", "the end of the whole rollout"),
        ("completion:kinderschutz", "child protection comes first"),
        ("trainer_balance", "busiest trainer"),
    ]:
        assert f">{term}<" in text and words in text, term
    assert "Anlage 1" in text and "Anlage 2" in text
    assert "Total" in text  # the staffing table's total row (Insgesamt in German)
    assert head  # the page around plotly.js


def test_juwe_report_rebuilds_the_same_files(planned, tmp_path, juwe):
    copy = tmp_path / "copy"
    shutil.copytree(planned, copy)
    for name in ("report.html", "plan.xlsx", "anlage2.csv", "staffing_timeline.csv"):
        (copy / name).unlink()
    r = juwe("report", copy, "--lang", "en")  # the plan was written in English
    assert r.exit_code == 0, r.output
    assert "rebuilt" in r.output
    assert (copy / "report.html").read_bytes() == (planned / "report.html").read_bytes()
    for name in ("anlage2.csv", "staffing_timeline.csv", "training_sessions.csv"):
        assert (copy / name).read_bytes() == (planned / name).read_bytes(), name
    a, b = load_workbook(copy / "plan.xlsx"), load_workbook(planned / "plan.xlsx")
    for ws in a.worksheets:
        assert list(ws.values) == list(b[ws.title].values)
    assert report_html(load_plan(copy / "plan.json"), "en") == (copy / "report.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "not a folder"),
        ("empty", "holds no plan.json"),
        ("corrupt", "JSON syntax error"),
        ("instance", "this is an instance file, not a plan"),
    ],
)
def test_juwe_report_bad_folder_exit_2(tmp_path, juwe, setup, message):
    folder = tmp_path / "f"
    if setup != "missing":
        folder.mkdir()
    if setup == "corrupt":
        (folder / "plan.json").write_text("{ not json", encoding="utf-8")
    if setup == "instance":
        (folder / "plan.json").write_text(json.dumps({"name": "x", "calendar": {}}), "utf-8")
    r = juwe("report", folder)
    assert r.exit_code == 2, r.output
    assert message in r.output


GERMAN_SHEETS = [
    "Termine",
    "Anlage 1",
    "Personalbemessung",
    "Verteilung",
    "Zeitverlauf",
    "Aufgaben Einführung",
    "Anlage 2",
]
GERMAN_HEADERS = {
    "training_sessions.csv": ["Gruppe", "Modul", "Wiederholung", "Sitzung", "Beginn"],
    "anlage1.csv": ["Modul", "Titel", "Gruppe 1"],
    "staffing_table.csv": ["Bereich", "Bedarf BV", "Bestand BV", "zusätzlich BV"],
    "staffing_allocation.csv": ["Kategorie", "Einheit", "BV", "Freigabemonat"],
    "staffing_timeline.csv": ["Monat", "Einheit", "BV geplant", "BV erwartet"],
    "rollout_tasks.csv": ["Familie", "Aufgabe", "Einheit", "Titel", "Beginn", "Ende"],
    "anlage2.csv": ["Familie", "Aufgabe", "Titel"],
}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_files_in_either_language_read_back(record, tmp_path, lang):
    """Bremen's files in German (its default) and English: headers, sheets and pages from
    the one catalogue; `--previous plan.xlsx` and `juwe import anlage1` read both alike."""
    from instances.anlage1 import import_anlage1
    from instances.plan_edits import read_plan_edits
    from reports.outputs import write_plan_folder

    write_plan_folder(record, tmp_path, lang=lang)
    wb = load_workbook(tmp_path / "plan.xlsx")
    english = ["Sessions", "Anlage 1", "Staffing table", "Allocation", "Timeline"]
    assert wb.sheetnames[:5] == (GERMAN_SHEETS[:5] if lang == "de" else english)
    for name, german in GERMAN_HEADERS.items():
        header = _csv_rows(tmp_path / name)[0]
        assert (header[: len(german)] == german) == (lang == "de"), (name, header)
    total = _csv_rows(tmp_path / "staffing_table.csv")[-1][0]
    assert total == {"de": "Insgesamt", "en": "Total"}[lang]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    words = {"de": ("Zusammenfassung", "Verteilung: wer welche"), "en": ("Summary", "Allocation:")}
    assert all(w in page for w in words[lang])
    anlage1 = (tmp_path / "anlage1.html").read_text(encoding="utf-8")
    assert ("Stand der Fortbildungen" in anlage1) == (lang == "de")
    anlage2 = (tmp_path / "anlage2.html").read_text(encoding="utf-8")
    assert ("Zeitplan der Einführung" in anlage2) == (lang == "de")
    # read back: no edits, no pins; one moved start day, one pin
    assert read_plan_edits(tmp_path / "plan.xlsx", record) == []
    ws = wb.worksheets[0]
    planned = [r for r in ws.iter_rows(min_row=2) if r[7].value in ("geplant", "planned")]
    moved, pinned = planned[0], planned[1]
    day = moved[4].value.date() + dt.timedelta(days=1)
    moved[4].value = day
    pinned[7].value = "fest" if lang == "de" else "pinned"
    wb.save(tmp_path / "edited.xlsx")
    pins = read_plan_edits(tmp_path / "edited.xlsx", record)
    assert [(p.group, p.session, p.date) for p in pins] == [
        (moved[0].value, moved[3].value, day),
        (pinned[0].value, pinned[3].value, pinned[4].value.date()),
    ]
    inst = record.instance
    snapshot = import_anlage1(tmp_path / "anlage1.xlsx", inst)
    assert snapshot == import_anlage1(tmp_path / "anlage1.csv", inst)
    done = {(e.group, e.session) for e in inst.training.snapshot.sessions if e.status == "done"}
    assert {
        (e["group"], e["session"]) for e in snapshot["sessions"] if e["status"] == "done"
    } >= done
