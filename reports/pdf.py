"""report.pdf: the printable Senate appendix (summary, Anlage 1, staffing table, Anlage 2),
made from an HTML page with print CSS by headless Chromium's print-to-PDF.

Each part starts on a new A4 landscape page, table headers repeat on every page and rows
are never cut in half; wide tables are scaled down to the page width. Chromium is found as
`chromium` (or `chromium-browser`, `google-chrome`; `JUWE_CHROMIUM` names another one);
without it the PDF is skipped with a message and everything else is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

from models.plan import PlanFile
from reports.anlage1 import anlage1_table
from reports.anlage1_html import anlage1_html_table, heading, legend, snapshot_line
from reports.i18n import Lang, label
from reports.page import html_page

PDF_NAME = "report.pdf"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 120  # seconds: a loaded machine takes a few, a hanging browser is stopped
PRINT_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm 14mm 10mm; }
table.data th { text-align: left; }
body { max-width: none; margin: 0; padding: 0; font-size: 9pt; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
section.sheet { break-before: page; }
section.sheet:first-of-type { break-before: auto; }
h1 { font-size: 14pt; } h2 { font-size: 12pt; margin-top: 0; } h3 { font-size: 10pt; }
thead { display: table-header-group; }
thead th { position: static; }
tr, td, th { break-inside: avoid; }
h2, h3 { break-after: avoid; }
table { font-size: 7.5pt; }
.anlage1 td { padding: .1rem .2rem; }
.anlage1 td.title { min-width: 10rem; max-width: 16rem; font-size: 6.5pt; }
a { color: inherit; text-decoration: none; }
"""
FOOTER_CSS = """
@page {{ @bottom-left {{ content: "{left}"; font-size: 7pt; color: #555; }}
        @bottom-right {{ content: "{page} " counter(page) " / " counter(pages);
                        font-size: 7pt; color: #555; }} }}
"""
"""Every page says whose appendix it is and its number (`Seite 3 / 5`)."""


def _css_string(text: str) -> str:
    """Text inside a CSS string: quotes and backslashes escaped, no line breaks."""
    return "".join(f"\\{ord(c):x} " if c in '"\\<>' or ord(c) < 32 else c for c in text)


PAGE_COLUMNS = 14
"""Columns that fit an A4 landscape page at 7.5 pt; wider tables are zoomed down."""


def find_browser() -> str | None:
    named = os.environ.get("JUWE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _fit(html: str, columns: int) -> str:
    if columns <= PAGE_COLUMNS:
        return html
    return f'<div style="zoom: {PAGE_COLUMNS / columns:.3f}">{html}</div>'


def appendix_html(plan_file: PlanFile, lang: Lang | None = None) -> str:
    """The page Chromium prints: one section (page) per part of the appendix, in `lang`
    (default: the instance's language)."""
    from reports.html import _summary, _table

    inst = plan_file.instance
    lang = lang or inst.language
    sections = [
        f"<section class='sheet'><h1>{label('appendix', lang)}: {escape(inst.name)}</h1>"
        f"{_summary(plan_file, lang)}</section>"
    ]
    t = plan_file.training
    if t is not None and t.plan is not None:
        df = anlage1_table(inst, t.plan, lang)
        sections.append(
            f"<section class='sheet'><h2>{heading(lang)}</h2>{snapshot_line(inst, lang)}"
            f"{legend(lang)}"
            f"{_fit(anlage1_html_table(df), len(df.columns))}</section>"
        )
    s = plan_file.staffing
    if s is not None and s.plan is not None:
        from reports.staffing import staffing_table

        df = staffing_table(inst, s.plan)
        sections.append(
            f"<section class='sheet'><h2>{label('staffing_table_pdf', lang)}</h2>"
            f"{_fit(_table(df, lang), len(df.columns))}</section>"
        )
    r = plan_file.rollout
    if r is not None and r.plan is not None:
        from reports.rollout import anlage2_html, anlage2_table

        columns = len(anlage2_table(inst, r.plan).columns)
        sections.append(
            f"<section class='sheet'><h2>{label('anlage2_heading', lang)}</h2>"
            f"{_fit(anlage2_html(inst, r.plan, lang), columns)}</section>"
        )
    page = html_page(f"{label('appendix', lang)} {inst.name}", "\n".join(sections), lang=lang)
    footer = FOOTER_CSS.format(
        left=_css_string(f"{label('appendix', lang)}: {inst.name}"),
        page=label("page", lang),
    )
    return page.replace("</style>", PRINT_CSS + footer + "</style>", 1)


def write_report_pdf(
    plan_file: PlanFile, out_dir: Path, lang: Lang | None = None
) -> tuple[Path | None, str]:
    """Write out_dir/report.pdf; (the path, "") or (None, why it was skipped)."""
    browser = find_browser()
    if browser is None:
        return None, (
            "report.pdf skipped: Chromium was not found (install chromium, or set "
            "JUWE_CHROMIUM); report.html can be printed from a browser instead"
        )
    target = Path(out_dir) / PDF_NAME
    with tempfile.TemporaryDirectory(prefix="juwe-pdf-") as tmp:
        page = Path(tmp) / "appendix.html"
        page.write_text(appendix_html(plan_file, lang), encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"report.pdf skipped: Chromium did not finish ({exc})"
    if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return None, f"report.pdf skipped: Chromium failed ({'; '.join(tail) or done.returncode})"
    return target, ""
