"""Comparing strategies: common random numbers, a hand-checked world, files and user errors."""

import json

import numpy as np
import pytest

from analysis.cli import main
from analysis.compare import compare_strategies, mean_ci, wilson
from analysis.strategies import apply_strategy, load_strategy_file, strategy_from_dict
from sim import load_scenario, run_scenario
from sim.paths import PROJECT_ROOT
from tests.conftest import five_state_scenario

REAIM = PROJECT_ROOT / "scenarios" / "reaim_2023.yaml"
STRATEGIES = PROJECT_ROOT / "scenarios" / "strategies"


def hand_vote() -> dict:
    """Five states vote on a text at 0.8 (simple majority; no ties, near-deterministic).

    AAA..DDD sit on the text (utility 0.5: yes); EEE at 0.0 with salience 1 (utility -2.7: no).
    """
    return five_state_scenario(forums=[{"id": "unga", "rule": "vote", "proposal": "text",
                                        "opens": 0, "decides": 3}])


#: The text moved to 0.4: AAA..DDD get 0.5 - 4 * 0.5 * 0.4 = -0.3 and abstain (no: -0.3 + 0.3 - 0.5
#: < 0), AAA still votes yes as sponsor; EEE gets 0.5 - 4 * 0.4 = -1.1 and votes no: 1 yes, 1 no.
WEAK_TEXT = {"name": "weak_text", "proposals": {"text": {"position": {"stringency": 0.4}}}}
AS_IS = {"name": "as_is", "strategies": []}


def test_a_strategy_compared_with_itself_differs_by_exactly_zero():
    scenario = load_scenario(REAIM)
    same = load_strategy_file(STRATEGIES / "allies_first.yaml")
    c = compare_strategies(scenario, [same, same], runs=4, seed=11)
    second = c.table[c.table["strategy"] == same.name].iloc[len(c.forums):]
    assert (second[["diff_endorsements", "diff_endorsements_lo", "diff_endorsements_hi",
                    "diff_adoption", "diff_adoption_lo", "diff_adoption_hi"]] == 0).all().all()
    assert all(frame.empty for frame in c.movers.values())


def test_run_k_uses_seed_plus_k_like_plenary_run():
    scenario = load_scenario(REAIM)
    strategy = load_strategy_file(STRATEGIES / "deep_commitments.yaml")
    c = compare_strategies(scenario, [strategy], runs=2, seed=40)
    alone = run_scenario(apply_strategy(scenario, strategy), seed=41).summary["forums"]
    assert c.ensembles[0].endorsements[1].tolist() == [f["endorsements"] for f in alone]


def test_hand_checked_vote_loses_three_endorsements_and_adoption_with_a_weak_text(write_scenario):
    scenario = load_scenario(write_scenario(hand_vote()))
    strategies = [strategy_from_dict(AS_IS), strategy_from_dict(WEAK_TEXT)]
    c = compare_strategies(scenario, strategies, runs=6, seed=1, court=2, court_runs=3)
    rows = c.table.set_index("strategy")
    assert rows.loc["as_is", "endorsements"] == 4 and rows.loc["as_is", "adoption"] == 1.0
    assert rows.loc["weak_text", "endorsements"] == 1 and rows.loc["weak_text", "adoption"] == 0.0
    assert rows.loc["weak_text", "diff_endorsements"] == -3
    assert rows.loc["weak_text", "diff_adoption"] == -1
    movers = c.movers["unga"]
    assert movers["iso3"].tolist() == ["BBB", "CCC", "DDD"]
    assert movers["weak_text"].tolist() == [0.0, 0.0, 0.0]
    # a priori: five equal votes; in every run of as_is a lone switch (4 yes, 1 no) never flips it
    power = c.power[c.power["forum"] == "unga"]
    assert power["shapley_shubik"].tolist() == pytest.approx([0.2] * 5)
    assert power["pivotal:as_is"].tolist() == [0.0] * 5


def test_whom_to_court_ranks_states_by_the_adoption_they_would_bring(write_scenario):
    scenario = load_scenario(write_scenario(hand_vote()))
    strategies = [strategy_from_dict(WEAK_TEXT), strategy_from_dict(AS_IS)]
    c = compare_strategies(scenario, strategies, runs=3, seed=1, court=2, court_runs=3)
    # closest to indifference: BBB and CCC (|U| = 0.3, EEE 1.1); either one voting yes makes 2-1
    assert c.court["iso3"].tolist() == ["BBB", "CCC"]
    assert c.court["diff_adoption"].tolist() == [1.0, 1.0]


def test_a_pool_of_workers_gives_the_same_numbers(write_scenario):
    scenario = load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml")
    strategies = [strategy_from_dict(AS_IS), strategy_from_dict({"name": "visits", "strategies": [
        {"sponsor": "AAA", "budget": 2, "outreach": "swing"}]})]
    one = compare_strategies(scenario, strategies, runs=8, seed=3, workers=1)
    two = compare_strategies(scenario, strategies, runs=8, seed=3, workers=2)
    for a, b in zip(one.ensembles, two.ensembles, strict=True):
        assert np.array_equal(a.stances, b.stances)
        assert np.array_equal(a.utility, b.utility)


def test_intervals():
    assert mean_ci(np.array([2.0, 2.0])) == (2.0, 2.0, 2.0)
    p, lo, hi = wilson(10, 10)
    assert p == 1.0 and lo == pytest.approx(0.7225, abs=1e-3) and hi == 1.0


def test_compare_cli_writes_table_csv_json_and_plot(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", str(REAIM), "--strategy", str(STRATEGIES / "global_south_first.yaml"),
            "--strategy", str(STRATEGIES / "deep_commitments.yaml"), "--runs", "3", "--workers", "1",
            "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "reaim_summit" in printed and "Δ P(adopt)" in printed
    data = json.loads((out / "compare.json").read_text())
    assert [s["name"] for s in data["forums"][1]["strategies"]] == ["global_south_first",
                                                                   "deep_commitments"]
    assert (out / "compare.csv").read_text().startswith("forum,rule,strategy,runs")
    assert (out / "compare.png").stat().st_size > 10_000
    assert (out / "power.csv").exists()


def test_a_bad_strategy_file_exits_2_with_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstrategies:\n  - sponsor: NLD\n    proposal: call_to_action\n"
                   "    outreach: everyone\n  - sponsor: XXX\n    proposal: call_to_action\n",
                   encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(REAIM), "--strategy", str(bad), "--runs", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:5: strategies[0].outreach: 'everyone' is not one of" in err
    assert not out.exists()
    bad.write_text("name: bad\nstrategies:\n  - sponsor: NLD\n    proposal: call_to_action\n"
                   "  - sponsor: XXX\n    proposal: call_to_action\n", encoding="utf-8")
    assert main(["compare", str(REAIM), "--strategy", str(bad), "--runs", "2", "--out", str(out)]) == 2
    assert f"{bad}:5: strategies[1].sponsor: 'XXX' is not a known ISO3 code" in capsys.readouterr().err
    assert not out.exists()


def test_the_shipped_strategy_files_are_valid():
    scenario = load_scenario(REAIM)
    for path in sorted(STRATEGIES.glob("*.yaml")):
        assert path.read_text(encoding="utf-8").startswith("#")  # a header comment explains it
        apply_strategy(scenario, load_strategy_file(path))


def test_compare_writes_into_a_default_folder_like_run(tmp_path, monkeypatch, capsys):
    five = PROJECT_ROOT / "tests" / "data" / "five_states.yaml"
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(five), "--strategy", "own", "--runs", "2", "--workers", "1"]) == 0
    assert (tmp_path / "out" / "five_states_compare" / "compare.csv").exists()
    assert "out/five_states_compare" in capsys.readouterr().out
