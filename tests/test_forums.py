"""Decision rules, checked by hand on tiny stance arrays."""

import numpy as np
import pytest

from sim.engine.forums import Consensus, OpenEndorsement, QualifiedMajority, Vote, make_rule
from sim.format.scenario import Threshold
from sim.stance import Stance

E, N, A, X, U = Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT, Stance.UNDECIDED


def stances(*values):
    return np.array(values, dtype=np.int8)


def test_single_objection_blocks_consensus():
    assert not Consensus().adopted(stances(E, E, E, E, X), np.ones(5))


def test_consensus_without_objection_is_adopted_even_with_members_standing_aside():
    assert Consensus().adopted(stances(E, E, A, A, E), np.ones(5))


def test_consensus_needs_at_least_one_endorsement():
    assert not Consensus().adopted(stances(A, A, A), np.ones(3))


def test_two_thirds_counts_only_present_and_voting():
    votes = stances(*([E] * 10 + [N] * 5 + [A] * 20))
    assert Vote(Threshold(majority="two_thirds")).adopted(votes, np.ones(35))


def test_two_thirds_fails_one_vote_short():
    votes = stances(*([E] * 9 + [N] * 5 + [A] * 20))  # 9/14 < 2/3
    assert not Vote(Threshold(majority="two_thirds")).adopted(votes, np.ones(34))


def test_simple_majority_needs_more_yes_than_no():
    rule = Vote(Threshold(majority="simple"))
    assert rule.adopted(stances(E, E, N, A, A), np.ones(5))
    assert not rule.adopted(stances(E, N, A, A, A), np.ones(5))


def test_vote_with_nobody_voting_fails():
    assert not Vote().adopted(stances(A, A, A), np.ones(3))


def test_open_endorsement_counts_endorsements_against_minimum():
    rule = OpenEndorsement(Threshold(min_endorsements=3))
    assert rule.adopted(stances(E, E, E, U, U), np.ones(5))
    assert not rule.adopted(stances(E, E, U, U, U), np.ones(5))


def test_qualified_majority_needs_both_members_and_weight():
    rule = QualifiedMajority(Threshold(members=0.55, weight=0.65))
    weights = np.array([40.0, 30.0, 10.0, 10.0, 10.0])
    # 3 of 5 members (60%) carrying 80% of the weight: adopted
    assert rule.adopted(stances(E, E, E, N, N), weights)
    # 3 of 5 members (60%) carrying only 30% of the weight: not adopted
    assert not rule.adopted(stances(N, N, E, E, E), weights)
    # 2 of 5 members (40%) carrying 70% of the weight: not adopted
    assert not rule.adopted(stances(E, E, N, N, N), weights)


@pytest.mark.parametrize("rule", [make_rule("open_endorsement", Threshold(min_endorsements=3)),
                                  make_rule("consensus"), make_rule("vote"),
                                  make_rule("vote", Threshold(majority="two_thirds"))])
def test_an_unweighted_rule_decides_the_same_on_the_stances_and_on_their_counts(rule):
    # the model decides a track from its counts; the stances must give the same outcome
    rng = np.random.default_rng(3)
    for size in [0, 1, 2, 5, 12, 40]:
        for _ in range(200):
            stances = rng.choice(np.array([0, *rule.options], dtype=np.int8), size=size)
            counts = np.bincount(stances, minlength=len(Stance))
            assert bool(rule.adopted(stances, np.ones(size))) == bool(rule.adopted_by_counts(counts))


def council_of_five(stances: dict[str, str], minority: int | None = 4) -> bool:
    """A council of the five fictional states under the Council's double majority (55% of
    members, 65% of population), populations given; each member's stance pinned."""
    from sim.batch.run import run_scenario
    from sim.format.loading import scenario_from_dict
    from tests.conftest import five_state_scenario

    threshold = {"members": 0.55, "weight": 0.65, "weight_by": "given",
                 "weights": {"AAA": 10.0, "BBB": 10.0, "CCC": 10.0, "DDD": 30.0, "EEE": 40.0}}
    if minority is not None:
        threshold["blocking_minority"] = minority
    data = five_state_scenario(**{"forums": [{"id": "council", "rule": "qualified_majority",
                                              "proposal": "text", "decides": 3,
                                              "threshold": threshold, "pin": stances}]})
    return run_scenario(scenario_from_dict(data), seed=1).summary["forums"][0]["adopted"]


def test_the_blocking_minority_clause_is_honoured_as_the_treaty_requires():
    yes = {c: "endorse" for c in ("AAA", "BBB", "CCC", "DDD", "EEE")}
    # EEE alone (40% of the population) against: 80% of members, 60% of population. Under the
    # double majority alone it falls; one member is not a blocking minority of four: adopted.
    assert council_of_five({**yes, "EEE": "oppose"}, minority=None) is False
    assert council_of_five({**yes, "EEE": "oppose"}) is True
    # DDD and EEE against (70% of the population): two members still cannot block
    assert council_of_five({**yes, "DDD": "oppose", "EEE": "oppose"}, minority=2) is False
    # three against is 40% of members: the members criterion fails, whatever the clause
    assert council_of_five({**yes, "CCC": "oppose", "DDD": "oppose", "EEE": "oppose"}) is False
    # with the weights given, EEE with AAA voting yes and the rest abstaining: 2 of 5 members
    assert council_of_five({"AAA": "endorse", "BBB": "abstain", "CCC": "abstain",
                            "DDD": "abstain", "EEE": "endorse"}) is False


@pytest.mark.parametrize(("threshold", "rule", "message"), [
    ({"weight_by": "given"}, "qualified_majority", "weight_by: given needs weights:"),
    ({"weights": {"AAA": 1.0}}, "qualified_majority", "weights: count only with weight_by: given"),
    ({"blocking_minority": 4}, "consensus", "rule consensus does not use 'blocking_minority'"),
    ({"weight_by": "given", "weights": {"ZZZ": 1.0}}, "qualified_majority", "ZZZ"),
])
def test_threshold_mistakes_are_named_with_their_line(write_scenario, threshold, rule, message):
    from sim.errors import ScenarioError
    from sim.format.loading import load_scenario
    from tests.conftest import five_state_scenario

    data = five_state_scenario(**{"forums": [{"id": "f", "rule": rule, "proposal": "text",
                                              "decides": 3, "threshold": threshold}]})
    path = write_scenario(data)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert message in str(err.value) and f"{path}:" in str(err.value)
