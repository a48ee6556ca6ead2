"""anlage1.html: Anlage 1 as a coloured table that opens in any browser and prints well."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from models.instance import Instance
from models.plan import TrainingPlan
from reports.anlage1 import MODULE_COL, TITLE_COL, anlage1_table, anlage1_years, cell_kind
from reports.page import html_page

HEADING = "Anlage 1: Stand der Fortbildungen"

LEGEND = (
    '<p class="legend"><span class="done">erl. = erledigt</span>'
    '<span class="planned">Datum/Jahr = geplant</span>'
    '<span class="replanned">offen → Datum = am Stichtag offen, neu geplant</span>'
    '<span class="open">offen = nicht geplant</span></p>'
)


def anlage1_html_table(df: pd.DataFrame) -> str:
    """A <table> of an Anlage 1 frame; each group cell carries its kind as CSS class."""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in df.columns)
    body = []
    for values in df.itertuples(index=False):
        cells = []
        for column, value in zip(df.columns, values):
            text = escape(str(value))
            if column == MODULE_COL:
                cells.append(f'<th scope="row">{text}</th>')
            elif column == TITLE_COL:
                cells.append(f'<td class="title">{text}</td>')
            else:
                cells.append(f'<td class="{cell_kind(str(value))}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="anlage1">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>"
    )


def snapshot_line(instance: Instance) -> str:
    snap = instance.training.snapshot if instance.training else None
    if snap is None:
        return ""
    return f'<p class="meta">Stichtag des Ausgangsstands: {snap.date.isoformat()}</p>'


def anlage1_sections(instance: Instance, plan: TrainingPlan, level: int = 2) -> str:
    """Date form then year form, each under its own heading, with the colour legend."""
    h = f"h{level}"
    dates = anlage1_html_table(anlage1_table(instance, plan))
    years = anlage1_html_table(anlage1_years(instance, plan))
    return (
        f"<{h}>Geplante Termine</{h}>\n{LEGEND}\n{dates}\n"
        f"<{h}>Jahresübersicht (Form des Ausgangsdokuments)</{h}>\n{years}"
    )


def write_anlage1_html(instance: Instance, plan: TrainingPlan, path: Path) -> Path:
    body = (
        f"<h1>{HEADING}</h1>\n"
        f'<p class="meta">{escape(instance.name)}</p>\n'
        f"{snapshot_line(instance)}\n{anlage1_sections(instance, plan)}"
    )
    path.write_text(html_page(f"{HEADING} ({instance.name})", body), encoding="utf-8")
    return path
