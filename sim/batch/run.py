"""Running one scenario: :func:`run_scenario` returns a :class:`RunResult`; :func:`write_run`
writes its ``summary.json`` and ``timeseries.csv``.

Both files are byte-identical for the same scenario and seed: no clocks, no host names, floats
rounded to 6 decimals, keys in a fixed order, lists of states sorted by ISO3 (the
pivotal sets of ``blocking``: in the order the rule takes them, the least keen first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from agents import coalitions as coalitions_
from sim.batch.outputs import write_atomic
from sim.engine.forums import Counts
from sim.engine.model import NegotiationModel
from sim.format.scenario import Scenario
from sim.stance import Stance

FLOAT_DIGITS = 6


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        model: the model after its last round (for plots and further questions).
        summary: the dict written to ``summary.json`` (schema in DESIGN.md).
        timeseries: one row per forum (per text, when a forum decides several) per round:
            stance counts, the coalition's size and the text's position.

    The summary and the time series are built on first use: a sweep that keeps a few outcome
    columns (``forum_summaries``) pays for neither.
    """

    model: NegotiationModel = field(repr=False)

    @cached_property
    def summary(self) -> dict[str, Any]:
        return summarise(self.model)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        return timeseries(self.model)


def run_scenario(scenario: Scenario, seed: int | None = None) -> RunResult:
    """Run a scenario to its last round.

    Args:
        scenario: from :func:`sim.load_scenario`.
        seed: the seed (default: the scenario's own ``seed``).

    Returns:
        The :class:`RunResult`.

    Example:
        >>> from sim import load_scenario
        >>> from sim.paths import PROJECT_ROOT
        >>> result = run_scenario(load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml"), seed=1)
        >>> [f["id"] for f in result.summary["forums"]]
        ['ccw', 'summit']
    """
    model = NegotiationModel(scenario, seed=seed)
    model.run()
    return RunResult(model)


def summarise(model: NegotiationModel) -> dict[str, Any]:
    """The summary of a finished run (see DESIGN.md for the fields every consumer may rely on)."""
    iso3 = model.world.iso3
    forums = forum_summaries(model)
    coalitions, blocking = _coalitions(model)
    return {
        "scenario": model.scenario.name,
        "seed": model.seed,
        "rounds": model.rounds,
        "states": model.n,
        "forums": forums,
        "coalitions": coalitions,
        "blocking": blocking,
        "proposals": [
            {"id": pid, "position": {d: round(float(v), FLOAT_DIGITS)
                                     for d, v in zip(model.dimensions, pos, strict=True)},
             "sponsors": [iso3[i] for i in model.sponsors[pid].tolist()]}
            for pid, pos in model.positions.items()
        ],
    }


def forum_summaries(model: NegotiationModel, names: bool = True) -> list[dict[str, Any]]:
    """The ``forums`` entries of the summary: a track's outcome, counts and (with ``names``)
    who stands where, the objectors' count being ``objecting`` either way."""
    iso3 = model.world.iso3
    forums = []
    for f in model.forums:
        counts = f.counts()
        entry = {
            "id": f.id,
            "forum": f.forum_id,
            "rule": f.rule.name,
            "proposal": f.proposal,
            "adopted": bool(f.outcome.adopted) if f.outcome else False,
            "decided_round": f.outcome.round if f.outcome else None,
            "members": len(f.member_index),
            "endorsements": counts.endorse,
            "yes": counts.endorse,
            "no": counts.oppose + counts.object,
            "abstain": counts.abstain,
            "undecided": counts.undecided,
            "absent": f.absent,  # not taking part (sim/engine/attendance.py)
        }
        if names:
            st, idx = f.stances, f.member_index

            def who(stance: Stance, st=st, idx=idx) -> list[str]:
                return [iso3[i] for i in idx[st[idx] == int(stance)].tolist()]

            entry.update(objectors=who(Stance.OBJECT), endorsers=who(Stance.ENDORSE),
                         opposers=who(Stance.OPPOSE), abstainers=who(Stance.ABSTAIN))
        else:
            entry["objecting"] = counts.object
        forums.append(entry)
    return forums


def _coalitions(model: NegotiationModel) -> tuple[dict[str, list], dict[str, list]]:
    """Per forum, a coalition per text (its backers and leaders) and what could reverse each
    text's outcome (``Rule.pivotal``): the objectors, the smallest defeating set of an adopted
    text, the smallest set to win over for one not adopted."""
    iso3 = model.world.iso3
    coalitions: dict[str, list] = {}
    blocking: dict[str, list] = {}
    for group in model.groups:
        fid = group[0].forum_id
        coalitions[fid], blocking[fid] = [], []
        for f in group:
            idx = f.member_index
            backers = idx[f.stances[idx] == Stance.ENDORSE]
            leaders = coalitions_.leaders(backers, model.lead_sponsors[f.proposal], model.capability)
            coalitions[fid].append({
                "proposal": f.proposal,
                "members": [iso3[i] for i in backers.tolist()],
                "leaders": [iso3[i] for i in leaders.tolist()],
                "size": len(backers),
            })
            utility = f.utility[idx].copy()
            sponsor = np.zeros(model.n, dtype=bool)
            sponsor[model.sponsors[f.proposal]] = True
            utility[sponsor[idx]] = np.inf  # sponsors never defect
            # in the order the rule takes them: the least keen (or, to win, the keenest) first
            pivotal = [iso3[i] for i in idx[f.rule.pivotal(f.stances[idx], f.weights(model.capability),
                                                            utility)].tolist()]
            adopted = bool(f.outcome.adopted) if f.outcome else False
            blocking[fid].append({
                "proposal": f.proposal,
                "adopted": adopted,
                "objectors": [iso3[i] for i in idx[f.stances[idx] == Stance.OBJECT].tolist()],
                "defeating_set": pivotal if adopted else [],
                "to_win": [] if adopted else pivotal,
            })
    return coalitions, blocking


def timeseries(model: NegotiationModel) -> pd.DataFrame:
    """One row per round and forum (rounds in order, forums in scenario order): the status of
    the forum, how many members stand where, the endorsements its rule needs, the text's position.
    """
    rec = model.record
    n_forums, rounds = rec.counts.shape[:2]
    t = np.repeat(np.arange(rounds), n_forums)
    k = np.tile(np.arange(n_forums), rounds)
    columns: dict[str, object] = {
        "round": t,
        "forum": [model.forums[i].id for i in k],
        "proposal": [model.forums[i].proposal for i in k],
        "status": [model.forums[i].status(r) for i, r in zip(k, t, strict=True)],
    }
    for stance in Stance:
        columns[stance.word] = rec.counts[k, t, int(stance)]
    # the size of the text's coalition: the members backing it (in a forum with rival texts,
    # each member backs at most one, so the coalitions of a forum never overlap)
    columns["coalition"] = rec.counts[k, t, int(Stance.ENDORSE)]
    columns["needed"] = [_needed(model.forums[i], rec.counts[i, r]) for i, r in zip(k, t, strict=True)]
    for j, d in enumerate(model.dimensions):
        columns[f"position_{d}"] = rec.positions[k, t, j].round(FLOAT_DIGITS)
    return pd.DataFrame(columns)


def _needed(forum, counts: np.ndarray) -> float:
    needed = forum.rule.needed(Counts.of_array(counts), len(forum.member_index))
    return np.nan if needed is None else needed


def write_run(result: RunResult, out: str | Path) -> list[Path]:
    """Write ``summary.json`` and ``timeseries.csv`` into ``out`` (each file atomically)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n"
    series = result.timeseries.to_csv(index=False, lineterminator="\n")
    return [_write_atomic(out / "summary.json", summary),
            _write_atomic(out / "timeseries.csv", series)]


def _write_atomic(path: Path, text: str) -> Path:
    return write_atomic(path, text)
