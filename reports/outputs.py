"""Every file derived from a plan, written from a PlanFile alone (no solver): `juwe plan`
writes them after solving and `juwe report` rebuilds them from a saved plan.json."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Literal

from models.plan import PlanFile, PlannedSession
from reports.files import write_training_files
from reports.html import write_report_html
from reports.ics import slug, write_ics
from reports.rollout import write_rollout_files
from reports.staffing import write_staffing_files
from reports.workbook import write_plan_xlsx

IcsPer = Literal["group", "trainer"]
ICS_DIR = "ics"


def write_ics_per(
    plan_file: PlanFile, per: IcsPer, out_dir: Path, stamp: dt.datetime | None = None
) -> list[Path]:
    """One calendar per training group or per trainer in `out_dir/ics/`, e.g.
    `ics/group-8.ics`, `ics/trainer-T1.ics`; together they hold every planned session
    once, with the same UIDs as training.ics."""
    record = plan_file.training
    if record is None or record.plan is None:
        return []
    chosen: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in record.plan.planned():
        key = s.group if per == "group" else (s.trainer or "no-trainer")
        chosen[key].append(s)
    folder = Path(out_dir) / ICS_DIR
    folder.mkdir(exist_ok=True)
    return [
        write_ics(
            plan_file.instance,
            record.plan,
            folder / f"{per}-{slug(key)}.ics",
            sessions=sessions,
            stamp=stamp,
        )
        for key, sessions in sorted(chosen.items())
    ]


def write_plan_outputs(
    plan_file: PlanFile, out_dir: Path, *, ics_per: IcsPer | None = None
) -> list[Path]:
    """The CSV, Excel, calendar and HTML files of every planned part, plan.xlsx and
    report.html, into `out_dir` (which exists). Returns the paths written."""
    out = Path(out_dir)
    inst = plan_file.instance
    paths: list[Path] = []
    if plan_file.training is not None and plan_file.training.plan is not None:
        paths += write_training_files(inst, plan_file.training.plan, out)
        if ics_per is not None:
            paths += write_ics_per(plan_file, ics_per, out)
    if plan_file.staffing is not None and plan_file.staffing.plan is not None:
        paths += write_staffing_files(inst, plan_file.staffing.plan, out)
    if plan_file.rollout is not None and plan_file.rollout.plan is not None:
        paths += write_rollout_files(inst, plan_file.rollout.plan, out)
    paths.append(write_plan_xlsx(plan_file, out / "plan.xlsx"))
    paths.append(write_report_html(plan_file, out))
    return paths
