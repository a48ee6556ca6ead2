"""Staffing units read from an Excel or CSV table named in `staffing.units_from`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from instances import bundled_path
from models.io import InputError, load_instance

GERMAN = {"id": "Team-ID", "centre": "Zentrum", "cases": "Fallzahl", "bv": "BV (VZÄ)"}


@pytest.fixture(scope="module")
def bremen():
    return load_instance(bundled_path())


def _split(bremen, tmp_path: Path, table: str, source: dict) -> Path:
    """Bremen's instance file with its CM units moved into `table` (German headers)."""
    data = bremen.model_dump(mode="json", exclude_defaults=True)
    units = data["staffing"]["units"]
    cm = [u for u in units if u["category"] == "cm"]
    data["staffing"]["units"] = [u for u in units if u["category"] != "cm"]
    data["staffing"]["units_from"] = {"path": table, **source}
    rows = [{GERMAN.get(k, k): v for k, v in u.items() if k != "category"} for u in cm]
    df = pd.DataFrame(rows)
    if table.endswith(".csv"):
        # a German Excel export: `;` between cells and decimal commas
        text = df.to_csv(index=False, sep=";", decimal=",")
        (tmp_path / table).write_text(text, encoding="utf-8")
    else:
        with pd.ExcelWriter(tmp_path / table, engine="openpyxl") as xl:
            pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="Deckblatt", index=False)
            df.to_excel(xl, sheet_name="Teams", index=False)
    path = tmp_path / "instance.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _units(inst) -> dict[str, dict]:
    return {u.id: u.model_dump() for u in inst.staffing.units}


@pytest.mark.parametrize("table", ["teams.xlsx", "teams.csv"])
def test_units_from_table_equal_the_listed_units(bremen, tmp_path, table):
    source = {"columns": GERMAN, "defaults": {"category": "cm"}}
    if table.endswith(".xlsx"):
        source["sheet"] = "Teams"
    inst = load_instance(_split(bremen, tmp_path, table, source))
    assert _units(inst) == _units(bremen)
    assert inst.staffing.units_from is None  # resolved: plan files hold the units themselves
    assert any(u.bv % 1 for u in inst.staffing.units if u.category == "cm")  # decimals survive


def test_units_from_cli_validate(bremen, tmp_path):
    path = _split(
        bremen, tmp_path, "teams.csv", {"columns": GERMAN, "defaults": {"category": "cm"}}
    )
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    ("table", "source", "edit", "expected"),
    [
        (
            "teams.xlsx",
            {"sheet": "Tabelle9"},
            None,
            "no sheet 'Tabelle9'; sheets: Deckblatt, Teams",
        ),
        ("teams.csv", {"columns": {**GERMAN, "cases": "Fälle"}}, None, "no column 'Fälle'"),
        (
            "teams.csv",
            {"columns": {**GERMAN, "caseload": "x"}},
            None,
            "unknown unit field 'caseload'",
        ),
        ("teams.csv", {"columns": GERMAN}, None, "row 2, column 'category': Field required"),
        (
            "teams.csv",
            {"columns": GERMAN, "defaults": {"category": "cm"}},
            ("Fallzahl", 3, "viele"),
            "teams.csv row 5, column 'Fallzahl': Input should be a valid integer",
        ),
        ("teams.csv", {"columns": {"cases": "Fallzahl"}}, None, "no id column"),
        ("teams.ods", {}, None, "unsupported table format '.ods'"),
    ],
)
def test_bad_tables_name_the_sheet_row_or_column(bremen, tmp_path, table, source, edit, expected):
    real = "teams.csv" if table.endswith(".ods") else table
    path = _split(bremen, tmp_path, real, source)
    if table != real:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["staffing"]["units_from"]["path"] = table
        (tmp_path / table).write_text("x", encoding="utf-8")
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    if edit is not None:
        column, row, value = edit
        df = pd.read_csv(tmp_path / table, sep=";", dtype=str)
        df.loc[row, column] = value
        df.to_csv(tmp_path / table, sep=";", index=False)
    with pytest.raises(InputError) as err:
        load_instance(path)
    assert expected in str(err.value)
    assert "staffing.units_from" in str(err.value)
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 2 and expected in r.output


def test_missing_table_file(bremen, tmp_path):
    path = _split(bremen, tmp_path, "teams.csv", {"columns": GERMAN})
    (tmp_path / "teams.csv").unlink()
    with pytest.raises(InputError, match=r"staffing.units_from: teams.csv: file not found"):
        load_instance(path)


def test_units_from_without_loading_is_named(bremen):
    data = bremen.staffing.model_dump()
    data["units_from"] = {"path": "teams.xlsx"}
    from models.staffing import StaffingPart

    part = StaffingPart.model_validate(data)
    from models.staffing import staffing_problems

    paths = [p for p, _ in staffing_problems(part, bremen.organisation.centre_ids(), [])]
    assert "staffing.units_from" in paths
