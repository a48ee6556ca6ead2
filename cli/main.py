"""`juwe`: plan the programme, validate instances, print the instance schema."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import click

from cli.errors import guarded, planning_failed
from cli.limits import check_size
from cli.output import table_console
from cli.progress import ProgressLine
from cli.signals import NAMES, SIGNALS, Interrupted, RunSignals
from instances import resolve_instance
from models.instance import Instance
from models.io import InputError, load_instance, load_plan
from models.plan import PlanFile, TrainingPlan
from reports.outdir import prepare_out_dir

csv_dialect_option = click.option(
    "--csv-dialect",
    type=click.Choice(["standard", "excel-de"]),
    default="standard",
    show_default=True,
    help="excel-de: CSV files for a German Excel (UTF-8 with BOM, `;` between cells, "
    "decimal comma)",
)
"""`--csv-dialect` of every command that writes CSV files (plan, report, diff)."""

lang_option = click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    help="language of the files: CSV headers, plan.xlsx sheets, Anlage 1/2, report.html "
    "(default: the instance's `language`, else en)",
)
"""`--lang` of the commands that write a plan's files (plan, report, diff)."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="juwe-planner")
def cli() -> None:
    """Plan the training calendar, staffing and core-process rollout of a youth-welfare office."""


@cli.command()
@click.argument("instance", required=False)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("plan-out"),
    show_default=True,
    help="folder for the plan files (must be new or empty)",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="seconds per part",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="CP-SAT workers (0: all cores); 1 with --work-limit gives byte-identical reruns",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="an earlier run (its folder, plan.json, or an edited plan.xlsx whose changed "
    "dates and trainers are kept as pins): changes against it cost, and changes.csv, the "
    "Changes sheet and the report say what moved (re-planning)",
)
@click.option(
    "--joint",
    is_flag=True,
    help="after planning training and rollout one after the other, solve both in one "
    "model (hinted with those plans) and keep the joint plans when their combined "
    "objective is lower",
)
@click.option(
    "--ics-per",
    type=click.Choice(["group", "trainer"]),
    help="also write one calendar per training group or per trainer into OUT/ics/",
)
@click.option(
    "--work-limit",
    type=click.FloatRange(min=0, min_open=True, max=1e6),
    help="CP-SAT work units per part (deterministic time) instead of seconds: with "
    "--workers 1 two runs give the same plan.json even when the limit ends the search",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="also write report.pdf, the printable appendix (summary, Anlage 1, staffing "
    "table, Anlage 2), with headless Chromium",
)
@csv_dialect_option
@lang_option
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
@click.option(
    "--keep-on-interrupt",
    is_flag=True,
    help="on Ctrl-C write the best plans found so far (marked as interrupted) instead of nothing",
)
@click.option("--quiet", "-q", is_flag=True, help="no progress line and no summary")
@guarded
def plan(
    instance: str | None,
    out: Path,
    time_limit: float,
    seed: int,
    workers: int,
    previous: Path | None,
    joint: bool,
    ics_per: str | None,
    work_limit: float | None,
    pdf: bool,
    csv_dialect: str,
    lang: str | None,
    force: bool,
    keep_on_interrupt: bool,
    quiet: bool,
) -> None:
    """Solve every part of INSTANCE (file or bundled name; default: bremen-2016).

    The training calendar comes first; the staffing relief need and the days the rollout
    avoids follow from it (recorded in plan.json)."""
    source = resolve_instance(instance)
    inst = load_instance(source)
    if not inst.parts():
        raise InputError(source, ["the instance has no part to plan"])
    if joint and (inst.training is None or inst.rollout is None):
        raise click.UsageError(
            f"--joint needs an instance with a training and a rollout part; "
            f"{source.name} has: {', '.join(inst.parts())}"
        )
    prev_file = load_previous(previous) if previous else None
    prev_plan = _previous_training_plan(previous, prev_file) if prev_file else None
    if previous is not None and previous.suffix.lower() == ".xlsx" and prev_file is not None:
        from instances.plan_edits import read_plan_edits, with_pins

        pins = read_plan_edits(previous, prev_file)
        inst = with_pins(inst, pins)
        if not quiet:
            shown = ", ".join(
                f"{p.group}/{p.session}"
                + (f" on {p.date.isoformat()}" if p.date else "")
                + (f" with {p.trainer}" if p.trainer else "")
                for p in pins[:10]
            )
            more = f" and {len(pins) - 10} more" if len(pins) > 10 else ""
            click.echo(
                f"{previous.name}: {len(pins)} edited rows kept as pins"
                + (f": {shown}{more}" if pins else ""),
                err=True,
            )
    for w in [] if quiet else inst.warnings():
        click.echo(f"warning: {w}", err=True)
    check_size(source, inst)
    with RunSignals(keep_on_interrupt=keep_on_interrupt) as sig:
        target = prepare_out_dir(out, force=force)
        try:
            # imported only now: bad input is reported without loading the solver
            from reports.outputs import write_plan_folder
            from solver.params import SolveParams
            from solver.programme import plan_programme

            params = SolveParams(
                time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit
            )
            with ProgressLine(quiet=quiet) as line:
                programme = plan_programme(
                    inst,
                    params,
                    previous=prev_plan,
                    joint=joint,
                    progress=line.update,
                    stop=sig.stop,
                )
            sig.check()
            if sig.keep:
                programme.plan.interrupted = True
            elif programme.failure is not None:
                raise planning_failed(source, programme.failure, time_limit)
            if prev_file is not None:
                from models.diff import revise

                programme.plan.revision = revise(prev_file, programme.plan, previous.name)
            stats = programme.stats()
            if sig.keep:
                for part_stats in stats.values():
                    part_stats["interrupted"] = True
            notes: list[str] = []
            write_plan_folder(
                programme.plan,
                target.staging,
                stats=stats,
                ics_per=ics_per,
                pdf=pdf,
                notes=notes,
                csv_dialect=csv_dialect,  # type: ignore[arg-type]
                lang=lang,  # type: ignore[arg-type]
            )
            written = sig.commit(target)
        except BaseException:
            target.discard()
            raise
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if not quiet:
        _print_summary(stats, out, written, interrupted=sig.keep)
    if sig.signum is not None and not sig.keep:
        # it came while the finished files were committed (signals held off): too late to
        # stop anything, every file is written and complete
        click.echo(
            f"note: {NAMES.get(sig.signum, sig.signum)} came after the plans were finished; "
            f"all files are in {out}/",
            err=True,
        )
    elif sig.signum is not None:
        raise Interrupted(
            sig.signum,
            f"interrupted by {NAMES.get(sig.signum, sig.signum)}: the best plans found so far "
            f"are in {out}/, marked as interrupted in plan.json and solve_stats.json",
        )


def load_previous(path: Path) -> PlanFile:
    """An earlier plan: a `juwe plan` folder, its plan.json, or its plan.xlsx (then the
    plan.json beside it; the workbook's edits are read as pins by `plan`)."""
    if path.suffix.lower() == ".xlsx" and not path.is_dir():
        if not path.is_file():
            raise InputError(path, ["no such file"])
        inner = path.parent / "plan.json"
        if not inner.is_file():
            raise InputError(
                path,
                [
                    "needs the plan.json it was written with beside it (the --out folder of "
                    "`juwe plan`) to see what was edited"
                ],
            )
        return load_plan(inner)
    if path.is_dir() and not path.is_symlink():
        inner = path / "plan.json"
        if not inner.is_file():
            raise InputError(path, ["holds no plan.json: give the --out folder of `juwe plan`"])
        path = inner
    return load_plan(path)


def _previous_training_plan(path: Path, plan_file: PlanFile) -> TrainingPlan:
    record = plan_file.training
    if record is None or record.plan is None:
        raise InputError(path, ["training: the previous plan file holds no training plan"])
    return record.plan


def _print_summary(
    stats: dict[str, dict[str, Any]], out: Path, written: list[Path], *, interrupted: bool = False
) -> None:
    from rich.markup import escape
    from rich.table import Table

    title = "juwe plan (interrupted: the best plans found so far)" if interrupted else "juwe plan"
    table = Table(title=title)
    for col in ("part", "status", "objective", "bound", "gap %", "seconds"):
        table.add_column(col, justify="right" if col not in ("part", "status") else "left")
    for part, s in stats.items():
        gap = "" if s["gap"] is None else f"{100 * s['gap']:.2f}"
        obj = "" if s["objective"] is None else f"{s['objective']:g}"
        bound = "joint" if s["bound"] is None else f"{s['bound']:g}"
        if part == "joint":
            used = "used" if s["used"] else "not better"
            part = f"joint ({used}; sequential {s['sequential_objective']:g})"
        table.add_row(escape(part), s["status"], obj, bound, gap, f"{s['seconds']:.1f}")
    console = table_console()
    console.print(table)
    names = ", ".join(p.name for p in written)
    console.print(f"{len(written)} files written to {out}/: {names}", markup=False)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--ics-per",
    type=click.Choice(["group", "trainer"]),
    help="also write one calendar per training group or per trainer into FOLDER/ics/",
)
@click.option("--pdf", is_flag=True, help="also write report.pdf (headless Chromium)")
@csv_dialect_option
@lang_option
@guarded
def report(
    folder: Path, ics_per: str | None, pdf: bool, csv_dialect: str, lang: str | None
) -> None:
    """Rebuild report.html, plan.xlsx and the other tables and calendars of FOLDER from its
    plan.json, without solving (e.g. after an update of juwe-planner)."""
    from reports.outputs import write_plan_outputs

    if folder.is_symlink() or not folder.is_dir():
        raise InputError(folder, ["not a folder (give the --out folder of `juwe plan`)"])
    source = folder / "plan.json"
    if source.is_symlink() or not source.is_file():
        raise InputError(folder, ["holds no plan.json: give the --out folder of `juwe plan`"])
    record = load_plan(source)
    with RunSignals() as sig:
        target = prepare_out_dir(folder, force=True)  # replaces only the files it writes
        try:
            notes: list[str] = []
            written = write_plan_outputs(
                record,
                target.staging,
                ics_per=ics_per,  # type: ignore[arg-type]
                pdf=pdf,
                notes=notes,
                csv_dialect=csv_dialect,  # type: ignore[arg-type]
                lang=lang,  # type: ignore[arg-type]
            )
            sig.commit(target)
        except BaseException:
            target.discard()
            raise
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"{len(written)} files rebuilt in {folder}/ from plan.json")


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="also write the changes as CSV (e.g. changes.csv)",
)
@click.option("--force", is_flag=True, help="replace an existing --output file")
@csv_dialect_option
@lang_option
@guarded
def diff(
    old: Path, new: Path, output: Path | None, force: bool, csv_dialect: str, lang: str | None
) -> None:
    """What moved from plan OLD to plan NEW (each a `juwe plan` folder or its plan.json):
    sessions (date, trainer), groups' finishing dates, rollout tasks, postings."""
    from models.diff import diff_plans
    from reports.changes import changes_table, write_changes_csv
    from reports.tables import to_excel_de

    newer = load_previous(new)
    changes = diff_plans(load_previous(old), newer)
    words = lang or newer.instance.language
    if output is not None:
        _check_new_file(output, force)

        def write(tmp: Path) -> None:
            write_changes_csv(changes, tmp, words)  # type: ignore[arg-type]
            if csv_dialect == "excel-de":
                to_excel_de(tmp)

        _write_atomically(output, write)
    c = changes["changed"]
    click.echo(
        f"{c['sessions']} sessions, {c['groups']} finishing dates of groups, "
        f"{c['tasks']} rollout tasks, {c['staffing']} postings changed"
    )
    df = changes_table(changes, words)  # type: ignore[arg-type]
    for row in df.itertuples(index=False):
        r = row._asdict()
        what = " ".join(
            str(r[k]) for k in ("group", "session", "family", "task", "unit", "month") if r[k]
        )
        click.echo(f"  {r['kind']} {what}: {r['change']}")
    if output is not None:
        click.echo(f"written: {output}")


def _write_atomically(output: Path, write: Any) -> None:
    """Write beside `output` first and rename: a failure leaves the old file as it was."""
    import os
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or ".")
        os.close(fd)
        try:
            write(Path(name))
            os.replace(name, output)
        finally:
            Path(name).unlink(missing_ok=True)
    except OSError as exc:
        raise InputError(output, [f"cannot be written: {exc.strerror or exc}"]) from None


def _check_new_file(output: Path, force: bool) -> None:
    if output.is_symlink() or output.is_dir():
        raise InputError(
            output, ["cannot be written: a folder or a symbolic link; give a file name"]
        )
    if output.exists() and not force:
        raise InputError(
            output, ["the file exists; choose another name or add --force to replace it"]
        )


@cli.group(name="import")
def import_() -> None:
    """Read the office's own spreadsheets into an instance file."""


@import_.command(name="anlage1")
@click.argument("table", type=click.Path(path_type=Path))
@click.option(
    "--instance",
    "instance",
    required=True,
    help="the instance file (or bundled name) it belongs to",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True, help="the new instance file"
)
@click.option(
    "--status-date",
    type=click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"]),
    help="the day the table's status holds (default: the instance's snapshot date)",
)
@click.option("--force", is_flag=True, help="replace an existing --output file")
@guarded
def import_anlage1(table: Path, instance: str, output: Path, status_date: Any, force: bool) -> None:
    """Take the status of Anlage 1 (TABLE: .xlsx or .csv, as `juwe plan` writes it and the
    office keeps it: erl., offen, a year, a date) as the snapshot of INSTANCE, written to a
    new instance file; then `juwe plan NEW.yaml --previous OLD-FOLDER` re-plans the rest."""
    import yaml

    from instances.anlage1 import import_anlage1 as read_anlage1
    from models.io import instance_from_dict, read_data

    source = resolve_instance(instance)
    inst = load_instance(source)
    if output.resolve() == source.resolve():
        raise InputError(
            output, ["is the instance file itself; give a new file name (it is never replaced)"]
        )
    _check_new_file(output, force)
    day = status_date.date() if status_date is not None else None
    snapshot = read_anlage1(table, inst, day)
    data = read_data(source)
    data.pop("snapshot_from", None)  # the new file holds the snapshot itself
    data.setdefault("training", {})["snapshot"] = snapshot
    instance_from_dict(data, str(table), base=source.parent)  # the result validates
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    _write_atomically(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    counts: dict[str, int] = {}
    for e in snapshot["sessions"]:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing done yet"
    click.echo(f"{output}: snapshot of {snapshot['date']} from {table.name} ({summary})")


@cli.command()
@click.argument("instance")
@guarded
def validate(instance: str) -> None:
    """Check an instance file and say what it holds (exit 2 with the problems otherwise)."""
    inst = load_instance(resolve_instance(instance))
    check_size(instance, inst)
    click.echo(f"{instance}: valid ({inst.name}); parts: {', '.join(inst.parts()) or 'none'}")
    spec = inst.calendar
    if spec.subdivision is None:
        click.echo(f"  holidays: the nation-wide ones of {spec.country} only (no subdivision)")
    else:
        click.echo(f"  holidays: {spec.country}-{spec.subdivision}")
    for w in inst.warnings():
        click.echo(f"  warning: {w}")
    if inst.training is not None:
        from models.training_tasks import remaining_sessions

        cal = inst.working_calendar
        click.echo(f"  calendar: {cal.spec.start}..{cal.spec.end}, {len(cal)} working days")
        click.echo(
            f"  training: {len(inst.organisation.groups)} groups, "
            f"{len(inst.training.modules)} modules, {len(inst.training.trainers)} trainers, "
            f"{len(remaining_sessions(inst))} sessions to plan"
        )


@cli.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write to a file")
@click.option("--force", is_flag=True, help="replace an existing --output file")
@guarded
def schema(output: Path | None, force: bool) -> None:
    """Print the JSON Schema of instance files."""
    text = json.dumps(Instance.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        if output.is_symlink() or output.is_dir():
            raise InputError(
                output, ["cannot be written: a folder or a symbolic link; give a file name"]
            )
        if output.exists() and not force:
            raise InputError(
                output, ["the file exists; choose another name or add --force to replace it"]
            )
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(output, [f"cannot be written: {exc.strerror or exc}"]) from None
    else:
        click.echo(text, nl=False)


from cli.bench import bench  # noqa: E402  (registered after cli exists)
from cli.instances import instances  # noqa: E402
from cli.rollout import rollout  # noqa: E402

cli.add_command(rollout)
cli.add_command(instances)
cli.add_command(bench)

from cli.staffing import staffing  # noqa: E402

cli.add_command(staffing)

from cli.sweep import sweep  # noqa: E402

cli.add_command(sweep)

from cli.serve import serve  # noqa: E402

cli.add_command(serve)


def main() -> None:
    try:
        cli(prog_name="juwe")
    finally:
        # the command has ended and its exit code is set: a signal during the interpreter's
        # shutdown (which puts back the default handlers, so it would kill the process and
        # change the exit code) is ignored
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)


if __name__ == "__main__":
    main()
