"""Backtests against real outcomes: case files, baselines, scores, the leak guard, the commands."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from datetime import date

import numpy as np
import pytest
import yaml

from analysis.cases import CASE_STANCES, OTHERS, case_scenario, load_cases, parse_case_date
from analysis.cli import main
from analysis.validation import (
    BASELINES,
    backtest,
    bloc_leader,
    earlier_case,
    earlier_decision,
    group_majority,
    most_common,
    simulate_case,
)
from sim import load_scenario
from sim.stance import Stance
from sim.world.roster import Roster

YES, NO, ABST = Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN
VOTE = (YES, NO, ABST)

#: Five real states, two decisions: a vote in 2020 and a later one in 2023.
TINY = """\
cases:
- id: early_vote
  rule: vote
  date: 2020-05-01 (approved later)
  form: resolution
  population: [AUT, BRA, NGA, RUS, USA]
  stances:
    'yes': [AUT, BRA, NGA]
    'no': [RUS, USA]
  others: none
  comment: unknown fields are tolerated
- id: late_vote
  rule: vote
  date: '2023-11-01'
  form: resolution
  population: [AUT, BRA, NGA, RUS, USA]
  stances:
    'no': [RUS]
    abstain: [USA]
  others: yes_or_absent
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_case_words_map_to_the_engines_stances():
    assert CASE_STANCES["yes"] == Stance.ENDORSE and CASE_STANCES["endorse"] == Stance.ENDORSE
    assert CASE_STANCES["no"] == Stance.OPPOSE
    assert CASE_STANCES["abstain"] == Stance.ABSTAIN
    assert CASE_STANCES["object"] == Stance.OBJECT
    assert CASE_STANCES["not_endorsed"] == Stance.UNDECIDED
    assert OTHERS["yes_or_absent"] == Stance.ENDORSE
    assert OTHERS["not_endorsed"] == Stance.UNDECIDED
    assert OTHERS["unknown"] is None and OTHERS["none"] is None


def test_a_case_date_is_its_first_date():
    assert parse_case_date("2016-10-27 (plenary approval 2016-12-23)") == date(2016, 10, 27)
    assert parse_case_date(date(2021, 10, 22)) == date(2021, 10, 22)
    assert parse_case_date("soon") is None


def test_listed_states_and_others_are_scored(tiny):
    early, late = load_cases(tiny)
    assert early.date == date(2020, 5, 1)
    members = ["AUT", "BRA", "NGA", "RUS", "USA"]
    assert late.recorded(members) == {"AUT": YES, "BRA": YES, "NGA": YES, "RUS": NO, "USA": ABST}
    assert early.recorded(members)["USA"] == NO


def test_most_common_gives_everyone_the_modal_stance():
    said = most_common({"A": YES, "B": YES, "C": NO}, VOTE)
    assert said == {"A": YES, "B": YES, "C": YES}


def test_group_majority_never_uses_a_states_own_stance():
    recorded = {"A": NO, "B": YES, "C": NO, "D": NO, "E": YES}
    group_of = {"A": "X", "B": "X", "C": "Y", "D": "Y", "E": "Y"}
    said = group_majority(recorded, group_of, VOTE)
    assert said["A"] == YES  # its only peer, B, said yes; its own no is not counted
    assert said["B"] == NO
    assert said["C"] == NO  # peers D (no) and E (yes) tie: the case's most common stance, no
    assert said["E"] == NO


def test_group_majority_falls_back_for_a_state_alone_in_its_group():
    said = group_majority({"A": NO, "B": YES, "C": YES}, {"A": "X", "B": "Y", "C": "Y"}, VOTE)
    assert said["A"] == YES  # alone in X: the case's most common stance


def test_bloc_members_follow_their_leader_and_the_rest_the_mode():
    roster = Roster(iso3=("A", "B", "C", "D"), names={c: c for c in "ABCD"},
                    un_status={c: "member" for c in "ABCD"}, groups={"PACT": ("A", "B", "C")})
    recorded = {"A": NO, "B": YES, "C": YES, "D": YES}
    said = bloc_leader(recorded, roster, VOTE, leaders={"PACT": ("A",)})
    assert said == {"A": YES, "B": NO, "C": NO, "D": YES}  # A leads itself: no cue, the mode


def test_earlier_decision_repeats_the_earlier_stance(tiny):
    early, late = load_cases(tiny)
    assert earlier_case(late, [early, late]) is early
    assert earlier_case(early, [early, late]) is None
    said = earlier_decision({"USA": ABST, "RUS": NO, "AUT": YES}, {"USA": NO, "AUT": YES}, VOTE)
    assert said == {"USA": NO, "RUS": YES, "AUT": YES}  # RUS was not in the earlier case: the mode


def test_a_cases_scenario_is_as_of_its_date(tiny):
    _, late = load_cases(tiny)
    scenario = case_scenario(late)
    assert scenario["world"]["as_of"] == "2023-11-01"
    assert scenario["forums"][0]["rule"] == "vote"
    assert scenario["proposals"][0]["form"] == "resolution"
    assert "abstain" not in json.dumps(scenario)


def test_the_model_never_sees_the_recorded_stances(tiny):
    _, late = load_cases(tiny)
    assert late.listed == {"RUS": NO, "USA": ABST}
    shuffled = dataclasses.replace(late, listed={"RUS": ABST, "USA": NO, "AUT": NO}, others="none")
    members, probs = simulate_case(late, None, runs=3)
    members2, probs2 = simulate_case(shuffled, None, runs=3)
    assert members == members2
    np.testing.assert_array_equal(probs, probs2)


def test_scores_cover_the_model_and_every_baseline(tiny):
    results = backtest(load_cases(tiny), runs=2)
    assert [r.case.id for r in results] == ["early_vote", "late_vote"]
    for r in results:
        assert set(r.scores) == {"model", *BASELINES}
        assert r.n == 5
        for s in r.scores.values():
            assert 0 <= s.accuracy <= 1 and 0 <= s.brier <= 2 and 0 <= s.tally_error <= 2


def test_validate_writes_exactly_the_documented_json(tiny, tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", str(tiny), "--runs", "2", "--out", str(out)]) == 0
    data = json.loads((out / "validation.json").read_text())
    assert list(data) == ["cases"]
    metrics = {"accuracy", "brier", "tally_error", "macro_f1", "resist_recall", "resist_precision"}
    for entry in data["cases"]:
        assert set(entry) == {"id", "n", "model", "baselines"}
        assert set(entry["model"]) == metrics
        assert set(entry["baselines"]) == set(BASELINES)
        assert all(set(v) == metrics for v in entry["baselines"].values())
    assert (out / "validation.png").stat().st_size > 0
    assert "late_vote" in capsys.readouterr().out


def test_a_malformed_case_file_exits_2_naming_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("rule: vote\n  date: '2023", "rule: majority\n  date: '2023")
                   .replace("abstain: [USA]", "abstain: [XXX]"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["validate", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert (f"{bad}:13: cases[1].rule: 'majority' is not one of vote, consensus, open_endorsement, "
            "qualified_majority") in err
    assert any(line.startswith(f"{bad}:19: cases[1].stances.abstain[0]: unknown ISO3") for line in err)
    assert not out.exists()


def test_a_missing_case_file_is_a_user_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.yaml")]) == 2
    assert "case file not found" in capsys.readouterr().err


def test_calibrate_writes_weights_a_scenario_can_extend(tiny, tmp_path):
    written = tmp_path / "calibrated.yaml"
    assert main(["calibrate", str(tiny), "--out", str(written), "--runs", "1", "--budget", "10",
                 "--workers", "1"]) == 0
    weights = yaml.safe_load(written.read_text())["behaviour"]
    assert {"baseline", "policy", "social", "noise"} <= set(weights)
    child = tmp_path / "child.yaml"
    child.write_text(textwrap.dedent("""\
        extends: calibrated.yaml
        name: child
        dimensions: [stringency]
        proposals: [{id: t, position: {stringency: 0.5}, form: resolution}]
        forums: [{id: f, rule: vote, proposal: t}]
        """), encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.behaviour.policy == pytest.approx(weights["policy"])
    assert main(["validate", str(tiny), "--runs", "1", "--behaviour", str(written)]) == 0


REGIONAL = """\
cases:
- id: regional_communique
  title: A communique on autonomous weapons
  forum: ECOWAS regional conference, Freetown
  rule: open_endorsement
  date: '2023-06-01'
  form: political_declaration
  population: un_members
  stances:
    endorse: [NGA, GHA]
  others: not_endorsed
- id: summit_in_south_africa
  title: A communique on autonomous weapons
  forum: a summit in Pretoria, South Africa
  rule: open_endorsement
  date: '2023-06-01'
  form: political_declaration
  population: un_members
  stances:
    endorse: [ZAF]
  others: not_endorsed
"""


def test_a_regional_forum_is_decided_by_the_region_on_a_text_at_its_median(tmp_path, capsys):
    from analysis.cases import region_of
    from analysis.validation import backtest_case
    from sim.engine.model import NegotiationModel
    from sim.format.loading import scenario_from_dict

    path = tmp_path / "cases.yaml"
    path.write_text(REGIONAL, encoding="utf-8")
    regional, elsewhere = load_cases(path)
    assert region_of(regional) == "ECOWAS" and region_of(elsewhere) is None  # no "regional"
    scenario = case_scenario(regional)
    assert scenario["forums"][0]["members"] == ["ECOWAS"]
    model = NegotiationModel(scenario_from_dict(scenario), seed=0)
    rows = model.forums[0].member_index
    assert len(rows) == 15  # ECOWAS in mid-2023, before Burkina Faso, Mali and Niger left
    assert scenario["proposals"][0]["position"] == {
        d: round(float(np.median(model.ideal[rows, k])), 4) for k, d in enumerate(model.dimensions)}
    assert case_scenario(elsewhere)["forums"][0]["members"] == ["UN"]
    # every UN member is scored (others: not_endorsed); those outside ECOWAS take no part
    result = backtest_case(regional, [regional], None, runs=2, with_baselines=False)
    assert len(result.iso3) == 193
    inside = {model.world.iso3[i] for i in rows}
    outside = [i for i, c in enumerate(result.iso3) if c not in inside]
    assert len(outside) == 178
    np.testing.assert_array_equal(result.probs["model"][outside, Stance.UNDECIDED], 1.0)
    # validate says so
    assert main(["validate", str(path), "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "regional_communique: held in a regional forum (ECOWAS regional conference, Freetown)" in out
    assert "summit_in_south_africa: held" not in out


def test_a_real_party_outside_the_roster_is_left_out_with_a_note_and_a_typo_is_an_error(
        tmp_path, capsys):
    text = """\
cases:
- id: declaration
  title: A political declaration on military AI
  rule: open_endorsement
  date: '2023-11-13'
  form: political_declaration
  population: [USA, GBR, FRA, XKX]
  stances:
    endorse: [USA, GBR, XKX]
  others: not_endorsed
"""
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    (case,) = load_cases(path)
    assert case.outside == {"XKX"} and case.population == ("USA", "GBR", "FRA")
    assert case.listed == {"USA": Stance.ENDORSE, "GBR": Stance.ENDORSE}
    assert main(["validate", str(path), "--runs", "2"]) == 0
    assert "declaration: not scored, outside Plenary's roster" in capsys.readouterr().out
    path.write_text(text.replace("XKX]", "XKX, UAS]"), encoding="utf-8")
    assert main(["validate", str(path), "--runs", "2"]) == 2
    assert f"{path}:9: cases[0].stances.endorse[3]: unknown ISO3 code 'UAS'" in capsys.readouterr().err
    # a list or mapping where a code belongs is an error too, not a crash
    path.write_text(text.replace("FRA, XKX]", "FRA, [XKX]]").replace("XKX]\n  others", "{a: 1}]\n  others"),
                    encoding="utf-8")
    assert main(["validate", str(path), "--runs", "2"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:7: cases[0].population: unknown ISO3 code(s): ['XKX']" in err
    assert f"{path}:9: cases[0].stances.endorse[2]: unknown ISO3 code {{'a': 1}}" in err


def test_a_case_s_topic_comes_from_its_title_else_its_forum(tmp_path):
    text = """\
cases:
- id: communique
  title: Freetown Communique
  forum: ECOWAS regional conference on autonomous weapons systems
  rule: open_endorsement
  date: '2023-06-01'
  form: political_declaration
  population: un_members
  stances: {endorse: [NGA]}
- id: blueprint
  title: Blueprint for Action on responsible AI in the military domain
  forum: a summit
  rule: open_endorsement
  date: '2023-06-01'
  form: political_declaration
  population: un_members
  stances: {endorse: [NGA]}
- id: given
  title: Lethal autonomous weapons systems
  topic: other
  rule: open_endorsement
  date: '2023-06-01'
  form: political_declaration
  population: un_members
  stances: {endorse: [NGA]}
"""
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    assert [c.topic for c in load_cases(path)] == ["autonomous_weapons", "ai_military", "other"]
