"""Who takes part (sim/engine/attendance.py): turnout shares, who comes, and what an absent member does."""

from __future__ import annotations

import numpy as np
import pytest

from sim.batch.run import run_scenario
from sim.engine.attendance import draw_present, participation
from sim.format.loading import load_scenario
from tests.conftest import five_state_scenario


def test_participation_has_the_turnout_as_its_mean_and_rises_with_salience():
    salience = np.linspace(0.0, 1.0, 50)
    for share in (0.1, 0.35, 0.8):
        p = participation(salience, share, 1.5)
        assert p.mean() == pytest.approx(share, abs=1e-9)
        assert np.all(np.diff(p) > 0)
    # extreme shares and engagements still hit their mean
    for share in (0.001, 0.999):
        for engagement in (0.0, 20.0, 100.0):
            assert participation(salience, share, engagement).mean() == pytest.approx(share, abs=1e-9)
    # engagement 0: everyone equally likely
    assert np.allclose(participation(salience, 0.3, 0.0), 0.3)
    # all the same salience: no basis to prefer anyone
    assert np.allclose(participation(np.full(5, 0.4), 0.6, 2.0), 0.6)


def test_full_turnout_draws_nothing_and_keeps_everyone():
    rng = np.random.default_rng(1)
    members = np.array([True, True, False, True])
    present = draw_present(members, np.array([0.1, 0.9, 0.5, 0.5]), np.zeros(0, np.int64), 1.0, 1.0, rng)
    assert present.tolist() == members.tolist()
    assert rng.random() == np.random.default_rng(1).random()  # the stream was not touched


def test_sponsors_always_take_part_and_non_members_never():
    members = np.array([True] * 6 + [False])
    sponsors = np.array([2, 6])
    for seed in range(20):
        present = draw_present(members, np.full(7, 0.5), sponsors, 0.2, 1.0, np.random.default_rng(seed))
        assert present[2] and not present[6]


def test_turnout_matches_its_share_over_many_members():
    rng = np.random.default_rng(7)
    members = np.ones(4000, dtype=bool)
    salience = rng.random(4000)
    present = draw_present(members, salience, np.zeros(0, np.int64), 0.3, 1.0, rng)
    assert present.mean() == pytest.approx(0.3, abs=0.03)
    assert salience[present].mean() > salience[~present].mean()


def summit(turnout: float | None, **behaviour) -> dict:
    """The five states all sit on the text (utility 0.5 > 0): with everyone present all five
    endorse a declaration open for endorsement; AAA sponsors it."""
    data = five_state_scenario(**{"world.states": {}})
    data["rounds"] = 6
    data["forums"] = [{"id": "summit", "rule": "open_endorsement", "proposal": "text", "opens": 0,
                       "decides": 5}]
    if turnout is not None:
        data["forums"][0]["attendance"] = turnout
    data["behaviour"].update(behaviour)
    return data


def test_absent_members_never_endorse_and_are_counted(write_scenario):
    everyone = run_scenario(load_scenario(write_scenario(summit(None))), seed=1).summary["forums"][0]
    assert everyone["endorsements"] == 5 and everyone["absent"] == 0
    for seed in range(5):
        f = run_scenario(load_scenario(write_scenario(summit(0.4))), seed=seed).summary["forums"][0]
        assert f["endorsements"] + f["absent"] == 5  # whoever comes signs; nobody else does
        assert "AAA" in f["endorsers"]


def test_open_endorsements_default_to_the_behaviour_turnout(write_scenario):
    # the hand-checked worlds pin endorsement_turnout to 1; a scenario can lower it for all its
    # open-endorsement forums at once
    low = summit(None, endorsement_turnout=0.0)
    f = run_scenario(load_scenario(write_scenario(low)), seed=1).summary["forums"][0]
    assert f["endorsers"] == ["AAA"] and f["absent"] == 4


def test_a_vote_or_consensus_keeps_everyone_unless_told(write_scenario):
    data = five_state_scenario(**{"world.states": {}, "behaviour.endorsement_turnout": 0.0})
    f = run_scenario(load_scenario(write_scenario(data)), seed=1).summary["forums"][0]
    assert f["rule"] == "consensus" and f["absent"] == 0 and f["endorsements"] == 5


def test_same_seed_same_attendance(write_scenario):
    path = write_scenario(summit(0.5))
    a = run_scenario(load_scenario(path), seed=3).summary
    b = run_scenario(load_scenario(path), seed=3).summary
    assert a == b
