"""The record: the ideal-point fit, propensities, the leak guard, dispositions in a run, pins."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pytest
from scipy.stats import spearmanr

from analysis.validation import macro_f1, resisters_found, score
from sim.batch.run import run_scenario
from sim.format.loading import load_scenario, scenario_from_dict
from sim.paths import DATA_DIR, PROJECT_ROOT
from sim.stance import Stance
from sim.world.record import (
    ABSTAIN,
    NO,
    YES,
    fit_ideal_points,
    option_probabilities,
    propensities,
    roll_calls_from_rows,
    series_key,
)


def synthetic_votes(n_states: int = 40, n_items: int = 80, seed: int = 0):
    """Roll calls drawn from the ordered-logit model with known one-dimensional ideal points."""
    rng = np.random.default_rng(seed)
    theta = np.linspace(-2.0, 2.0, n_states)
    a = rng.normal(0.0, 1.5, n_items)
    c1 = rng.normal(-1.0, 1.0, n_items)
    c2 = c1 + rng.uniform(0.3, 1.5, n_items)
    eta = theta[:, None] * a[None, :]
    u = rng.random((n_states, n_items))
    s1 = 1 / (1 + np.exp(-(eta - c1)))
    s2 = 1 / (1 + np.exp(-(eta - c2)))
    votes = np.where(u < 1 - s1, NO, np.where(u < 1 - s2, ABSTAIN, YES)).astype(np.int8)
    votes[rng.random(votes.shape) < 0.05] = -1  # some absences
    return theta, votes


def test_ideal_point_fit_recovers_the_known_order_of_states():
    theta, votes = synthetic_votes()
    fit = fit_ideal_points(votes, tuple(f"S{i:02d}" for i in range(len(theta))), dims=1)
    rho = spearmanr(fit.theta[:, 0], theta).correlation
    assert fit.converged
    assert abs(rho) > 0.95  # the order of the states, up to the axis' sign


def test_ideal_point_fit_is_deterministic():
    _, votes = synthetic_votes(seed=1)
    iso3 = tuple(f"S{i:02d}" for i in range(len(votes)))
    a, b = fit_ideal_points(votes, iso3), fit_ideal_points(votes, iso3)
    assert np.array_equal(a.theta, b.theta)


def rows(votes_by_state: dict[str, list[str]], topic: str = "ict", title: str = "Cyber") -> list[dict]:
    out = []
    for k in range(len(next(iter(votes_by_state.values())))):
        for code, votes in votes_by_state.items():
            out.append({"vote_id": f"v{k}", "date": f"{2015 + k}-12-01", "topic": topic,
                        "iso3": code, "vote": votes[k]})
    return out


def test_a_state_that_always_voted_no_is_likelier_to_vote_no_than_one_that_voted_yes():
    calls = roll_calls_from_rows(rows({"AAA": ["no"] * 5, "BBB": ["yes"] * 5, "CCC": ["yes"] * 5}))
    p = propensities(calls, None, "ict", date(2021, 1, 1))
    assert p["AAA"].p[NO] > 0.5 > p["BBB"].p[NO]
    assert p["AAA"].p[NO] > p["BBB"].p[NO]
    assert p["AAA"].latest == NO and p["BBB"].latest == YES


def test_a_recent_change_of_vote_weighs_more_than_the_old_votes():
    calls = roll_calls_from_rows(rows({"AAA": ["yes", "yes", "yes", "abstain", "abstain"],
                                       "BBB": ["yes"] * 5}))
    p = propensities(calls, None, "ict", date(2021, 1, 1))["AAA"].p
    # a half-life of a year: the last two abstentions outweigh three older yes votes
    assert p[ABSTAIN] > p[YES]


def test_series_key_reads_the_quoted_title_and_drops_brackets():
    assert series_key('General Assembly resolution 78/241 "Lethal autonomous weapons systems"') == \
        series_key("Lethal autonomous weapons systems (A/C.1/78/L.56)")


@pytest.fixture
def data_copy(tmp_path):
    """The bundled data files in a folder of their own (to plant records in)."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("tools", "sources", "*.md"))
    return folder


def plant_vote(folder, day: str, vote_of: dict[str, str], title="Lethal autonomous weapons systems"):
    """Add one roll call to votes.csv and roll_calls.csv (everyone else absent)."""
    with open(folder / "votes.csv", "a", encoding="utf-8") as fh:
        for code, vote in vote_of.items():
            fh.write(f"planted,{day},A/RES/PLANTED,autonomous_weapons,{code},{vote}\n")
    with open(folder / "roll_calls.csv", "a", encoding="utf-8") as fh:
        fh.write(f"planted,99,plenary,{day},A/RES/PLANTED,,autonomous_weapons,0,0,0,0,0,{title},test\n")


def test_no_vote_on_or_after_the_date_reaches_the_model(data_copy):
    iso3 = ["RUS", "USA", "NGA"]
    before = option_probabilities(data_copy, iso3, "autonomous_weapons", "vote", date(2024, 6, 1),
                                  "Lethal autonomous weapons systems")
    plant_vote(data_copy, "2024-06-01", {"RUS": "yes", "USA": "no", "NGA": "no"})
    on_the_day = option_probabilities(data_copy, iso3, "autonomous_weapons", "vote", date(2024, 6, 1),
                                      "Lethal autonomous weapons systems")
    after = option_probabilities(data_copy, iso3, "autonomous_weapons", "vote", date(2024, 6, 2),
                                 "Lethal autonomous weapons systems")
    assert np.array_equal(before, on_the_day)  # planted on the date itself: unseen
    assert not np.array_equal(before, after)  # the day after, the plant is read (the test can fail)


def test_a_planted_later_vote_changes_no_run_of_a_scenario_dated_before_it(data_copy, tmp_path):
    scenario = load_scenario(PROJECT_ROOT / "scenarios/unga_laws_2023.yaml",
                             [f"world.roster={data_copy / 'states.csv'}"])
    first = run_scenario(scenario, seed=4).summary
    plant_vote(data_copy, "2023-11-02", {"RUS": "yes", "IND": "yes", "BLR": "yes"})
    again = load_scenario(PROJECT_ROOT / "scenarios/unga_laws_2023.yaml",
                          [f"world.roster={data_copy / 'states.csv'}"])
    assert run_scenario(again, seed=4).summary == first


def laws_vote(as_of: str, **forum) -> dict:
    """A one-forum vote of the UN members on a LAWS text, reading the record before ``as_of``."""
    return {
        "name": "laws_vote", "rounds": 11, "seed": 0,
        "world": {"as_of": as_of, "include": ["UN"], "record": "data"},
        "dimensions": ["stringency", "human_control"],
        "proposals": [{"id": "text", "title": "Lethal autonomous weapons systems", "form": "resolution",
                       "position": {"stringency": 0.45, "human_control": 0.7}}],
        "forums": [{"id": "vote", "rule": "vote", "proposal": "text", "members": ["UN"], "opens": 0,
                    "decides": 10, "topic": "autonomous_weapons", **forum}],
    }


def stance_counts(scenario, code: str, seeds=range(1, 6)) -> dict[str, int]:
    out: dict[str, int] = {}
    for seed in seeds:
        model = run_scenario(scenario, seed=seed).model
        word = Stance(int(model.forums[0].stances[model.world.index[code]])).word
        out[word] = out.get(word, 0) + 1
    return out


def test_states_that_voted_against_laws_texts_resist_the_next_one():
    scenario = scenario_from_dict(laws_vote("2024-01-01"))
    assert stance_counts(scenario, "RUS").get("endorse", 0) <= 1  # voted no twice in 2023
    assert stance_counts(scenario, "NGA").get("endorse", 0) >= 4  # voted yes


def test_without_the_record_the_same_vote_is_nearly_unanimous():
    spec = laws_vote("2024-01-01")
    spec["world"]["record"] = "none"
    summary = run_scenario(scenario_from_dict(spec), seed=1).summary["forums"][0]
    with_record = run_scenario(scenario_from_dict(laws_vote("2024-01-01")), seed=1).summary["forums"][0]
    assert with_record["no"] + with_record["abstain"] > summary["no"] + summary["abstain"]


def test_a_pinned_stance_holds_whatever_the_record():
    scenario = scenario_from_dict(laws_vote("2024-01-01", pin={"NGA": "oppose", "RUS": "endorse"}))
    assert stance_counts(scenario, "NGA") == {"oppose": 5}
    assert stance_counts(scenario, "RUS") == {"endorse": 5}


def test_one_pinned_objector_blocks_a_consensus():
    spec = laws_vote("2024-01-01", pin={"AUT": "object"})
    spec["forums"][0].update(rule="consensus")
    for seed in (1, 2):
        forum = run_scenario(scenario_from_dict(spec), seed=seed).summary["forums"][0]
        assert not forum["adopted"] and "AUT" in forum["objectors"]


def test_macro_f1_and_the_finding_of_resisters_on_a_hand_made_case():
    recorded = np.array([1, 1, 1, 2, 3])  # three yes, a no, an abstention
    picked = np.array([1, 1, 2, 2, 1])    # one yes called a no; the abstention missed
    # F1: yes 2 hits of 3 said and 3 recorded = 2/3; no 1 of 2 said, 1 recorded = 2/3; abstain 0
    assert macro_f1(picked, recorded, [1, 2, 3]) == pytest.approx((2 / 3 + 2 / 3 + 0.0) / 3, abs=1e-6)
    assert resisters_found(picked, recorded) == (0.5, 0.5)
    probs = np.zeros((5, 5))
    probs[np.arange(5), picked] = 1.0
    s = score(probs, recorded, (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN))
    assert (s.accuracy, s.resist_recall, s.resist_precision) == (0.6, 0.5, 0.5)


def test_covoting_ties_join_the_states_that_vote_alike():
    from sim.world.record import covoting_ties

    ties = covoting_ties(DATA_DIR, ["FRA", "GBR", "USA", "NGA", "AUT"], date(2023, 11, 1), 1.0,
                         neighbours=1)
    pairs = {(a, b): w for a, b, w in ties}
    assert ("FRA", "GBR") in pairs and 0.8 < pairs[("FRA", "GBR")] <= 1.0  # the two nuclear allies
    assert ("AUT", "NGA") in pairs  # the humanitarian-disarmament majority
    assert covoting_ties(DATA_DIR, ["FRA", "GBR"], date(2023, 11, 1), 0.0) == ()


def test_plenary_start_prints_where_each_member_starts(capsys, tmp_path):
    from analysis.cli import main

    scenario = str(PROJECT_ROOT / "scenarios/unga_laws_2023.yaml")
    assert main(["start", scenario, "--state", "RUS", "--state", "NGA", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "RUS" in out and "NGA" in out and "first_committee" in out
    lines = (tmp_path / "start.csv").read_text().splitlines()
    assert lines[0].startswith("iso3,stringency,human_control,salience,capability,ideal_from")
    assert len(lines) == 3
    assert main(["start", scenario, "--state", "XYZ"]) == 2
    assert "'XYZ' is not in the scenario's world" in capsys.readouterr().err


def test_record_biases_are_not_reused_across_a_different_status_quo():
    from sim.engine.model import NegotiationModel
    from sim.engine.setting import setting_of

    def biases(status_quo: float, clear: bool) -> np.ndarray:
        spec = laws_vote("2024-01-01")
        spec["dimensions"] = ["stringency", {"name": "human_control", "status_quo": status_quo}]
        scenario = scenario_from_dict(spec)
        if clear:
            setting_of(scenario).bias_memo.clear()
        model = NegotiationModel(scenario, seed=1)
        model.step()
        return model.forums[0].deliberation.bias.copy()

    biases(0.0, clear=True)  # the memo now holds the biases of a status quo at 0 ...
    after = biases(0.5, clear=False)  # ... which share the setting with this one
    assert np.array_equal(after, biases(0.5, clear=True))
    assert not np.array_equal(after, biases(0.0, clear=True))
