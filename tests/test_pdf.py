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
