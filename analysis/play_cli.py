"""``plenary play``: check the seat, then serve the dashboard in play mode (or replay a game).

The arguments are checked before a server starts (an unknown ISO3, a state in no forum of the
scenario, a bad seed, port or budget: one line each and exit status 2, as every command).
``--replay GAME.json`` plays a saved game again without a browser, checks that it gives the
same file byte for byte, prints the debrief and writes the game as a strategy file for
``plenary compare`` beside it (``GAME_strategy.yaml``, a sponsor's game only).
"""

from __future__ import annotations

import argparse

from analysis.serving import check_port, serve_dashboard
from sim.errors import Problem, ScenarioError


def play(args: argparse.Namespace) -> int:
    from analysis.play import Game

    if args.seed is not None and args.seed < 0:
        raise ScenarioError([Problem("--seed", 0, "seed", f"must be >= 0, got {args.seed}")])
    if not 0 <= args.budget <= 1000:
        raise ScenarioError([Problem("--budget", 0, "budget",
                                     f"must be between 0 and 1000, got {args.budget:g}")])
    check_port(args.port)
    if args.replay is not None:
        return replay_command(args)
    game = Game(args.scenario, args.as_, args.seed, args.budget,
                lobby=args.lobby)  # mistakes reported here
    env = {"PLENARY_SCENARIO": str(args.scenario.resolve()), "PLENARY_PLAY": game.iso3,
           "PLENARY_SEED": str(game.seed), "PLENARY_BUDGET": repr(args.budget),
           "PLENARY_LOBBY": game.lobby or ""}
    return serve_dashboard(env, args.port, f"Plenary: play {game.iso3} in {game.scenario.name} "
                           f"(seed {game.seed}) on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)")


def replay_command(args: argparse.Namespace) -> int:
    import json

    from analysis.plan_report import write_strategy_file
    from analysis.play_debrief import debrief, debrief_text
    from analysis.play_games import read_game, replay

    path = args.replay
    data = read_game(path)
    game = replay(path)
    same = json.dumps(game.to_dict(), indent=2, ensure_ascii=False) + "\n" == path.read_text()
    print(f"{path}: replayed {len(game.history)} rounds, "
          + ("the same file byte for byte" if same else "a DIFFERENT result (see the debrief)"))
    if not game.finished:
        print("the game was saved before its end: the remaining rounds play without moves")
        game.finish()
    print(debrief_text(debrief(game, runs=args.runs, trials=0 if args.no_plan else 12)), end="")
    if game.texts:
        out = path.with_name(path.stem + "_strategy.yaml")
        write_strategy_file(game.to_strategy(), out, f"{data['delegation']}'s game as a strategy")
        print(f"wrote {out} (plenary compare {data['scenario']} --strategy own --strategy {out})")
    return 0 if same else 1
