"""anlage1.html: Anlage 1 as a coloured table that opens in any browser and prints well."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from models.instance import Instance
from models.plan import TrainingPlan
from reports.anlage1 import anlage1_table, anlage1_years, cell_kind
from reports.i18n import Lang, label
from reports.page import html_page


def heading(lang: Lang = "de") -> str:
    return label("anlage1_heading", lang)


def legend(lang: Lang = "de") -> str:
    spans = "".join(
        f'<span class="{kind}">{escape(label(f"legend_{kind}", lang))}</span>'
        for kind in ("done", "planned", "replanned", "open")
    )
    return f'<p class="legend">{spans}</p>'


def anlage1_html_table(df: pd.DataFrame) -> str:
    """A <table> of an Anlage 1 frame (module, title, then one column per group); each
    group cell carries its kind as CSS class."""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in df.columns)
    body = []
    for values in df.itertuples(index=False):
        cells = []
        for j, value in enumerate(values):
            text = escape(str(value))
            if j == 0:
                cells.append(f'<th scope="row">{text}</th>')
            elif j == 1:
                cells.append(f'<td class="title">{text}</td>')
            else:
                cells.append(f'<td class="{cell_kind(str(value))}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="anlage1">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>"
    )


def snapshot_line(instance: Instance, lang: Lang = "de") -> str:
    snap = instance.training.snapshot if instance.training else None
    if snap is None:
        return ""
    return f'<p class="meta">{label("status_date", lang)}: {snap.date.isoformat()}</p>'


def anlage1_sections(
    instance: Instance, plan: TrainingPlan, level: int = 2, lang: Lang = "de"
) -> str:
    """Date form then year form, each under its own heading, with the colour legend."""
    h = f"h{level}"
    dates = anlage1_html_table(anlage1_table(instance, plan, lang))
    years = anlage1_html_table(anlage1_years(instance, plan, lang))
    return (
        f"<{h}>{label('anlage1_dates', lang)}</{h}>\n{legend(lang)}\n{dates}\n"
        f"<{h}>{label('anlage1_years', lang)}</{h}>\n{years}"
    )


def write_anlage1_html(
    instance: Instance, plan: TrainingPlan, path: Path, lang: Lang | None = None
) -> Path:
    lang = lang or instance.language
    title = heading(lang)
    body = (
        f"<h1>{title}</h1>\n"
        f'<p class="meta">{escape(instance.name)}</p>\n'
        f"{snapshot_line(instance, lang)}\n{anlage1_sections(instance, plan, lang=lang)}"
    )
    path.write_text(html_page(f"{title} ({instance.name})", body, lang=lang), encoding="utf-8")
    return path
