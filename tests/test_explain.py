"""`plenary explain`: a state's utility split into the model's terms, which add up to the utility
the model itself recorded in the decision round."""

import pytest

from analysis.cli import main
from analysis.explain import TERMS, endorse_gap, explain_state
from sim import load_scenario
from sim.paths import PROJECT_ROOT

REAIM = PROJECT_ROOT / "scenarios" / "reaim_2023.yaml"


@pytest.mark.parametrize("iso3", ["CHN", "USA", "ISR", "BRA", "NLD", "DEU", "NGA"])
def test_terms_add_up_to_the_utility_the_model_recorded(iso3):
    # everyone takes part (with a turnout below 1 an absent state records no utility)
    decisions = explain_state(load_scenario(REAIM, ["behaviour.endorsement_turnout=1"]), iso3, seed=5)
    assert decisions, iso3
    for d in decisions:
        assert set(d.terms) == set(TERMS)
        assert d.utility == pytest.approx(d.recorded, abs=1e-9)
        assert sum(d.policy_by_dimension.values()) == pytest.approx(d.terms["policy"], abs=1e-12)
        assert sum(v for _, _, v in d.social_from) == pytest.approx(d.terms["social"], abs=1e-12)
        assert sum(v for _, _, v in d.bloc_from) == pytest.approx(d.terms["bloc"], abs=1e-12)
        assert sum(d.probabilities.values()) == pytest.approx(1.0)


def test_hand_checked_holdout_in_the_five_state_world():
    # EEE: ideal 0.0, salience 1, text at 0.6, status quo 0: policy = -6 * (0.6 - 0) = -3.6
    (ccw, summit) = explain_state(load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml"), "EEE",
                                  seed=1)
    assert ccw.terms["policy"] == pytest.approx(-3.6)
    assert ccw.terms["baseline"] == pytest.approx(-0.2)
    assert ccw.after == "object"
    assert endorse_gap(ccw) > 3.0
    assert summit.utility == pytest.approx(summit.recorded, abs=1e-9)


def test_only_the_forum_asked_for(capsys):
    assert main(["explain", str(REAIM), "--state", "ISR", "--forum", "unga_first_committee"]) == 0
    out = capsys.readouterr().out
    assert "ISR in unga_first_committee (vote), decision round 99" in out
    assert "reaim_summit (" not in out
    assert "social pull" in out and "form cost" in out


def test_unknown_state_and_forum_exit_2_at_the_scenario_line(capsys):
    assert main(["explain", str(REAIM), "--state", "XYZ"]) == 2
    line = next(k for k, text in enumerate(REAIM.read_text().splitlines(), 1)
                if text.startswith("  include:"))  # the world's include: line
    assert f"reaim_2023.yaml:{line}: world.include: --state 'XYZ' is not in this scenario's world" in (
        capsys.readouterr().err)
    assert main(["explain", str(REAIM), "--state", "CHN", "--forum", "summit"]) == 2
    assert "forums: --forum 'summit' is not a forum of this scenario" in capsys.readouterr().err
    assert main(["explain", str(REAIM), "--state", "CHN", "--forum", "core_group"]) == 2
    assert "forums[0].members: CHN is not a member of core_group" in capsys.readouterr().err


def test_a_state_that_does_not_take_part_is_said_to_be_absent():
    from rich.console import Console

    from analysis.explain import print_explanation

    # without the record (which decides who endorses at the summit), turnout 0 keeps NGA away
    decisions = explain_state(load_scenario(REAIM, ["behaviour.endorsement_turnout=0",
                                                    "world.record=none"]), "NGA", seed=5)
    summit = next(d for d in decisions if d.forum == "reaim_summit")
    assert summit.after == "absent" and "did not take part" in summit.note
    console = Console(record=True, width=200)
    print_explanation([summit], console)
    assert "did not take part" in console.export_text()
