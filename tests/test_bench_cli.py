"""`juwe bench` on the bundled S instance with a short time limit: the table and CSV hold
sane values for every part, the progress page is self-contained; bad options exit 2."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reports.bench import COLUMNS


@pytest.fixture(scope="module")
def bench_out(tmp_path_factory, juwe_module):
    out = tmp_path_factory.mktemp("bench") / "out"
    r = juwe_module(
        "bench", "--sizes", "S", "--time-limit", "4", "--workers", "2", "--joint", "--out", out
    )
    assert r.exit_code == 0, r.output
    return out, r.output


def test_table_and_csv_have_sane_values(bench_out):
    out, output = bench_out
    df = pd.read_csv(out / "bench.csv")
    assert list(df.columns) == COLUMNS
    assert list(df["part"]) == ["training", "staffing", "rollout", "joint"]
    assert set(df["instance"]) == {"generated-S"}
    for row in df.itertuples():
        assert row.status in ("optimal", "feasible"), row
        # every part minimises: the bound is at most the objective, the gap is >= 0
        assert row.bound <= row.objective + 1e-6, row
        assert row.gap_pct >= 0, row
        if row.status == "optimal":
            assert row.gap_pct == pytest.approx(0, abs=1e-6)
        assert row.seconds > 0
        assert row.deterministic_time > 0  # every part ran CP-SAT
        assert row.baseline_objective > 0
        assert row.ratio_to_baseline == pytest.approx(row.objective / row.baseline_objective, 1e-3)
        assert math.isfinite(row.ratio_to_baseline)
    joint = df[df["part"] == "joint"].iloc[0]
    assert "planned one after the other" in joint.note
    for part in ("training", "staffing", "rollout", "joint"):
        assert part in output
    assert "generated-S" in output


def test_progress_page_is_offline(bench_out):
    out, _ = bench_out
    html = (out / "bench.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html or "plotly" in html.lower()
    assert "<script src=" not in html and 'src="http' not in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sizes", "XXL"], "unknown size 'XXL'"),
        (["--time-limit", "0"], "--time-limit"),
        (["no-such-instance"], "no-such-instance"),
    ],
)
def test_bad_options_exit_2(juwe, tmp_path, args, message):
    r = juwe("bench", *args)
    assert r.exit_code == 2, r.output
    assert message in r.output
