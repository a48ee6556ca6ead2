"""`juwe`: plan the programme, validate instances, print the instance schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli.errors import EXIT_INFEASIBLE, EXIT_NO_PLAN, PlanningFailed, guarded
from cli.output import prepare_out_dir, table_console
from cli.progress import SolveProgress
from instances import DEFAULT, bundled, bundled_path
from models.instance import Instance
from models.io import InputError, load_instance, load_plan, save_plan
from models.plan import (
    JointRecord,
    PartOutcome,
    PlanFile,
    RolloutResultRecord,
    StaffingResultRecord,
    TrainingPlan,
    TrainingResultRecord,
)


def resolve_instance(path: str | None) -> Path:
    """A file path, or the name of a bundled instance; the default when none is given."""
    if path is None:
        return bundled_path(DEFAULT)
    p = Path(path)
    if not p.exists() and path in bundled():
        return bundled_path(path)
    return p


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
    help="CP-SAT workers (0: all cores); 1 gives byte-identical reruns",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="plan.json of an earlier run: changes against it cost (re-planning)",
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
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
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
    force: bool,
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
    prev_plan = _previous_training_plan(previous) if previous else None
    target = prepare_out_dir(out, force=force)
    try:
        # imported only now: bad input is reported without loading the solver
        from reports.outputs import write_plan_outputs
        from solver.training import solve as solve_training

        record = PlanFile(instance=inst)
        stats: dict[str, dict[str, Any]] = {}
        if inst.training is not None:
            with SolveProgress("training", quiet=quiet) as progress:
                result = solve_training(
                    inst,
                    time_limit=time_limit,
                    seed=seed,
                    workers=workers,
                    previous=prev_plan,
                    progress=progress.update,
                )
            _raise_on_failure(source, "training", result.outcome, time_limit)
            record.training = TrainingResultRecord(outcome=result.outcome, plan=result.plan)
            stats["training"] = _stats(result.outcome)
        solve_args = {"time_limit": time_limit, "seed": seed, "workers": workers, "quiet": quiet}
        if joint:
            _plan_rollout(inst, record, stats, source, **solve_args)
            _plan_joint(inst, record, stats, prev_plan, **solve_args)
        if inst.staffing is not None:
            _plan_staffing(inst, record, stats, source, **solve_args)
        if inst.rollout is not None and record.rollout is None:
            _plan_rollout(inst, record, stats, source, **solve_args)
        save_plan(record, target.staging / "plan.json")
        (target.staging / "solve_stats.json").write_text(json.dumps(stats, indent=2) + "\n")
        write_plan_outputs(record, target.staging, ics_per=ics_per)
    except BaseException:
        target.discard()
        raise
    written = target.commit()
    if not quiet:
        _print_summary(stats, out, written)


def _plan_staffing(
    inst: Instance,
    record: PlanFile,
    stats: dict[str, dict[str, Any]],
    source: Path,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    quiet: bool,
) -> None:
    """The allocation of the additional positions; teams in training need relief."""
    from models.coupling import training_relief
    from solver.staffing import solve as solve_staffing

    part = inst.staffing
    assert part is not None
    plan = record.training.plan if record.training is not None else None
    relief = training_relief(inst, plan)
    if plan is not None:
        coupling = (
            f"relief need of the teams in training from the training plan: "
            f"{sum(relief.values()):.1f} BV-months over {len({u for u, _ in relief})} units"
        )
    elif relief:
        coupling = "relief need from the instance's `relief` list"
    else:
        coupling = ""
    with SolveProgress("staffing", quiet=quiet) as progress:
        result = solve_staffing(
            inst,
            relief=relief,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            progress=progress.update,
        )
    _raise_on_failure(source, "staffing", result.outcome, time_limit)
    record.staffing = StaffingResultRecord(
        outcome=result.outcome,
        plan=result.plan,
        coupling=coupling,
        relief=[(u, part.month(t), round(bv, 4)) for (u, t), bv in sorted(relief.items())],
    )
    stats["staffing"] = _stats(result.outcome)


def _plan_rollout(
    inst: Instance,
    record: PlanFile,
    stats: dict[str, dict[str, Any]],
    source: Path,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    quiet: bool,
) -> None:
    """The rollout, kept off the days on which a centre's groups are in training."""
    from models.coupling import training_days_by_centre
    from solver.rollout import solve as solve_rollout

    blocked, coupling = None, ""
    if record.training is not None and record.training.plan is not None:
        blocked = training_days_by_centre(inst, record.training.plan)
        days = sum(len(d) for d in blocked.values())
        coupling = (
            f"a centre's own rollout tasks avoid its {days} centre-days of module "
            "training in the training plan"
        )
    with SolveProgress("rollout", quiet=quiet) as progress:
        result = solve_rollout(
            inst,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            progress=progress.update,
            blocked_days=blocked,
        )
    _raise_on_failure(source, "rollout", result.outcome, time_limit)
    record.rollout = RolloutResultRecord(
        outcome=result.outcome, plan=result.plan, coupling=coupling
    )
    stats["rollout"] = _stats(result.outcome)


def _plan_joint(
    inst: Instance,
    record: PlanFile,
    stats: dict[str, dict[str, Any]],
    previous: TrainingPlan | None,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    quiet: bool,
) -> None:
    """Training and rollout again in one model, started from the sequential plans; the
    joint plans replace them when the combined objective is lower."""
    from solver.joint import solve_joint

    assert record.training is not None and record.rollout is not None
    t, r = record.training, record.rollout
    assert t.plan is not None and r.plan is not None
    assert t.outcome.objective is not None and r.outcome.objective is not None
    sequential = t.outcome.objective + r.outcome.objective
    with SolveProgress("joint", quiet=quiet) as progress:
        result = solve_joint(
            inst,
            hint=(t.plan, r.plan),
            previous=previous,
            training_bound=t.outcome.bound,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            progress=progress.update,
        )
    o = result.outcome
    used = o.objective is not None and o.objective < sequential - 1e-9
    record.joint = JointRecord(outcome=o, sequential_objective=sequential, used=used)
    stats["joint"] = _stats(o) | {"sequential_objective": sequential, "used": used}
    if used:
        assert result.training is not None and result.rollout is not None
        record.training = TrainingResultRecord(
            outcome=result.training.outcome, plan=result.training.plan
        )
        record.rollout = RolloutResultRecord(
            outcome=result.rollout.outcome,
            plan=result.rollout.plan,
            coupling=(
                "planned jointly with the training (--joint): a centre's own rollout tasks "
                f"avoid its training days; combined objective {o.objective:g} against "
                f"{sequential:g} planned one after the other"
            ),
        )
        stats["training"] = _stats(result.training.outcome)
        stats["rollout"] = _stats(result.rollout.outcome)


def _previous_training_plan(path: Path) -> TrainingPlan:
    record = load_plan(path).training
    if record is None or record.plan is None:
        raise InputError(path, ["training: the previous plan file holds no training plan"])
    return record.plan


def _raise_on_failure(source: Path, part: str, outcome: PartOutcome, time_limit: float) -> None:
    if outcome.status == "infeasible":
        why = outcome.message or "the rules contradict each other"
        raise PlanningFailed(EXIT_INFEASIBLE, f"{source}: the {part} part has no plan: {why}")
    if outcome.status == "unknown":
        raise PlanningFailed(
            EXIT_NO_PLAN,
            f"{source}: no {part} plan found within {time_limit:g} s; raise --time-limit",
        )


def _stats(o: PartOutcome) -> dict[str, Any]:
    return {
        "status": o.status,
        "objective": o.objective,
        "bound": o.bound,
        "gap": o.gap,
        "seconds": round(o.seconds, 3),
        "terms": o.terms,
    }


def _print_summary(stats: dict[str, dict[str, Any]], out: Path, written: list[Path]) -> None:
    from rich.table import Table

    table = Table(title="juwe plan")
    for col in ("part", "status", "objective", "bound", "gap %", "seconds"):
        table.add_column(col, justify="right" if col not in ("part", "status") else "left")
    for part, s in stats.items():
        gap = "" if s["gap"] is None else f"{100 * s['gap']:.2f}"
        obj = "" if s["objective"] is None else f"{s['objective']:g}"
        bound = "joint" if s["bound"] is None else f"{s['bound']:g}"
        if part == "joint":
            used = "used" if s["used"] else "not better"
            part = f"joint ({used}; sequential {s['sequential_objective']:g})"
        table.add_row(part, s["status"], obj, bound, gap, f"{s['seconds']:.1f}")
    console = table_console()
    console.print(table)
    console.print(f"{len(written)} files written to {out}/: " + ", ".join(p.name for p in written))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--ics-per",
    type=click.Choice(["group", "trainer"]),
    help="also write one calendar per training group or per trainer into FOLDER/ics/",
)
@guarded
def report(folder: Path, ics_per: str | None) -> None:
    """Rebuild report.html, plan.xlsx and the other tables and calendars of FOLDER from its
    plan.json, without solving (e.g. after an update of juwe-planner)."""
    from reports.outputs import write_plan_outputs

    if not folder.is_dir():
        raise InputError(folder, ["not a folder (give the --out folder of `juwe plan`)"])
    source = folder / "plan.json"
    if not source.is_file():
        raise InputError(folder, ["holds no plan.json: give the --out folder of `juwe plan`"])
    record = load_plan(source)
    written = write_plan_outputs(record, folder, ics_per=ics_per)  # type: ignore[arg-type]
    click.echo(f"{len(written)} files rebuilt in {folder}/ from plan.json")


@cli.command()
@click.argument("instance")
@guarded
def validate(instance: str) -> None:
    """Check an instance file and say what it holds (exit 2 with the problems otherwise)."""
    inst = load_instance(resolve_instance(instance))
    click.echo(f"{instance}: valid ({inst.name}); parts: {', '.join(inst.parts()) or 'none'}")
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
@guarded
def schema(output: Path | None) -> None:
    """Print the JSON Schema of instance files."""
    text = json.dumps(Instance.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
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


def main() -> None:
    cli(prog_name="juwe")


if __name__ == "__main__":
    main()
