"""`juwe staffing scenarios`: re-optimise the staffing allocation under hiring scenarios
and simulate each (Monte Carlo), side by side."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.errors import guarded
from cli.output import table_console
from cli.signals import RunSignals
from cli.tasks import run_with_progress, task_options, validate_scheduler
from models.io import InputError, load_instance
from reports.outdir import prepare_out_dir

if TYPE_CHECKING:
    from models.instance import Instance
    from models.scenarios import ScenarioFile
    from reports.scenarios import VariantOutcome


@click.group()
def staffing() -> None:
    """The staffing part: hiring scenarios."""


@staffing.command("scenarios")
@click.argument("instance")
@click.option(
    "--scenarios",
    "scenario_file",
    required=True,
    type=click.Path(path_type=Path),
    help="YAML file of variants (see instances/scenarios/bremen-2016.yaml)",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="folder for scenarios.csv and scenarios.html (must be new or empty)",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1, max=100_000),
    help="Monte Carlo runs per variant  [default: the file's `runs`, else 1000]",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="seed of the solver and the simulation  [default: the file's `seed`, else 0]",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="seconds per variant",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="CP-SAT workers (0: all cores)",
)
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
@click.option("--quiet", "-q", is_flag=True, help="no progress display and no summary")
@task_options
@guarded
def scenarios(
    instance: str,
    scenario_file: Path,
    out: Path,
    runs: int | None,
    seed: int | None,
    time_limit: float,
    workers: int,
    force: bool,
    quiet: bool,
    jobs: int,
    scheduler: str | None,
    work_limit: float | None,
) -> None:
    """Re-optimise the staffing allocation of INSTANCE (file or bundled name) for every
    variant of the scenario file, simulate each plan Monte Carlo and compare them.

    Writes scenarios.csv (a row per variant: status, objective, vacancy BV-months, months
    above the caseload threshold, P10/P50/P90 of the filled casework BV at the file's
    `dates`, cost against budget per year) and scenarios.html (fan charts and the table).
    A variant without a plan (e.g. a budget cut too deep) gets a row with its status and
    the conflicting rules. Training relief is not derived from a training plan here: only
    an explicit `staffing.relief` list of the instance is honoured.
    """
    from instances import resolve_instance

    validate_scheduler(scheduler)
    source = resolve_instance(instance)
    inst = load_instance(source)
    if inst.staffing is None:
        raise InputError(source, ["staffing: the instance has no staffing part to vary"])
    from models.scenarios import load_scenarios, prepare_variants

    scen = load_scenarios(scenario_file)
    variants = prepare_variants(inst, scen, scenario_file)  # every variant checked first
    runs = runs if runs is not None else scen.runs
    seed = seed if seed is not None else scen.seed
    with RunSignals() as sig:
        target = prepare_out_dir(out, force=force)
        try:
            outcomes = _run(
                inst,
                scen,
                variants,
                runs=runs,
                seed=seed,
                time_limit=time_limit,
                workers=workers,
                quiet=quiet,
                stop=sig.stop,
                jobs=jobs,
                scheduler=scheduler,
                work_limit=work_limit,
            )
            sig.check()
            grid = {v.name: c for v, c in scen.grid_variants()}
            _write(inst, outcomes, target.staging, runs=runs, seed=seed, grid=grid)
            written = sig.commit(target)
        except BaseException:
            target.discard()
            raise
    sig.check()
    if not quiet:
        _print_summary(outcomes, out, written)


def _run(
    inst: Instance,
    scen: ScenarioFile,
    variants: list[Instance],
    *,
    runs: int,
    seed: int,
    time_limit: float,
    workers: int,
    quiet: bool,
    stop: threading.Event | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    work_limit: float | None = None,
) -> list[VariantOutcome]:
    """Every variant as a task (`solver.scenarios.run_scenario`): one after the other here,
    or on Dask with `jobs` > 1 or a `scheduler`; a failed task is a row with status
    `error` and its error as the message."""
    from models.simulation import default_dates
    from reports.scenarios import VariantOutcome
    from solver.params import SolveParams
    from solver.scenarios import ScenarioTask, run_scenario
    from solver.tasks import split_cores

    dates = tuple(scen.dates or default_dates(inst.staffing))
    if scheduler is None:
        jobs, workers = split_cores(jobs, workers) if jobs != 1 else (1, workers)
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit)
    tasks = [
        ScenarioTask(v.name, v_inst, params, runs, seed, dates)
        for v, v_inst in zip(scen.all_variants(), variants, strict=True)
    ]
    results = run_with_progress(
        run_scenario,
        tasks,
        [t.name for t in tasks],
        title="scenarios",
        jobs=jobs,
        scheduler=scheduler,
        stop=stop,
        serial_fn=run_scenario,
        quiet=quiet,
    )
    outcomes: list[VariantOutcome] = []
    for variant, r in zip(scen.all_variants(), results):
        if not r.ok:
            row = {"variant": variant.name, "status": "error", "message": r.error}
            outcomes.append(VariantOutcome(variant.name, variant.description, row))
            continue
        v = r.value
        outcomes.append(
            VariantOutcome(variant.name, variant.description, v.row, v.fan, v.expected, v.planned)
        )
    return outcomes


def _write(
    inst: Instance,
    outcomes: list[VariantOutcome],
    folder: Path,
    *,
    runs: int,
    seed: int,
    grid: dict[str, dict] | None = None,
) -> None:
    from reports.scenarios import write_scenarios_csv, write_scenarios_html

    part = inst.staffing
    cw = part.units_of(part.casework_category)
    need = sum(u.cases for u in cw) / part.caseload_threshold if cw else None
    write_scenarios_csv(outcomes, folder / "scenarios.csv")
    write_scenarios_html(
        folder / "scenarios.html",
        inst.name,
        outcomes,
        part.month_labels(),
        runs=runs,
        seed=seed,
        need=need,
        grid=grid,
    )


def _print_summary(outcomes: list[VariantOutcome], out: Path, written: list[Path]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="juwe staffing scenarios")
    cols = ["variant", "status", "objective", "vacancy_bv_months", "overload_unit_months"]
    for c in cols:
        table.add_column(c, justify="left" if c in ("variant", "status") else "right")
    for o in outcomes:
        table.add_row(*(escape("" if o.row.get(c) is None else f"{o.row[c]}") for c in cols))
    console = table_console()
    console.print(table)
    for o in outcomes:
        if o.row.get("message"):
            console.print(f"{o.name}: {o.row['message']}", markup=False)
    names = ", ".join(p.name for p in written)
    console.print(f"{len(written)} files written to {out}/: {names}", markup=False)
