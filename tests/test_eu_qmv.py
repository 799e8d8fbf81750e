"""The EU Council's qualified majority on a real vote: the Copyright in the Digital Single Market
directive, 15 April 2019 (scenarios/eu_copyright_2019.yaml).

Hand check of the recorded vote under the double majority (TEU Art. 16(4)), with the population
figures of scenarios/data/eu_population_2019.csv (total 512 681 610; recomputed Dec 2026 by summing the
file's rows by recorded vote and dividing by the total,
after 15 of the 21 guessed rows were sourced: 13 unchanged, CYP and LVA replaced by the national
offices' rounded figures 864 200 and 1 934 000, i.e. 415 fewer people, all in the yes votes):

* members: 19 of 28 voted yes = 67.9% >= 55% (16 members needed);
* population: the six no votes (FIN 5 513 130, ITA 60 484 000, LUX 602 005, NLD 17 181 084,
  POL 38 000 000, SWE 10 120 242) hold 131 900 461 = 25.73%, the three abstentions (BEL
  11 398 589, EST 1 319 133, SVN 2 066 880) 14 784 602 = 2.88%, so the 19 yes votes hold
  365 996 547 = 71.39% >= 65%: adopted, as recorded. The Council's calculator gave 71.26 / 25.86
  / 2.88% (saveyourinternet.eu): the file's figures (6 still GUESSES, 8 rounded, several of another
  vintage than the Council's) are within 0.14 points; the two-decimal shares did not move.
* had Germany (82 850 000 = 16.16%) abstained, the yes votes would hold 283 146 547 = 55.23%:
  not adopted (the press said before the vote that Germany could decide the outcome alone).
"""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pytest
import yaml

from analysis.cases import Case, case_scenario, load_cases
from sim import ScenarioError, load_scenario, run_scenario
from sim.engine.forums import QualifiedMajority
from sim.format.loading import scenario_from_dict
from sim.format.scenario import Behaviour, Threshold
from sim.paths import PROJECT_ROOT
from sim.stance import Stance

DATA = PROJECT_ROOT / "scenarios" / "data"
SCENARIO = PROJECT_ROOT / "scenarios" / "eu_copyright_2019.yaml"
CASES = DATA / "cases_other_tracks.yaml"


def populations() -> dict[str, int]:
    with open(DATA / "eu_population_2019.csv", newline="") as f:
        return {r["iso3"]: int(r["population"]) for r in csv.DictReader(f)}


def recorded_votes() -> dict[str, str]:
    with open(DATA / "eu_council_votes.csv", newline="") as f:
        return {r["iso3"]: r["vote"] for r in csv.DictReader(f)
                if r["decision_id"] == "eu_copyright_dsm_directive_2019"}


def test_the_population_file_covers_the_28_members_and_says_what_is_a_guess():
    with open(DATA / "eu_population_2019.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 28 and {r["iso3"] for r in rows} == set(recorded_votes())
    assert all(r["status"] in ("sourced", "rounded", "guess") and r["source"] for r in rows)
    assert all(r["source"].startswith("GUESS") for r in rows if r["status"] == "guess")
    assert all(r["reference_date"] < "2024-01-01" for r in rows)
    # the shares the Council's calculator gave (as reported) agree with the figures
    total = sum(int(r["population"]) for r in rows)
    for r in rows:
        if r["share_pct_sourced"]:
            share = 100 * int(r["population"]) / total
            assert share == pytest.approx(float(r["share_pct_sourced"]), abs=0.015)


def test_the_recorded_yes_votes_adopt_the_directive_by_the_double_majority():
    pop, votes = populations(), recorded_votes()
    codes = sorted(pop)
    weights = np.array([pop[c] for c in codes], dtype=float)
    word = {"yes": int(Stance.ENDORSE), "no": int(Stance.OPPOSE), "abstain": int(Stance.ABSTAIN)}
    stances = np.array([word[votes[c]] for c in codes], dtype=np.int8)
    yes = stances == int(Stance.ENDORSE)
    assert int(yes.sum()) == 19 and yes.sum() / 28 >= 0.55
    share = {v: 100 * weights[stances == word[v]].sum() / weights.sum() for v in word}
    # the Council calculator's shares (saveyourinternet.eu) within 0.15 points
    assert share["yes"] == pytest.approx(71.26, abs=0.15)
    assert share["no"] == pytest.approx(25.86, abs=0.15)
    assert share["abstain"] == pytest.approx(2.88, abs=0.15)
    rule = QualifiedMajority(Threshold(members=0.55, weight=0.65, blocking_minority=4))
    assert bool(rule.adopted(stances, weights)) is True
    # Germany's abstention alone would have sunk it (yes 55.2% of the population)
    germany = stances.copy()
    germany[codes.index("DEU")] = word["abstain"]
    assert bool(rule.adopted(germany, weights)) is False


def test_the_scenario_carries_the_file_s_weights_and_the_council_s_rule():
    scenario = load_scenario(SCENARIO)
    forum = scenario.forums[0]
    assert forum.rule == "qualified_majority"
    t = forum.threshold
    assert (t.members, t.weight, t.blocking_minority, t.weight_by) == (0.55, 0.65, 4, "given")
    assert {c: int(w) for c, w in t.weights.items()} == populations()
    assert scenario.world.as_of < date(2019, 4, 15)


def test_the_case_is_read_with_its_weights_and_built_under_the_same_rule():
    case = {c.id: c for c in load_cases(CASES)}["eu_council_copyright_dsm_2019"]
    assert case.rule == "qualified_majority" and case.blocking_minority == 4
    assert {c: int(w) for c, w in case.weights} == populations()
    assert {c: s.word for c, s in case.listed.items()} == {
        c: {"yes": "endorse", "no": "oppose", "abstain": "abstain"}[v] for c, v in recorded_votes().items()}
    forum = case_scenario(case)["forums"][0]
    assert forum["rule"] == "qualified_majority"
    assert forum["threshold"]["weight_by"] == "given" and forum["threshold"]["blocking_minority"] == 4
    # without weights a case falls back on equal weights
    bare = case_scenario(Case("x", "qualified_majority", date(2019, 4, 15), "binding_instrument",
                              ("DEU", "FRA"), {}))
    assert bare["forums"][0]["threshold"]["weight_by"] == "equal"


@pytest.mark.parametrize("extra, expected", [
    ("  weights: {DEU: 1.0}\n", "weights: count only with rule qualified_majority"),
    ("  weights: {XXX: 1.0}\n  rule: qualified_majority\n", "unknown ISO3 code 'XXX'"),
    ("  weights: {DEU: -1}\n  rule: qualified_majority\n", "is not a number >= 0"),
    ("  blocking_minority: 0\n", "is not a whole number >= 1"),
])
def test_bad_weights_in_a_case_file_are_named_with_line_and_field(tmp_path, extra, expected):
    text = ("cases:\n- id: c\n  date: '2019-04-15'\n  form: binding_instrument\n"
            "  population: [DEU, FRA]\n  stances: {}\n" + extra)
    if "rule:" not in extra:
        text += "  rule: vote\n"
    path = tmp_path / "cases.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_cases(path)
    assert expected in str(err.value) and "cases.yaml:" in str(err.value)


def test_a_qualified_majority_binds_every_member_so_the_form_weighs_in_no_choice():
    b = Behaviour()
    assert b.form_weight("binding_instrument", "vote") == b.form_cost * b.form_costs["binding_instrument"] > 0
    assert b.form_weight("binding_instrument", "qualified_majority") == 0.0
    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    assert data["proposals"][0]["form"] == "binding_instrument"
    as_binding = run_scenario(scenario_from_dict(data), seed=1).summary
    data["proposals"][0]["form"] = "political_declaration"
    as_declaration = run_scenario(scenario_from_dict(data), seed=1).summary
    assert as_binding["forums"] == as_declaration["forums"]
