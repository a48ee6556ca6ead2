"""report.html: one self-contained page with the outcome, the charts and Anlage 1.

plotly.js is inlined once, in the first chart; later charts reuse it. Nothing is loaded
from the network (no CDN, no web fonts, no MathJax), so the page opens offline and can be
mailed as a single file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from models.instance import Instance
from models.plan import (
    PartOutcome,
    PlanFile,
    RolloutResultRecord,
    TrainingPlan,
    TrainingResultRecord,
)
from reports.anlage1_html import HEADING, anlage1_sections, snapshot_line
from reports.gantt import training_gantt
from reports.page import html_page
from reports.terms import terms_table

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def _num(value: float | int | None, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "–"
    v = float(value)
    return f"{int(v):d}" if v.is_integer() else f"{v:.{digits}f}"


def _gap(gap: float | None) -> str:
    return "–" if gap is None else f"{gap * 100:.2f} %"


class _Figures:
    """Renders figures as <div>s; only the first one carries the plotly.js library."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, fig: go.Figure, div_id: str) -> str:
        self.count += 1
        return fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            include_mathjax=False,
            config=PLOTLY_CONFIG,
            div_id=div_id,  # fixed ids instead of random ones: the same plan, the same page
        )


def outcome_html(outcome: PartOutcome, plan: TrainingPlan | None, weights: dict[str, int]) -> str:
    """Status, objective, bound, gap and the objective terms of one part.

    Wall-clock seconds are left out (they are in solve_stats.json), as in plan.json: the
    same plan gives the same page.
    """
    rows = [
        ("Status", f'<span class="status {outcome.status}">{escape(outcome.status)}</span>'),
        ("Objective", _num(outcome.objective)),
        ("Best bound", _num(outcome.bound)),
        ("Gap", _gap(outcome.gap)),
    ]
    if plan is not None:
        rows.append(("Sessions planned", str(len(plan.planned()))))
        rows.append(("Sessions done before", str(len(plan.sessions) - len(plan.planned()))))
    summary = "".join(f'<tr><th scope="row">{k}</th><td class="num">{v}</td></tr>' for k, v in rows)
    out = [f'<table class="summary"><tbody>{summary}</tbody></table>']
    if outcome.message:
        out.append(f'<pre class="message">{escape(outcome.message)}</pre>')
    terms = terms_table(outcome, weights)
    if terms.empty:
        out.append("<p>No objective terms were reported.</p>")
        return "\n".join(out)
    head = "<tr><th>Term</th><th>Value</th><th>Weight</th><th>Weighted</th><th>Meaning</th></tr>"
    body = "".join(
        f"<tr><th scope='row'>{escape(r.term)}</th><td class='num'>{_num(r.value)}</td>"
        f"<td class='num'>{_num(r.weight)}</td><td class='num'>{_num(r.weighted)}</td>"
        f"<td>{escape(r.explanation)}</td></tr>"
        for r in terms.itertuples(index=False)
    )
    out.append("<h3>Objective terms</h3>")
    out.append(f'<table class="terms"><thead>{head}</thead><tbody>{body}</tbody></table>')
    out.append(
        "<p class='meta'>The objective is the sum of value × weight over all terms; "
        "the weights can be changed in the instance file.</p>"
    )
    return "\n".join(out)


def _training_section(instance: Instance, record: TrainingResultRecord, figs: _Figures) -> str:
    weights = instance.training.weights.model_dump() if instance.training else {}
    parts = ["<h2>Training calendar</h2>", outcome_html(record.outcome, record.plan, weights)]
    plan = record.plan
    if plan is None:
        parts.append(
            "<p>No training plan was found, so there is no chart and no Anlage 1; "
            "see the status and message above.</p>"
        )
        return "\n".join(parts)
    parts.append("<h3>Gantt chart by group</h3>")
    parts.append(figs.html(training_gantt(instance, plan, by="group"), "gantt-by-group"))
    parts.append("<h3>Gantt chart by trainer</h3>")
    parts.append(figs.html(training_gantt(instance, plan, by="trainer"), "gantt-by-trainer"))
    parts.append(f"<h2>{HEADING}</h2>")
    parts.append(snapshot_line(instance))
    parts.append(anlage1_sections(instance, plan, level=3))
    return "\n".join(parts)


def report_html(plan_file: PlanFile) -> str:
    """The whole report page as text."""
    inst = plan_file.instance
    figs = _Figures()
    body = [f"<h1>Plan: {escape(inst.name)}</h1>"]
    if inst.description:
        body.append(f'<p class="meta">{escape(inst.description)}</p>')
    if inst.assumptions:
        items = "".join(f"<li>{escape(a)}</li>" for a in inst.assumptions)
        body.append(f"<h2>Assumptions</h2>\n<ul>{items}</ul>")
    if inst.training is not None:
        if plan_file.training is None:
            body.append("<h2>Training calendar</h2>\n<p>The training part was not solved.</p>")
        else:
            body.append(_training_section(inst, plan_file.training, figs))
    if inst.rollout is not None and plan_file.rollout is not None:
        body.append(_rollout_section(inst, plan_file.rollout, figs))
    return html_page(f"Plan {inst.name}", "\n".join(body), lang="en")


def _rollout_section(instance: Instance, record: RolloutResultRecord, figs: _Figures) -> str:
    from reports.rollout import ANLAGE2_HEADING, anlage2_html, resource_chart, rollout_gantt

    o = record.outcome
    terms = "".join(
        f"<tr><td>{escape(k)}</td><td>{_num(v)}</td><td>{o.weights.get(k, '')}</td></tr>"
        for k, v in o.terms.items()
    )
    parts = [
        "<h2>Core-process rollout</h2>",
        f"<p>Status <b>{escape(o.status)}</b>, objective {_num(o.objective)}, bound "
        f"{_num(o.bound)}, gap {_gap(o.gap)}. {escape(o.message)}</p>",
        "<p>Terms: each family's completion (working-calendar day of its last task, weighted "
        "by the family's priority) and the makespan.</p>",
        f"<table><tr><th>Term</th><th>Value</th><th>Weight</th></tr>{terms}</table>",
    ]
    if record.coupling:
        parts.append(f"<p>Coupling: {escape(record.coupling)}.</p>")
    if record.plan is not None:
        parts.append(figs.html(rollout_gantt(instance, record.plan), "rollout-gantt"))
        parts.append(figs.html(resource_chart(instance, record.plan), "rollout-resources"))
        parts.append(f"<h2>{ANLAGE2_HEADING}</h2>")
        parts.append(anlage2_html(instance, record.plan))
    return "\n".join(parts)


def write_report_html(plan_file: PlanFile, out_dir: Path) -> Path:
    path = Path(out_dir) / "report.html"
    path.write_text(report_html(plan_file), encoding="utf-8")
    return path
