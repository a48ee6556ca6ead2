"""HR grids in scenario files: fill probability x lag x budget factor become variants, and
scenarios.html shows one heatmap per key figure over the grid."""

from __future__ import annotations

import csv

from models.scenarios import ScenarioFile
from tests.test_scenarios_cli import _write, files, run_args  # noqa: F401 - fixture

GRID = {
    "runs": 20,
    "seed": 1,
    "grid": {
        "fill_probability": [0.6, 1.0],
        "lag": [{3: 1.0}, {6: 0.5, 9: 0.5}],
        "budget_factor": [1.0],
    },
}


def test_grid_expands_to_named_variants():
    scen = ScenarioFile.model_validate(GRID | {"variants": [{"name": "baseline"}]})
    names = [v.name for v in scen.all_variants()]
    assert names[0] == "baseline" and len(names) == 5
    assert "grid: fill 0.6, lag 7.5 mo, budget x1" in names


def test_grid_run_writes_a_row_and_a_heatmap_cell_per_point(juwe, files, tmp_path):  # noqa: F811
    inst, _ = files
    scen = _write(tmp_path / "grid.yaml", GRID)
    out = tmp_path / "out"
    result = juwe(*run_args(inst, scen, out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out / "scenarios.csv", encoding="utf-8")))
    assert len(rows) == 4 and all(r["status"] == "optimal" for r in rows)
    page = (out / "scenarios.html").read_text(encoding="utf-8")
    assert "HR grid" in page and "heatmap-vacancy_bv_months_p90" in page


def test_bad_grid_lag_exits_2_naming_the_field(juwe, files, tmp_path, assert_input_error):  # noqa: F811
    inst, _ = files
    scen = _write(tmp_path / "bad.yaml", {"grid": {"lag": [{3: 0.5}]}})
    result = juwe(*run_args(inst, scen, tmp_path / "out"))
    assert_input_error(result, "grid.lag", "lag[0]", "sum to 0.5")
