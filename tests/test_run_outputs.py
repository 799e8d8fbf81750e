"""plenary run: the files it writes, their schema, and byte-identical results for the same seed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from sim import load_scenario, run_scenario, write_run

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
    subprocess.run([sys.executable, "-m", "analysis.cli", "run", str(ROOT / "scenarios" / "reaim_2023.yaml"),
                    "--seed", "5", "--out", str(tmp_path / "there"), "--no-plots"],
                   check=True, env=env, capture_output=True)
    for path in here:
        assert (tmp_path / "there" / path.name).read_bytes() == path.read_bytes()


def test_seed_zero_is_a_seed_not_a_missing_value():
    scenario = load_scenario(FIVE)
    a = run_scenario(scenario, seed=0).timeseries
    b = run_scenario(scenario, seed=0).timeseries
    assert a.equals(b)


# -- plenary run --runs N: an ensemble -----------------------------------------------------------


def test_run_with_runs_gives_outcome_and_stance_probabilities_of_the_seeds(tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "ens"
    assert main(["run", str(FIVE), "--runs", "6", "--seed", "10", "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "6 runs, seeds 10-15" in printed and "P(adopted)" in printed
    stances = pd.read_csv(out / "ensemble.csv")
    outcomes = pd.read_csv(out / "ensemble_outcomes.csv").set_index("forum")
    probabilities = stances.filter(like="p_")
    assert list(probabilities.columns) == ["p_endorse", "p_oppose", "p_abstain", "p_object", "p_undecided"]
    assert (probabilities.sum(axis=1).round(9) == 1).all()
    scenario = load_scenario(FIVE)
    singles = [run_scenario(scenario, seed=s).summary for s in range(10, 16)]
    for forum in ("ccw", "summit"):
        runs = [next(f for f in s["forums"] if f["id"] == forum) for s in singles]
        assert outcomes.loc[forum, "p_adopted"] == sum(f["adopted"] for f in runs) / 6
        assert outcomes.loc[forum, "endorsements"] == pytest.approx(sum(f["endorsements"] for f in runs) / 6)
        endorse = stances[stances["forum"] == forum].set_index("iso3")["p_endorse"]
        for iso3, p in endorse.items():
            assert p == pytest.approx(sum(iso3 in f["endorsers"] for f in runs) / 6)
    assert not (out / "summary.json").exists()


def test_a_run_without_runs_writes_no_ensemble_and_a_bad_count_is_refused(tmp_path, capsys):
    assert main(["run", str(FIVE), "--no-plots", "--out", str(tmp_path / "one")]) == 0
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["summary.json", "timeseries.csv"]
    assert main(["run", str(FIVE), "--runs", "0", "--out", str(tmp_path / "none")]) == 2
    assert "--runs" in capsys.readouterr().err and not (tmp_path / "none").exists()


def test_run_prints_the_real_outcome_beside_the_simulated_one(tmp_path, capsys):
    scenario = ROOT / "scenarios" / "unga_laws_2023.yaml"
    assert main(["run", str(scenario), "--no-plots", "--out", str(tmp_path / "u")]) == 0
    printed = capsys.readouterr().out
    assert "first_committee: simulated adopted" in printed
    assert "in reality adopted 164-5-8 (UN Press GA/DIS/3731, 1 Nov 2023)" in printed


@pytest.mark.parametrize("columns", [60, 100, 200])
def test_the_printed_table_fits_columns_and_never_cuts_a_name(tmp_path, capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    scenario = ROOT / "scenarios" / "binding_vs_principles.yaml"
    assert main(["run", str(scenario), "--no-plots", "--out", str(tmp_path / "b")]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    rows = [line for line in printed.splitlines() if line.startswith("│")]
    for f in summary["forums"]:  # forum/text, e.g. unga_first_committee/political_declaration
        assert any(f"│ {f['id']} " in row for row in rows), f["id"]
    table = [line for line in printed.splitlines() if line[:1] in "┏┃┡│└"]
    widest = max(len(line) for line in table)
    longest = max(len(f["id"]) for f in summary["forums"])
    # as wide as COLUMNS, wider only as the names (and the other columns' headers) need
    assert widest <= max(columns, longest + 81)
    assert "…" not in printed
    assert main(["run", str(FIVE), "--no-plots", "--out", str(tmp_path / "five")]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line[:1] in "┏┃┡│└"]
    assert max(len(line) for line in table) <= max(columns, 100)  # short names: 100 is enough
