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
    StaffingResultRecord,
    TrainingPlan,
    TrainingResultRecord,
)
from reports.anlage1_html import anlage1_sections, heading, snapshot_line
from reports.changes import changes_html
from reports.gantt import training_gantt
from reports.i18n import Lang, glossary_html, label, localize
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


def outcome_html(
    outcome: PartOutcome,
    plan: TrainingPlan | None,
    weights: dict[str, int],
    extra: list[tuple[str, str]] | None = None,
    lang: Lang = "en",
) -> str:
    """Status, objective, bound, gap and the objective terms of one part (`extra`: further
    rows of the summary, already escaped).

    Wall-clock seconds are left out (they are in solve_stats.json), as in plan.json: the
    same plan gives the same page.
    """
    rows = [
        (
            label("status", lang),
            f'<span class="status {outcome.status}">{escape(outcome.status)}</span>',
        ),
        (label("objective", lang), _num(outcome.objective)),
        (label("bound", lang), _num(outcome.bound)),
        (label("gap", lang), _gap(outcome.gap)),
    ]
    if plan is not None:
        rows.append((label("sessions_planned", lang), str(len(plan.planned()))))
        done = len(plan.sessions) - len(plan.planned())
        rows.append((label("sessions_done", lang), str(done)))
    rows += extra or []
    summary = "".join(f'<tr><th scope="row">{k}</th><td class="num">{v}</td></tr>' for k, v in rows)
    out = [f'<table class="summary"><tbody>{summary}</tbody></table>']
    if outcome.message:
        out.append(f'<pre class="message">{escape(outcome.message)}</pre>')
    terms = terms_table(outcome, weights)
    if terms.empty:
        out.append(f"<p>{label('no_terms', lang)}</p>")
        return "\n".join(out)
    head = (
        "<tr>"
        + "".join(
            f"<th>{label(k, lang)}</th>" for k in ("term", "value", "weight", "weighted", "meaning")
        )
        + "</tr>"
    )
    body = "".join(
        f"<tr><th scope='row'>{escape(r.term)}</th><td class='num'>{_num(r.value)}</td>"
        f"<td class='num'>{_num(r.weight)}</td><td class='num'>{_num(r.weighted)}</td>"
        f"<td>{escape(r.explanation)}</td></tr>"
        for r in terms.itertuples(index=False)
    )
    out.append(f"<h3>{label('terms', lang)}</h3>")
    out.append(f'<table class="terms"><thead>{head}</thead><tbody>{body}</tbody></table>')
    out.append(f"<p class='meta'>{label('terms_meta', lang)}</p>")
    return "\n".join(out)


def _training_section(
    instance: Instance, record: TrainingResultRecord, figs: _Figures, lang: Lang = "en"
) -> str:
    weights = instance.training.weights.as_dict() if instance.training else {}
    parts = [
        f"<h2 id='training'>{label('training', lang)}</h2>",
        outcome_html(record.outcome, record.plan, weights, lang=lang),
    ]
    plan = record.plan
    if plan is None:
        parts.append(f"<p>{label('no_training_plan', lang)}</p>")
        return "\n".join(parts)
    parts.append(f"<h3>{label('gantt_group', lang)}</h3>")
    parts.append(figs.html(training_gantt(instance, plan, "group", lang), "gantt-by-group"))
    parts.append(f"<h3>{label('gantt_trainer', lang)}</h3>")
    parts.append(figs.html(training_gantt(instance, plan, "trainer", lang), "gantt-by-trainer"))
    parts.append(f"<h2 id='anlage1'>{heading(lang)}</h2>")
    parts.append(snapshot_line(instance, lang))
    parts.append(anlage1_sections(instance, plan, level=3, lang=lang))
    return "\n".join(parts)


def _summary(plan_file: PlanFile, lang: Lang = "en") -> str:
    """One row per part (and the joint solve): status, objective, bound, gap, coupling."""
    inst = plan_file.instance
    rows = []
    for part in inst.parts():
        record = getattr(plan_file, part)
        if record is None:
            rows.append(
                f"<tr><th scope='row'>{label(part, lang)}</th>"
                f"<td colspan='5'>{label('not_solved', lang)}</td></tr>"
            )
            continue
        o = record.outcome
        note = escape(getattr(record, "coupling", "") or o.message)
        rows.append(
            f"<tr><th scope='row'><a href='#{part}'>{label(part, lang)}</a></th>"
            f'<td><span class="status {o.status}">{escape(o.status)}</span></td>'
            f"<td class='num'>{_num(o.objective)}</td><td class='num'>{_num(o.bound)}</td>"
            f"<td class='num'>{_gap(o.gap)}</td><td>{note}</td></tr>"
        )
    if plan_file.joint is not None:
        j = plan_file.joint
        o = j.outcome
        verdict = label("joint_used" if j.used else "joint_not_used", lang)
        rows.append(
            f"<tr><th scope='row'>{label('joint', lang)}</th>"
            f'<td><span class="status {o.status}">{escape(o.status)}</span></td>'
            f"<td class='num'>{_num(o.objective)}</td><td class='num'>{_num(o.bound)}</td>"
            f"<td class='num'>{_gap(o.gap)}</td><td>{verdict} "
            f"({_num(j.sequential_objective)})</td></tr>"
        )
    head = (
        "<tr>"
        + "".join(
            f"<th>{label(k, lang)}</th>"
            for k in ("part", "status", "objective", "bound", "gap", "note")
        )
        + "</tr>"
    )
    return (
        f"<h2 id='summary'>{label('summary', lang)}</h2>"
        f'<table class="summary-parts"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
        f"</table><p class='meta'>{label('summary_meta', lang)}</p>"
    )


def report_html(plan_file: PlanFile, lang: Lang | None = None) -> str:
    """The whole report page as text, in `lang` (default: the instance's language)."""
    inst = plan_file.instance
    lang = lang or inst.language
    figs = _Figures()
    body = [f"<h1>{label('plan', lang)}: {escape(inst.name)}</h1>"]
    if inst.description:
        body.append(f'<p class="meta">{escape(inst.description)}</p>')
    body.append(_summary(plan_file, lang))
    if plan_file.revision is not None:
        body.append(changes_html(plan_file.revision, lang))
    if inst.assumptions:
        items = "".join(f"<li>{escape(a)}</li>" for a in inst.assumptions)
        body.append(
            f"<h2>{label('assumptions', lang)}</h2>\n"
            f"<p class='meta'>{label('assumptions_meta', lang)}</p><ul>{items}</ul>"
        )
    if inst.training is not None:
        if plan_file.training is None:
            body.append(
                f"<h2 id='training'>{label('training', lang)}</h2>\n"
                f"<p>{label('not_solved', lang)}</p>"
            )
        else:
            body.append(_training_section(inst, plan_file.training, figs, lang))
    if inst.staffing is not None and plan_file.staffing is not None:
        body.append(_staffing_section(inst, plan_file.staffing, figs, lang))
    if inst.rollout is not None and plan_file.rollout is not None:
        body.append(_rollout_section(inst, plan_file.rollout, figs, lang))
    body.append(glossary_html(lang))
    return html_page(f"{label('plan', lang)} {inst.name}", "\n".join(body), lang=lang)


def _decimal_comma(value: float) -> str:
    """29.0 -> '29,0', 7.25 -> '7,25': numbers as a German reader writes them."""
    digits = 1 if round(value * 10, 6).is_integer() else 2
    return f"{value:.{digits}f}".replace(".", ",")


def _table(df: pd.DataFrame, lang: Lang = "en") -> str:
    """A table with canonical columns as HTML, headers and cell words in `lang` (German:
    decimal commas, as in the Senate paper)."""
    out = localize(df, lang)
    if lang == "de":
        out = out.map(lambda v: _decimal_comma(v) if isinstance(v, float) and v == v else v)
    return out.to_html(index=False, na_rep="", border=0, classes="data", escape=True)


def _staffing_section(
    instance: Instance, record: StaffingResultRecord, figs: _Figures, lang: Lang = "en"
) -> str:
    from reports.staffing import (
        allocation_table,
        staffing_table,
        staffing_timeline_chart,
    )

    part = instance.staffing
    assert part is not None
    extra = [(label("coupling", lang), escape(record.coupling))] if record.coupling else []
    parts = [
        f"<h2 id='staffing'>{label('staffing_heading', lang)}</h2>",
        outcome_html(record.outcome, None, part.weights.as_dict(), extra, lang),
    ]
    if record.plan is None:
        parts.append(f"<p>{label('no_allocation', lang)}</p>")
        return "\n".join(parts)
    parts.append(f"<h3>{label('staffing_table', lang)}</h3>")
    parts.append(_table(staffing_table(instance, record.plan), lang))
    parts.append(f"<h3>{label('timeline', lang)}</h3>")
    parts.append(f"<p class='meta'>{label('timeline_meta', lang)}</p>")
    chart = staffing_timeline_chart(instance, record.plan, lang)
    parts.append(figs.html(chart, "staffing-timeline"))
    parts.append(f"<h3>{label('allocation', lang)}</h3>")
    parts.append(_table(allocation_table(instance, record.plan), lang))
    return "\n".join(parts)


def _rollout_section(
    instance: Instance, record: RolloutResultRecord, figs: _Figures, lang: Lang = "en"
) -> str:
    from reports.rollout import anlage2_html, resource_chart, rollout_gantt

    extra = [(label("coupling", lang), escape(record.coupling))] if record.coupling else []
    parts = [
        f"<h2 id='rollout'>{label('rollout', lang)}</h2>",
        outcome_html(record.outcome, None, record.outcome.weights, extra, lang),
    ]
    if record.plan is None:
        parts.append(f"<p>{label('no_rollout_plan', lang)}</p>")
        return "\n".join(parts)
    parts.append(f"<h3>{label('rollout_gantt', lang)}</h3>")
    parts.append(figs.html(rollout_gantt(instance, record.plan, lang), "rollout-gantt"))
    parts.append(f"<h3>{label('resources', lang)}</h3>")
    parts.append(figs.html(resource_chart(instance, record.plan, lang), "rollout-resources"))
    parts.append(f"<h2 id='anlage2'>{label('anlage2_heading', lang)}</h2>")
    parts.append(anlage2_html(instance, record.plan, lang))
    return "\n".join(parts)


def write_report_html(plan_file: PlanFile, out_dir: Path, lang: Lang | None = None) -> Path:
    path = Path(out_dir) / "report.html"
    path.write_text(report_html(plan_file, lang), encoding="utf-8")
    return path
