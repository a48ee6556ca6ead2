"""CSV files for a German Excel (`--csv-dialect excel-de`): UTF-8 with BOM, `;`, decimal
comma in number columns, ids such as module `1.2` untouched; Anlage 1 in that form reads back."""

from __future__ import annotations

from instances.anlage1 import import_anlage1
from models.io import load_instance
from reports.tables import to_excel_de
from tests.test_anlage1_import import _plan, tiny_file  # noqa: F401 (fixture)


def test_to_excel_de(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("module,unit,bv,title\n1.2,Süd,2.5,Schutz; Hilfe\n", encoding="utf-8")
    to_excel_de(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == [
        "module;unit;bv;title",
        '1.2;Süd;2,5;"Schutz; Hilfe"',
    ]


def test_plan_writes_excel_de_and_anlage1_reads_it_back(tmp_path, juwe, tiny_file):  # noqa: F811
    out = tmp_path / "p"
    _plan(juwe, tiny_file, out, "--csv-dialect", "excel-de")
    text = (out / "training_sessions.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert text.decode("utf-8-sig").splitlines()[0] == (
        "group;module;repetition;session;start;end;trainer;status"
    )
    snap = import_anlage1(out / "anlage1.csv", load_instance(tiny_file))
    assert snap["sessions"] == []  # nothing done yet: every cell a planned date
