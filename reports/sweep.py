"""sweep.csv and sweep.html of `juwe sweep`: a row per point, and one chart per answer
(objective, last finishing date, each wave's end) against the swept values. Self-contained
(plotly.js inlined once)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from models.sweep import Point
from reports.page import html_page
from reports.tables import write_csv

# the columns of the changes a sweep point can make, in the order of its fields (an
# absence goes into the point's name)
SWEPT = tuple(f for f in Point.model_fields if f not in ("name", "absent"))
ANSWERS = ("objective", "last_finish", "rollout_end", "rollout_span_days", "rollout_objective")


def write_sweep_files(rows: list[dict[str, Any]], answer: str | None, folder: Path) -> None:
    df = pd.DataFrame(rows)
    first = ["point", *[c for c in SWEPT if c in df.columns]]
    df = df[first + [c for c in df.columns if c not in first]]  # the swept values first
    for c in ("trainers", "monthly_cap", "coverage", "rollout_span_days"):
        if c in df.columns:
            df[c] = df[c].astype("Int64")  # whole numbers, blank where not swept
    write_csv(df, folder / "sweep.csv")
    answers = [c for c in df.columns if c in ANSWERS or c.endswith("_end")]
    swept = [c for c in SWEPT if c in df.columns and df[c].nunique() > 1] or ["point"]
    charts = []
    first = True
    for ans in answers:
        for x in swept:
            sub = df.dropna(subset=[ans]).sort_values(x) if x in df.columns else df
            if sub.empty:
                continue
            fig = go.Figure(go.Scatter(x=sub[x].astype(str), y=sub[ans], mode="lines+markers"))
            fig.update_layout(title=f"{ans} against {x}", xaxis_title=x, yaxis_title=ans)
            charts.append(fig.to_html(full_html=False, include_plotlyjs=first))
            first = False
    body = "<h1>juwe sweep</h1>"
    if answer:
        body += f"<p><strong>{escape(answer)}</strong></p>"
    body += "".join(f"<div>{c}</div>" for c in charts)
    body += df.to_html(index=False, na_rep="", escape=True)
    (folder / "sweep.html").write_text(html_page("juwe sweep", body, lang="en"), encoding="utf-8")
