"""Power indices: textbook games, the rule-to-game mapping, and pivotal states in runs."""

import numpy as np
import pytest

from analysis.power import (
    WeightedGame,
    _generating_function,
    _monte_carlo,
    forum_game,
    pivotal_share,
    power_indices,
)
from sim.engine.forums import make_rule
from sim.format.scenario import Threshold
from sim.stance import Stance

YES, NO, ABSTAIN, OBJECT = (int(s) for s in (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN,
                                            Stance.OBJECT))
#: UN Security Council: 5 permanent members (weight 7) and 10 elected (weight 1), quota 39:
#: nine votes including all five permanent members.
UNSC = WeightedGame(np.array([7.0] * 5 + [1.0] * 10), quota=39)


def test_weighted_vote_4_3_2_1_matches_the_textbook():
    p = power_indices(WeightedGame(np.array([3.0, 2.0, 1.0]), quota=4))
    assert p.shapley_shubik == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    assert p.banzhaf == pytest.approx([3 / 5, 1 / 5, 1 / 5])


def test_security_council_by_enumeration():
    p = power_indices(UNSC)
    assert p.method == "enumeration"
    assert p.shapley_shubik[0] == pytest.approx(0.19627, abs=1e-5)
    assert p.shapley_shubik[5] == pytest.approx(0.001865, abs=1e-6)
    assert p.banzhaf[0] == pytest.approx(0.1669, abs=1e-4)
    assert p.banzhaf[5] == pytest.approx(0.0165, abs=1e-4)
    assert p.shapley_shubik.sum() == pytest.approx(1.0)


def test_generating_function_agrees_with_enumeration_on_the_security_council():
    ss, raw = _generating_function(UNSC)
    exact = power_indices(UNSC)
    assert ss == pytest.approx(exact.shapley_shubik, abs=1e-12)
    assert raw == pytest.approx(exact.banzhaf_raw, abs=1e-12)


def test_monte_carlo_is_close_and_reproducible():
    ss, raw = _monte_carlo(UNSC, 20_000, seed=7)
    assert ss[0] == pytest.approx(0.1963, abs=0.01)
    assert (raw / raw.sum())[0] == pytest.approx(0.1669, abs=0.02)  # rare swings: noisier
    again, _ = _monte_carlo(UNSC, 20_000, seed=7)
    assert np.array_equal(ss, again)


def test_a_193_member_majority_is_exact_and_symmetric():
    p = power_indices(forum_game(make_rule("vote"), np.ones(193)))
    assert p.method == "generating function"
    assert p.shapley_shubik == pytest.approx(np.full(193, 1 / 193))


def test_capability_weighted_double_majority_uses_seeded_monte_carlo():
    weights = np.linspace(1.0, 20.0, 40)
    game = forum_game(make_rule("qualified_majority", Threshold(members=0.55, weight=0.65)), weights)
    assert game.count_quota == 22
    first, second = power_indices(game), power_indices(game)
    assert first.method == "monte carlo"
    assert np.array_equal(first.shapley_shubik, second.shapley_shubik)
    assert first.shapley_shubik[-1] > first.shapley_shubik[0]


def test_consensus_makes_every_member_a_veto_player():
    game = forum_game(make_rule("consensus"), np.ones(4))
    assert game.quota == 4
    assert power_indices(game).shapley_shubik == pytest.approx([0.25] * 4)


def test_two_thirds_vote_quota_counts_everyone_as_voting():
    assert forum_game(make_rule("vote", Threshold(majority="two_thirds")), np.ones(10)).quota == 7


def test_nobody_is_pivotal_when_no_endorsement_is_needed():
    game = forum_game(make_rule("open_endorsement", Threshold(min_endorsements=0)), np.ones(3))
    assert power_indices(game).method == "trivial"


def test_a_single_objector_is_pivotal_in_a_consensus():
    stances = np.array([[YES, YES, OBJECT], [YES, YES, YES]])
    share = pivotal_share(make_rule("consensus"), stances, np.ones(3))
    assert share.tolist() == [0.5, 0.5, 1.0]


def test_pivotal_share_in_a_vote_counts_only_swings():
    stances = np.array([[YES, YES, NO, NO, ABSTAIN]])  # tie: not adopted; any switch to yes adopts
    share = pivotal_share(make_rule("vote"), stances, np.ones(5))
    assert share.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
