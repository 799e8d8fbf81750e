"""Saved games of ``plenary play`` (``analysis/play.py``): reading one, and playing its moves
again, on its own seed (byte-identical: tested), on another seed or with one move left out (the
debrief's comparisons, ``analysis/play_debrief.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.play import FORMAT, Game
from sim.errors import Problem, ScenarioError
from sim.paths import PROJECT_ROOT


def read_game(path: str | Path) -> dict[str, Any]:
    """A saved game's contents (a one-line problem if it is not one)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ScenarioError([Problem(str(path), 0, "", f"not a saved game: {exc}")]) from None
    if not isinstance(data, dict) or data.get("plenary_game") != FORMAT:
        raise ScenarioError([Problem(str(path), 0, "plenary_game", "not a saved game of this "
                                                                    "version of Plenary")])
    return data


def scenario_of(data: dict[str, Any], path: str | Path) -> str:
    """The scenario file of a saved game: as written, else beside the game, else in the project."""
    for candidate in (Path(data["scenario"]), Path(path).parent / data["scenario"],
                      PROJECT_ROOT / data["scenario"]):
        if candidate.is_file():
            return str(candidate)
    raise ScenarioError([Problem(str(path), 0, "scenario", f"{data['scenario']!r} not found")])


def replay(path: str | Path, seed: int | None = None, skip: tuple | None = None,
           lenient: bool = False) -> Game:
    """Play a saved game again (strictly: a move no longer allowed is an error). ``seed``: on
    another seed; ``skip``: leave out one move, (round, kind, index in its list: 0 for the
    others). Both imply ``lenient`` (moves no longer allowed are left out)."""
    data = read_game(path)
    game = Game(data["scenario"] if seed is None and skip is None and not lenient
                and Path(data["scenario"]).is_file() else scenario_of(data, path),
                data["delegation"], data["seed"] if seed is None else seed, data["budget"],
                lobby=data.get("lobby"))
    game.path = data["scenario"]
    if seed is None and skip is None and not lenient:
        digest = game.to_dict()["scenario_sha256"]
        if digest != data["scenario_sha256"]:
            raise ScenarioError([Problem(str(path), 0, "scenario_sha256", "the scenario or its "
                                         "data changed since the game was played")])
    lenient = lenient or seed is not None or skip is not None
    return play_moves(game, moves_of(data), skip, lenient)


def moves_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The moves of each round of a saved game (round order)."""
    return [r["moves"] for r in data["rounds"]]


def play_moves(game: Game, moves: list[dict[str, Any]], skip: tuple | None = None,
               lenient: bool = False) -> Game:
    for t, m in enumerate(moves):
        if skip is not None and skip[0] == t:
            m = without(m, skip[1], skip[2])
        game.play(m, lenient=lenient)
    return game


def without(moves: dict[str, Any], kind: str, k: int | str | None) -> dict[str, Any]:
    """``moves`` with one left out: item k of a list, the concession, or a forum's stance
    (k None: every move of that kind)."""
    out = {key: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
           for key, v in moves.items()}
    if k is None or kind == "concede":
        out.pop(kind, None)
    elif kind == "stance":
        out["stance"].pop(k, None)
    else:
        out[kind].pop(int(k))
    return {key: v for key, v in out.items() if v not in ([], {}, None)}
