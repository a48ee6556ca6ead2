"""`juwe bench` outputs: the results table as CSV and one page with objective and bound
over time for every solve (from the CP-SAT solution callbacks)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from models.history import SolveHistory
from reports.page import html_page
from reports.tables import write_csv

COLUMNS = [
    "instance",
    "part",
    "status",
    "objective",
    "bound",
    "gap_pct",
    "seconds",
    "deterministic_time",
    "baseline_objective",
    "ratio_to_baseline",
    "note",
]


def bench_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def progress_figure(
    runs: list[tuple[str, SolveHistory, float | None]],
) -> go.Figure:
    """One panel per solve: (title, its objective/bound history, baseline objective)."""
    n = max(1, len(runs))
    cols = 2 if n > 1 else 1
    rows = -(-n // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t for t, _, _ in runs] or [""])
    for i, (_title, history, baseline) in enumerate(runs):
        r, c = i // cols + 1, i % cols + 1
        xs = [round(p.seconds, 3) for p in history]
        found = history.solutions()
        fig.add_trace(
            go.Scatter(
                x=[round(p.seconds, 3) for p in found],
                y=[p.objective for p in found],
                mode="lines+markers",
                line={"shape": "hv", "color": "#1d4ed8"},
                name="objective",
                legendgroup="objective",
                showlegend=i == 0,
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[p.bound for p in history],
                mode="lines",
                line={"shape": "hv", "color": "#15803d", "dash": "dot"},
                name="bound",
                legendgroup="bound",
                showlegend=i == 0,
            ),
            row=r,
            col=c,
        )
        if baseline is not None and xs:
            fig.add_trace(
                go.Scatter(
                    x=[0, xs[-1]],
                    y=[baseline, baseline],
                    mode="lines",
                    line={"color": "#b91c1c", "dash": "dash"},
                    name="baseline",
                    legendgroup="baseline",
                    showlegend=i == 0,
                ),
                row=r,
                col=c,
            )
        fig.update_xaxes(title_text="seconds", row=r, col=c)
    fig.update_layout(height=280 * rows + 80, margin={"t": 60, "l": 60, "r": 20, "b": 40})
    return fig


def write_bench_files(
    rows: list[dict[str, object]],
    runs: list[tuple[str, SolveHistory, float | None]],
    out_dir: Path,
) -> list[Path]:
    out = Path(out_dir)
    table = bench_table(rows)
    csv_path = out / "bench.csv"
    write_csv(table, csv_path)
    fig = progress_figure(runs)
    chart = fig.to_html(
        full_html=False,
        include_plotlyjs=True,
        include_mathjax=False,
        div_id="bench-progress",
        config={"displaylogo": False},
    )
    body = (
        "<h1>juwe bench</h1>\n"
        + table.to_html(index=False, na_rep="", classes="bench", border=0)
        + "\n<h2>Objective and bound over time</h2>\n"
        + '<p class="meta">'
        + escape(
            "Each improving solution of CP-SAT (objective) and the best bound at that "
            "moment; the dashed line is the hand-planning baseline."
        )
        + "</p>\n"
        + chart
    )
    html_path = out / "bench.html"
    html_path.write_text(html_page("juwe bench", body, lang="en"), encoding="utf-8")
    return [csv_path, html_path]
