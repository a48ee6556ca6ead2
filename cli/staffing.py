"""`juwe staffing scenarios`: re-optimise the staffing allocation under hiring scenarios
and simulate each (Monte Carlo), side by side."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.errors import guarded
from cli.output import table_console
from cli.progress import describe
from cli.signals import RunSignals
from models.io import InputError, load_instance
from reports.outdir import prepare_out_dir

if TYPE_CHECKING:
    from models.history import ProgressEvent
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
            )
            sig.check()
            _write(inst, outcomes, target.staging, runs=runs, seed=seed)
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
) -> list[VariantOutcome]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from models.simulation import default_dates, kpi_row, simulate
    from reports.scenarios import VariantOutcome
    from solver.params import SolveParams
    from solver.programme import plan_staffing

    dates = scen.dates or default_dates(inst.staffing)
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers)
    outcomes: list[VariantOutcome] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("scenarios", total=len(variants))
        for k, (variant, v_inst) in enumerate(zip(scen.variants, variants, strict=True)):
            if stop is not None and stop.is_set():
                break  # interrupted: the caller writes nothing
            label = f"{k + 1}/{len(variants)} {variant.name}"
            progress.update(task, description=f"{label}: solving")

            def show(event: ProgressEvent, label: str = label) -> None:
                progress.update(task, description=f"{label}: {describe(event)}")

            # no training plan here: only the instance's own `relief` list counts
            record, _result = plan_staffing(v_inst, params, None, progress=show, stop=stop)
            o = record.outcome
            row = {
                "variant": variant.name,
                "status": o.status,
                "objective": o.objective,
                "bound": o.bound,
                "gap": None if o.gap is None else round(o.gap, 6),
                "message": o.message,
            }
            if record.plan is None:
                if o.status == "unknown" and not o.message:
                    row["message"] = f"no plan found within {time_limit:g} s"
                outcomes.append(VariantOutcome(variant.name, variant.description, row))
            else:
                progress.update(task, description=f"{label}: simulating {runs} runs")
                sim = simulate(v_inst, record.plan, runs=runs, seed=seed)
                row.update(kpi_row(sim, dates))
                cw = [sim.units.index(u) for u in sim.casework]
                outcomes.append(
                    VariantOutcome(
                        variant.name,
                        variant.description,
                        row,
                        fan=sim.fan(),
                        expected=sim.expected_casework,
                        planned=sim.planned[cw].sum(axis=0),
                    )
                )
            progress.advance(task)
    return outcomes


def _write(
    inst: Instance, outcomes: list[VariantOutcome], folder: Path, *, runs: int, seed: int
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
