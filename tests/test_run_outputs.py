"""plenary run: the files it writes, their schema, and byte-identical results for the same seed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import load_scenario, run_scenario, write_run
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIVE = ROOT / "tests" / "data" / "five_states.yaml"


def test_run_writes_summary_timeseries_and_plots(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(FIVE), "--seed", "4", "--out", str(out)]) == 0
    for name in ("summary.json", "timeseries.csv", "endorsements.png", "network.png"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "five_states" and summary["seed"] == 4 and summary["rounds"] == 6
    for f in summary["forums"]:
        assert {"id", "rule", "adopted", "endorsements", "yes", "no", "abstain", "objectors",
                "endorsers"} <= set(f)
        assert f["endorsements"] == len(f["endorsers"])
        assert all(len(code) == 3 for code in f["endorsers"] + f["objectors"])
    assert "ccw" in capsys.readouterr().out


def test_timeseries_has_a_row_per_forum_per_round_with_counts_and_position(tmp_path):
    result = run_scenario(load_scenario(FIVE), seed=2)
    ts = result.timeseries
    assert len(ts) == 6 * 2
    assert {"round", "forum", "endorse", "oppose", "abstain", "object", "undecided",
            "position_stringency"} <= set(ts.columns)
    counts = ts[["endorse", "oppose", "abstain", "object", "undecided"]].sum(axis=1)
    assert (counts == 5).all()  # every member stands somewhere, every round


def test_set_overrides_from_the_command_line(tmp_path):
    out = tmp_path / "o"
    assert main(["run", str(FIVE), "--out", str(out), "--no-plots", "--set", "rounds=4",
                 "--set", "forums.summit.decides=3"]) == 0
    assert json.loads((out / "summary.json").read_text())["rounds"] == 4


def test_same_seed_gives_identical_files_and_other_seeds_differ(tmp_path):
    scenario = load_scenario(ROOT / "scenarios" / "reaim_2023.yaml")
    a = write_run(run_scenario(scenario, seed=7), tmp_path / "a")
    b = write_run(run_scenario(scenario, seed=7), tmp_path / "b")
    c = write_run(run_scenario(scenario, seed=8), tmp_path / "c")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert a[1].read_bytes() != c[1].read_bytes()


@pytest.mark.parametrize("hashseed", ["0", "12345"])
def test_same_seed_gives_identical_files_in_another_process(tmp_path, hashseed):
    here = write_run(run_scenario(load_scenario(ROOT / "scenarios" / "reaim_2023.yaml"), seed=5),
                     tmp_path / "here")
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run([sys.executable, "-m", "sim.cli", "run", str(ROOT / "scenarios" / "reaim_2023.yaml"),
                    "--seed", "5", "--out", str(tmp_path / "there"), "--no-plots"],
                   check=True, env=env, capture_output=True)
    for path in here:
        assert (tmp_path / "there" / path.name).read_bytes() == path.read_bytes()


def test_seed_zero_is_a_seed_not_a_missing_value():
    scenario = load_scenario(FIVE)
    a = run_scenario(scenario, seed=0).timeseries
    b = run_scenario(scenario, seed=0).timeseries
    assert a.equals(b)
