"""`juwe staffing scenarios`: bad scenario files and bad staffing data exit 2 naming the
field; a small run writes scenarios.csv (a row per variant) and scenarios.html."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from instances import bundled_path
from models.io import load_instance
from models.scenarios import load_scenarios, prepare_variants
from tests.test_simulation import BASE

GOOD = {
    "runs": 50,
    "seed": 1,
    "dates": ["2026-06", "2026-12"],
    "variants": [
        {"name": "baseline"},
        {"name": "slow", "lag": {6: 0.5, 9: 0.5}, "fill_probability": 0.6, "attrition": 0.2},
        {"name": "no money", "budget_factor": 0, "max_posting_delay": 2},
        {"name": "late", "release_delay_months": {"t2": 3}, "monthly_capacity": 1.0},
    ],
}


def _write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    inst = _write(tmp_path / "instance.yaml", BASE)
    scen = _write(tmp_path / "scen.yaml", GOOD)
    return inst, scen


def run_args(inst: Path, scen: Path, out: Path, *extra: Any) -> list[Any]:
    return [
        "staffing",
        "scenarios",
        inst,
        "--scenarios",
        scen,
        "--out",
        out,
        "--workers",
        "1",
        "--time-limit",
        "5",
        *extra,
    ]


def test_small_run_writes_a_row_per_variant(juwe, files, tmp_path):
    inst, scen = files
    out = tmp_path / "out"
    result = juwe(*run_args(inst, scen, out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["scenarios.csv", "scenarios.html"]
    rows = list(csv.DictReader(open(out / "scenarios.csv", encoding="utf-8")))
    assert [r["variant"] for r in rows] == ["baseline", "slow", "no money", "late"]
    by = {r["variant"]: r for r in rows}
    assert by["baseline"]["status"] == "optimal"
    for col in ("cw_bv_2026-06_p10", "cw_bv_2026-12_p50", "cw_bv_2026-12_p90"):
        assert float(by["baseline"][col]) > 0
    assert float(by["baseline"]["cw_bv_2026-12_p10"]) <= float(by["baseline"]["cw_bv_2026-12_p90"])
    assert by["baseline"]["budget_2026_teur"] == "100.0"
    # a budget of 0 with postings due within 2 months of release: no plan, but a row
    assert by["no money"]["status"] == "infeasible"
    assert "budget" in by["no money"]["message"]
    assert by["no money"]["vacancy_bv_months"] == ""
    # longer lags and more fluctuation leave more positions vacant
    assert float(by["slow"]["vacancy_bv_months"]) > float(by["baseline"]["vacancy_bv_months"])
    page = (out / "scenarios.html").read_text(encoding="utf-8")
    assert page.count("<tr>") >= 1 + len(rows)  # header and a row per variant
    assert "scenario-fans" in page and "plotly" in page.lower()
    assert 'src="http' not in page  # plotly.js inline, nothing from the network
    # the same seed gives the same table
    again = tmp_path / "again"
    assert juwe(*run_args(inst, scen, again)).exit_code == 0
    assert (again / "scenarios.csv").read_bytes() == (out / "scenarios.csv").read_bytes()


def test_runs_and_seed_on_the_command_line_override_the_file(juwe, files, tmp_path):
    inst, scen = files
    data = copy.deepcopy(GOOD)
    data["variants"] = data["variants"][:1]
    scen = _write(tmp_path / "one.yaml", data)
    out = tmp_path / "out"
    result = juwe(*run_args(inst, scen, out, "--runs", "5", "--seed", "9", "--quiet"))
    assert result.exit_code == 0, result.output
    assert "5 times (seed 9" in (out / "scenarios.html").read_text(encoding="utf-8")
    # existing output is not overwritten without --force
    result = juwe(*run_args(inst, scen, out))
    assert result.exit_code == 2 and "--force" in result.output


BAD_FILES = [
    ({"variants": [{"name": "x", "lagg": {3: 1.0}}]}, "variants[0].lagg"),
    ({"variants": [{"name": "x", "fill_probability": 1.5}]}, "variants[0].fill_probability"),
    ({"variants": [{"name": "x", "lag": {3: 0.5, 4: 0.4}}]}, "variants[0].lag"),
    ({"variants": [{"name": "x", "lag": {0: 1.0}}]}, "variants[0].lag"),
    ({"variants": [{"name": "x", "attrition": 1.0}]}, "variants[0].attrition"),
    (
        {"variants": [{"name": "x"}, {"name": "y", "monthly_capacity": 0}]},
        "variants[1].monthly_capacity",
    ),
    ({"variants": [{"name": "x"}, {"name": "x"}]}, "variants[1].name"),
    ({"variants": []}, "variants"),
    ({"runs": 0, "variants": [{"name": "x"}]}, "runs"),
    ({"dates": ["2026-13"], "variants": [{"name": "x"}]}, "dates"),
    ({"dates": ["2030-01"], "variants": [{"name": "x"}]}, "dates[0]: 2030-01 is outside"),
    (
        {"variants": [{"name": "x", "budget_factor": 0.5, "budgets": []}]},
        "budget_factor or budgets",
    ),
    (
        {"variants": [{"name": "x", "budgets": [{"year": 2026, "amount": 1, "tranches": ["zz"]}]}]},
        "variants[0].budgets[0].tranches[0]",
    ),
    (
        {"variants": [{"name": "x", "release_delay_months": {"nope": 2}}]},
        "variants[0].release_delay_months.nope",
    ),
    (
        {"variants": [{"name": "x", "release_delay_months": 30}]},
        "variants[0].release_delay_months",
    ),
    ({"variants": [{"name": "x", "release_delay_months": -1}]}, "variants[0].release_delay_months"),
    ({"variants": {"name": "x"}}, "variants"),
    ({"calendar": {}, "staffing": {}}, "not a scenario file"),
]


@pytest.mark.parametrize("data, fragment", BAD_FILES, ids=[f for _, f in BAD_FILES])
def test_bad_scenario_file_exits_2_naming_the_field(
    juwe, files, tmp_path, assert_input_error, leftovers, data, fragment
):
    inst, _ = files
    scen = _write(tmp_path / "bad.yaml", data)
    out = tmp_path / "out"
    assert_input_error(juwe(*run_args(inst, scen, out)), "bad.yaml", fragment)
    assert leftovers(out) == []


@pytest.mark.parametrize(
    "text, fragment",
    [("variants: [\n", "YAML syntax error"), ("", "empty"), ("- 1\n", "mapping")],
)
def test_malformed_scenario_file_exits_2(juwe, files, tmp_path, assert_input_error, text, fragment):
    inst, _ = files
    scen = tmp_path / "bad.yaml"
    scen.write_text(text, encoding="utf-8")
    assert_input_error(juwe(*run_args(inst, scen, tmp_path / "out")), "bad.yaml", fragment)


def test_missing_scenario_file_exits_2(juwe, files, tmp_path, assert_input_error):
    inst, _ = files
    missing = tmp_path / "nope.yaml"
    assert_input_error(juwe(*run_args(inst, missing, tmp_path / "out")), "nope.yaml", "not found")


@pytest.mark.parametrize(
    "change, fragment",
    [
        (("hiring", {"fill_probability": 2}), "staffing.hiring.fill_probability"),
        (("hiring", {"lag": {3: 0.2}}), "staffing.hiring.lag"),
        (("units", [{"id": "a", "category": "zz"}]), "staffing.units[0].category"),
        (("months", 0), "staffing.months"),
        (None, "the instance has no staffing part"),
    ],
)
def test_bad_staffing_data_exits_2_naming_the_field(
    juwe, files, tmp_path, assert_input_error, change, fragment
):
    _, scen = files
    data = copy.deepcopy(BASE)
    if change is None:
        del data["staffing"]
    else:
        data["staffing"][change[0]] = change[1]
    inst = _write(tmp_path / "inst.yaml", data)
    assert_input_error(juwe(*run_args(inst, scen, tmp_path / "out")), "inst.yaml", fragment)


def test_bundled_example_scenarios_fit_the_bremen_instance():
    inst = load_instance(bundled_path())
    path = Path(bundled_path()).parent / "scenarios" / "bremen-2016.yaml"
    scen = load_scenarios(path)
    variants = prepare_variants(inst, scen, path)
    assert len(variants) == len(scen.variants) >= 6
    by = dict(zip([v.name for v in scen.variants], variants, strict=True))
    base = inst.staffing
    assert by["high fluctuation"].staffing.hiring.attrition == 0.18
    cut = by["budget cut 20 %"].staffing.budgets
    assert [b.amount for b in cut] == pytest.approx([0.8 * b.amount for b in base.budgets])
    late = by["releases delayed 6 months"].staffing
    assert [t.release for _, t in late.tranches()][0] == "2015-07"
