"""The compiled round (sim/engine/fastround.py), composed of the same phase functions, gives bit for bit
the results of the general path (the phases called one at a time)."""

import json

import numpy as np
import pytest

from sim import load_scenario, run_scenario
from sim.batch.sweep import with_value
from sim.engine import fastround
from sim.engine.model import NegotiationModel
from sim.paths import PROJECT_ROOT

SCENARIOS = ["reaim_2023", "ccw_gge_laws", "summit_to_ccw", "unga_laws_2023",
             "wassenaar_drone_swarms", "reaim_2024", "nato_ai_principles_2021", "berlin_2020",
             "binding_vs_principles"]


def fingerprint(result) -> dict:
    m = result.model
    return {
        "summary": json.dumps(result.summary, sort_keys=True),
        "counts": m.record.counts.tobytes(), "positions": m.record.positions.tobytes(),
        "ideal": m.ideal.tobytes(), "salience": m.salience.tobytes(),
        "stances": [f.stances.tobytes() for f in m.forums],
        "utility": [f.utility.tobytes() for f in m.forums],
        "memory": m.campaign_memory.tobytes(),
        "sponsors": {p: s.tolist() for p, s in m.sponsors.items()},
    }


@pytest.mark.parametrize("name", SCENARIOS)
def test_compiled_rounds_match_the_general_path(name, monkeypatch):
    scenario = load_scenario(PROJECT_ROOT / "scenarios" / f"{name}.yaml")
    compare_paths(scenario, monkeypatch)


@pytest.mark.parametrize("bandwagon, balancing", [(2.0, 0.0), (0.0, 2.0), (1.5, 0.7)])
def test_compiled_rounds_of_rival_texts_pull_as_the_general_path(bandwagon, balancing,
                                                                 monkeypatch):
    # a treaty against a declaration, with coalitions pulling by their capability share
    base = load_scenario(PROJECT_ROOT / "scenarios" / "binding_vs_principles.yaml")
    scenario = with_value(base.model_dump(), base.source, [("behaviour.bandwagon", bandwagon),
                                                           ("behaviour.balancing", balancing)])
    compare_paths(scenario, monkeypatch)


def compare_paths(scenario, monkeypatch):
    """Run a scenario compiled and on the general path; both must give the same run."""
    compiled = []
    play = fastround.play
    monkeypatch.setattr(fastround, "play",  # (model, track, plan, first, last)
                        lambda *a: compiled.append(a[4] - a[3] + 1) or play(*a))
    fast = run_scenario(scenario, seed=11)
    assert sum(compiled) > scenario.rounds // 2  # most rounds took the compiled path
    monkeypatch.setattr(fastround, "plan", lambda model, track: None)
    general = run_scenario(scenario, seed=11)
    assert fingerprint(fast) == fingerprint(general)


def test_compiled_rounds_court_concede_and_invite():
    # reaim_2023: the Netherlands courts swing states, concedes when endorsements stall and
    # invites co-sponsors; Korea courts regional hubs; all of it in compiled rounds
    scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    model = NegotiationModel(scenario, seed=11)
    start = model.positions["call_to_action"].copy()
    model.run()
    visits = [c.visits for c in model.campaigns]
    assert all(v > 0 for v in visits)
    assert model.campaigns[0].conceded > 0
    assert not np.array_equal(model.positions["call_to_action"], start)
    assert len(model.sponsors["call_to_action"]) > 2  # NLD and KOR, and the invited


def test_rounds_the_compiled_path_does_not_cover_take_the_general_one():
    golden = load_scenario(PROJECT_ROOT / "tests" / "data" / "golden" / "golden.yaml")
    model = NegotiationModel(golden, seed=1)
    assert fastround.plan(model, model.tracks("assembly")) is None  # courted at random
    assert fastround.plan(model, model.tracks("club")) is not None  # swing, allies, hubs
    reaim = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    three_dimensions = reaim.model_dump()
    three_dimensions["dimensions"].append({"name": "transparency"})
    for section in ("proposals", "stakeholders"):
        for item in three_dimensions[section]:
            item["position"]["transparency"] = 0.5
    model = NegotiationModel(with_value(three_dimensions, reaim.source, []), seed=1)
    assert fastround.plan(model, model.tracks("reaim_summit")) is None  # the CSR drift


def test_stepping_round_by_round_gives_the_run_of_compiled_blocks():
    # run() plays consecutive compiled rounds in one call; step() (the dashboard's) one at a time
    scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    whole = NegotiationModel(scenario, seed=11)
    whole.run()
    stepped = NegotiationModel(scenario, seed=11)
    while stepped.running:
        stepped.step()
    assert whole.steps == stepped.steps == scenario.rounds
    for a, b in [(whole.record.counts, stepped.record.counts), (whole.ideal, stepped.ideal),
                 (whole.record.positions, stepped.record.positions),
                 (whole.campaign_memory, stepped.campaign_memory)]:
        assert np.array_equal(a, b)
    assert [f.outcome for f in whole.forums] == [f.outcome for f in stepped.forums]


class ZeroFirst:
    """The model's generator, but the first number of each batch is a zero, which NumPy's
    Gumbel sampler would redraw."""

    def __init__(self, rng):
        self.rng, self.bit_generator = rng, rng.bit_generator

    def random(self, size):
        u = self.rng.random(size)
        u[0] = 0.0
        return u


def test_a_block_whose_draws_hold_a_zero_is_not_played():
    scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    model = NegotiationModel(scenario, seed=11)
    while model.round < 25:  # into the summit, a forum of compiled rounds
        model.step()
    before = model.rng.bit_generator.state
    ideal = model.ideal.copy()
    model.rng = ZeroFirst(model.rng)
    assert model._play_block() is False  # nothing drawn, nothing played: round by round instead
    assert model.rng.bit_generator.state == before
    assert model.round == 25 and np.array_equal(model.ideal, ideal)


def test_a_refused_block_that_opens_a_forum_plays_its_first_round_alone(monkeypatch):
    # a forum opening in a block's first round is opened (attendance drawn) before the block is
    # tried; if the block's draws are refused, its first round is played alone, then round by
    # round: the same run
    scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    whole = NegotiationModel(scenario, seed=5)
    whole.run()
    real, tried = fastround.play, []

    def refuse_blocks(model, group, plan, first, last):
        tried.append((first, last))
        return first == last and real(model, group, plan, first, last)

    monkeypatch.setattr(fastround, "play", refuse_blocks)
    refused = NegotiationModel(scenario, seed=5)
    refused.run()
    assert (20, 49) in tried and (20, 20) in tried  # the summit opens in round 20
    assert refused.steps == whole.steps == scenario.rounds
    for a, b in [(whole.record.counts, refused.record.counts), (whole.ideal, refused.ideal),
                 (whole.record.positions, refused.record.positions)]:
        assert np.array_equal(a, b)
    assert [f.outcome for f in whole.forums] == [f.outcome for f in refused.forums]
