"""`juwe instances`: list the bundled instances, generate realistic ones."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import guarded
from cli.output import table_console
from models.io import InputError


@click.group()
def instances() -> None:
    """Bundled and generated instances."""


@instances.command("list")
@guarded
def list_instances() -> None:
    """The bundled instances with their parts and size."""
    from rich.table import Table

    from instances import bundled
    from models.io import load_instance

    table = Table(title="bundled instances")
    table.add_column("name", no_wrap=True)
    table.add_column("parts")
    for col in ("groups", "teams", "centres", "BV added"):
        table.add_column(col, justify="right")
    table.add_column("horizon", no_wrap=True)
    for name, path in sorted(bundled().items()):
        inst = load_instance(path)
        org = inst.organisation
        bv = sum(t.bv for _, t in inst.staffing.tranches()) if inst.staffing is not None else None
        table.add_row(
            name,
            ", ".join(inst.parts()),
            str(len(org.groups)),
            str(len(org.teams)),
            str(len(org.centres)),
            "" if bv is None else f"{bv:g}",
            f"{inst.calendar.start:%Y-%m}..{inst.calendar.end:%Y-%m}",
        )
    table_console().print(table)


@instances.command("generate")
@click.option(
    "--size",
    type=click.Choice(["S", "M", "L", "XL"], case_sensitive=False),
    required=True,
    help="S Bremen-like, M a city, L a state, XL a training provider",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="the YAML file to write",
)
@click.option(
    "--features",
    is_flag=True,
    help="with a partial module order, trainer skills, per-centre coverage, same-week "
    "modules, pinned sessions and trainer continuity",
)
@click.option(
    "--profile",
    type=click.Choice(["generated", "office"]),
    default="generated",
    show_default=True,
    help="office: an office unlike the plain generator (uneven centres, trainers with "
    "different monthly caps, one away six weeks, spacing 21-84 days, a partial module order)",
)
@click.option("--force", is_flag=True, help="overwrite an existing file")
@guarded
def generate(
    size: str, seed: int, output: Path, force: bool, features: bool, profile: str
) -> None:
    """Write a seeded, realistic instance with all three parts (valid and feasible)."""
    from instances.generator import generate as make
    from instances.generator import to_yaml
    from models.io import instance_from_dict

    if output.exists() and not force:
        raise InputError(output, ["the file exists; choose another name or pass --force"])
    data = make(size.upper(), seed, features=features, profile=profile)
    inst = instance_from_dict(data, str(output))  # generated data is valid by construction
    try:
        output.write_text(to_yaml(data), encoding="utf-8")
    except OSError as exc:
        raise InputError(output, [f"cannot write: {exc.strerror}"]) from None
    click.echo(f"{output}: {inst.name} ({inst.description})")
