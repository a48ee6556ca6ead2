"""report.pdf, the printable appendix: made by headless Chromium (skipped outside CI when
it is missing), one page per part; without a browser the rest is written and a note says
why the PDF is missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from models.io import load_plan
from reports.pdf import appendix_html, find_browser
from tests.test_anlage1_import import _plan, tiny_file  # noqa: F401 (fixture)

needs_browser = pytest.mark.skipif(
    find_browser() is None and not os.environ.get("CI"),
    reason="Chromium is not installed (CI has it)",
)


def test_appendix_page_has_a_section_per_part(tmp_path, juwe, tiny_file):  # noqa: F811
    _plan(juwe, tiny_file, tmp_path / "p")
    page = appendix_html(load_plan(tmp_path / "p" / "plan.json"))
    assert page.count("<section class='sheet'>") == 2  # summary, Anlage 1 (training only)
    assert "@page { size: A4 landscape" in page
    assert "display: table-header-group" in page  # headers repeat on every page


@needs_browser
def test_report_pdf_is_printed(tmp_path, juwe, tiny_file):  # noqa: F811
    out = tmp_path / "p"
    _plan(juwe, tiny_file, out)
    r = juwe("report", out, "--pdf")
    assert r.exit_code == 0, r.output
    pdf = out / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "20", "-png", pdf, tmp_path / "page"], check=True)
        assert len(list(tmp_path.glob("page-*.png"))) == 2  # summary page, Anlage 1 page


def test_without_a_browser_the_pdf_is_skipped_with_a_note(tmp_path, juwe, tiny_file, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JUWE_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "p"
    _plan(juwe, tiny_file, out, "--pdf")
    assert (out / "report.html").exists()
    assert not (out / "report.pdf").exists()
    r = juwe("report", out, "--pdf")
    assert r.exit_code == 0
    assert "report.pdf skipped: Chromium was not found" in r.output


needs_poppler = pytest.mark.skipif(
    (find_browser() is None or shutil.which("pdftoppm") is None) and not os.environ.get("CI"),
    reason="Chromium or poppler-utils (pdftoppm) is not installed (CI has both)",
)
LONG = 70  # sessions: Anlage 1 runs over more than one A4 landscape page


def _long_plan():
    """A hand-built plan (no solver) whose Anlage 1 needs several pages: 70 modules, each
    group's session k on its own day."""
    import datetime as dt

    from models.plan import (
        PartOutcome,
        PlanFile,
        PlannedSession,
        TrainingPlan,
        TrainingResultRecord,
    )
    from tests.builders import tiny

    modules = [{"id": f"M{k:02d}", "title": f"Modul Nummer {k} mit Titel"} for k in range(LONG)]
    inst = tiny(groups=2, modules=modules, trainers=[{"id": "T1"}], end="2027-12-31")
    day = {
        (g, k): dt.date(2026, 3, 2) + dt.timedelta(days=7 * k + (g == "G2"))
        for g in ("G1", "G2")
        for k in range(LONG)
    }
    sessions = [
        PlannedSession(
            group=g, session=f"M{k:02d}", module=f"M{k:02d}", repetition=1,
            start=day[(g, k)], end=day[(g, k)], trainer="T1", status="planned",
        )
        for (g, k) in sorted(day)
    ]  # fmt: skip
    record = TrainingResultRecord(
        outcome=PartOutcome(status="feasible"), plan=TrainingPlan(sessions=sessions)
    )
    return PlanFile(instance=inst, training=record), day


def _gray_pages(pdf, folder) -> list[bytes]:
    """The pages as 8-bit grey pixels (pdftoppm's PGM, parsed here: no imaging library)."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", pdf, folder / "page"], check=True)
    pages = []
    for path in sorted(folder.glob("page-*.pgm")):
        data = path.read_bytes()
        magic, width, height, depth, pixels = data.split(maxsplit=4)
        assert magic == b"P5" and depth == b"255"
        assert len(pixels) == int(width) * int(height)
        pages.append(pixels)
    return pages


def _page_texts(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, check=True)
    return text.stdout.decode("utf-8").split("\f")[:-1]  # a form feed ends every page


@needs_poppler
def test_pdf_pages_render_and_break_like_a_paper_appendix(tmp_path):
    """Rendered by pdftoppm: every page has ink; the summary has page 1, Anlage 1 starts
    on a new page, its header row repeats on every page it runs over, and no row is cut
    (each session's label and its day are on one page)."""
    from reports.pdf import write_report_pdf

    plan_file, day = _long_plan()
    pdf, why = write_report_pdf(plan_file, tmp_path, "de")
    assert pdf is not None, why
    pages = _gray_pages(pdf, tmp_path)
    texts = _page_texts(pdf)
    assert len(pages) == len(texts) >= 3  # the summary, then Anlage 1 over 2+ pages
    for n, pixels in enumerate(pages, start=1):
        ink = sum(1 for p in pixels if p < 160)  # a blank page has none; the summary ~300
        assert ink > 100, f"page {n} is blank"
    assert "Zusammenfassung" in texts[0] and "Stand der Fortbildungen" not in texts[0]
    assert texts[1].lstrip().startswith("Anlage 1: Stand der Fortbildungen")
    for n, text in enumerate(texts, start=1):
        assert f"Seite {n} / {len(texts)}" in text  # the footer numbers every page
    for text in texts[1:]:
        assert "Modul" in text and "Titel" in text and "G1" in text and "G2" in text
    for k in range(LONG):
        label = f"M{k:02d}"
        holding = [n for n, text in enumerate(texts) if f"\n{label} " in "\n" + text]
        holding += [n for n, text in enumerate(texts) if f" {label} " in text]
        on = sorted(set(holding))
        assert len(on) == 1, (label, on)
        for g in ("G1", "G2"):
            assert day[(g, k)].isoformat() in texts[on[0]], (label, g, "cut from its row")
