"""The rollout's tables and charts: rollout_tasks.csv, Anlage 2 (tasks x months), a Gantt
chart by family and centre, and the resource usage per day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from models.instance import Instance
from models.rollout import RolloutPlan, rollout_calendar
from reports.gantt import DAY_MS, PALETTE
from reports.i18n import Lang, column, label
from reports.page import html_page
from reports.tables import write_csv

ANLAGE2_HEADING = label("anlage2_heading", "de")
TEXT_COLUMNS = ("Familie", "Aufgabe", "Titel")
ROLLOUT_FILES = ("rollout_tasks.csv", "anlage2.csv", "anlage2.html")


def rollout_tasks_table(plan: RolloutPlan) -> pd.DataFrame:
    """One row per task (per centre for per-unit tasks), in plan order."""
    rows = [
        {
            "family": t.family,
            "task": t.task,
            "unit": t.unit,
            "title": t.title,
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
            "resources": "; ".join(f"{k}={v}" for k, v in sorted(t.resources.items())),
        }
        for t in plan.tasks
    ]
    cols = ["family", "task", "unit", "title", "start", "end", "resources"]
    return pd.DataFrame(rows, columns=cols)


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def anlage2_table(instance: Instance, plan: RolloutPlan) -> pd.DataFrame:
    """Tasks (in family and template order) x months; a month is marked `x` when the task
    runs on a day of it (at any centre, for per-unit tasks), as the bars of Anlage 2."""
    assert instance.rollout is not None
    if not plan.tasks:
        return pd.DataFrame(columns=["Familie", "Aufgabe", "Titel"])
    months = _months(min(t.start for t in plan.tasks), max(t.end for t in plan.tasks))
    active: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    for t in plan.tasks:
        for ym in _months(t.start, t.end):
            active[(t.family, t.task)].add(ym)
    rows = []
    for fam in instance.rollout.families:
        for task in fam.tasks:
            row = {"Familie": fam.name or fam.id, "Aufgabe": task.id, "Titel": task.title}
            for ym in months:
                row[f"{ym[0]}-{ym[1]:02d}"] = "x" if ym in active[(fam.id, task.id)] else ""
            rows.append(row)
    return pd.DataFrame(rows)


def anlage2_html(instance: Instance, plan: RolloutPlan, lang: Lang = "de") -> str:
    """Anlage 2 as an HTML table with shaded month cells (no scripts, no external CSS)."""
    df = anlage2_table(instance, plan)
    head = "".join(f"<th>{escape(column(str(c), lang))}</th>" for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cells = []
        for col, value in row.items():
            if col in TEXT_COLUMNS:
                cells.append(f"<td>{escape(str(value))}</td>")
            else:
                style = ' style="background:#5b8def"' if value == "x" else ""
                cells.append(f"<td{style}></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    rows = "".join(body)
    return f'<table class="anlage"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def write_rollout_files(
    instance: Instance, plan: RolloutPlan, out_dir: Path, lang: Lang | None = None
) -> list[Path]:
    out = Path(out_dir)
    lang = lang or instance.language
    paths = [out / name for name in ROLLOUT_FILES]
    write_csv(rollout_tasks_table(plan), paths[0], lang)
    write_csv(anlage2_table(instance, plan), paths[1], lang)
    heading = label("anlage2_heading", lang)
    body = f"<h1>{heading}</h1>\n{anlage2_html(instance, plan, lang)}"
    paths[2].write_text(html_page(heading, body, lang=lang), encoding="utf-8")
    return paths


def rollout_gantt(instance: Instance, plan: RolloutPlan, lang: Lang = "de") -> go.Figure:
    """A bar per task (and centre), coloured by family; the first family on top."""
    assert instance.rollout is not None
    fams = [f.id for f in instance.rollout.families]
    color = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(fams)}
    fig = go.Figure()
    for fam in fams:
        tasks = [t for t in plan.tasks if t.family == fam]
        if not tasks:
            continue
        fig.add_trace(
            go.Bar(
                name=fam,
                orientation="h",
                y=[f"{t.family} · {t.task}" + (f" ({t.unit})" if t.unit else "") for t in tasks],
                base=[t.start.isoformat() for t in tasks],
                x=[((t.end - t.start).days + 1) * DAY_MS for t in tasks],
                marker_color=color[fam],
                hovertext=[
                    f"{escape(t.title or t.task)}<br>{t.start} – {t.end}"
                    + (f"<br>{t.unit}" if t.unit else "")
                    for t in tasks
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        title=f"{label('rollout_chart', lang)} – {instance.name}",
        barmode="overlay",
        xaxis={"type": "date"},
        yaxis={"autorange": "reversed"},
        height=max(300, 18 * len(plan.tasks) + 120),
        legend_title_text=label("family", lang),
    )
    return fig


def resource_usage(instance: Instance, plan: RolloutPlan) -> pd.DataFrame:
    """Amount in use per resource copy and working day of the rollout calendar."""
    assert instance.rollout is not None
    cal = rollout_calendar(instance.calendar, instance.rollout)
    use: dict[tuple[str, dt.date], int] = defaultdict(int)
    for t in plan.tasks:
        first = cal.first_index_on_or_after(t.start)
        last = cal.last_index_on_or_before(t.end)
        for day in cal.days[first : last + 1]:
            for res, amount in t.resources.items():
                use[(res, day)] += amount
    rows = [{"resource": r, "date": d, "used": u} for (r, d), u in sorted(use.items())]
    return pd.DataFrame(rows, columns=["resource", "date", "used"])


def resource_chart(instance: Instance, plan: RolloutPlan, lang: Lang = "de") -> go.Figure:
    df = resource_usage(instance, plan)
    fig = go.Figure()
    for res, part in df.groupby("resource", sort=True):
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in part["date"]],
                y=part["used"],
                mode="lines",
                line_shape="hv",
                name=str(res),
            )
        )
    fig.update_layout(
        title=label("resources", lang),
        xaxis={"type": "date"},
        yaxis_title=label("used", lang),
        height=420,
    )
    return fig
