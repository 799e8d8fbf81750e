"""From sourced facts to starting attributes: capability, stated positions, precedence, no leaks."""

import shutil

import numpy as np
import pytest

from sim import scenario_from_dict
from sim.engine.model import NegotiationModel
from tests.conftest import DATA, five_state_scenario


@pytest.fixture
def roster_with_positions(tmp_path):
    for name in ("states.csv", "memberships.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "positions.csv").write_text(
        "iso3,position,date,source,note\n"
        "BBB,calls_binding_instrument,2018-04,fixture,\n"
        "CCC,opposes_new_law,2019,fixture,\n"
        "DDD,calls_binding_instrument,2023-02-24,fixture,made on the day of the event\n"
        "DDD,supports_two_tier,2021-12-17,fixture,\n"
    )
    (tmp_path / "indicators.csv").write_text(
        "iso3,milex_usd_m,gdp_usd_m\nAAA,8000,400000\nBBB,1000,100000\nCCC,125,10000\n"
        "DDD,,100000\nEEE,,\n")
    return tmp_path / "states.csv"


def model(roster, **world):
    data = five_state_scenario()
    data["world"] = {"roster": str(roster), "include": ["all"],
                     "defaults": {"ideal": {"stringency": 0.5}, "salience": 0.4}, **world}
    return NegotiationModel(scenario_from_dict(data), seed=1)


def at(m, code):
    i = m.world.index[code]
    return float(m.ideal[i, 0]), float(m.salience[i])


def test_statements_set_ideal_points_and_raise_salience(roster_with_positions):
    m = model(roster_with_positions, as_of="2022-01-01")
    assert at(m, "BBB") == (0.85, pytest.approx(0.7))
    assert at(m, "CCC") == (0.1, pytest.approx(0.7))
    assert at(m, "DDD") == (0.6, pytest.approx(0.55))   # only the 2021 statement counts
    assert at(m, "AAA") == (0.5, 0.4)                   # no statement: the scenario's values


def test_a_statement_made_on_the_day_of_the_event_does_not_count(roster_with_positions):
    before = model(roster_with_positions, as_of="2023-02-24")
    after = model(roster_with_positions, as_of="2023-02-25")
    assert at(before, "DDD")[0] == 0.6
    assert at(after, "DDD")[0] == pytest.approx((0.85 + 0.6) / 2)


def test_a_year_only_date_counts_from_the_end_of_that_year(roster_with_positions):
    assert at(model(roster_with_positions, as_of="2019-06-01"), "CCC")[0] == 0.5
    assert at(model(roster_with_positions, as_of="2020-01-01"), "CCC")[0] == 0.1


def test_precedence_defaults_groups_data_states(roster_with_positions):
    m = model(roster_with_positions, groups={"EEG": {"ideal": {"stringency": 0.3}}},
              states={"CCC": {"ideal": {"stringency": 0.9}}})
    assert at(m, "BBB")[0] == 0.85   # data beats the group's judgement
    assert at(m, "CCC")[0] == 0.9    # an explicit state override beats the data


def test_positions_can_be_switched_off(roster_with_positions):
    assert at(model(roster_with_positions, positions="none"), "BBB") == (0.5, 0.4)


def test_capability_from_military_expenditure_with_explicit_fills(roster_with_positions):
    m = model(roster_with_positions)
    cap = dict(zip(m.world.iso3, m.capability.round(3), strict=True))
    # median milex 1,000: AAA 8x -> 2, CCC 1/8 -> 0.5; DDD from its GDP at the median military
    # share of GDP (2%, 1%, 1.25% -> 1.25%): 1,250 -> 1.077; EEE has neither figure: the
    # smallest capability observed
    assert (cap["AAA"], cap["BBB"], cap["CCC"], cap["DDD"], cap["EEE"]) == (2.0, 1.0, 0.5, 1.077, 0.5)
    assert np.all(m.capability > 0)
