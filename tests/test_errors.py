"""Every mistake in a scenario: exit status 2, one FILE:LINE: field: message line, nothing written."""

import subprocess
import sys

import pytest

from analysis.cli import main
from sim import ScenarioError, load_scenario
from sim.paths import PROJECT_ROOT
from tests.conftest import ROSTER

GOOD = f"""
name: good
rounds: 5
world:
  roster: {ROSTER}
  include: [all]
dimensions: [stringency]
proposals:
  - id: text
    position: {{stringency: 0.5}}
    form: political_declaration
    sponsors: [AAA]
forums:
  - id: summit
    rule: open_endorsement
    proposal: text
"""


def problems_of(path, overrides=()):
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, overrides)
    return [str(p) for p in err.value.problems]


def test_good_scenario_loads(write_scenario):
    assert load_scenario(write_scenario(GOOD)).name == "good"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    rule: open_endorsement", "    rule: majority",
         "14: forums[0].rule: 'majority' is not one of open_endorsement, consensus, "
         "vote, qualified_majority"),
        ("rounds: 5", "rounds: five", "2: rounds: Input should be a valid integer"),
        ("rounds: 5", "rounds: 5\nround: 7", "3: round: unknown key (did you mean 'rounds'?)"),
        ("{stringency: 0.5}", "{stringency: 1.5}",
         "9: proposals[0].position.stringency: Input should be less than or equal to 1"),
        ("sponsors: [AAA]", "sponsors: [AAA, XYZ]",
         "11: proposals[0].sponsors[1]: 'XYZ' is not a known ISO3 code of a state"),
        ("include: [all]", "include: [all, NAT0]",
         "5: world.include[1]: 'NAT0' is not a known ISO3 code or group"),
        ("    proposal: text", "    proposal: txt",
         "15: forums[0].proposal: no proposal 'txt' (did you mean 'text'?)"),
        ("{stringency: 0.5}", "{strictness: 0.5}",
         "9: proposals[0].position.strictness: no dimension 'strictness'"),
        ("    proposal: text", "    proposal: text\n    decides: 9",
         "16: forums[0].decides: round 9 is past the last round (4)"),
    ],
)
def test_each_mistake_is_named_with_file_line_and_field(write_scenario, old, new, expected):
    assert old in GOOD
    path = write_scenario(GOOD.replace(old, new))
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:{expected}") for p in problems), problems


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        ({"include: [all]": "include: [all]\n  exclude: [BBB]",
          "    proposal: text": "    proposal: text\n    members: [AAA, BBB]"},
         "17: forums[0].members[1]: BBB is a member of 'summit' but is not in the world"),
        ({"include: [all]": "include: [all]\n  exclude: [BBB]",
          "    proposal: text": "    proposal: text\nstrategies:\n  - {sponsor: BBB, proposal: text}"},
         "18: strategies[0].sponsor: BBB leads a strategy but is not in the world"),
        ({"    proposal: text": "    proposal: text\n    threshold: {majority: two_thirds}"},
         "16: forums[0].threshold.majority: rule open_endorsement does not use 'majority' (it reads "
         "only min_endorsements)"),
        ({"    rule: open_endorsement": "    rule: consensus",
          "    proposal: text": "    proposal: text\n    threshold:\n      min_endorsements: 3"},
         "17: forums[0].threshold.min_endorsements: rule consensus does not use 'min_endorsements' "
         "(it reads no threshold)"),
    ],
)
def test_what_would_be_ignored_without_a_word_is_named(write_scenario, replacements, expected):
    text = GOOD
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    path = write_scenario(text)
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:{expected}") for p in problems), problems


def test_threshold_keys_of_the_rule_are_accepted(write_scenario):
    text = GOOD.replace("    proposal: text", "    proposal: text\n    threshold: {min_endorsements: 2}")
    assert load_scenario(write_scenario(text)).forums[0].threshold.min_endorsements == 2
    vote = GOOD.replace("rule: open_endorsement", "rule: vote").replace(
        "    proposal: text", "    proposal: text\n    threshold: {majority: two_thirds}")
    assert load_scenario(write_scenario(vote)).forums[0].threshold.majority == "two_thirds"


def test_broken_yaml_names_the_line(write_scenario):
    path = write_scenario(GOOD.replace("rounds: 5", "rounds: [5"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:")
    assert "not valid YAML" in problem


def test_yaml_is_loaded_safely(write_scenario):
    path = write_scenario(GOOD.replace("name: good", "name: !!python/object/apply:os.system [echo hi]"))
    (problem,) = problems_of(path)
    assert "not valid YAML" in problem


def test_missing_required_field(write_scenario):
    path = write_scenario(GOOD.replace("name: good\n", ""))
    assert any(p.endswith("name: required field is missing") for p in problems_of(path))


def test_all_problems_are_reported_at_once(write_scenario):
    text = GOOD.replace("rounds: 5", "rounds: -1").replace("rule: open_endorsement", "rule: x")
    assert len(problems_of(write_scenario(text))) == 2


def test_cycle_in_after(write_scenario):
    text = GOOD + """    after: second
  - id: second
    rule: vote
    proposal: text
    after: summit
"""
    problems = problems_of(write_scenario(text))
    assert any("forums[0].after: after: forms a cycle: summit -> second -> summit" in p
               for p in problems), problems


def test_cycle_in_extends(write_scenario):
    write_scenario("extends: b.yaml\nname: a\n", "a.yaml")
    b = write_scenario("extends: a.yaml\nname: b\n", "b.yaml")
    (problem,) = problems_of(b)
    assert "extends forms a cycle: b.yaml -> a.yaml -> b.yaml" in problem
    assert problem.startswith(f"{b.parent / 'a.yaml'}:1: extends:")


def test_extends_merges_and_errors_point_into_the_right_file(write_scenario):
    write_scenario(GOOD, "base.yaml")
    child = write_scenario("extends: base.yaml\nname: child\nbehaviour:\n  noise: -1\n", "child.yaml")
    problems = problems_of(child)
    assert problems == [f"{child}:4: behaviour.noise: Input should be greater than 0, got -1"]
    fixed = write_scenario("extends: base.yaml\nname: child\nbehaviour: {noise: 0.2}\n", "ok.yaml")
    scenario = load_scenario(fixed)
    assert scenario.name == "child" and scenario.behaviour.noise == 0.2
    assert scenario.forums[0].id == "summit"


def test_set_overrides_values_and_reports_bad_ones(write_scenario):
    path = write_scenario(GOOD)
    assert load_scenario(path, ["rounds=9", "forums.summit.rule=vote"]).forums[0].rule == "vote"
    assert load_scenario(path, ["forums.0.decides=3"]).forums[0].decides == 3
    (problem,) = problems_of(path, ["forums.0.rule=majority"])
    assert problem.startswith("--set forums.0.rule=majority: forums[0].rule: 'majority' is not one of")
    (problem,) = problems_of(path, ["forums.nosuch.rule=vote"])
    assert "no item 'nosuch'" in problem


def test_cli_exits_2_prints_one_line_per_problem_and_writes_nothing(write_scenario, tmp_path, capsys):
    path = write_scenario(GOOD.replace("rule: open_endorsement", "rule: majority"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{path}:14: forums[0].rule:")
    assert not out.exists()


def test_cli_error_has_no_traceback_in_a_real_process(write_scenario, tmp_path):
    path = write_scenario(GOOD.replace("include: [all]", "include: [ATLANTIS]"))
    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "run", str(path), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"{path}:5: world.include[0]: 'ATLANTIS' is not a known ISO3 code or group"
    assert not (tmp_path / "o").exists()


def test_missing_scenario_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'nope.yaml'}: file not found"


@pytest.mark.parametrize("command", [
    ["run", "scenarios/reaim_2023.yaml"],
    ["compare", "scenarios/reaim_2023.yaml", "--runs", "2", "--strategy",
     "scenarios/strategies/allies_first.yaml"],
    ["sweep", "scenarios/sweeps/demo_sweep.yaml"],
    ["world"],
    ["validate", "--runs", "1"],
    ["start", "scenarios/reaim_2023.yaml"],
    ["landscape", "scenarios/reaim_2023.yaml"],
])
def test_an_out_that_is_a_file_is_refused_before_any_work(command, tmp_path, capsys, monkeypatch):
    from analysis.cli import main

    monkeypatch.chdir(PROJECT_ROOT)
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    for out, said in ((taken, "is a file"), (taken / "under", "is under")):
        assert main([*command, "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("--out: out: ") and said in err[0]
    assert taken.read_text() == "not a folder"


@pytest.mark.parametrize(("override", "said"), [
    ("forums.0.pin.RUS=object", "forums[0].pin.RUS: 'object' is not a stance of rule vote"),
    ("forums.0.pin.XXX=oppose", "forums[0].pin.XXX: 'XXX' is not a known ISO3 code of a state"),
    ("world.exclude=[AUT]", "proposals[0].sponsors[0]: AUT sponsors 'laws_resolution' but is not in "
                            "the world"),
])
def test_pins_and_sponsors_outside_the_rule_or_the_world_are_named(override, said, tmp_path, capsys):
    scenario = PROJECT_ROOT / "scenarios" / "unga_laws_2023.yaml"
    assert main(["run", str(scenario), "--set", override, "--out", str(tmp_path / "o")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
