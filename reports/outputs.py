"""Every file derived from a plan, written from a PlanFile alone (no solver): `juwe plan`
writes them after solving and `juwe report` rebuilds them from a saved plan.json."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Literal

from models.io import save_plan
from models.plan import PlanFile, PlannedSession
from reports.changes import CHANGES_CSV, write_changes_csv
from reports.files import write_training_files
from reports.html import write_report_html
from reports.i18n import Lang
from reports.ics import done_updates, removed_sessions, slug, write_cancel_ics, write_ics
from reports.rollout import write_rollout_files
from reports.staffing import write_staffing_files
from reports.tables import CsvDialect, to_excel_de
from reports.workbook import write_plan_xlsx

IcsPer = Literal["group", "trainer"]
ICS_DIR = "ics"


def write_ics_per(
    plan_file: PlanFile, per: IcsPer, out_dir: Path, stamp: dt.datetime | None = None
) -> list[Path]:
    """One calendar per training group or per trainer in `out_dir/ics/`, e.g.
    `ics/group-8.ics`, `ics/trainer-T1.ics`; together they hold every planned session
    once, with the same UIDs and SEQUENCEs as training.ics. After a re-plan, a calendar
    whose sessions left it (dropped, or for a trainer: given to another trainer) gets a
    `ics/cancelled-<per>-<name>.ics` beside it (METHOD:CANCEL) that drops them."""
    record = plan_file.training
    if record is None or record.plan is None:
        return []
    chosen: dict[str, list[PlannedSession]] = defaultdict(list)
    revision = plan_file.revision
    old_trainer: dict[tuple[str, str], str | None] = {}
    sent = record.plan.planned()
    if revision is not None:
        sent += done_updates(record.plan, revision.changes)
        old_trainer = {
            (r["group"], r["session"]): r["old_trainer"]
            for r in revision.changes.get("sessions", [])
        }
    for s in sent:
        trainer = s.trainer or old_trainer.get((s.group, s.session))  # held: in its calendar
        key = s.group if per == "group" else (trainer or "no-trainer")
        chosen[key].append(s)
    gone: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seq = revision.sequence_of() if revision is not None else {}
    if revision is not None:
        removed = {
            (r["group"], r["session"]) for r in removed_sessions(record.plan, revision.changes)
        }
        done = {(s.group, s.session) for s in record.plan.sessions if s.status == "done"}
        for r in revision.changes.get("sessions", []):
            if r["old_start"] is None or (r["group"], r["session"]) in done:
                continue  # a session that took place is not cancelled, not even by its trainer
            if per == "group" and (r["group"], r["session"]) in removed:
                gone[r["group"]].append(r)
            elif per == "trainer" and (
                (r["group"], r["session"]) in removed or r["old_trainer"] != r["new_trainer"]
            ):
                gone[r["old_trainer"] or "no-trainer"].append(r)
    folder = Path(out_dir) / ICS_DIR
    folder.mkdir(exist_ok=True)
    names = {key: slug(key) for key in chosen.keys() | gone.keys()}
    folded = Counter(name.casefold() for name in names.values())
    for key, name in names.items():  # `A` and `a`: one file on Windows and macOS
        if folded[name.casefold()] > 1:
            names[key] = f"{name}~{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    paths = [
        write_ics(
            plan_file.instance,
            record.plan,
            folder / f"{per}-{names[key]}.ics",
            sessions=sessions,
            stamp=stamp,
            sequences=seq,
        )
        for key, sessions in sorted(chosen.items())
    ]
    return paths + [
        write_cancel_ics(
            plan_file.instance, rows, folder / f"cancelled-{per}-{names[key]}.ics", seq, stamp
        )
        for key, rows in sorted(gone.items())
    ]


def write_plan_outputs(
    plan_file: PlanFile,
    out_dir: Path,
    *,
    ics_per: IcsPer | None = None,
    pdf: bool = False,
    notes: list[str] | None = None,
    csv_dialect: CsvDialect = "standard",
    lang: Lang | None = None,
) -> list[Path]:
    """The CSV, Excel, calendar and HTML files of every planned part, plan.xlsx and
    report.html, into `out_dir` (which exists), headers and labels in `lang` (default: the
    instance's `language`); with `pdf` report.pdf too (when Chromium
    is missing, why it was skipped goes into `notes`); `csv_dialect` "excel-de": every CSV
    file for a German Excel (`reports.tables.to_excel_de`). Returns the paths written."""
    out = Path(out_dir)
    inst = plan_file.instance
    lang = lang or inst.language
    paths: list[Path] = []
    if plan_file.training is not None and plan_file.training.plan is not None:
        paths += write_training_files(inst, plan_file.training.plan, out, plan_file.revision, lang)
        if ics_per is not None:
            paths += write_ics_per(plan_file, ics_per, out)
    if plan_file.staffing is not None and plan_file.staffing.plan is not None:
        paths += write_staffing_files(inst, plan_file.staffing.plan, out, lang)
    if plan_file.rollout is not None and plan_file.rollout.plan is not None:
        paths += write_rollout_files(inst, plan_file.rollout.plan, out, lang)
    if plan_file.revision is not None:
        paths.append(write_changes_csv(plan_file.revision.changes, out / CHANGES_CSV, lang))
    paths.append(write_plan_xlsx(plan_file, out / "plan.xlsx", lang))
    paths.append(write_report_html(plan_file, out, lang))
    if pdf:
        from reports.pdf import write_report_pdf

        written, why = write_report_pdf(plan_file, out, lang)
        if written is not None:
            paths.append(written)
        elif notes is not None:
            notes.append(why)
    if csv_dialect == "excel-de":
        for path in paths:
            if path.suffix == ".csv":
                to_excel_de(path)
    return paths


def write_plan_folder(
    plan_file: PlanFile,
    out_dir: Path,
    *,
    stats: dict[str, dict[str, Any]] | None = None,
    ics_per: IcsPer | None = None,
    pdf: bool = False,
    notes: list[str] | None = None,
    csv_dialect: CsvDialect = "standard",
    lang: Lang | None = None,
) -> list[Path]:
    """Everything `juwe plan` writes, into the existing folder `out_dir`: plan.json,
    solve_stats.json (when `stats` are given) and every file `write_plan_outputs` makes."""
    out = Path(out_dir)
    paths = [out / "plan.json"]
    save_plan(plan_file, paths[0])
    if stats is not None:
        paths.append(out / "solve_stats.json")
        paths[-1].write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return paths + write_plan_outputs(
        plan_file, out, ics_per=ics_per, pdf=pdf, notes=notes, csv_dialect=csv_dialect, lang=lang
    )


def write_outputs(
    plan: Any,
    folder: Path | str,
    *,
    force: bool = False,
    ics_per: IcsPer | None = None,
) -> list[Path]:
    """Write a plan (a `PlanFile`, or what `plan_programme` returns: then solve_stats.json
    too) into `folder`, all at once: the folder must be new or empty unless `force`; a
    failure leaves what was there. Returns the paths written."""
    from reports.outdir import prepare_out_dir

    stats = plan.stats() if hasattr(plan, "stats") else None
    plan_file: PlanFile = getattr(plan, "plan", plan)
    target = prepare_out_dir(Path(folder), force=force)
    try:
        write_plan_folder(plan_file, target.staging, stats=stats, ics_per=ics_per)
    except BaseException:
        target.discard()
        raise
    return target.commit()
