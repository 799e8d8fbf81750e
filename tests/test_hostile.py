"""Hostile input (issue 21): odd rather than mistaken input gets one clean line per problem and exit
status 2, before any run and with nothing written to --out; never a traceback, never a hang."""

from __future__ import annotations

import pytest

from analysis.cli import main
from sim.paths import PROJECT_ROOT

S = str(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")


def cli(capsys, *argv: str) -> tuple[int, list[str], str]:
    """Run ``plenary ARGV`` in this process: (exit status, stderr's lines, stdout)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


def user_error(capsys, *argv: str) -> str:
    """The one line a user error prints (asserting exit status 2 and no other line)."""
    status, err, _ = cli(capsys, *argv)
    assert status == 2, err
    assert len(err) == 1, err
    return err[0]


def test_a_seed_past_32_bits_draws_the_plots(capsys, tmp_path):
    # networkx's spring layout seeds numpy's legacy generator (0 to 2**32 - 1); every seed of
    # the demo sweep is larger, and reproducing a sweep's row crashed after summary.json
    out = tmp_path / "run"
    status, err, _ = cli(capsys, "run", S, "--seed", str(2**32), "--out", str(out))
    assert status == 0, err
    assert {p.name for p in out.iterdir()} >= {"summary.json", "network.png", "coalitions.png"}


FIVE = str(PROJECT_ROOT / "tests" / "data" / "five_states.yaml")

#: each command that writes into a folder, with what it needs besides --out
WRITERS = {
    "run": ["run", FIVE],
    "compare": ["compare", FIVE, "--runs", "2", "--strategy",
                str(PROJECT_ROOT / "scenarios" / "strategies" / "allies_first.yaml")],
    "sweep": ["sweep", str(PROJECT_ROOT / "scenarios" / "sweeps" / "demo_sweep.yaml")],
    "world": ["world"],
    "validate": ["validate", "--runs", "1"],
    "start": ["start", FIVE],
    "landscape": ["landscape", FIVE],
}


@pytest.fixture
def no_work(monkeypatch):
    """Any simulation or model built fails the test: the folder must be refused before."""
    import sim.engine.model

    def refuse(*args, **kwargs):
        raise AssertionError("a model was built before --out was checked")

    monkeypatch.setattr(sim.engine.model.NegotiationModel, "__init__", refuse)


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize(("out", "said"), [
    ("", "--out: out: an empty path: name a folder"),
    ("   ", "--out: out: an empty path: name a folder"),
    ("{tmp}/" + "a" * 300, "a name in it is 300 bytes long; this file system allows 255"),
    ("{tmp}/x/" + "b" * 4000, "the path is longer than 3800 bytes"),
    ("{tmp}/taken/..", "ends in '..', outside the folder it names: name the output folder itself"),
])
def test_an_out_that_cannot_be_a_folder_is_refused_before_any_work(command, out, said, tmp_path,
                                                                   capsys, no_work):
    out = out.format(tmp=tmp_path)
    line = user_error(capsys, *WRITERS[command], "--out", out)
    assert line.startswith("--out: out: ") and said in line and len(line) < 250
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", WRITERS)
def test_an_out_that_is_a_link_is_refused(command, tmp_path, capsys, no_work):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere)
    line = user_error(capsys, *WRITERS[command], "--out", str(tmp_path / "out"))
    assert line == (f"--out: out: {tmp_path / 'out'} is a symbolic link (to {elsewhere}): the "
                    "outputs would go outside the folder named; name a real folder")
    assert list(elsewhere.iterdir()) == []


def test_a_scenario_named_dots_needs_an_out(capsys, tmp_path, monkeypatch, no_work):
    # out/<stem> of "...yaml" was out/.., the folder above out/
    monkeypatch.chdir(tmp_path)
    (tmp_path / "...yaml").write_text((PROJECT_ROOT / "tests" / "data" / "five_states.yaml").read_text())
    line = user_error(capsys, "run", "...yaml")
    assert line == ("--out: out: the scenario's file name '...yaml' gives no output folder: name one "
                    "with --out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["...yaml"]


def test_links_planted_in_out_are_replaced_not_written_through(capsys, tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (outside / "victim.png").write_text("keep me")
    (out / "network.png").symlink_to(outside / "victim.png")          # an existing target
    (out / "endorsements.png").symlink_to(outside / "created.png")    # a dangling link
    (out / "summary.json").symlink_to(outside / "victim.json")
    status, err, _ = cli(capsys, "run", FIVE, "--out", str(out))
    assert status == 0, err
    assert (outside / "victim.png").read_text() == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.png"]
    for name in ("network.png", "endorsements.png", "summary.json"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_linked_runs_or_analysis_folder_is_refused(capsys, tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"name: s\nscenario: {FIVE}\nseed: 0\nreplicates: 1\nmethod: lhs\nsamples: 2\n"
                     "parameters:\n  behaviour.noise: {range: [0.1, 0.5]}\n")
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    assert cli(capsys, "sweep", str(sweep), "--out", str(out), "--workers", "1")[0] == 0
    (out / "analysis").symlink_to(outside)
    line = user_error(capsys, "analyze", str(out))
    assert line == (f"{out / 'analysis'}: {out / 'analysis'} is a symbolic link (to {outside}): "
                    "plenary writes only into real folders; remove the link")
    (out / "analysis").unlink()
    for chunk in (out / "runs").iterdir():
        chunk.rename(outside / chunk.name)
    (out / "runs").rmdir()
    (out / "runs").symlink_to(outside)
    line = user_error(capsys, "sweep", str(sweep), "--out", str(out), "--resume")
    assert line.endswith("is a symbolic link (to " + str(outside) + "): plenary writes only into "
                         "real folders; remove the link")
    assert sorted(p.name for p in outside.iterdir()) == ["chunk-000000.parquet"]


FIVE_TEXT = (PROJECT_ROOT / "tests" / "data" / "five_states.yaml").read_text(encoding="utf-8")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def bomb(levels: int) -> str:
    """A few hundred bytes whose aliases expand nine-fold ``levels`` times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("change", "said"), [
    (lambda t: t + "x: 2023-02-30\n",
     "20: x: '2023-02-30' is not a valid date (day is out of range for month)"),
    (lambda t: t.replace("name: five_states", "name: !!bool maybe"),
     "2: name: 'maybe' is not a valid true or false"),
    (lambda t: t.replace("name: five_states", "name: &a [*a]"),
     "2: not valid YAML: the alias *a is inside its own anchor &a"),
    (lambda t: t.replace("name: five_states", "name: " + nested(1200)),
     "2: mappings and lists nest more than 50 deep, the most allowed"),
    (lambda t: t + "x:\n" + "".join("  " * i + "- \n" for i in range(60)),
     "70: mappings and lists nest more than 50 deep, the most allowed"),
    (lambda t: bomb(7) + t,
     "6: the aliases (*name) expand the document past 200,000 values, the most allowed; write the "
     "values out or use fewer aliases"),
    (lambda t: t.replace("description: ", "description: \x07"),
     "3: not valid YAML: special characters are not allowed (character U+0007)"),
    (lambda t: t.replace("roster: states.csv", 'roster: "states\\0.csv"'),
     "7: world.roster: roster file not found: "),
    (lambda t: "extends: \"a\\0.yaml\"\n" + t, "1: extends: not a file name: it holds a NUL character"),
])
def test_odd_yaml_is_one_located_line(change, said, tmp_path, capsys, no_work):
    path = tmp_path / "odd.yaml"
    path.write_text(change(FIVE_TEXT), encoding="utf-8")
    line = user_error(capsys, "run", str(path), "--out", str(tmp_path / "out"))
    assert line.startswith(f"{path}:{said}"), line
    assert not (tmp_path / "out").exists()


def test_an_alias_bomb_is_refused_at_once(tmp_path, capsys):
    import time

    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(9) + FIVE_TEXT, encoding="utf-8")  # 387,420,489 values expanded
    started = time.perf_counter()
    line = user_error(capsys, "check", str(path))
    assert time.perf_counter() - started < 2.0
    assert "expand the document past 200,000 values" in line


def test_a_long_value_is_cut_in_the_error_line(tmp_path, capsys, no_work):
    path = tmp_path / "long.yaml"
    path.write_text(FIVE_TEXT.replace("rounds: 6", "rounds: " + "x" * 50_000), encoding="utf-8")
    line = user_error(capsys, "run", str(path), "--out", str(tmp_path / "out"))
    assert line == (f"{path}:5: rounds: Input should be a valid integer, unable to parse string as an "
                    f"integer, got '{'x' * 27}...{'x' * 27}' "
                    "(50,000 characters)")


@pytest.mark.parametrize(("override", "said"), [
    ("forums.--1.decides=3", "forums.--1.decides: no item '--1' in this list"),
    ("proposals.0.sponsors.²=USA", "proposals.0.sponsors.²: no item '²' in this list"),
    ("forums.0.decides=2023-02-30",
     "forums.0.decides: '2023-02-30' is not a valid date (day is out of range for month)"),
    ("name=!!bool maybe", "name: 'maybe' is not a valid true or false"),
    ("name=&a [*a]", "name: not valid YAML: the alias *a is inside its own anchor &a"),
    ("rounds=" + nested(1200), "rounds: mappings and lists nest more than 50 deep, the most allowed"),
    ("world.roster=a\x00b", "world.roster: roster file not found: "),
])
def test_odd_set_values_are_one_line(override, said, tmp_path, capsys, no_work):
    line = user_error(capsys, "run", FIVE, "--set", override, "--out", str(tmp_path / "out"))
    assert line.split(": ", 1)[1].startswith(said), line
    assert line.startswith("--set ") and len(line) < 400 and "\x00" not in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("override", "said"), [
    ("strategies.0.budget=9223372036854775808",
     "strategies[0].budget: Input should be less than or equal to 100000, got 9223372036854775808"),
    ("strategies.0.invite_cosponsors=" + "1" + "0" * 30,
     "strategies[0].invite_cosponsors: Input should be less than or equal to 100000, got "
     "1000000000000000000000000000000"),
    ("forums.0.pull=.nan", "forums[0].pull: Input should be a finite number, got nan"),
    ("world.ties.NATO=.inf", "world.ties.NATO: Input should be a finite number, got inf"),
    ("world.ties.NATO=-1", "world.ties.NATO: Input should be greater than or equal to 0, got -1"),
    ("world.extra_ties=[{a: USA, b: CHN, weight: 1.0e+308}]",
     "world.extra_ties[0].weight: Input should be less than or equal to 1000, got 1e+308"),
    ("behaviour.policy=-.inf", "behaviour.policy: Input should be a finite number, got -inf"),
    ("world.defaults.capability=1.0e+308",
     "world.defaults.capability: Input should be less than or equal to 1000000, got 1e+308"),
])
def test_numbers_past_the_bounds_or_not_finite_are_refused(override, said, tmp_path, capsys, no_work):
    line = user_error(capsys, "run", S, "--set", override, "--out", str(tmp_path / "out"))
    assert line == f"--set {override}: {said}"
    assert not (tmp_path / "out").exists()


SWEEP = f"""name: s
scenario: {FIVE}
seed: 0
replicates: 1
method: grid
parameters:
  behaviour.noise: {{values: [0.2, 0.4]}}
"""


@pytest.mark.parametrize(("change", "said"), [
    (lambda t: t.replace("[0.2, 0.4]", '[0.2, "0.4"]'),
     "7: parameters.behaviour.noise: values mix numbers and text: give one kind (a number in quotes "
     "is text)"),
    (lambda t: t.replace("[0.2, 0.4]", '["0.2", "0.4"]'),
     "7: parameters.behaviour.noise: '0.2' is text, but behaviour.noise takes float values: write it "
     "without quotes"),
    (lambda t: t.replace("behaviour.noise: {values: [0.2, 0.4]}",
                         "forums.0.opens: {values: [0, 10000000000000000000]}"),
     "7: parameters.forums.0.opens: 10000000000000000000 does not fit the scenario: forums[0].opens: "
     "Input should be less than or equal to 100000, got 10000000000000000000"),
    (lambda t: t.replace("[0.2, 0.4]", "[0.2, .nan]"),
     "7: parameters.behaviour.noise.values: values must be finite numbers, got nan"),
    (lambda t: t.replace("replicates: 1", "replicates: 100000000"),
     "1: the design holds 200,000,000 runs (2 points x 100,000,000 replicates), 200.0 times the most "
     "a sweep accepts (1,000,000): lower samples, levels, values or replicates, or split the sweep"),
    (lambda t: t.replace("method: grid", f"method: sobol\nsamples: {2**40}").replace(
        "{values: [0.2, 0.4]}", "{range: [0.1, 0.5]}"),
     "1: the design holds 3,298,534,883,328 runs (3,298,534,883,328 points x 1 replicates), "
     "3,298,534.9 times the most a sweep accepts (1,000,000)"),
    (lambda t: t.replace("method: grid", "method: morris\nsamples: 2\nmorris_levels: 2145955886").replace(
        "{values: [0.2, 0.4]}", "{range: [0.1, 0.5]}"),
     "7: morris_levels: Input should be less than or equal to 1000, got 2145955886"),
    (lambda t: t.replace(f"scenario: {FIVE}", 'scenario: "a\\0b.yaml"'),
     ": not a file name: it holds a NUL character"),
])
def test_odd_sweep_files_are_refused_before_any_run(change, said, tmp_path, capsys, no_work):
    path = tmp_path / "sweep.yaml"
    path.write_text(change(SWEEP), encoding="utf-8")
    line = user_error(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert said in line and line.startswith(str(path) if said[0] != ":" else str(tmp_path)), line
    assert not (tmp_path / "out").exists()


def test_resume_takes_a_folder_killed_before_its_manifest(tmp_path, capsys):
    # a kill between creating runs/ and writing manifest.json left a folder --resume refused
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    (out / ".manifest.json.x1y2.json").write_text("{")
    status, err, _ = cli(capsys, "sweep", str(path), "--out", str(out), "--resume", "--workers", "1")
    assert status == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "runs"]
    assert len(list((out / "runs").glob("chunk-*.parquet"))) == 1


def test_a_forum_id_that_is_another_forums_output_name_is_refused(tmp_path, capsys, no_work):
    scenario = PROJECT_ROOT / "scenarios" / "binding_vs_principles.yaml"
    override = "forums.ccw_meeting.id=unga_first_committee/political_declaration"
    line = user_error(capsys, "run", str(scenario), "--set", override, "--out", str(tmp_path / "out"))
    assert line == (f"--set {override}: forums[1].id: 'unga_first_committee/political_declaration' is "
                    "also the output name of text 'political_declaration' in forum "
                    "'unga_first_committee'; choose another id")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["schema"], ["calibrate", "scenarios/cases/cases.yaml"]])
def test_a_file_out_that_cannot_be_written_is_refused_before_any_work(tmp_path, capsys, command):
    from analysis.cli import main

    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for out, message in ((tmp_path, "is a folder: name a file"),
                         (blocker / "calibrated.yaml", "a file: name a folder")):
        assert main([*command, "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("--out: out: ") and message in err[0]
    assert blocker.read_text() == "x"
