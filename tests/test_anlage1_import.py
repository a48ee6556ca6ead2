"""Anlage 1 in: the round trip (export, mark sessions erl., import, re-plan keeps every done
cell) and the spreadsheets an office may send that cannot be read (exit 2 naming the cell)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from instances.anlage1 import import_anlage1
from models.check_plan import check_plan
from models.io import InputError, load_instance, load_plan
from tests.builders import tiny_dict

MODULES = [
    {"id": "A", "title": "Auftakt"},
    {"id": "B", "after": ["A"]},
    {"id": "C", "after": ["B"]},
]


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    data = tiny_dict(groups=2, modules=MODULES, trainers=[{"id": "T1"}, {"id": "T2"}])
    data["training"]["snapshot"] = {"date": "2026-03-02", "sessions": []}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _plan(juwe, instance: Path, out: Path, *extra) -> None:
    r = juwe("plan", instance, "--out", out, "--workers", "1", "--time-limit", "10", "-q", *extra)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    ("lang", "header", "done"),
    [
        ("en", ["Module", "Title", "G1", "G2"], "done"),
        ("de", ["Modul", "Titel", "G1", "G2"], "erledigt"),
    ],
)
def test_round_trip_keeps_done_cells_and_edits(tmp_path, juwe, tiny_file, lang, header, done):
    first = tmp_path / "first"
    _plan(juwe, tiny_file, first, "--lang", lang)
    wb = load_workbook(first / "anlage1.xlsx")
    ws = wb["Anlage 1"]
    assert [c.value for c in ws[1]] == header
    assert ws["A2"].value == "A"
    ws["C2"] = "erl."  # G1 held A
    ws["D2"] = "erl. 02.03.2026"  # G2 held A on the status date, German form
    ws["D3"] = "offen"  # G2 missed B
    ws["D4"] = 2026  # G2's C: a year
    edited = tmp_path / "anlage1-edited.xlsx"
    wb.save(edited)
    new_instance = tmp_path / "tiny-status.yaml"
    r = juwe(
        "import",
        "anlage1",
        edited,
        "--instance",
        tiny_file,
        "-o",
        new_instance,
        "--status-date",
        "2026-03-02",
    )
    assert r.exit_code == 0, r.output
    assert "2 done" in r.output and "1 missed" in r.output
    inst = load_instance(new_instance)
    status = {(e.group, e.session): e for e in inst.training.snapshot.sessions}
    assert status[("G1", "A")].status == "done" and status[("G1", "A")].date is None
    assert status[("G2", "A")].date == dt.date(2026, 3, 2)
    assert status[("G2", "B")].status == "missed"
    assert status[("G2", "C")].year == 2026
    second = tmp_path / "second"
    _plan(juwe, new_instance, second, "--previous", first, "--lang", lang)
    record = load_plan(second / "plan.json")
    assert not any(check_plan(record).values())
    by_key = record.training.plan.by_key()
    assert by_key[("G1", "A")].status == "done" and by_key[("G2", "A")].status == "done"
    assert by_key[("G2", "B")].was_missed
    assert by_key[("G2", "C")].start.year == 2026
    out = load_workbook(second / "anlage1.xlsx")["Anlage 1"]
    assert out["C2"].value == "erl." and out["D2"].value == "erl."
    assert str(out["D3"].value).startswith("offen → ")
    # G1/A and G2/A were planned and are done now: they read as done, not as dropped
    changes = (second / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert any(
        row.startswith(f"{'Termin' if lang == 'de' else 'session'},{done},G1,A,") for row in changes
    )
    assert any(",G2,A," in row and row.split(",")[1].startswith(done) for row in changes)
    assert not any("no longer planned" in row or "nicht mehr geplant" in row for row in changes)
    again = juwe("import", "anlage1", edited, "--instance", tiny_file, "-o", new_instance)
    assert again.exit_code == 2 and "--force" in again.output
    itself = juwe("import", "anlage1", edited, "--instance", tiny_file, "-o", tiny_file)
    assert itself.exit_code == 2 and "never replaced" in itself.output


def _sheet(tmp_path: Path, rows: list[list], name: str = "t.xlsx", merge: str | None = None):
    wb = Workbook()
    ws = wb.active
    ws.title = "Anlage 1"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    path = tmp_path / name
    wb.save(path)
    return path


GOOD = [["Modul", "Titel", "G1", "G2"], ["A", "", "erl.", ""], ["B", "", "", ""], ["C", "", "", ""]]


def _rows(**cells: object) -> list[list]:
    rows = [list(r) for r in GOOD]
    for ref, value in cells.items():
        rows[int(ref[1:]) - 1]["ABCD".index(ref[0])] = value
    return rows


def _problem(tmp_path, tiny_file, juwe, path: Path) -> str:
    out = tmp_path / "new.yaml"
    r = juwe("import", "anlage1", path, "--instance", tiny_file, "-o", out)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not out.exists()
    return r.output


def test_bad_spreadsheets_name_the_cell(tmp_path, juwe, tiny_file):
    cases = {
        "merged": (_sheet(tmp_path, GOOD, "m.xlsx", merge="C3:D3"), "cells C3:D3: merged"),
        "unknown module": (
            _sheet(tmp_path, _rows(A3="Z"), "u.xlsx"),
            "cell A3: unknown session 'Z'",
        ),
        "group missing": (
            _sheet(tmp_path, [r[:3] for r in GOOD], "g.xlsx"),
            "no column for group 'G2'",
        ),
        "formula": (_sheet(tmp_path, _rows(D4="=TODAY()"), "f.xlsx"), "cell D4: a formula"),
        "empty": (_sheet(tmp_path, [], "e.xlsx"), "cell A1: the sheet is empty"),
        "two-digit year": (_sheet(tmp_path, _rows(C3="19.10.26"), "y.xlsx"), "cell C3"),
        "no such day": (_sheet(tmp_path, _rows(C3="31.02.2026"), "d.xlsx"), "cell C3"),
        "free text": (_sheet(tmp_path, _rows(D2="done"), "t.xlsx"), "cell D2: cannot read 'done'"),
    }
    for name, (path, expected) in cases.items():
        output = _problem(tmp_path, tiny_file, juwe, path)
        assert expected in output, (name, output)
        assert "sheet 'Anlage 1'" in output, (name, output)


def test_german_date_is_read_as_a_date(tmp_path, tiny_file):
    inst = load_instance(tiny_file)
    path = _sheet(tmp_path, _rows(C3="fest 19.10.2026", D2="erl. 2026-03-02"))
    snap = import_anlage1(path, inst)
    by = {(e["group"], e["session"]): e for e in snap["sessions"]}
    assert by[("G1", "B")] == {
        "group": "G1",
        "session": "B",
        "status": "pinned",
        "date": "2026-10-19",
    }
    assert by[("G2", "A")]["date"] == "2026-03-02"


def test_csv_with_semicolons_and_a_done_date_after_the_status_date(tmp_path, tiny_file):
    inst = load_instance(tiny_file)
    path = tmp_path / "a.csv"
    path.write_text("\ufeffModul;Titel;G1;G2\nA;;erl.;erl. 03.03.2026\nB;;;\nC;;;\n", "utf-8")
    with pytest.raises(InputError) as err:
        import_anlage1(path, inst)
    assert "cell D2" in str(err.value) and "--status-date" in str(err.value)
    snap = import_anlage1(path, inst, dt.date(2026, 3, 3))
    assert len(snap["sessions"]) == 2


def test_snapshot_from_reads_the_table_when_the_instance_loads(tmp_path, juwe, tiny_file):
    """`snapshot_from: FILE` instead of `juwe import anlage1`: the instance file names its
    Anlage 1 table (relative to itself); the plan keeps the done cells, checked."""
    _sheet(tmp_path, _rows(C2="erl.", D2="erl. 02.03.2026", D3="offen"), "status.xlsx")
    data = yaml.safe_load(tiny_file.read_text(encoding="utf-8"))
    data["snapshot_from"] = "status.xlsx"
    path = tmp_path / "with-table.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    inst = load_instance(path)
    status = {(e.group, e.session): e for e in inst.training.snapshot.sessions}
    assert inst.training.snapshot.date == dt.date(2026, 3, 2)  # the instance's snapshot date
    assert status[("G1", "A")].status == "done" and status[("G2", "B")].status == "missed"
    assert status[("G2", "A")].date == dt.date(2026, 3, 2)
    out = tmp_path / "plan"
    _plan(juwe, path, out)
    record = load_plan(out / "plan.json")
    assert not any(check_plan(record).values())
    by_key = record.training.plan.by_key()
    assert by_key[("G1", "A")].status == "done" and by_key[("G2", "B")].was_missed
    # the mapping form gives the status date
    data["snapshot_from"] = {"path": "status.xlsx", "date": "2026-03-05"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_instance(path).training.snapshot.date == dt.date(2026, 3, 5)


def test_snapshot_from_a_bad_table_exits_2_naming_the_cell(tmp_path, juwe, tiny_file):
    _sheet(tmp_path, _rows(D4="=TODAY()", C3="19.10.26"), "bad.xlsx")
    data = yaml.safe_load(tiny_file.read_text(encoding="utf-8"))
    for table, expected in [
        ("bad.xlsx", ["snapshot_from bad.xlsx: sheet 'Anlage 1', cell D4: a formula"]),
        ("missing.csv", ["snapshot_from missing.csv: no such file"]),
        ({"path": "bad.xlsx", "date": "19.10.2026"}, ["snapshot_from.date"]),
    ]:
        data["snapshot_from"] = table
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        r = juwe("plan", path, "--out", tmp_path / "never", "-q")
        assert r.exit_code == 2, r.output
        assert all(e in r.output for e in expected), r.output
        assert "Traceback" not in r.output and not (tmp_path / "never").exists()
    data["snapshot_from"] = "../bad.xlsx"  # data from elsewhere (an upload): a bare name only
    from models.io import instance_from_dict

    with pytest.raises(InputError, match="bare file name"):
        instance_from_dict(data, "upload", base=tmp_path)
