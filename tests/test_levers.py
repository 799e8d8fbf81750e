"""Campaign levers before a forum opens: listed outreach, demarches and capacity building, checked
by hand on the five-state world (AAA..DDD sit on the text, EEE far from it)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.batch.run import run_scenario
from sim.engine.attendance import courted, draw_present_with
from sim.engine.model import NegotiationModel
from sim.errors import ScenarioError
from sim.format.loading import scenario_from_dict
from tests.conftest import HAND, five_state_scenario


def summit(turnout: float, strategy: dict | None = None, **behaviour) -> dict:
    """An open-endorsement summit of the five, deciding in round 3; AAA sponsors the text."""
    data = five_state_scenario(**{
        "forums": [{"id": "summit", "rule": "open_endorsement", "proposal": "text",
                    "attendance": turnout, "decides": 3}],
        "behaviour": {**HAND, **behaviour}})
    if strategy is not None:
        data["strategies"] = [{"sponsor": "AAA", "budget": 0, **strategy}]
    return data


def present(data: dict, seed: int) -> list[str]:
    model = NegotiationModel(scenario_from_dict(data), seed=seed)
    model.run()
    return [model.world.iso3[i] for i in np.flatnonzero(model.forums[0].present)]


def test_courting_raises_the_chance_of_coming_on_the_same_uniforms():
    members = np.ones(6, dtype=bool)
    p = np.full(6, 0.3)
    boost = np.array([0.0, 2.0, 0.0, 2.0, 0.0, 2.0])
    plain = draw_present_with(members, p, np.zeros(0, np.int64), np.random.default_rng(4))
    more = draw_present_with(members, courted(p, boost), np.zeros(0, np.int64),
                             np.random.default_rng(4))
    assert not (plain & ~more).any()  # whoever came without the boost still comes
    assert (more[boost == 0] == plain[boost == 0]).all()  # the others are untouched
    assert courted(p, boost)[1] == pytest.approx(1 / (1 + np.exp(-(np.log(0.3 / 0.7) + 2.0))))


def test_capacity_building_brings_its_recipient_to_the_summit():
    seeds = range(12)
    without = [("BBB" in present(summit(0.3), s)) for s in seeds]
    with_capacity = [("BBB" in present(summit(0.3, {"capacity": ["BBB"]},
                                               capacity_turnout=20.0), s)) for s in seeds]
    assert not all(without)  # a turnout of 0.3 leaves BBB at home in some runs
    assert all(with_capacity)
    # the other members' attendance is drawn on the same uniforms: unchanged
    for s in seeds:
        others = [c for c in present(summit(0.3), s) if c != "BBB"]
        assert others == [c for c in present(summit(0.3, {"capacity": ["BBB"]},
                                                     capacity_turnout=20.0), s) if c != "BBB"]


def test_demarches_go_to_the_targets_first_then_the_closest_members():
    data = summit(0.3, {"demarches": 2, "targets": ["EEE"]}, demarche_turnout=20.0)
    for seed in range(6):
        came = present(data, seed)
        assert "EEE" in came and "AAA" in came  # the target, and the sponsor who always comes
        # the second demarche goes to BBB: CCC and DDD are as close (distance 0), BBB is first
        assert "BBB" in came


def test_capacity_building_wins_over_a_state_that_would_object():
    # EEE's utility of the text is 0.5 - 4 * 0.8 = -2.7 (HAND): objecting is worth 2.7 - 1 = 1.7
    # to it, endorsing -2.7; it blocks the consensus. A gain of 6 makes endorsing worth 3.3.
    base = five_state_scenario(**{"behaviour": {**HAND, "outreach": 0.0}})
    assert run_scenario(scenario_from_dict(base), seed=1).summary["forums"][0]["adopted"] is False
    bought = five_state_scenario(**{
        "behaviour": {**HAND, "outreach": 0.0, "capacity_gain": 6.0},
        "strategies": [{"sponsor": "AAA", "budget": 0, "capacity": ["EEE"]}]})
    f = run_scenario(scenario_from_dict(bought), seed=1).summary["forums"][0]
    assert f["adopted"] is True and "EEE" in f["endorsers"]


def test_listed_outreach_courts_only_its_targets_in_order():
    data = five_state_scenario(**{
        "world.states": {"DDD": {"ideal": {"stringency": 0.0}, "salience": 1.0},
                         "EEE": {"ideal": {"stringency": 0.0}, "salience": 1.0}},
        "strategies": [{"sponsor": "AAA", "budget": 1, "outreach": "listed",
                        "targets": ["EEE"]}],
        "behaviour": {**HAND, "outreach": 0.5}})
    model = NegotiationModel(scenario_from_dict(data), seed=1)
    model.run()
    # four rounds, one visit each, all to EEE (DDD, as far, is never listed)
    assert np.isclose(model.ideal[model.world.index["EEE"], 0], 0.8 * (1 - 0.5**4))
    assert model.ideal[model.world.index["DDD"], 0] == 0.0


@pytest.mark.parametrize(("strategy", "message"), [
    ({"outreach": "listed", "budget": 2}, "outreach 'listed' courts only the states in 'targets:'"),
    ({"targets": ["EEE", "EEE"]}, "'EEE' is listed twice"),
    ({"capacity": ["BBB", "BBB"]}, "'BBB' is listed twice"),
    ({"capacity": ["ZZZ"]}, "ZZZ"),
])
def test_bad_levers_are_named_with_their_line(write_scenario, strategy, message):
    data = five_state_scenario(**{"strategies": [{"sponsor": "AAA", **strategy}]})
    path = write_scenario(data)
    from sim.format.loading import load_scenario
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert message in text and f"{path}:" in text


def test_members_come_to_an_open_text_round_by_round_with_arrival():
    # a summit: AAA..DDD endorse once present, EEE (far from the text) never; turnout 0.2 leaves
    # most at home
    def endorsers(arrival: float, seed: int, **strategy) -> list[int]:
        data = summit(0.2, strategy or None)
        data["rounds"] = 30
        data["forums"][0].update(decides=29, arrival=arrival)
        model = NegotiationModel(scenario_from_dict(data), seed=seed)
        model.run()
        return [int(model.record.counts[0, t, 1]) for t in (0, 29)]

    for seed in range(5):
        first, last = endorsers(0.0, seed)
        assert first == last  # drawn once at opening: nobody comes later
        first_a, last_a = endorsers(0.3, seed)
        assert first_a == first  # the opening draws come first, the same in both
        assert last_a == 4  # at 0.3 a round, AAA..DDD have all come within 29 rounds


def test_arrival_with_a_topic_is_refused(write_scenario):
    data = five_state_scenario(**{"forums": [{"id": "f", "rule": "open_endorsement",
                                              "proposal": "text", "decides": 3, "arrival": 0.1,
                                              "topic": "ai_military"}]})
    from sim.format.loading import load_scenario
    with pytest.raises(ScenarioError, match="arrival draws who comes to the text"):
        load_scenario(write_scenario(data))
