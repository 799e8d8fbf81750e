"""``plenary plan``: the planner finds the one state that tips a consensus, compares on common
random numbers, writes a strategy file ``compare`` accepts, and refuses bad arguments."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.cli import main
from analysis.compare import run_ensembles, run_seeds
from analysis.planner import fresh_comparison, plan_campaign
from analysis.strategies import apply_strategy, own_strategy, strategy_from_dict
from sim.format.loading import load_scenario, scenario_from_dict
from tests.conftest import HAND, five_state_scenario


def tipping_world() -> dict:
    """A consensus of the five: EEE objects (utility 0.5 - 4 * 0.8 = -2.7, objecting is worth
    1.7), DDD at 0.5 stays undecided (utility -0.7: objecting -0.3, undecided 0). AAA sponsors
    and campaigns with no visits; it is the most capable. One capacity package (cost 3, gain 6)
    makes endorsing worth 3.3 to EEE: it alone tips the consensus; the same package for DDD
    changes nothing."""
    return five_state_scenario(**{
        "world.states": {"AAA": {"capability": 2.0},  # capacity building flows to the weaker
                         "DDD": {"ideal": {"stringency": 0.5}, "salience": 1.0},
                         "EEE": {"ideal": {"stringency": 0.0}, "salience": 1.0}},
        "behaviour": {**HAND, "capacity_gain": 6.0, "capacity_cost": 3.0},
        "strategies": [{"sponsor": "AAA", "budget": 0}]})


def test_the_planner_finds_the_one_state_that_tips_the_consensus():
    scenario = scenario_from_dict(tipping_world())
    plan = plan_campaign(scenario, "f", objective="adoption", budget=3.0, runs=4, trials=16,
                         fresh=8, seed=1)
    assert plan.pool[:2] == ["EEE", "DDD"]  # the blocker first, then the undecided
    assert plan.own_search.adoption == 0.0
    assert plan.best.strategy.capacity == ["EEE"]
    assert plan.best.adoption == 1.0
    assert plan.fresh["diff_adoption"]["mean"] == 1.0 and plan.beats_own
    assert list(plan.fresh_seeds) == [5, 6, 7, 8, 9, 10, 11, 12]  # after the search seeds 1-4


def test_a_campaign_compared_with_itself_differs_by_exactly_zero():
    scenario = load_scenario("scenarios/reaim_2023.yaml")
    busy = strategy_from_dict({"name": "busy", "strategies": [
        {"sponsor": "NLD", "proposal": "call_to_action", "budget": 4, "demarches": 5,
         "capacity": ["KEN", "GHA"], "outreach": "listed", "targets": ["BRA", "IND"]}]})
    twin = apply_strategy(scenario, busy)
    a, b = run_ensembles([("a", twin), ("b", apply_strategy(scenario, busy))], run_seeds(7, 4))
    assert np.array_equal(a.endorsements, b.endorsements)
    assert np.array_equal(a.stances, b.stances)
    track = type("T", (), {"track": 1})()  # the summit
    d = fresh_comparison(a, b, track)
    assert d["diff_endorsements"] == {"mean": 0.0, "ci95": [0.0, 0.0]}
    # and the levers do something on these seeds: the own strategies differ from the busy ones
    [own] = run_ensembles([("own", apply_strategy(scenario, own_strategy(scenario)))], run_seeds(7, 4))
    assert not np.array_equal(own.stances, a.stances)


def test_the_plan_file_round_trips_through_compare(write_scenario, tmp_path, capsys):
    path = write_scenario(tipping_world())
    out = tmp_path / "plan"
    assert main(["plan", str(path), "--forum", "f", "--objective", "adoption", "--budget", "3",
                 "--runs", "4", "--trials", "12", "--fresh", "6", "--seed", "1", "--workers", "1",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "offer capacity building to EEE" in printed
    plan = json.loads((out / "plan.json").read_text())
    assert plan["winner"]["strategy"]["capacity"] == ["EEE"]
    assert sorted(p.name for p in out.iterdir()) == ["plan.json", "plan.md", "plan.png", "plan.yaml"]
    first = plan["fresh_seeds"][0]
    assert main(["compare", str(path), "--strategy", "own", "--strategy", str(out / "plan.yaml"),
                 "--runs", "6", "--seed", str(first), "--workers", "1",
                 "--out", str(tmp_path / "cmp")]) == 0
    compared = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    forum = compared["forums"][0]
    by_name = {s["name"]: s for s in forum["strategies"]}
    assert by_name["plan"]["adoption"]["mean"] == plan["fresh"]["plan_adoption"]["mean"] == 1.0
    assert by_name["own"]["endorsements"]["mean"] == plan["fresh"]["own_endorsements"]["mean"]


def test_the_plan_is_the_same_on_one_worker_or_two(write_scenario, tmp_path):
    path = write_scenario(tipping_world())
    texts = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        assert main(["plan", str(path), "--forum", "f", "--budget", "3", "--runs", "3",
                     "--trials", "10", "--fresh", "4", "--workers", workers, "--out", str(out)]) == 0
        texts.append((out / "plan.json").read_text())
    assert texts[0] == texts[1]


@pytest.mark.parametrize(("args", "message"), [
    (["--forum", "nowhere"], "--forum: forum: no forum 'nowhere' in hand_checked; forums: f"),
    (["--forum", "f", "--text", "other"], "forum 'f' decides text, not 'other'"),
    (["--forum", "f", "--runs", "0"], "--runs: runs: must be >= 1, got 0"),
    (["--forum", "f", "--trials", "-3"], "--trials: trials: must be >= 1, got -3"),
    (["--forum", "f", "--budget", "-1"], "--budget: budget: must be between 0 and 1000"),
])
def test_bad_plan_arguments_get_one_line_and_exit_2(write_scenario, tmp_path, capsys, args, message):
    path = write_scenario(tipping_world())
    out = tmp_path / "never"
    assert main(["plan", str(path), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not out.exists()
