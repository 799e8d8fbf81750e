"""Synthetic worlds of any size for the growth benchmark, with the density of the real one.

The real roster ties each state to about 97 others (18,734 directed ties among 193 states) through
the groups it shares. A synthetic world of N states draws groups of 25 members at random, five
per state on average, and does not tie the five UN-like regional groups (they would grow with N
and make the network dense), so the mean degree stays near the real one as N grows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

UN_GROUPS = ["African", "Asia-Pacific", "Eastern European", "Latin American and Caribbean",
             "Western European and Others"]


def codes(n: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for a in letters:
        for b in letters:
            for c in letters:
                out.append(a + b + c)
    if n > len(out):
        # beyond 17,576 three-letter codes: the roster does not check the code's length
        out += [f"X{i:05d}" for i in range(n - len(out))]
    return out[:n]


def write_world(folder: Path, states: int, stakeholders: int, seed: int = 0) -> Path:
    """Write states.csv, memberships.csv, indicators.csv and scenario.yaml; return the scenario."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    iso3 = codes(states)
    with (folder / "states.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["iso3", "name", "un_status", "un_group", "un_admission"])
        for i, c in enumerate(iso3):
            w.writerow([c, c, "member", UN_GROUPS[i % 5], ""])
    n_groups = max(1, states * 5 // 25)
    with (folder / "memberships.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["iso3", "group", "joined", "left", "detail", "source"])
        for g in range(n_groups):
            for i in rng.choice(states, size=min(25, states), replace=False):
                w.writerow([iso3[i], f"G{g}", "", "", "", "synthetic"])
    with (folder / "indicators.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["iso3", "milex_usd_m", "gdp_usd_m"])
        for c in iso3:
            w.writerow([c, f"{np.exp(rng.normal(7, 2)):.1f}", f"{np.exp(rng.normal(11, 2)):.1f}"])
    sponsors = iso3[:3]
    scenario = {
        "name": f"synthetic_{states}",
        "rounds": 100,
        "world": {"roster": "states.csv", "include": ["all"], "spread": 0.2,
                  "ties": {"other": 0.3, "AG": 0, "APG": 0, "EEG": 0, "GRULAC": 0, "WEOG": 0},
                  "leaders": {"G0": [iso3[0]], "G1": [iso3[1]]}},
        "dimensions": ["stringency", "human_control"],
        "proposals": [{"id": "text", "position": {"stringency": 0.4, "human_control": 0.6},
                       "form": "political_declaration", "sponsors": sponsors}],
        "forums": [
            {"id": "core", "rule": "consensus", "proposal": "text", "members": ["G0"], "decides": 19},
            {"id": "summit", "rule": "open_endorsement", "proposal": "text", "opens": 20,
             "decides": 49, "after": "core"},
            {"id": "assembly", "rule": "vote", "proposal": "text", "opens": 50, "after": "summit"},
        ],
        "strategies": [{"sponsor": sponsors[0], "budget": 4, "outreach": "swing"},
                       {"sponsor": sponsors[1], "budget": 3, "outreach": "regional_hubs"}],
        "stakeholders": [
            {"id": f"s{k}", "kind": ["industry", "research", "civil_society"][k % 3],
             "position": {"stringency": float(rng.random()), "human_control": float(rng.random())},
             "influence": 0.01, "ties": [str(c) for c in rng.choice(iso3, size=10, replace=False)]}
            for k in range(stakeholders)
        ],
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path
