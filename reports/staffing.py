"""Staffing reports: the Senate paper's table regenerated, the allocation, the timeline of
planned against expected BV, and its chart."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from models.check_staffing import staffing_figures
from models.instance import Instance
from models.staffing import SCALE, StaffingPart, StaffingPlan, short_month
from reports.i18n import Lang
from reports.i18n import label as text
from reports.tables import write_csv

STAFFING_FILES = ("staffing_allocation.csv", "staffing_timeline.csv", "staffing_table.csv")

TOTAL_LABEL = "Insgesamt"


def _de(value: float, whole_as_int: bool = False) -> str:
    """German number format as in the Senate paper: 11,5; 1,0 (or 9 / 8 in breakdowns)."""
    if whole_as_int and float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def _year_cell(parts: list[tuple[float, str, bool]]) -> str:
    """One year's cell: '11,5 (8 BV ab 1/15 und 3,5 BV ab 4/15)', '1,0 (7/15)' or '3,0'."""
    if not parts:
        return ""
    total = sum(bv for bv, _, _ in parts)
    stated = [(bv, m) for bv, m, s in parts if s]
    if len(parts) > 1 and len(stated) == len(parts):
        inner = " und ".join(f"{_de(bv, True)} BV ab {short_month(m)}" for bv, m in stated)
        return f"{_de(total, True)} ({inner})"
    if len(parts) == 1 and stated:
        return f"{_de(total)} ({short_month(stated[0][1])})"
    return _de(total)


def staffing_table(instance: Instance, plan: StaffingPlan) -> pd.DataFrame:
    """The table of the Senate paper of 7 Oct 2014, regenerated: per category the need,
    the existing and the additional BV, and per budget year the BV the plan allocates with
    the release months (those the source states)."""
    part = _part(instance)
    placed: dict[str, float] = defaultdict(float)
    for a in plan.allocations:
        placed[a.tranche] += a.bv
    years = sorted({t.booked_year() for _, t in part.tranches()})
    rows = []
    totals: dict[int, float] = defaultdict(float)
    for cat in part.categories:
        by_year: dict[int, list[tuple[float, str, bool]]] = defaultdict(list)
        for t in sorted(cat.tranches, key=lambda t: part.offset(t.release)):
            by_year[t.booked_year()].append((placed[t.id], t.release, t.release_stated))
            totals[t.booked_year()] += placed[t.id]
        additional = sum(placed[t.id] for t in cat.tranches)
        row = {
            "area": cat.name or cat.id,
            "need_bv": cat.need,
            "existing_bv": cat.existing,
            "additional_bv": additional,
        }
        row.update({str(y): _year_cell(by_year.get(y, [])) for y in years})
        rows.append(row)
    total = {
        "area": TOTAL_LABEL,
        "need_bv": sum(c.need for c in part.categories),
        "existing_bv": sum(c.existing for c in part.categories),
        "additional_bv": sum(r["additional_bv"] for r in rows),
    }
    total.update({str(y): _de(totals[y]) for y in years})
    rows.append(total)
    return pd.DataFrame(rows)


def allocation_table(instance: Instance, plan: StaffingPlan) -> pd.DataFrame:
    """One row per unit, tranche and posting month; `start_month` is the posting month."""
    part = _part(instance)
    centre = {u.id: u.centre or "" for u in part.units}
    rows = [
        {
            "category": a.category,
            "unit": a.unit,
            "bv": a.bv,
            "release_month": a.release_month,
            "start_month": a.post_month,
            "tranche": a.tranche,
            "centre": centre.get(a.unit, ""),
        }
        for a in plan.allocations
    ]
    cols = ["category", "unit", "bv", "release_month", "start_month", "tranche", "centre"]
    return pd.DataFrame(rows, columns=cols)


def timeline_table(instance: Instance, plan: StaffingPlan) -> pd.DataFrame:
    """Month by month and unit: `planned_bv` (current BV plus the BV posted so far) and
    `expected_bv` (what is expected to be filled: lags, failed postings, attrition)."""
    part = _part(instance)
    figures = staffing_figures(instance, plan, {})
    posted: dict[str, list[float]] = {u.id: [0.0] * part.months for u in part.units}
    for a in plan.allocations:
        for t in range(max(0, part.offset(a.post_month)), part.months):
            posted[a.unit][t] += a.bv
    rows = []
    for t, label in enumerate(part.month_labels()):
        for u in part.units:
            rows.append(
                {
                    "month": label,
                    "unit": u.id,
                    "planned_bv": round(u.bv + posted[u.id][t], 2),
                    "expected_bv": round(figures.effective(u.id)[t] / SCALE, 2),
                    "category": u.category,
                    "centre": u.centre or "",
                }
            )
    return pd.DataFrame(rows)


def write_staffing_files(
    instance: Instance, plan: StaffingPlan, out_dir: Path, lang: Lang | None = None
) -> list[Path]:
    out = Path(out_dir)
    lang = lang or instance.language
    return [
        write_csv(allocation_table(instance, plan), out / "staffing_allocation.csv", lang),
        write_csv(timeline_table(instance, plan), out / "staffing_timeline.csv", lang),
        write_csv(staffing_table(instance, plan), out / "staffing_table.csv", lang),
    ]


def staffing_timeline_chart(instance: Instance, plan: StaffingPlan, lang: Lang = "en") -> go.Figure:
    """Casework BV per centre, planned against expected, one small panel per centre."""
    part = _part(instance)
    df = timeline_table(instance, plan)
    df = df[df["category"] == part.casework_category]
    df = df.assign(centre=df["centre"].replace("", text("no_centre", lang)))
    centres = list(dict.fromkeys(df["centre"]))
    cols = min(3, max(1, len(centres)))
    rows = -(-len(centres) // cols)
    names = {c.id: c.name for c in instance.organisation.centres}
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        subplot_titles=[f"{c} {names.get(c, '')}".strip() for c in centres],
    )
    for i, centre in enumerate(centres):
        sub = (
            df[df["centre"] == centre]
            .groupby("month", sort=True)[["planned_bv", "expected_bv"]]
            .sum()
        )
        r, c = i // cols + 1, i % cols + 1
        for col, label, dash in (
            ("planned_bv", text("planned_line", lang), "dash"),
            ("expected_bv", text("expected_line", lang), None),
        ):
            fig.add_trace(
                go.Scatter(
                    x=list(sub.index),
                    y=sub[col].round(2).tolist(),
                    name=label,
                    legendgroup=label,
                    showlegend=i == 0,
                    line={"dash": dash} if dash else {},
                ),
                row=r,
                col=c,
            )
    fig.update_layout(
        title=text("timeline_chart", lang),
        height=260 * rows + 80,
        margin={"t": 80, "l": 50, "r": 20, "b": 40},
    )
    return fig


def _part(instance: Instance) -> StaffingPart:
    if instance.staffing is None:
        raise ValueError("the instance has no staffing part")
    return instance.staffing
