"""Outcomes of small hand-checkable scenarios (see conftest.five_state_scenario for the arithmetic)."""

import numpy as np

from sim import run_scenario, scenario_from_dict
from sim.engine.model import NegotiationModel
from tests.conftest import HAND, five_state_scenario


def run(**changes):
    return run_scenario(scenario_from_dict(five_state_scenario(**changes)), seed=1)


def forum(result, forum_id="f"):
    return next(f for f in result.summary["forums"] if f["id"] == forum_id)


def test_five_states_one_objects_consensus_not_adopted():
    # EEE: object value = 2.7 - objection_cost 1.0 = 1.7 beats standing aside (0): it objects.
    f = forum(run())
    assert f["objectors"] == ["EEE"]
    assert f["endorsers"] == ["AAA", "BBB", "CCC", "DDD"]
    assert f["adopted"] is False


def test_costly_objection_makes_the_hold_out_stand_aside_and_consensus_adopts():
    # objection_cost 3.0: object value 2.7 - 3.0 = -0.3 < 0, so EEE stands aside.
    f = forum(run(**{"behaviour": {**HAND, "objection_cost": 3.0}}))
    assert f["objectors"] == []
    assert f["abstain"] == 1
    assert f["adopted"] is True


def test_same_world_in_a_two_thirds_vote_passes_four_to_one():
    changes = {"forums": [{"id": "f", "rule": "vote", "proposal": "text", "decides": 3,
                           "threshold": {"majority": "two_thirds"}}]}
    f = forum(run(**changes))
    assert (f["yes"], f["no"], f["abstain"]) == (4, 1, 0)
    assert f["adopted"] is True


def test_sponsors_always_endorse():
    # Put the sponsor AAA far from its own text: it still endorses.
    changes = {"world.states": {"AAA": {"ideal": {"stringency": 0.0}, "salience": 1.0},
                                "EEE": {"ideal": {"stringency": 0.0}, "salience": 1.0}}}
    f = forum(run(**changes))
    assert "AAA" in f["endorsers"]
    assert "EEE" in f["objectors"]


def test_open_endorsement_counts_what_stands_at_its_decision_round():
    # The summit decides in round 0; from the end of that round a stakeholder drags everyone
    # away from the text (states act before stakeholders in a round). Later rounds must not
    # change the count.
    changes = {
        "rounds": 6,
        "forums": [{"id": "f", "rule": "open_endorsement", "proposal": "text", "decides": 0}],
        "stakeholders": [{"id": "lobby", "kind": "industry", "position": {"stringency": 0.0},
                          "influence": 1.0, "ties": ["all"]}],
    }
    result = run(**changes)
    f = forum(result)
    ts = result.timeseries[result.timeseries["forum"] == "f"].set_index("round")
    assert f["decided_round"] == 0
    assert f["endorsements"] == ts.loc[0, "endorse"] == 4
    assert list(ts["status"]) == ["decided", "closed", "closed", "closed", "closed", "closed"]
    assert (ts.loc[1:, "endorse"] == 4).all()
    # the stakeholder did move them: a fresh forum now would see them far from the text
    assert np.allclose(result.model.ideal[:, 0], 0.0)


def test_chained_forum_starts_from_the_earlier_result():
    # A vote, then a consensus forum after it. With objection_cost 3, EEE would stand aside in
    # a fresh consensus forum (-0.3 < 0), but it arrives with the no it cast in the vote, which
    # becomes an objection and is held by inertia (-0.3 + 1.0 > 0): the chained forum is blocked.
    def scenario(after):
        consensus = {"id": "ccw", "rule": "consensus", "proposal": "text", "opens": 2, "decides": 3}
        if after:
            consensus["after"] = "unga"
        return five_state_scenario(**{
            "behaviour": {**HAND, "objection_cost": 3.0, "inertia": 1.0},
            "forums": [{"id": "unga", "rule": "vote", "proposal": "text", "opens": 0, "decides": 1},
                       consensus],
        })

    chained = run_scenario(scenario_from_dict(scenario(after=True)), seed=1)
    fresh = run_scenario(scenario_from_dict(scenario(after=False)), seed=1)
    assert forum(chained, "unga")["opposers"] == ["EEE"]
    assert forum(chained, "ccw")["objectors"] == ["EEE"]
    assert forum(chained, "ccw")["adopted"] is False
    assert forum(fresh, "ccw")["objectors"] == []
    assert forum(fresh, "ccw")["adopted"] is True


def test_chained_forum_gains_pull_when_the_earlier_one_adopted():
    data = five_state_scenario(**{
        "forums": [{"id": "a", "rule": "open_endorsement", "proposal": "text", "decides": 1},
                   {"id": "b", "rule": "open_endorsement", "proposal": "text", "opens": 2,
                    "decides": 3, "after": "a", "pull": 0.25}],
        "behaviour": {**HAND, "chain_pull": 0.5},
    })
    model = NegotiationModel(scenario_from_dict(data), seed=1)
    model.run()
    assert model.forum("a").outcome.adopted
    assert model.forum("b").pull == 0.75


def test_social_ties_pull_an_indifferent_state_toward_its_endorsing_neighbours():
    # DDD is indifferent (utility 0 without ties: baseline 0.5 minus 4 * 0.5 * 0.25).
    # Tied strongly to the endorsers, it endorses; untied, it is a coin toss between options.
    base = {"world.states": {"DDD": {"ideal": {"stringency": 0.55}, "salience": 0.5},
                             "EEE": {"ideal": {"stringency": 0.0}, "salience": 1.0}},
            "forums": [{"id": "f", "rule": "open_endorsement", "proposal": "text", "decides": 3}]}
    tied = dict(base)
    tied["world.extra_ties"] = [{"a": "DDD", "b": "AAA", "weight": 5.0},
                                {"a": "DDD", "b": "BBB", "weight": 5.0}]
    endorsed = [("DDD" in forum(run_scenario(scenario_from_dict(five_state_scenario(**tied)),
                                             seed=s))["endorsers"]) for s in range(20)]
    assert all(endorsed)


def test_outreach_moves_targets_toward_the_text():
    data = five_state_scenario(**{
        "world.states": {"EEE": {"ideal": {"stringency": 0.0}, "salience": 1.0}},
        "strategies": [{"sponsor": "AAA", "budget": 1, "outreach": "swing"}],
        "behaviour": {**HAND, "outreach": 0.5},
    })
    model = NegotiationModel(scenario_from_dict(data), seed=1)
    model.run()
    # EEE is the only hold-out; four visits each close half the gap: 0.8 * (1 - 0.5 ** 4)
    assert np.isclose(model.ideal[model.world.index["EEE"], 0], 0.8 * (1 - 0.5**4))


def test_concessions_move_the_text_toward_hold_outs_when_endorsements_stall():
    data = five_state_scenario(**{
        "rounds": 8,
        "forums": [{"id": "f", "rule": "open_endorsement", "proposal": "text", "decides": 7}],
        "strategies": [{"sponsor": "AAA", "budget": 0,
                        "concessions": {"step": 0.1, "stall_rounds": 2, "max_total": 0.15}}],
    })
    result = run_scenario(scenario_from_dict(data), seed=1)
    position = result.summary["proposals"][0]["position"]["stringency"]
    # two concessions toward EEE at 0.0, the second capped by max_total: 0.8 - 0.15
    assert np.isclose(position, 0.65)


def test_mesa_agents_view_the_model_and_are_numbered_states_then_stakeholders():
    # The agents are made on first use; whenever that is, Mesa sees every one of them, in order.
    data = five_state_scenario()
    data["stakeholders"] = [{"id": "ngo", "kind": "civil_society", "influence": 0.5,
                             "position": {"stringency": 1.0}, "ties": ["BBB"]}]
    model = NegotiationModel(scenario_from_dict(data), seed=1)
    model.run()
    assert len(model.agents) == 6
    assert [a.unique_id for a in model.agents] == [1, 2, 3, 4, 5, 6]
    assert [s.iso3 for s in model.states] == ["AAA", "BBB", "CCC", "DDD", "EEE"]
    assert model.agents_by_type[type(model.stakeholders[0])][0].ident == "ngo"
    assert model.states[0].stance("f") == "endorse"  # AAA sponsors the text
    assert model.states[1].ideal["stringency"] == model.ideal[1, 0]  # a view of the arrays
