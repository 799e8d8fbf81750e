"""``plenary run --runs N``: one scenario on N seeds, and how likely each outcome and stance is.

Run k uses seed ``seed + k`` (as ``plenary compare`` does), so ``plenary run --seed SEED+k``
replays any one of them. Per forum (per text, with rival texts) it reports the probability of
adoption with a 95% Wilson interval and the mean endorsements with a 95% t interval, beside the
real outcome where the scenario models a real decision (``forums[].real_outcome``); per member,
the share of runs in which it ended on each stance (``undecided`` counts the members that took no
part or no position). Runs go through ``analysis.compare.run_ensembles``: the numbers do not
depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.compare import Ensemble, mean_ci, run_ensembles, run_seeds, wilson
from sim.batch.outputs import write_atomic
from sim.engine.model import NegotiationModel
from sim.format.scenario import Scenario
from sim.stance import Stance

#: the runs ``plenary run`` adds to its one run, from the same seed, to tell the model's view of
#: a resister from the chance of one draw (about 0.15 s for the demo scenario)
SPREAD_RUNS = 30


@dataclass(frozen=True)
class Track:
    """A forum's text as the ensemble reports it."""

    id: str  # the forum's id, or forum/text with rival texts
    rule: str
    members: np.ndarray  # positions of the members in the state arrays
    real_outcome: str


@dataclass(frozen=True)
class RunEnsemble:
    """The runs of one scenario on consecutive seeds."""

    scenario: str
    seeds: np.ndarray
    iso3: list[str]
    tracks: list[Track]
    runs: Ensemble


def run_ensemble(scenario: Scenario, runs: int, seed: int, workers: int = 1,
                 advance: Callable[[int], None] | None = None) -> RunEnsemble:
    """Run ``scenario`` on seeds ``seed`` .. ``seed + runs - 1``.

    Example:
        >>> from sim.format.loading import load_scenario
        >>> e = run_ensemble(load_scenario("tests/data/five_states.yaml"), runs=4, seed=1)
        >>> outcome_table(e)[["forum", "runs"]].to_dict("records")
        [{'forum': 'ccw', 'runs': 4}, {'forum': 'summit', 'runs': 4}]
    """
    seeds = run_seeds(seed, runs)
    reference = NegotiationModel(scenario, seed=seed)
    tracks = [Track(f.id, f.spec.rule, f.member_index, f.spec.real_outcome) for f in reference.forums]
    ensemble = run_ensembles([(scenario.name, scenario)], seeds, workers, advance)[0]
    return RunEnsemble(scenario.name, seeds, list(reference.world.iso3), tracks, ensemble)


def outcome_table(e: RunEnsemble) -> pd.DataFrame:
    """A row per forum: the probability of adoption and the mean endorsements, with 95% intervals,
    and the real outcome where there is one."""
    rows = []
    for k, track in enumerate(e.tracks):
        p, p_lo, p_hi = wilson(int(e.runs.adopted[:, k].sum()), len(e.seeds))
        mean, lo, hi = mean_ci(e.runs.endorsements[:, k])
        rows.append({"forum": track.id, "rule": track.rule, "runs": len(e.seeds),
                     "members": len(track.members), "p_adopted": p, "p_adopted_low": p_lo,
                     "p_adopted_high": p_hi, "endorsements": mean, "endorsements_low": lo,
                     "endorsements_high": hi, "real_outcome": track.real_outcome})
    return pd.DataFrame(rows)


def stance_table(e: RunEnsemble) -> pd.DataFrame:
    """A row per forum and member: the share of runs ending on each stance (the row sums to 1)."""
    frames = []
    for k, track in enumerate(e.tracks):
        stances = e.runs.stances[:, k, track.members]
        frame = pd.DataFrame({"forum": track.id, "iso3": [e.iso3[i] for i in track.members]})
        for stance in (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT, Stance.UNDECIDED):
            frame[f"p_{stance.word}"] = (stances == stance).mean(axis=0)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write_ensemble(e: RunEnsemble, out: Path) -> list[Path]:
    """``ensemble.csv`` (each member's probability of each stance, per forum) and
    ``ensemble_outcomes.csv`` (per forum) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in (("ensemble.csv", stance_table(e)), ("ensemble_outcomes.csv", outcome_table(e))):
        path = out / name
        write_atomic(path, table.to_csv(None, index=False, float_format="%.6g", lineterminator="\n"))
        written.append(path)
    return written


#: the stances other than yes, in the order ties between them are broken
OTHER_STANCES = ("oppose", "abstain", "object", "undecided")


def likeliest_other(row) -> str:
    """A :func:`stance_table` row's likeliest stance other than endorse (ties: OTHER_STANCES'
    order)."""
    return max(OTHER_STANCES, key=lambda w: getattr(row, f"p_{w}"))


def likely_resisters(e: RunEnsemble, k: int, shown: int = 12) -> list[str]:
    """The members of track ``k`` least likely to endorse, as ``ISO3 P(stance)`` of their most
    likely other stance, most doubtful first (those that endorse in every run left out)."""
    table = stance_table(e)
    table = table[table["forum"] == e.tracks[k].id]
    table = table[table["p_endorse"] < 1].sort_values(["p_endorse", "iso3"], kind="stable")
    out = []
    for row in table.head(shown).itertuples():
        word = likeliest_other(row)
        out.append(f"{row.iso3} {word} {getattr(row, f'p_{word}'):.0%}")
    return out
