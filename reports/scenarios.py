"""scenarios.csv and scenarios.html of `juwe staffing scenarios`: a row per variant and
fan charts of the simulated casework BV, side by side.

The page is self-contained: plotly.js is inlined once, nothing is loaded from the network.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.cells import csv_text
from reports.page import html_page

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
FIRST_COLUMNS = ["variant", "status", "objective", "bound", "gap", "message"]


@dataclass
class VariantOutcome:
    """What the page shows of one variant; `fan` is None when it has no plan."""

    name: str
    description: str
    row: dict[str, Any]
    fan: np.ndarray | None = None  # (3, months): P10, P50, P90 of the casework BV
    expected: np.ndarray | None = None  # the model's expectation, month by month
    planned: np.ndarray | None = None  # casework BV planned (current + posted)


def columns(outcomes: list[VariantOutcome], first: list[str] = FIRST_COLUMNS) -> list[str]:
    """`first`, then every other column in first-seen order."""
    cols = list(first)
    for o in outcomes:
        for k in o.row:
            if k not in cols:
                cols.append(k)
    return cols


def write_scenarios_csv(outcomes: list[VariantOutcome], path: Path) -> Path:
    cols = columns(outcomes)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writerow({c: csv_text(c) for c in cols})
        for o in outcomes:
            w.writerow({c: csv_text(_cell(o.row.get(c))) for c in cols})
    return path


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float) and math.isnan(v):
        return ""
    return v


def fan_charts(
    outcomes: list[VariantOutcome], months: list[str], need: float | None = None
) -> go.Figure:
    """One panel per variant: the P10-P90 band and the median of the filled casework BV,
    the model's expectation and the planned BV; a line at the BV the caseload threshold
    asks for. Panels share the y axis, two per row."""
    cols = 2 if len(outcomes) > 1 else 1
    rows = math.ceil(len(outcomes) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        subplot_titles=[o.name for o in outcomes],
        vertical_spacing=min(0.12, 0.3 / max(1, rows - 1)) if rows > 1 else 0.1,
        horizontal_spacing=0.05,
    )
    x = months
    for i, o in enumerate(outcomes):
        r, c = i // cols + 1, i % cols + 1
        first = i == 0
        if o.fan is None:
            fig.add_annotation(
                text=f"no plan: {o.row.get('status', '')}",
                showarrow=False,
                xref=f"x{i + 1 if i else ''} domain",
                yref=f"y{i + 1 if i else ''} domain",
                x=0.5,
                y=0.5,
            )
            continue
        p10, p50, p90 = o.fan
        band = "rgba(37, 99, 235, 0.22)"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p90,
                mode="lines",
                line={"width": 0},
                name="P90",
                legendgroup="band",
                showlegend=False,
                hovertemplate="%{x}: P90 %{y:.1f} BV<extra></extra>",
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p10,
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=band,
                name="P10-P90 of filled BV",
                legendgroup="band",
                showlegend=first,
                hovertemplate="%{x}: P10 %{y:.1f} BV<extra></extra>",
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p50,
                mode="lines",
                line={"color": "#1d4ed8", "width": 2},
                name="median (P50)",
                legendgroup="median",
                showlegend=first,
                hovertemplate="%{x}: P50 %{y:.1f} BV<extra></extra>",
            ),
            row=r,
            col=c,
        )
        if o.expected is not None:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=o.expected,
                    mode="lines",
                    line={"color": "#111827", "width": 1, "dash": "dash"},
                    name="expected (model)",
                    legendgroup="expected",
                    showlegend=first,
                    hovertemplate="%{x}: expected %{y:.1f} BV<extra></extra>",
                ),
                row=r,
                col=c,
            )
        if o.planned is not None:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=o.planned,
                    mode="lines",
                    line={"color": "#6b7280", "width": 1, "dash": "dot", "shape": "hv"},
                    name="planned BV (current + posted)",
                    legendgroup="planned",
                    showlegend=first,
                    hovertemplate="%{x}: planned %{y:.1f} BV<extra></extra>",
                ),
                row=r,
                col=c,
            )
        if need is not None:
            fig.add_trace(
                go.Scatter(
                    x=[x[0], x[-1]],
                    y=[need, need],
                    mode="lines",
                    line={"color": "#b91c1c", "width": 1, "dash": "dot"},
                    name="BV for the caseload threshold",
                    legendgroup="need",
                    showlegend=first,
                    hoverinfo="skip",
                ),
                row=r,
                col=c,
            )
    fig.update_layout(
        height=max(360, 300 * rows + 80),
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.06 if rows > 1 else -0.15},
        template="plotly_white",
    )
    fig.update_yaxes(title_text="filled casework BV", col=1)
    return fig


def _fmt(v: Any) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:g}" if abs(v) >= 1000 or v.is_integer() else f"{v:.2f}"
    return str(v)


def table_html(outcomes: list[VariantOutcome], first: list[str] = FIRST_COLUMNS) -> str:
    cols = columns(outcomes, first)
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body = []
    for o in outcomes:
        cells = []
        for c in cols:
            v = o.row.get(c)
            if c == "status":
                cells.append(
                    f'<td><span class="status {escape(str(v))}">{escape(str(v))}</span></td>'
                )
            elif isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f'<td class="num">{escape(_fmt(v))}</td>')
            else:
                cells.append(f"<td>{escape(_fmt(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


HEATMAP_KPIS = (
    "objective",
    "vacancy_bv_months",
    "vacancy_bv_months_p90",
    "overload_unit_months",
    "overload_unit_months_p90",
)


def grid_heatmaps(outcomes: list[VariantOutcome], grid: dict[str, dict[str, Any]]) -> list[str]:
    """One heatmap per KPI over the HR grid: fill probability across, budget factor up,
    one panel per lag distribution (a missing axis is a single column or row)."""
    from models.scenarios import lag_label

    cells = [(grid[o.name], o.row) for o in outcomes if o.name in grid]
    if not cells:
        return []
    xs = sorted({c.get("fill_probability", 1.0) for c, _ in cells})
    ys = sorted({c.get("budget_factor", 1.0) for c, _ in cells})
    lags = sorted({lag_label(c["lag"]) if "lag" in c else "" for c, _ in cells})
    out = []
    for kpi in HEATMAP_KPIS:
        fig = make_subplots(rows=1, cols=len(lags), subplot_titles=lags or None)
        for j, lag in enumerate(lags):
            z = [[None] * len(xs) for _ in ys]
            for c, row in cells:
                if (lag_label(c["lag"]) if "lag" in c else "") != lag:
                    continue
                v = row.get(kpi)
                x = xs.index(c.get("fill_probability", 1.0))
                y = ys.index(c.get("budget_factor", 1.0))
                z[y][x] = v
            fig.add_trace(
                go.Heatmap(
                    z=z,
                    x=[f"fill {v:g}" for v in xs],
                    y=[f"budget x{v:g}" for v in ys],
                    coloraxis="coloraxis",
                    hovertemplate="%{x}, %{y}: %{z}<extra></extra>",
                ),
                row=1,
                col=j + 1,
            )
        fig.update_layout(title=kpi, coloraxis={"colorscale": "Reds"}, height=320)
        out.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs=False,
                config=PLOTLY_CONFIG,
                div_id=f"heatmap-{kpi}",
            )
        )
    return out


def scenarios_html(
    instance_name: str,
    outcomes: list[VariantOutcome],
    months: list[str],
    *,
    runs: int,
    seed: int,
    need: float | None = None,
    grid: dict[str, dict[str, Any]] | None = None,
) -> str:
    fig = fan_charts(outcomes, months, need)
    chart = fig.to_html(
        full_html=False,
        include_plotlyjs=True,
        include_mathjax=False,
        config=PLOTLY_CONFIG,
        div_id="scenario-fans",
    )
    described = "".join(
        f"<li><b>{escape(o.name)}</b>: {escape(o.description)}</li>"
        for o in outcomes
        if o.description
    )
    body = [
        f"<h1>Hiring scenarios: {escape(instance_name)}</h1>",
        f'<p class="meta">{len(outcomes)} variant(s); each re-optimised, then simulated '
        f"{runs} times (seed {seed}, the same random numbers for every variant).</p>",
    ]
    if described:
        body.append(f"<ul>{described}</ul>")
    body += [
        "<h2>Filled casework BV</h2>",
        "<p>Band: P10 to P90 of the filled BV of all casework teams over the simulated runs; "
        "line: the median; dashed: the model's expectation the solver optimised; dotted: "
        "the BV planned (current plus posted additional BV).</p>",
        chart,
    ]
    heatmaps = grid_heatmaps(outcomes, grid or {})
    if heatmaps:
        body += [
            "<h2>HR grid</h2>",
            "<p>One heatmap per key figure over the grid of fill probability (across) and "
            "budget factor (up), a panel per lag distribution (by its mean); empty cells: "
            "no plan.</p>",
            *heatmaps,
        ]
    body += [
        "<h2>Key figures</h2>",
        "<p><b>vacancy_bv_months</b>: BV-months by which the casework teams fall short of "
        "their planned BV (mean over runs; _p90 the 90th percentile). "
        "<b>overload_unit_months</b>: team-months with more cases per filled BV than the "
        "caseload threshold. <b>cw_bv_MONTH_pXX</b>: quantiles of the filled casework BV in "
        "that month. <b>cost_YEAR_teur</b>: mean simulated cost in that year of the tranches "
        "the year's budget pays for, beside <b>budget_YEAR_teur</b>.</p>",
        table_html(outcomes),
    ]
    return html_page(f"Hiring scenarios {instance_name}", "\n".join(body), lang="en")


def write_scenarios_html(
    path: Path,
    instance_name: str,
    outcomes: list[VariantOutcome],
    months: list[str],
    *,
    runs: int,
    seed: int,
    need: float | None = None,
    grid: dict[str, dict[str, Any]] | None = None,
) -> Path:
    path.write_text(
        scenarios_html(instance_name, outcomes, months, runs=runs, seed=seed, need=need, grid=grid),
        encoding="utf-8",
    )
    return path


# `juwe staffing robust`: expected-value vs robust allocation ------------------------------

ROBUST_KPIS = {
    "vacancy_bv_months": "vacancy (BV-months)",
    "overload_unit_months": "overloaded team-months",
    "excess_case_months": "excess caseload (case-months)",
}


def write_robust_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """robust.csv: a row per allocation (expected, robust), every figure a column."""
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writerow({c: csv_text(c) for c in cols})
        for r in rows:
            w.writerow({c: csv_text(_cell(r.get(c))) for c in cols})
    return path


def write_robust_allocations_csv(plans: dict[str, Any], path: Path) -> Path:
    """allocations.csv: both allocations' rows (allocation, tranche, unit, bv, post month)."""
    cols = ["allocation", "category", "tranche", "unit", "bv", "release_month", "post_month"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for name, plan in plans.items():
            for a in plan.allocations:
                w.writerow(
                    [csv_text(v) for v in (name, a.category, a.tranche, a.unit, a.bv)]
                    + [a.release_month, a.post_month]
                )
    return path


def robust_chart(rows: list[dict[str, Any]]) -> go.Figure:
    """Per KPI, mean, P50, P90 and CVaR of each allocation (grouped bars)."""
    fig = make_subplots(rows=1, cols=len(ROBUST_KPIS), subplot_titles=list(ROBUST_KPIS.values()))
    stats = ("mean", "p50", "p90", "cvar")
    for j, kpi in enumerate(ROBUST_KPIS):
        for r in rows:
            if f"{kpi}_mean" not in r:
                continue
            fig.add_trace(
                go.Bar(
                    name=r["allocation"],
                    x=list(stats),
                    y=[r.get(f"{kpi}_{s}") for s in stats],
                    legendgroup=r["allocation"],
                    showlegend=j == 0,
                    marker_color="#1f77b4" if r["allocation"] == "expected" else "#d62728",
                ),
                row=1,
                col=j + 1,
            )
    fig.update_layout(barmode="group", height=360, margin={"t": 60})
    return fig


def robust_html(
    instance_name: str,
    rows: list[dict[str, Any]],
    *,
    risk: str,
    samples: int,
    alpha: float,
    seed: int,
    runs: int,
    eval_seed: int,
) -> str:
    chart = robust_chart(rows).to_html(
        full_html=False,
        include_plotlyjs=True,
        include_mathjax=False,
        config=PLOTLY_CONFIG,
        div_id="robust-kpis",
    )
    tail = max(1, round((1 - alpha) * samples))
    body = [
        f"<h1>Robust staffing: {escape(instance_name)}</h1>",
        f'<p class="meta">expected: the allocation optimised on the expected hiring curve. '
        f"robust: the allocation that minimises the mean of the worst {tail} of {samples} "
        f"sampled hiring outcomes (CVaR at {alpha:g}, seed {seed}) of the {escape(risk)} "
        f"KPI. Both simulated on {runs} fresh runs (seed {eval_seed}).</p>",
        chart,
        "<h2>Key figures</h2>",
        "<p><b>_mean</b>, <b>_p50</b>, <b>_p90</b>: mean, median and 90th percentile over "
        "the fresh runs; <b>_cvar</b>: the mean of the worst runs beyond that quantile. "
        "<b>in_sample_*</b>: the risk over the optimisation's own samples. "
        "<b>expected_objective</b> / <b>robust_objective</b>: each model's objective of the "
        "allocation. <b>checked</b>: the allocation passes the staffing checker.</p>",
        robust_table_html(rows),
    ]
    return html_page(f"Robust staffing {instance_name}", "\n".join(body), lang="en")


def robust_table_html(rows: list[dict[str, Any]]) -> str:
    """A figure per row, the allocations side by side (robust.csv is the other way)."""
    figures: list[str] = []
    for r in rows:
        figures += [k for k in r if k not in figures and k != "allocation"]
    head = "<th>figure</th>" + "".join(f"<th>{escape(str(r['allocation']))}</th>" for r in rows)
    body = []
    for f in figures:
        cells = []
        for r in rows:
            v = r.get(f)
            num = isinstance(v, int | float) and not isinstance(v, bool)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{escape(_fmt(v))}</td>")
        body.append(f"<tr><td>{escape(f)}</td>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
