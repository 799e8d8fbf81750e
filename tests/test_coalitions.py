"""Coalitions: rival texts in one forum, ties and size pulling states, blocking sets.

Every case is small enough to check by hand (tests/conftest.py pins the behaviour: everyone
reconsiders every round, choices all but deterministic). With ``baseline`` 1, ``policy`` 4 and
salience 0.5, a state at distance d from a text values it 1 - 2 d; in an open endorsement it
endorses a text it values above 0.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.batch.run import run_scenario
from sim.engine.forums import make_rule
from sim.format.loading import load_scenario
from sim.format.scenario import Threshold
from sim.stance import Stance
from tests.conftest import five_state_scenario

E, NO, A, U = Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN, Stance.UNDECIDED


def rival_texts(ideal: dict[str, float], rule: str = "open_endorsement", ties=(), **behaviour) -> dict:
    """Two texts, a at 0.2 and b at 0.8, in one forum; states at the given ideal points."""
    data = five_state_scenario()
    data["rounds"] = 6
    data["world"]["defaults"] = {"ideal": {"stringency": 0.5}, "salience": 0.5}
    data["world"]["states"] = {code: {"ideal": {"stringency": x}} for code, x in ideal.items()}
    data["world"]["extra_ties"] = [{"a": a, "b": b, "weight": 1.0} for a, b in ties]
    data["proposals"] = [
        {"id": "a", "position": {"stringency": 0.2}, "form": "political_declaration"},
        {"id": "b", "position": {"stringency": 0.8}, "form": "political_declaration"},
    ]
    data["forums"] = [{"id": "f", "rule": rule, "proposals": ["a", "b"], "opens": 0, "decides": 5}]
    data["behaviour"].update({"baseline": 1.0, **behaviour})
    return data


def backers(summary: dict, forum: str = "f") -> dict[str, list[str]]:
    return {c["proposal"]: c["members"] for c in summary["coalitions"][forum]}


def run(write_scenario, data: dict) -> dict:
    return run_scenario(load_scenario(write_scenario(data)), seed=1).summary


def test_each_state_backs_the_closer_of_two_acceptable_texts(write_scenario):
    # AAA 0.1, BBB 0.3, CCC 0.45 value a more (distance 0.1, 0.1, 0.25 against 0.7, 0.5, 0.35);
    # DDD 0.7 and EEE 0.95 value b more. Everyone accepts both (1 - 2 * 0.75 < 0 only for AAA's
    # view of b and EEE's of a, which they reject anyway).
    summary = run(write_scenario, rival_texts({"AAA": 0.1, "BBB": 0.3, "CCC": 0.45, "DDD": 0.7,
                                               "EEE": 0.95}))
    assert backers(summary) == {"a": ["AAA", "BBB", "CCC"], "b": ["DDD", "EEE"]}
    tracks = {f["id"]: f for f in summary["forums"]}
    assert set(tracks) == {"f/a", "f/b"}
    assert tracks["f/a"]["endorsements"] == 3 and tracks["f/b"]["endorsements"] == 2
    assert all(f["forum"] == "f" for f in summary["forums"])


def test_a_state_that_accepts_neither_text_backs_none(write_scenario):
    # CCC at 0.5 values both texts 1 - 2 * 0.3 = 0.4 > 0 with baseline 1; with baseline 0.3
    # it values both at -0.3 and backs neither.
    summary = run(write_scenario, rival_texts({"AAA": 0.2, "BBB": 0.2, "DDD": 0.8, "EEE": 0.8},
                                              baseline=0.3))
    members = backers(summary)
    assert "CCC" not in members["a"] + members["b"]
    assert members == {"a": ["AAA", "BBB"], "b": ["DDD", "EEE"]}


@pytest.mark.parametrize(("tied_to", "joins"), [(("AAA", "BBB"), "a"), (("DDD", "EEE"), "b")])
def test_an_indifferent_state_joins_the_coalition_it_is_tied_to(write_scenario, tied_to, joins):
    # CCC sits at 0.5, equally far from both texts (both worth 0.4); its tied states all back
    # one text and the other text's members stand aside, so the social term (+1 for that text,
    # 0 for the other) decides.
    data = rival_texts({"AAA": 0.2, "BBB": 0.2, "DDD": 0.8, "EEE": 0.8},
                       ties=[("CCC", t) for t in tied_to])
    members = backers(run(write_scenario, data))
    assert "CCC" in members[joins]
    assert "CCC" not in members["b" if joins == "a" else "a"]


@pytest.mark.parametrize(("behaviour", "joins"), [({"bandwagon": 1.0}, "a"), ({"balancing": 1.0}, "b")])
def test_bandwagoning_joins_the_larger_coalition_balancing_the_smaller(write_scenario, behaviour, joins):
    # AAA, BBB, DDD back a (at 0.2), EEE backs b (at 0.8); CCC at 0.5 is indifferent. With
    # bandwagoning the larger coalition (3 of 5 capability) pulls CCC; with balancing the
    # rival's size pushes it to the smaller one.
    data = rival_texts({"AAA": 0.2, "BBB": 0.2, "DDD": 0.2, "EEE": 0.8}, **behaviour)
    members = backers(run(write_scenario, data))
    assert "CCC" in members[joins]
    assert members["a"][:2] == ["AAA", "BBB"] and "EEE" in members["b"]


def test_a_state_moves_between_coalitions_when_its_ties_move(write_scenario):
    # CCC (at 0.5, indifferent) is tied to AAA and BBB, who start on text a and so carry CCC
    # there. A lobby tied to AAA and BBB only pulls them toward 0.9 (30% of the gap a round:
    # 0.2 -> 0.41 -> 0.56 -> 0.66, past the midpoint in round 2): they cross to b, and CCC,
    # whose own view never changes, follows them.
    from sim.engine.model import NegotiationModel

    data = rival_texts({"AAA": 0.2, "BBB": 0.2, "DDD": 0.8, "EEE": 0.8},
                       ties=[("CCC", "AAA"), ("CCC", "BBB")])
    data["rounds"], data["forums"][0]["decides"] = 10, 9
    data["stakeholders"] = [{"id": "lobby", "kind": "industry", "position": {"stringency": 0.9},
                             "influence": 0.3, "ties": ["AAA", "BBB"]}]
    model = NegotiationModel(load_scenario(write_scenario(data)), seed=1)
    a, b = model.tracks("f")
    ccc = model.world.index["CCC"]
    model.step()
    model.step()
    assert a.stances[ccc] == E and b.stances[ccc] != E
    model.run()
    assert b.stances[ccc] == E and a.stances[ccc] != E
    assert model.ideal[ccc, 0] == pytest.approx(0.5)


def test_sponsors_lead_and_back_only_their_text(write_scenario):
    data = rival_texts({"AAA": 0.2, "BBB": 0.2, "DDD": 0.8, "EEE": 0.8})
    data["proposals"][0]["sponsors"] = ["EEE"]  # EEE prefers b, but it sponsors a
    summary = run(write_scenario, data)
    coalitions = {c["proposal"]: c for c in summary["coalitions"]["f"]}
    assert "EEE" in coalitions["a"]["members"] and "EEE" not in coalitions["b"]["members"]
    assert coalitions["a"]["leaders"] == ["EEE"]
    # without sponsors, the most capable members lead (all equal here: the first three)
    assert coalitions["b"]["leaders"] == coalitions["b"]["members"][:3]


def test_timeseries_has_a_row_per_text_with_the_coalition_size(write_scenario):
    result = run_scenario(load_scenario(write_scenario(
        rival_texts({"AAA": 0.1, "BBB": 0.3, "CCC": 0.45, "DDD": 0.7, "EEE": 0.95}))), seed=1)
    last = result.timeseries[result.timeseries["round"] == 5].set_index("forum")
    assert last.loc["f/a", "coalition"] == 3 and last.loc["f/b", "coalition"] == 2
    assert (result.timeseries["coalition"] == result.timeseries["endorse"]).all()


def test_consensus_reports_its_one_objector_as_the_blocking_set(write_scenario):
    # the hand-checked consensus: AAA..DDD endorse, EEE (utility -2.7) objects
    summary = run(write_scenario, five_state_scenario())
    (block,) = summary["blocking"]["f"]
    assert block == {"proposal": "text", "adopted": False, "objectors": ["EEE"],
                     "defeating_set": [], "to_win": ["EEE"]}
    (coalition,) = summary["coalitions"]["f"]
    assert coalition["members"] == ["AAA", "BBB", "CCC", "DDD"] and coalition["leaders"] == ["AAA"]


def test_an_adopted_consensus_falls_to_one_objection_the_least_keen_first(write_scenario):
    # EEE moved to the text: everyone endorses; a single objection would block, and the least
    # keen member is named (all sit on the text; EEE has salience 1, so the same utility 0.5:
    # ties go to the first in roster order that is not the sponsor AAA)
    summary = run(write_scenario, five_state_scenario(**{"world.states": {}}))
    (block,) = summary["blocking"]["f"]
    assert block["adopted"] and block["objectors"] == [] and block["to_win"] == []
    assert block["defeating_set"] == ["BBB"]


def test_run_writes_coalitions_to_summary_json(write_scenario, tmp_path):
    from analysis.cli import main

    out = tmp_path / "out"
    path = write_scenario(rival_texts({"AAA": 0.1, "BBB": 0.3, "CCC": 0.45, "DDD": 0.7, "EEE": 0.95}))
    assert main(["run", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert backers(summary) == {"a": ["AAA", "BBB", "CCC"], "b": ["DDD", "EEE"]}
    assert (out / "coalitions.png").stat().st_size > 10_000
    assert (out / "coalition_sizes.png").stat().st_size > 10_000


def test_rival_texts_named_once_each(write_scenario):
    from sim.errors import ScenarioError

    data = rival_texts({})
    data["forums"][0]["proposals"] = ["a", "a"]
    data["forums"].append({"id": "g", "rule": "vote", "proposal": "a", "proposals": ["b"]})
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(data))
    text = str(err.value)
    assert "forums[1]: give either 'proposal:' or 'proposals:', not both" in text


# -- the rules' pivotal sets, by hand ------------------------------------------------------------


def pivotal(rule: str, stances: list, utility: list, weights=None, **threshold) -> list[int]:
    r = make_rule(rule, Threshold(**threshold))
    st = np.array(stances, dtype=np.int8)
    w = np.ones(len(st)) if weights is None else np.array(weights, dtype=float)
    return sorted(r.pivotal(st, w, np.array(utility, dtype=float)).tolist())


def test_simple_majority_falls_when_the_two_least_keen_of_five_switch():
    # 5 yes, 2 no: 4-3 still passes, 3-4 fails: two switches, the lowest utilities (3 and 4)
    assert pivotal("vote", [E, E, E, E, E, NO, NO], [5, 4, 3, 1, 2, -1, -1]) == [3, 4]


def test_a_failed_vote_is_won_by_turning_the_keenest_no_votes_first():
    # 2 yes, 3 no, 2 abstain: turning one no (+1 yes, -1 no) gives 3-2: enough
    assert pivotal("vote", [E, E, NO, NO, NO, A, A], [1, 1, -2, -0.5, -3, 0.9, 0.8]) == [3]


def test_two_thirds_needs_its_margin():
    # 8 yes, 2 no: 8/10 >= 2/3; 7-3 (0.7) passes, 6-4 (0.6) fails: two switches
    assert pivotal("vote", [E] * 8 + [NO] * 2, list(range(10)), majority="two_thirds") == [0, 1]


def test_qualified_majority_is_defeated_by_its_heaviest_members():
    # weights 40, 30, 10, 10, 10, all yes; 65% of weight needed: losing the 40 leaves 60%
    assert pivotal("qualified_majority", [E] * 5, [0] * 5, weights=[40, 30, 10, 10, 10],
                   members=0.55, weight=0.65) == [0]


def test_open_endorsement_needs_its_minimum():
    # 3 endorsements, 2 needed: losing two of them (the least keen) defeats it
    assert pivotal("open_endorsement", [E, E, E, U], [3, 1, 2, 0], min_endorsements=2) == [1, 2]
    # 1 of 3 needed: win the keenest undecided
    assert pivotal("open_endorsement", [E, U, U, U], [3, 1, 2, 0], min_endorsements=2) == [2]


def test_explain_adds_the_coalition_term_and_says_which_text_a_state_backs(write_scenario):
    from analysis.explain import explain_state

    data = rival_texts({"AAA": 0.2, "BBB": 0.2, "DDD": 0.2, "EEE": 0.8}, bandwagon=1.0)
    (decision,) = explain_state(load_scenario(write_scenario(data)), "CCC", forum="f/b", seed=1)
    # CCC backs a (3 of 5 back it at the start of the decision round, plus CCC itself): on b
    # it only sees b's coalition, EEE, 1 of 5 in capability
    assert decision.terms["coalition"] == pytest.approx(0.2)
    assert decision.utility == pytest.approx(decision.recorded)
    assert decision.note == "backs a (one text per state per forum)"


def test_a_sweep_names_a_forum_with_rival_texts_by_its_id_or_a_texts_track(write_scenario):
    from sim.batch.executors import outcome_columns

    result = run_scenario(load_scenario(write_scenario(
        rival_texts({"AAA": 0.1, "BBB": 0.3, "CCC": 0.45, "DDD": 0.7, "EEE": 0.95}))), seed=1)
    both = outcome_columns(result, ("endorsements",), ("f",))
    assert both == {"f/a.endorsements": 3, "f/b.endorsements": 2}
    assert outcome_columns(result, ("endorsements",), ("f/b",)) == {"f/b.endorsements": 2}


def test_strategy_ensembles_keep_a_column_per_text(write_scenario):
    from analysis.compare import run_ensembles

    scenario = load_scenario(write_scenario(
        rival_texts({"AAA": 0.1, "BBB": 0.3, "CCC": 0.45, "DDD": 0.7, "EEE": 0.95})))
    (ensemble,) = run_ensembles([("only", scenario)], np.arange(2))
    assert ensemble.endorsements.tolist() == [[3, 2], [3, 2]]
