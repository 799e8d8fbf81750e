"""Playing a delegation (issue 19): the game engine without a browser.

Moves not allowed are refused with one line each and change nothing; a saved game replays to
the same file byte for byte; a game without moves is the model's own run; the debrief and the
strategy file; `plenary play` with bad arguments gets one line and exit status 2."""

import json

import numpy as np
import pytest

from analysis.cli import main
from analysis.play import Game, IllegalMove
from analysis.play_debrief import debrief, debrief_text
from analysis.play_games import replay
from analysis.strategies import apply_strategy
from sim import ScenarioError, load_scenario, run_scenario
from sim.paths import PROJECT_ROOT
from sim.stance import Stance

REAIM = PROJECT_ROOT / "scenarios" / "reaim_2023.yaml"
FIVE = PROJECT_ROOT / "tests" / "data" / "five_states.yaml"


def snapshot(game: Game):
    m = game.model
    return (m.round, m.ideal.copy(), {k: v.copy() for k, v in m.positions.items()},
            [f.stances.copy() for f in m.forums], list(game.packages), len(game.history),
            {k: v.copy() for k, v in m.sponsors.items()})


def same(a, b) -> bool:
    return (a[0] == b[0] and np.array_equal(a[1], b[1])
            and all(np.array_equal(a[2][k], b[2][k]) for k in a[2])
            and all(np.array_equal(x, y) for x, y in zip(a[3], b[3], strict=True))
            and a[4:6] == b[4:6] and all(np.array_equal(a[6][k], b[6][k]) for k in a[6]))


@pytest.mark.parametrize(("moves", "expected"), [
    ({"court": ["RUS"]}, "round 2: court[0]: RUS is not a member of core_group, the forum open "
                         "on call_to_action"),
    ({"court": ["USA", "GBR", "FRA", "DEU", "CAN"]}, "round 2: court[4]: 5 named, at most 4 a round"),
    ({"capacity": ["KEN", "GHA", "SEN", "NGA"]}, "round 2: capacity[3]: capacity building for NGA "
                                                 "costs 3 demarches; 1 of the budget of 10 left"),
    ({"stance": {"core_group": "object"}}, "round 2: stance.core_group: NLD sponsors "
                                           "call_to_action: a sponsor endorses its text"),
    ({"court": ["XYZ"]}, "round 2: court[0]: 'XYZ' is not a state of this scenario"),
    ({"concede": 0.5}, "round 2: concede: 0.5: between 0 and 0.1 this round (at most 0.1 a round, "
                       "0.3 in all)"),
    ({"bribe": ["USA"]}, "round 2: bribe: unknown move; moves: court, concede, invite, capacity, stance"),
])
def test_a_move_not_allowed_is_refused_and_changes_nothing(moves, expected):
    game = Game(REAIM, "NLD")
    game.play({"court": ["USA"]})
    game.play()
    before = snapshot(game)
    with pytest.raises(IllegalMove) as err:
        game.apply({**moves, "invite": ["USA"]} if "bribe" not in moves else moves)
    assert expected in [str(p) for p in err.value.problems]
    assert same(before, snapshot(game))
    game.step()  # the refused moves were not kept: the round plays without them
    assert game.history[-1]["moves"] == {}


def test_a_stance_outside_the_forums_the_player_sits_in_is_refused():
    game = Game(REAIM, "BRA")  # a member, not in the core group
    with pytest.raises(IllegalMove) as err:
        game.apply({"stance": {"core_group": "endorse"}, "invite": ["USA"], "concede": 0.05})
    assert [str(p) for p in err.value.problems] == [
        "round 0: invite: BRA lobbies for call_to_action but does not sponsor it: only its "
        "sponsors invite co-sponsors",
        "round 0: concede: BRA sponsors no text: only a text's sponsors can concede on it",
        "round 0: stance.core_group: BRA does not sit in core_group"]
    with pytest.raises(IllegalMove, match="'object' is not an option in reaim_summit: undecided, endorse"):
        game.apply({"stance": {"reaim_summit": "object"}})


def test_a_game_without_moves_is_the_models_own_run():
    """A member who makes no move: the general path of every round gives the model's own run."""
    for path, iso3 in ((REAIM, "BRA"), (FIVE, "EEE")):
        game = Game(path, iso3, seed=11)
        game.finish()
        own = run_scenario(load_scenario(path), seed=11).summary["forums"]
        assert [(f["endorsements"], f["adopted"]) for f in game.outcome()] == \
            [(f["endorsements"], f["adopted"]) for f in own]


def test_a_held_stance_holds_and_moves_the_outcome():
    game = Game(REAIM, "BRA", seed=4)
    game.play({"stance": {"reaim_summit": "endorse"}})
    game.finish()
    summit = game.model.forum("reaim_summit")
    assert summit.stances[game.row] == Stance.ENDORSE and summit.present[game.row]
    released = Game(REAIM, "BRA", seed=4)
    released.play({"stance": {"reaim_summit": "endorse"}})
    released.play({"stance": {"reaim_summit": None}})
    assert released.stances == {}


def scripted(seed=None) -> Game:
    game = Game(REAIM, "NLD", seed=seed)
    game.play({"capacity": ["KEN", "GHA"]})
    for _ in range(3):
        game.play({"court": "USA, GBR"})
    while game.round < 21:
        game.play()
    game.play({"court": ["BRA", "MEX", "NGA"], "concede": 0.05, "invite": ["DEU", "BRA"]})
    return game


def test_a_saved_game_replays_byte_identical(tmp_path):
    game = scripted()
    answers = game.history[-1]["answers"]
    assert answers["visits"] >= 1 and answers["conceded"] == 0.05
    assert set(answers["invited"]) | set(answers["declined"]) == {"DEU", "BRA"}
    game.finish()
    first = game.save(tmp_path / "game.json")
    again = replay(first)
    second = again.save(tmp_path / "again.json")
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert (data["seed"], data["delegation"], len(data["rounds"])) == (2023, "NLD", 100)
    assert data["scenario_sha256"] and data["outcome"] == game.outcome()
    # a game saved part-way replays too, and the player's moves change the outcome
    part = scripted(seed=5)
    path = part.save(tmp_path / "part.json")
    assert replay(path).save(tmp_path / "part2.json").read_bytes() == path.read_bytes()


def test_the_game_as_a_strategy_file_for_compare(tmp_path):
    game = scripted()
    game.finish()
    strategy = game.to_strategy()
    mine = [st for st in strategy.spec.strategies if st.sponsor == "NLD"
            and st.proposal == "call_to_action"]
    assert mine[0].outreach == "listed" and mine[0].targets == ["USA", "GBR", "BRA", "MEX", "NGA"]
    assert mine[0].capacity == ["KEN", "GHA"] and mine[0].concessions.max_total == 0.05
    scenario = apply_strategy(load_scenario(REAIM), strategy)  # what compare does with it
    assert run_scenario(scenario, seed=1).summary["forums"]
    from analysis.plan_report import write_strategy_file

    path = write_strategy_file(strategy, tmp_path / "s.yaml", "a game")
    assert main(["compare", str(REAIM), "--strategy", "own", "--strategy", str(path), "--runs", "3",
                 "--workers", "1", "--out", str(tmp_path / "cmp")]) == 0


def test_the_debrief_compares_on_the_same_seeds_and_undoes_each_move():
    game = scripted()
    game.finish()
    d = debrief(game, runs=4, trials=0)
    own = run_scenario(load_scenario(REAIM), seed=2023).summary["forums"]
    assert [f["model"]["endorsements"] for f in d["forums"]] == [f["endorsements"] for f in own]
    assert [f["you"]["endorsements"] for f in d["forums"]] == \
        [f["endorsements"] for f in game.outcome()]
    assert len(d["moves"]) == 2 + 6 + 3 + 1 + 2  # every move undone once
    concession = next(m for m in d["moves"] if m["move"] == "concede 0.05")
    assert any(c["endorsements"] for c in concession["changes"])
    assert d["seeds"]["runs"] == 4 and len(d["seeds"]["forums"]) == 3
    text = debrief_text(d)
    assert "Which moves mattered" in text and "The planner's best campaign: not asked for" in text


def test_the_debrief_runs_a_small_plan(tmp_path):
    game = Game(FIVE, "AAA", seed=2)
    game.play({"court": ["BBB"]})
    game.finish()
    d = debrief(game, runs=2, trials=4, plan_runs=2, fresh=2)
    assert d["plan"]["how"].startswith("a small search: plenary plan")
    assert d["plan"]["sponsor"] == "AAA" and d["plan"]["on_your_seed"]


def test_play_with_bad_arguments_gets_one_line_and_status_2(capsys, write_scenario):
    from tests.test_errors import GOOD

    cases = [
        ([str(REAIM), "--as", "XYZ"], "world.include: --as 'XYZ' is not in this scenario's world"),
        ([str(REAIM), "--as", "NLD", "--seed", "-1"], "--seed: seed: must be >= 0, got -1"),
        ([str(REAIM), "--as", "NLD", "--budget", "-3"], "--budget: budget: must be between 0"),
        ([str(write_scenario(GOOD.replace("    proposal: text", "    proposal: text\n"
                                          "    members: [AAA, BBB]"))), "--as", "CCC"],
         "--as CCC: it sits in no forum of good and sponsors no text decided in one"),
    ]
    for argv, expected in cases:
        assert main(["play", *argv, "--port", "1"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and expected in err[0], err


def test_play_replay_command(tmp_path, capsys):
    game = scripted()
    game.finish()
    path = game.save(tmp_path / "g.json")
    assert main(["play", str(REAIM), "--as", "NLD", "--replay", str(path), "--runs", "2",
                 "--no-plan"]) == 0
    out = capsys.readouterr().out
    assert "the same file byte for byte" in out and "Which moves mattered" in out
    assert (tmp_path / "g_strategy.yaml").exists()


def test_a_member_lobbies_for_a_text_it_does_not_sponsor(tmp_path):
    """BRA sponsors nothing: it lobbies for the first text decided where it sits (the call to
    action, at the summit), courting and offering capacity building with the visits' own
    mechanics; the same seed without the moves is the model's own run."""
    from analysis.play_games import replay

    game = Game(REAIM, "BRA", seed=5)
    assert game.sponsored == [] and game.texts == ["call_to_action"] and game.lobby == "call_to_action"
    legal = game.legal_moves()
    assert legal["sponsor"] is False and legal["invite"] == [] and legal["concede"] == 0.0
    assert "BRA" not in legal["court"]  # it does not court itself
    answer = game.play({"court": ["USA", "AUS"], "capacity": ["KEN"]})
    assert answer["answers"]["visits"] == 2
    idle = Game(REAIM, "BRA", seed=5)
    idle.play()
    usa = game.model.world.index["USA"]
    text = game.model.positions["call_to_action"]
    gap, idle_gap = (np.linalg.norm(g.model.ideal[usa] - text) for g in (game, idle))
    assert gap < idle_gap  # BRA's visit moved the USA toward the text, as a sponsor's visits do
    while "reaim_summit" not in game.legal_moves()["open"]:
        game.play()
    for _ in range(20):  # at the summit: the three hold-outs taking part closest to tipping
        legal = game.legal_moves()
        holdouts = [c for c in legal["court"] if game.model.forum("reaim_summit").stances[
            game.model.world.index[c]] != 1]
        game.play({"court": holdouts[:legal["visits"]]})
    game.finish()
    assert sum(h["answers"]["visits"] for h in game.history if "answers" in h) > 20
    path = game.save(tmp_path / "bra.json")
    assert replay(path).save(tmp_path / "again.json").read_bytes() == path.read_bytes()
    with pytest.raises(ScenarioError, match="'unga_resolution' is not a text decided in a forum"):
        Game(FIVE, "EEE", lobby="unga_resolution")
    with pytest.raises(ScenarioError, match="--for is for a member that sponsors no text"):
        Game(REAIM, "NLD", lobby="call_to_action")
