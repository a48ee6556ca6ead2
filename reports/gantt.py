"""The training calendar as a Gantt chart: one row per group (or trainer), one bar per session.

Built from plain `go.Bar` traces with a date base (what plotly express' timeline does), so
the figure needs no pandas datetime handling and the colours stay stable: one per module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

import plotly.graph_objects as go
from plotly.colors import qualitative

from models.instance import Instance
from models.plan import PlannedSession, TrainingPlan
from reports.i18n import Lang, column, label, value
from reports.labels import (
    centre_label,
    day_after,
    group_label,
    module_title,
    trainer_label,
)

DAY_MS = 86_400_000
DONE_COLOR = "#c4c4c4"
BLACKOUT_COLOR = "#7f7f7f"
HOLIDAY_COLOR = "#d62728"
PALETTE = qualitative.Plotly + qualitative.Dark24


def _rows(instance: Instance, by: str, lang: Lang = "de") -> tuple[list[str], Callable]:
    """The y categories in display order and the function that maps a session to one."""
    if by == "group":
        rows = [group_label(g.id, lang) for g in instance.organisation.groups]
        return rows, lambda s: group_label(s.group, lang)
    trainers = instance.training.trainers if instance.training else []
    rows = [trainer_label(instance, t.id) for t in trainers]
    return rows, lambda s: trainer_label(instance, s.trainer)


def _hover(instance: Instance, s: PlannedSession) -> str:
    assert s.start is not None
    end = s.end or s.start
    dates = s.start.isoformat() if end == s.start else f"{s.start} – {end}"
    title = module_title(instance, s.module)
    lines = [
        f"<b>Modul {escape(s.session)}</b> – {escape(group_label(s.group))}",
        escape(title[:70] + ("…" if len(title) > 70 else "")),
        f"{dates} ({'erledigt' if s.status == 'done' else 'geplant'})",
        f"Trainer: {escape(trainer_label(instance, s.trainer))}",
        f"Zentrum: {escape(centre_label(instance, s.group))}",
    ]
    if s.was_missed:
        lines.append("am Stichtag offen, neu geplant")
    return "<br>".join(line for line in lines if line)


def _bar(
    instance: Instance, sessions: list[PlannedSession], row_of: Callable, name: str, color: str
) -> go.Bar:
    starts = [s.start for s in sessions if s.start is not None]
    ends = [day_after(s.end or s.start) for s in sessions if s.start is not None]
    return go.Bar(
        name=name,
        orientation="h",
        y=[row_of(s) for s in sessions],
        base=[d.isoformat() for d in starts],
        x=[(e - d).days * DAY_MS for d, e in zip(starts, ends)],
        marker={"color": color, "line": {"width": 0}},
        hovertext=[_hover(instance, s) for s in sessions],
        hovertemplate="%{hovertext}<extra></extra>",
        legendgroup=name,
    )


def _merged(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Inclusive date ranges with overlapping or touching ones joined."""
    out: list[tuple[dt.date, dt.date]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _band(lo: dt.date, hi: dt.date, color: str, opacity: float) -> dict:
    return {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": lo.isoformat(),
        "x1": day_after(hi).isoformat(),
        "y0": 0,
        "y1": 1,
        "fillcolor": color,
        "opacity": opacity,
        "line": {"width": 0},
        "layer": "below",
    }


def _shade(fig: go.Figure, instance: Instance) -> None:
    """Blackouts (grey) and public holidays on working weekdays (red) as vertical bands:
    touching days merged, all bands set in one layout update (one `add_vrect` per holiday
    was quadratic: minutes for a long horizon)."""
    spec = instance.calendar
    blackouts = [
        (max(b.start, spec.start), min(b.end, spec.end))
        for b in spec.blackouts
        if max(b.start, spec.start) <= min(b.end, spec.end)
    ]
    holidays = [
        (day, day)
        for day in instance.working_calendar.public_holidays
        if spec.contains(day) and day.weekday() < 5
    ]
    shapes = [_band(lo, hi, BLACKOUT_COLOR, 0.15) for lo, hi in _merged(blackouts)]
    shapes += [_band(lo, hi, HOLIDAY_COLOR, 0.18) for lo, hi in _merged(holidays)]
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes])
    for name, color in (("Ferien/Sperrzeit", BLACKOUT_COLOR), ("Feiertag", HOLIDAY_COLOR)):
        fig.add_trace(  # legend entries for the bands, which have none of their own
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker={"symbol": "square", "size": 12, "color": color, "opacity": 0.4},
                hoverinfo="skip",
            )
        )


def training_gantt(
    instance: Instance, plan: TrainingPlan, by: str = "group", lang: Lang = "de"
) -> go.Figure:
    """Planned sessions coloured by module; dated done sessions greyed; rows by group/trainer."""
    if by not in ("group", "trainer"):
        raise ValueError(f"by must be 'group' or 'trainer', not {by!r}")
    rows, row_of = _rows(instance, by, lang)
    dated = [s for s in plan.sessions if s.start is not None]
    for s in dated:  # sessions of an unknown trainer or without one get a row of their own
        if row_of(s) not in rows:
            rows.append(row_of(s))
    fig = go.Figure()
    done = [s for s in dated if s.status == "done"]
    if done:
        fig.add_trace(_bar(instance, done, row_of, value("done", "status", lang), DONE_COLOR))
    modules = [m.id for m in instance.training.module_sequence()] if instance.training else []
    planned = [s for s in dated if s.status == "planned"]
    modules += sorted({s.module for s in planned} - set(modules))
    for i, mid in enumerate(modules):
        chosen = [s for s in planned if s.module == mid]
        if chosen:
            name = f"{column('Modul', lang)} {mid}"
            fig.add_trace(_bar(instance, chosen, row_of, name, PALETTE[i % len(PALETTE)]))
    _shade(fig, instance)
    spec = instance.calendar
    fig.add_trace(  # an invisible point per row, so rows without dated sessions still show
        go.Scatter(
            x=[spec.start.isoformat()] * len(rows),
            y=rows,
            mode="markers",
            marker={"opacity": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        title=f"{label('training', lang)} {instance.name} – {label('gantt_by_' + by, lang)}",
        barmode="overlay",
        template="plotly_white",
        height=max(320, 140 + 32 * len(rows)),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        legend={"title": {"text": column("Modul", lang)}},
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(type="date", range=[spec.start.isoformat(), day_after(spec.end).isoformat()])
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=rows,
        autorange="reversed",
        title=None,
    )
    return fig
