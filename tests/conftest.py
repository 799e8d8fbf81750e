"""Shared fixtures: a five-state world small enough to check by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
ROSTER = DATA / "states.csv"


#: Behaviour pinned for hand arithmetic (independent of the library's defaults): everyone
#: reconsiders every round and choices are all but deterministic.
HAND = {"baseline": 0.5, "policy": 4.0, "social": 1.0, "bloc_cue": 1.0, "objection_cost": 1.0,
        "oppose_cost": 0.5, "inertia": 0.5, "attention": 1.0, "noise": 0.01, "drift": 0.0,
        "status_quo_weight": 0.0, "outreach_leverage": 0.0, "cue_shield": 0.0,
        "endorsement_turnout": 1.0}


def five_state_scenario(**changes) -> dict:
    """A scenario over the fictional five-state roster: no ties, near-deterministic choices.

    AAA..DDD sit on the text (distance 0: utility = baseline 0.5, they endorse); EEE sits at
    0.0 against a text at 0.8 with full salience (utility 0.5 - 4 * 0.8 = -2.7: it opposes).
    Behaviour is pinned to HAND.
    """
    data = {
        "name": "hand_checked",
        "seed": 1,
        "rounds": 4,
        "world": {
            "roster": str(ROSTER),
            "include": ["all"],
            "ties": {"other": 0.0, "WEOG": 0.0, "EEG": 0.0, "AG": 0.0},
            "defaults": {"ideal": {"stringency": 0.8}, "salience": 0.5},
            "states": {"EEE": {"ideal": {"stringency": 0.0}, "salience": 1.0}},
        },
        "dimensions": ["stringency"],
        "proposals": [{"id": "text", "position": {"stringency": 0.8},
                       "form": "political_declaration", "sponsors": ["AAA"]}],
        "forums": [{"id": "f", "rule": "consensus", "proposal": "text", "opens": 0, "decides": 3}],
        "behaviour": dict(HAND),
    }
    for key, value in changes.items():
        node = data
        *parents, last = key.split(".")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario (a dict, or YAML text) to a file and return its path."""

    def write(content, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    return write
