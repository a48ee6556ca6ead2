"""`juwe rollout psplib`: the table, results.csv and per-instance schedules, checked."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from instances.psplib import read_sm
from models.rcpsp import check_rcpsp

PSPLIB = Path(__file__).parent / "data" / "psplib"  # a sample, with optima.csv beside it
J30 = PSPLIB / "j30"


def test_psplib_command_writes_checked_schedules(tmp_path):
    files = [J30 / "j301_1.sm", J30 / "j3010_1.sm", J30 / "j3020_1.sm"]
    out = tmp_path / "res"
    result = CliRunner().invoke(
        cli, ["rollout", "psplib", *map(str, files), "--workers", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "at the known optimum: 3/3" in result.output
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert [r["instance"] for r in rows] == ["j3010_1", "j301_1", "j3020_1"]
    for r in rows:
        assert r["status"] == "optimal" and r["makespan"] == r["known_optimum"] == r["bound"]
        problem = read_sm(J30 / f"{r['instance']}.sm")
        sched = list(csv.DictReader(open(out / f"{r['instance']}.csv")))
        assert [int(s["job"]) for s in sched] == list(range(1, problem.n_jobs + 1))
        starts = [int(s["start"]) for s in sched]
        assert check_rcpsp(problem, starts) == []
        assert max(int(s["end"]) for s in sched) == int(r["makespan"])


def test_psplib_command_rejects_a_malformed_file(tmp_path):
    bad = tmp_path / "broken.sm"
    bad.write_text((J30 / "j301_1.sm").read_text().replace("PRECEDENCE RELATIONS:", "PRECEDENCE:"))
    out = tmp_path / "res"
    result = CliRunner().invoke(cli, ["rollout", "psplib", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "broken.sm" in result.output and "Traceback" not in result.output
    assert not out.exists()
