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


# one declaration for both commands (scenarios and robust)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="CP-SAT workers (0: all cores)",
)


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
@workers_option
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


@staffing.command("robust")
@click.argument("instance")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="folder for robust.csv, robust.html and allocations.csv (must be new or empty)",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1, max=1000),
    default=40,
    show_default=True,
    help="sampled hiring outcomes the robust allocation is optimised over",
)
@click.option(
    "--alpha",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.9,
    show_default=True,
    help="CVaR level: minimise the mean of the worst (1 - alpha) of the samples",
)
@click.option(
    "--risk",
    type=click.Choice(["excess", "overload", "vacancy"]),
    default="excess",
    show_default=True,
    help="the KPI whose CVaR is minimised: excess caseload (case-months), overloaded "
    "team-months, or vacancy BV-months",
)
@click.option(
    "--risk-weight",
    type=click.IntRange(min=1),
    help="weight of the risk term  [default: excess: the instance's excess_caseload "
    "weight; overload, vacancy: 35]",
)
@click.option(
    "--spread",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="most BV a team may get beyond the expected-value allocation",
)
@click.option(
    "--moves",
    type=click.IntRange(min=0, max=1_000_000),
    default=3000,
    show_default=True,
    help="most plans the local search tries before CP-SAT (0: CP-SAT only)",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1, max=100_000),
    default=2000,
    show_default=True,
    help="fresh Monte Carlo runs each allocation is simulated on",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="seed of the solver and of the optimisation's samples",
)
@click.option(
    "--eval-seed",
    type=click.IntRange(min=0),
    help="seed of the fresh simulation runs  [default: --seed + 1]",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="seconds per solve (the expected-value one, then the robust one)",
)
@workers_option
@click.option(
    "--work-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="CP-SAT deterministic time per solve (reproducible limits)",
)
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
@click.option("--quiet", "-q", is_flag=True, help="no summary")
@guarded
def robust(
    instance: str,
    out: Path,
    samples: int,
    alpha: float,
    risk: str,
    risk_weight: int | None,
    spread: float,
    moves: int,
    runs: int,
    seed: int,
    eval_seed: int | None,
    time_limit: float,
    workers: int,
    work_limit: float | None,
    force: bool,
    quiet: bool,
) -> None:
    """Compare the expected-value staffing allocation of INSTANCE with a robust one.

    The robust allocation minimises the CVaR of a KPI (the mean of its worst samples)
    over --samples sampled hiring outcomes (lags, failed postings, leavers), under the
    same rules and with the same other objective terms, each team within --spread BV of
    the expected-value allocation: a local search on the samples (--moves), then CP-SAT
    (--time-limit). Both are then simulated on --runs fresh runs: mean,
    P50, P90 and CVaR of the vacancy, overload and excess-caseload KPIs, in robust.csv
    and robust.html; allocations.csv holds both allocations. Only an explicit
    `staffing.relief` list of the instance counts as training relief here.
    """
    from instances import resolve_instance
    from solver.params import SolveParams
    from solver.staffing_robust import compare_robust

    source = resolve_instance(instance)
    inst = load_instance(source)
    if inst.staffing is None:
        raise InputError(source, ["staffing: the instance has no staffing part"])
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit)
    with RunSignals() as sig:
        target = prepare_out_dir(out, force=force)
        try:
            try:
                result = compare_robust(
                    inst,
                    samples=samples,
                    alpha=alpha,
                    spread=spread,
                    seed=seed,
                    risk=risk,
                    weight=risk_weight,
                    moves=moves,
                    runs=runs,
                    eval_seed=eval_seed,
                    params=params,
                    stop=sig.stop,
                )
            except ValueError as e:
                raise click.UsageError(str(e)) from e
            sig.check()
            _write_robust(result, target.staging)
            written = sig.commit(target)
        except BaseException:
            target.discard()
            raise
    sig.check()
    if not quiet:
        _print_robust(result, out, written)


def _write_robust(result, folder: Path) -> None:
    from reports.scenarios import robust_html, write_robust_allocations_csv, write_robust_csv

    write_robust_csv(result.rows, folder / "robust.csv")
    write_robust_allocations_csv(result.plans, folder / "allocations.csv")
    (folder / "robust.html").write_text(
        robust_html(
            result.instance,
            result.rows,
            risk=result.risk,
            samples=result.samples,
            alpha=result.alpha,
            seed=result.seed,
            runs=result.runs,
            eval_seed=result.eval_seed,
        ),
        encoding="utf-8",
    )


def _print_robust(result, out: Path, written: list[Path]) -> None:
    """A figure per line, the allocations side by side (the CSV has them all)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"juwe staffing robust ({result.risk}, CVaR {result.alpha:g})")
    table.add_column("figure")
    for r in result.rows:
        table.add_column(r["allocation"], justify="right")
    figures = ["status", "checked", "expected_objective", "robust_objective"]
    figures += [f"in_sample_{result.risk}_mean", f"in_sample_{result.risk}_cvar"]
    for kpi in ("vacancy_bv_months", "overload_unit_months", "excess_case_months"):
        figures += [f"{kpi}_mean", f"{kpi}_p50", f"{kpi}_p90"]
    for f in figures:
        cells = ["" if r.get(f) is None else f"{r[f]}" for r in result.rows]
        table.add_row(escape(f), *(escape(c) for c in cells))
    console = table_console()
    console.print(table)
    for r in result.rows:
        if r.get("message"):
            console.print(f"{r['allocation']}: {r['message']}", markup=False)
    names = ", ".join(p.name for p in written)
    console.print(f"{len(written)} files written to {out}/: {names}", markup=False)
