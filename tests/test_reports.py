"""The report files: contents match the plan, Anlage 1 keeps the snapshot, outputs are offline.

The Bremen plan comes from the greedy baseline (fast, deterministic, passes the checker);
tiny hand-made plans cover multi-day sessions and dated done sessions.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

from instances import bundled_path
from models import check_training, load_instance, training_terms
from models.plan import PartOutcome, PlanFile, PlannedSession, TrainingPlan, TrainingResultRecord
from models.training import SessionStatus
from reports import (
    TRAINING_FILES,
    anlage1_table,
    anlage1_years,
    ics_uid,
    training_gantt,
    write_ics,
    write_report_html,
    write_training_files,
)
from solver.baselines import greedy_training
from tests.builders import tiny

GROUPS = [f"Gruppe {i}" for i in range(1, 14)]


@pytest.fixture(scope="module")
def bremen():
    return load_instance(bundled_path("bremen-2016"))


@pytest.fixture(scope="module")
def plan(bremen) -> TrainingPlan:
    p = greedy_training(bremen)
    assert p is not None and check_training(bremen, p) == []
    return p


@pytest.fixture(scope="module")
def out(bremen, plan, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("training")
    written = write_training_files(bremen, plan, d)
    assert [p.name for p in written] == list(TRAINING_FILES)
    assert all(p.is_file() and p.parent == d for p in written)
    return d


@pytest.fixture(scope="module")
def plan_file(bremen, plan) -> PlanFile:
    terms = {k: float(v) for k, v in training_terms(bremen, plan, None).items()}
    outcome = PartOutcome(
        status="feasible",
        objective=1234.0,
        bound=1000.0,
        gap=0.19,
        terms=terms,
        weights=bremen.training.weights.model_dump(),
    )
    return PlanFile(instance=bremen, training=TrainingResultRecord(outcome=outcome, plan=plan))


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def cell(df, label: str, group: str) -> str:
    return df.loc[df["Modul"] == label, group].item()


# --- training_sessions.csv -------------------------------------------------------------


def test_sessions_csv_has_one_row_per_session_in_plan_order(out, plan):
    header, *rows = read_csv(out / "training_sessions.csv")
    # bremen-2016 is German (`language: de`): the headers and the status words in German
    assert header == [
        "Gruppe",
        "Modul",
        "Wiederholung",
        "Sitzung",
        "Beginn",
        "Ende",
        "Trainer",
        "Status",
    ]
    assert len(rows) == len(plan.sessions)
    for row, s in zip(rows, plan.sessions):
        assert row == [
            s.group,
            s.module,
            str(s.repetition),
            s.session,
            s.start.isoformat() if s.start else "",
            s.end.isoformat() if s.end else "",
            s.trainer or "",
            {"done": "erledigt", "planned": "geplant"}[s.status],
        ]
    assert {r[7] for r in rows} == {"erledigt", "geplant"}
    assert any(r[4] == "" for r in rows if r[7] == "erledigt")  # undated done sessions: empty


# --- Anlage 1 --------------------------------------------------------------------------


def test_anlage1_rows_and_columns_follow_training_and_instance_order(bremen, plan):
    df = anlage1_table(bremen, plan)
    labels = [label for _, _, label in bremen.training.session_sequence()]
    assert list(df["Modul"]) == labels == [*"12345678", "9a", "9b", "9c", "9d"]
    assert list(df.columns) == ["Modul", "Titel", *GROUPS]
    assert cell(df, "4", "Titel") == bremen.training.module("4").title
    assert cell(df, "9c", "Titel") == bremen.training.module("9").title


def test_anlage1_keeps_done_cells_and_shows_planned_dates(bremen, plan):
    df = anlage1_table(bremen, plan)
    status = bremen.training.status_of()
    for (group, label), entry in status.items():
        if entry.status == SessionStatus.done:
            assert cell(df, label, f"Gruppe {group}") == "erl."
    planned = plan.planned()
    for s in planned:
        expected = s.start.isoformat()
        if s.was_missed:
            expected = f"offen → {expected}"
        assert cell(df, s.session, f"Gruppe {s.group}") == expected
    # every cell is accounted for: done + planned = all sessions of all groups
    n_done = (df[GROUPS] == "erl.").to_numpy().sum()
    assert n_done + len(planned) == df[GROUPS].size
    # the one missed session of the seed (group 5, module 6) is shown as caught up
    assert cell(df, "6", "Gruppe 5").startswith("offen → 2016-")


def test_anlage1_years_matches_the_seed_years(bremen, plan):
    dates, years = anlage1_table(bremen, plan), anlage1_years(bremen, plan)
    assert years.shape == dates.shape and list(years.columns) == list(dates.columns)
    for (group, label), entry in bremen.training.status_of().items():
        got = cell(years, label, f"Gruppe {group}")
        if entry.status == SessionStatus.planned and entry.year is not None:
            assert got == str(entry.year)  # the seed document's year survives re-planning
        elif entry.status == SessionStatus.missed:
            assert re.fullmatch(r"offen → 20\d\d", got)
        else:
            assert got == "erl."


def test_anlage1_session_missing_from_plan(bremen, plan):
    dropped = {("8", "9d"), ("1", "9d")}  # one planned, one done at the snapshot
    kept = [s for s in plan.sessions if (s.group, s.session) not in dropped]
    partial = TrainingPlan(sessions=kept)
    df = anlage1_table(bremen, partial)
    assert cell(df, "9d", "Gruppe 8") == "offen"
    assert cell(df, "9d", "Gruppe 1") == "erl."  # done is a fact of the snapshot


def test_anlage1_csv_is_the_date_form(out, bremen, plan):
    header, *rows = read_csv(out / "anlage1.csv")
    df = anlage1_table(bremen, plan)
    assert header == list(df.columns)
    assert rows == [list(r) for r in df.itertuples(index=False)]


def test_anlage1_xlsx_matches_csv(out, bremen, plan):
    wb = openpyxl.load_workbook(out / "anlage1.xlsx")
    assert wb.sheetnames == ["Anlage 1", "Anlage 1 (Jahre)"]
    ws = wb["Anlage 1"]
    cells = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    assert cells == read_csv(out / "anlage1.csv")
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["C"].width >= len("Gruppe 1")
    years = wb["Anlage 1 (Jahre)"]
    expected = anlage1_years(bremen, plan)
    got = [[str(v) for v in row] for row in years.iter_rows(min_row=2, values_only=True)]
    assert got == [list(r) for r in expected.itertuples(index=False)]
    assert years.freeze_panes == "B2"


def test_anlage1_html_is_standalone_and_coloured(out, bremen, plan):
    text = (out / "anlage1.html").read_text(encoding="utf-8")
    assert "<h1>Anlage 1: Stand der Fortbildungen</h1>" in text
    assert "2016-01-18" in text  # the snapshot date
    assert "<script" not in text and "http" not in text and "<link" not in text
    n_done = sum(
        (f[GROUPS] == "erl.").to_numpy().sum()
        for f in (anlage1_table(bremen, plan), anlage1_years(bremen, plan))
    )
    assert text.count('<td class="done">erl.</td>') == n_done
    s = plan.planned()[-1]
    assert f'<td class="planned">{s.start.isoformat()}</td>' in text
    assert '<td class="replanned">offen → 2016-' in text
    assert "td.done { background" in text and "td.open { background" in text


# --- training.ics ----------------------------------------------------------------------


def parse_events(path: Path):
    return Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def test_ics_one_all_day_event_per_planned_session(out, bremen, plan):
    events = parse_events(out / "training.ics")
    planned = plan.planned()
    assert len(events) == len(planned)
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)
    for s in planned:
        e = by_uid[ics_uid(bremen.name, s.group, s.session)]
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is dt.date and type(end) is dt.date
        assert (start, end) == (s.start, s.end + dt.timedelta(days=1))
        assert str(e["SUMMARY"]) == f"Modul {s.session} – Gruppe {s.group}"
        description = str(e["DESCRIPTION"])
        assert bremen.training.module(s.module).title in description
        assert "Trainer" in description and "SZ" in description
    assert ics_uid("bremen-2016", "8", "9c") == "juwe-bremen-2016-g8-s9c@juwe-planner"


def test_ics_uids_are_stable_across_writes(tmp_path, bremen, plan):
    a, b = tmp_path / "a.ics", tmp_path / "b.ics"
    write_ics(bremen, plan, a, stamp=dt.datetime(2016, 1, 18, 8, 0, tzinfo=dt.UTC))
    write_ics(bremen, plan, b, stamp=dt.datetime(2016, 2, 1, 8, 0, tzinfo=dt.UTC))
    uids = [[str(e["UID"]) for e in parse_events(p)] for p in (a, b)]
    assert uids[0] == uids[1]
    fixed = dt.datetime(2016, 1, 18, 8, 0, tzinfo=dt.UTC)
    c = tmp_path / "c.ics"
    write_ics(bremen, plan, c, stamp=fixed)
    assert c.read_bytes() == a.read_bytes()  # a fixed DTSTAMP gives byte-identical files


def test_ics_subset_per_trainer(tmp_path, bremen, plan):
    mine = [s for s in plan.planned() if s.trainer == "T2"]
    path = write_ics(bremen, plan, tmp_path / "t2.ics", sessions=mine)
    events = parse_events(path)
    assert len(events) == len(mine) > 0
    assert all("Trainer 2" in str(e["DESCRIPTION"]) for e in events)


# --- tiny hand-made plan: multi-day and dated done sessions ---------------------------


@pytest.fixture
def tiny_case():
    inst = tiny(
        groups=2,
        modules=[{"id": "A", "days": 2, "title": "Alpha"}, {"id": "B", "after": ["A"]}],
        trainers=[{"id": "T1", "name": "Anna"}, {"id": "T2"}],
        blackouts=[{"start": "2026-04-13", "end": "2026-04-17", "name": "Osterferien"}],
    )
    plan = TrainingPlan(
        sessions=[
            PlannedSession(group="G1", session="A", module="A", repetition=1, status="planned",
                           start=dt.date(2026, 3, 6), end=dt.date(2026, 3, 9), trainer="T1"),
            PlannedSession(group="G1", session="B", module="B", repetition=1, status="planned",
                           start=dt.date(2026, 4, 7), end=dt.date(2026, 4, 7), trainer="T2"),
            PlannedSession(group="G2", session="A", module="A", repetition=1, status="done",
                           start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3), trainer="T1"),
        ]
    )  # fmt: skip
    return inst, plan


def test_gantt_bars_span_first_to_last_day_plus_one(tiny_case):
    inst, plan = tiny_case
    fig = training_gantt(inst, plan)
    bars = {t.name: t for t in fig.data if t.type == "bar"}
    assert set(bars) == {"erledigt", "Modul A", "Modul B"}
    a = bars["Modul A"]
    assert list(a.y) == ["G1"] and list(a.base) == ["2026-03-06"]
    assert list(a.x) == [4 * 86_400_000]  # Fri..Mon -> up to Tuesday 00:00
    assert "Anna" in a.hovertext[0] and "C1" in a.hovertext[0] and "2026-03-09" in a.hovertext[0]
    assert bars["erledigt"].marker.color == "#c4c4c4"
    assert list(fig.layout.yaxis.categoryarray) == ["G1", "G2"]
    shaded = [(s.x0, s.x1) for s in fig.layout.shapes]
    assert ("2026-04-13", "2026-04-18") in shaded  # the blackout
    assert ("2026-04-06", "2026-04-07") in shaded  # Easter Monday


def test_gantt_by_trainer(tiny_case):
    inst, plan = tiny_case
    fig = training_gantt(inst, plan, by="trainer")
    assert list(fig.layout.yaxis.categoryarray) == ["Anna", "T2"]
    assert list(next(t for t in fig.data if t.name == "Modul B").y) == ["T2"]
    with pytest.raises(ValueError, match="by must be"):
        training_gantt(inst, plan, by="centre")


def test_ics_multi_day_event_lists_its_working_days(tmp_path, tiny_case):
    inst, plan = tiny_case
    (first, second) = parse_events(write_ics(inst, plan, tmp_path / "t.ics"))
    assert (first.decoded("DTSTART"), first.decoded("DTEND")) == (
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 10),
    )
    assert "Fr 2026-03-06, Mo 2026-03-09" in str(first["DESCRIPTION"])
    assert "Alpha" in str(first["DESCRIPTION"])


# --- report.html -----------------------------------------------------------------------


def strip_plotly_library(text: str) -> tuple[str, int]:
    """The page without the inlined plotly.js, and how many copies of the library it holds."""
    copies = text.count("* plotly.js v")
    start = text.find("* plotly.js v")
    if start < 0:
        return text, 0
    begin = text.rfind("<script", 0, start)
    end = text.find("</script>", start)
    return text[:begin] + text[end:], copies


@pytest.fixture(scope="module")
def report(plan_file, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("report")
    path = write_report_html(plan_file, d)
    assert path == d / "report.html"
    return path


def test_report_html_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    rest, copies = strip_plotly_library(text)
    assert copies == 1
    assert "<script src=" not in text.replace(" ", "")
    assert "cdn" not in rest.lower() and "mathjax.js" not in rest.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", rest)
    assert "<link" not in rest
    assert rest.count("Plotly.newPlot(") == 2
    assert 'id="gantt-by-group"' in rest and 'id="gantt-by-trainer"' in rest


def test_report_html_sections(report, bremen):
    text = report.read_text(encoding="utf-8")
    rest, _ = strip_plotly_library(text)
    assert "<h1>Plan: bremen-2016</h1>" in rest and "Jugendamt Bremen" in rest
    assert 'class="status feasible"' in rest and "19.00 %" in rest
    assert "1234" in rest and ">1000<" in rest
    for term in ("completion", "trainer_balance", "weekday", "change", "trainer_change"):
        assert f">{term}<" in rest
    assert "busiest" in rest and "calendar day" in rest
    for assumption in bremen.assumptions:
        assert assumption.replace('"', "&quot;") in rest
    assert "Anlage 1: Stand der Fortbildungen" in rest
    assert rest.count('<table class="anlage1">') == 2  # year form and date form


def test_report_html_same_plan_same_page(tmp_path, plan_file, report):
    again = write_report_html(plan_file, tmp_path)
    assert again.read_bytes() == report.read_bytes()


def test_report_html_without_plan(tmp_path, bremen):
    outcome = PartOutcome(status="infeasible", message="group 8: session 9d cannot fit in 2017")
    pf = PlanFile(instance=bremen, training=TrainingResultRecord(outcome=outcome, plan=None))
    text = write_report_html(pf, tmp_path).read_text(encoding="utf-8")
    assert 'class="status infeasible"' in text
    assert "group 8: session 9d cannot fit in 2017" in text
    assert "plotly.js v" not in text and "Plotly.newPlot" not in text


def test_reports_import_no_solver():
    code = (
        "import sys, reports; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ortools', 'solver')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
