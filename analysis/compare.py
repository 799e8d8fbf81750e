"""Comparing strategies on common random numbers: ensembles, paired differences, whom to court.

:func:`compare_strategies` runs a scenario under each strategy file (``analysis/strategies.py``)
on the *same* seeds: run k of every strategy uses seed ``seed + k``, so whatever chance does in run
k (who reconsiders, the logit shocks) it does alike under every strategy, and the difference of
two strategies is measured run by run (a paired design; common random numbers, Law and Kelton
2000, ch. 11). Draws stay aligned as long as strategies consume the same random numbers; outreach
``random`` draws extra numbers and so loosens the pairing, never biasing it.

Per forum it reports the mean endorsements with a 95% t interval, the probability of adoption
with a 95% Wilson (1927) interval, the paired difference of both to the first strategy with a 95%
t interval on the per-run differences, the states whose chance of endorsing differs most between
strategies, the a priori power indices of the forum's rule and how often each member was pivotal
(``analysis/power.py``) and, on request, "whom to court": for the K members that resist the text
under the first strategy, blockers first (:func:`resisters`), the change in adoption probability
and endorsements when that state is won over (made a sponsor of the text, so it endorses in every
round), on the first seeds, ranked by that measured effect.

Runs go to a process pool started with ``spawn`` (as ``sim.batch.executors`` does); the worker,
:func:`run_batch`, is a plain module-level function. Results are keyed by strategy and seed,
never by the order workers finish in, so the numbers depend only on the inputs and ``seed``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from analysis.power import forum_game, pivotal_share, power_indices
from analysis.strategies import LoadedStrategy, apply_strategy, with_sponsor
from sim.engine.model import NegotiationModel
from sim.format.scenario import Scenario
from sim.stance import Stance

CONFIDENCE = 0.95


# ---------------------------------------------------------------------------------------------
# running ensembles


@dataclass(frozen=True)
class BatchTask:
    """Some seeds of one variant (a strategy, or a strategy with one state won over)."""

    variant: int
    scenario: Scenario
    first: int
    seeds: tuple[int, ...]


@dataclass
class Ensemble:
    """The runs of one variant, in seed order. Arrays are indexed (run, forum[, state])."""

    label: str
    endorsements: np.ndarray
    adopted: np.ndarray
    stances: np.ndarray
    utility: np.ndarray


def run_seeds(seed: int, runs: int) -> np.ndarray:
    """The seeds of an ensemble: run k uses ``seed + k`` (``plenary run --seed`` reproduces it).

    Example:
        >>> run_seeds(2023, 3).tolist()
        [2023, 2024, 2025]
    """
    return np.arange(seed, seed + runs, dtype=np.int64)


def run_batch(task: BatchTask) -> tuple[int, int, dict[str, np.ndarray]]:
    """Run one batch: per run and forum, endorsements, adoption, and each state's stance and
    utility in the forum's decision round (the forum's last deliberation)."""
    runs = len(task.seeds)
    forums = sum(len(f.texts) for f in task.scenario.forums)  # a track per text (agents/coalitions.py)
    out: dict[str, np.ndarray] = {}
    for r, seed in enumerate(task.seeds):
        model = NegotiationModel(task.scenario, seed=int(seed))
        model.run()
        if not out:
            out = {"endorsements": np.zeros((runs, forums), np.int64),
                   "adopted": np.zeros((runs, forums), bool),
                   "stances": np.zeros((runs, forums, model.n), np.int8),
                   "utility": np.zeros((runs, forums, model.n), np.float32)}
        for k, f in enumerate(model.forums):
            out["endorsements"][r, k] = f.counts().endorse
            out["adopted"][r, k] = bool(f.outcome and f.outcome.adopted)
            out["stances"][r, k] = f.stances
            out["utility"][r, k] = f.utility
    return task.variant, task.first, out


def run_ensembles(variants: list[tuple[str, Scenario]], seeds: np.ndarray, workers: int = 1,
                  advance: Callable[[int], None] | None = None,
                  pool: ProcessPoolExecutor | None = None) -> list[Ensemble]:
    """Run every variant on ``seeds``; ``workers`` > 1 uses a spawned process pool (``pool``, kept
    by a caller that runs many ensembles, or one started for this call). The results do not depend
    on ``workers``: each batch is keyed by its variant and first seed."""
    size = max(1, min(25, math.ceil(len(seeds) / max(1, 4 * workers))))
    tasks = [BatchTask(v, scenario, i, tuple(int(s) for s in seeds[i:i + size]))
             for v, (_, scenario) in enumerate(variants) for i in range(0, len(seeds), size)]
    parts: dict[tuple[int, int], dict[str, np.ndarray]] = {}

    def keep(result: tuple[int, int, dict[str, np.ndarray]]) -> None:
        variant, first, arrays = result
        parts[variant, first] = arrays
        if advance is not None:
            advance(len(arrays["adopted"]))

    if pool is not None and len(tasks) > 1:
        for future in as_completed([pool.submit(run_batch, task) for task in tasks]):
            keep(future.result())
    elif workers <= 1 or len(tasks) == 1:
        for task in tasks:
            keep(run_batch(task))
    else:
        with process_pool(min(workers, len(tasks))) as own:
            for future in as_completed([own.submit(run_batch, task) for task in tasks]):
                keep(future.result())
    ensembles = []
    for v, (label, _) in enumerate(variants):
        chunks = [parts[v, i] for i in range(0, len(seeds), size)]
        ensembles.append(Ensemble(label, *(np.concatenate([c[key] for c in chunks])
                                           for key in ("endorsements", "adopted", "stances", "utility"))))
    return ensembles


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes (as ``sim.batch.executors``: no fork of a threaded
    parent)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def default_workers() -> int:
    """The CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------------------------------------
# statistics


def mean_ci(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and its t interval (NaN bounds for a single value; the mean itself when all agree).

    Example:
        >>> [round(v, 3) for v in mean_ci(np.array([1.0, 2.0, 3.0]))]  # t(0.975, 2) = 4.303
        [2.0, -0.484, 4.484]
    """
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2, len(x) - 1)) * sd / math.sqrt(len(x))
    return mean, mean - half, mean + half


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Share of successes and its Wilson score interval (Wilson 1927).

    Example:
        >>> [round(v, 4) for v in wilson(0, 10)]
        [0.0, 0.0, 0.2775]
    """
    if trials == 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == trials else min(1.0, centre + half)
    return p, lo, hi


# ---------------------------------------------------------------------------------------------
# the comparison


@dataclass(frozen=True)
class ForumInfo:
    """What the comparison needs to know of a forum (taken from the first strategy's model)."""

    id: str
    rule: object
    proposal: str
    members: np.ndarray  # positions of the members in the state arrays
    weights: np.ndarray  # the members' weights under the rule


@dataclass
class Comparison:
    """Everything :func:`compare_strategies` found; ``analysis/compare_report.py`` shows it."""

    scenario: Scenario
    strategies: list[LoadedStrategy]
    seeds: np.ndarray
    iso3: list[str]
    forums: list[ForumInfo]
    ensembles: list[Ensemble]
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    movers: dict[str, pd.DataFrame] = field(default_factory=dict)
    power: pd.DataFrame = field(default_factory=pd.DataFrame)
    court: pd.DataFrame = field(default_factory=pd.DataFrame)


def compare_strategies(scenario: Scenario, strategies: list[LoadedStrategy], runs: int, seed: int,
                       workers: int = 1, court: int = 0, court_runs: int = 40,
                       advance: Callable[[int], None] | None = None,
                       on_court: Callable[[int], None] | None = None) -> Comparison:
    """Run ``scenario`` under each strategy on the same seeds and compare them.

    Args:
        scenario: the scenario (its own strategies are replaced).
        strategies: loaded strategy files; the first is the reference of the differences.
        runs: runs per strategy.
        seed: run k uses ``seed + k``.
        workers: processes (1: in this process).
        court: for "whom to court", the candidates per forum (0: skip it).
        court_runs: runs per candidate (the first seeds).
        advance: called with the number of runs finished (for a progress bar).
        on_court: called once with the number of extra runs "whom to court" will make.

    Returns:
        A :class:`Comparison` with its tables filled in.
    """
    scenarios = [apply_strategy(scenario, s) for s in strategies]
    seeds = run_seeds(seed, runs)
    reference = NegotiationModel(scenarios[0], seed=seed)
    forums = [ForumInfo(f.id, f.rule, f.proposal, f.member_index, f.weights(reference.capability))
              for f in reference.forums]
    ensembles = run_ensembles([(s.name, sc) for s, sc in zip(strategies, scenarios, strict=True)],
                              seeds, workers, advance)
    comparison = Comparison(scenarios[0], strategies, seeds, list(reference.world.iso3), forums,
                            ensembles)
    comparison.table = comparison_table(comparison)
    comparison.movers = {f.id: stance_movers(comparison, k) for k, f in enumerate(forums)}
    comparison.power = power_table(comparison)
    if court > 0:
        comparison.court = whom_to_court(comparison, reference, court, min(court_runs, runs), workers,
                                         advance, on_court)
    return comparison


def comparison_table(c: Comparison) -> pd.DataFrame:
    """One row per forum and strategy: endorsements, adoption, and paired differences to the
    first strategy, each with its 95% interval."""
    rows = []
    base = c.ensembles[0]
    for k, f in enumerate(c.forums):
        for e in c.ensembles:
            mean, lo, hi = mean_ci(e.endorsements[:, k])
            p, p_lo, p_hi = wilson(int(e.adopted[:, k].sum()), len(e.adopted))
            d, d_lo, d_hi = mean_ci(e.endorsements[:, k] - base.endorsements[:, k])
            a, a_lo, a_hi = mean_ci(e.adopted[:, k].astype(float) - base.adopted[:, k])
            rows.append({"forum": f.id, "rule": f.rule.name, "strategy": e.label, "runs": len(e.adopted),
                         "members": len(f.members),
                         "endorsements": mean, "endorsements_lo": lo, "endorsements_hi": hi,
                         "adoption": p, "adoption_lo": p_lo, "adoption_hi": p_hi,
                         "diff_endorsements": d, "diff_endorsements_lo": d_lo,
                         "diff_endorsements_hi": d_hi,
                         "diff_adoption": a, "diff_adoption_lo": a_lo, "diff_adoption_hi": a_hi})
    return pd.DataFrame(rows)


def stance_movers(c: Comparison, k: int, top: int = 8) -> pd.DataFrame:
    """The members of forum ``k`` whose share of runs endorsing differs most between strategies
    (largest range over strategies first; ties by ISO3)."""
    members = c.forums[k].members
    shares = np.array([(e.stances[:, k, members] == Stance.ENDORSE).mean(axis=0) for e in c.ensembles])
    spread = shares.max(axis=0) - shares.min(axis=0)
    order = sorted(range(len(members)), key=lambda j: (-spread[j], c.iso3[members[j]]))[:top]
    rows = []
    for j in order:
        if spread[j] <= 0:
            break
        row = {"iso3": c.iso3[members[j]], "spread": float(spread[j])}
        row.update({e.label: float(shares[v, j]) for v, e in enumerate(c.ensembles)})
        rows.append(row)
    return pd.DataFrame(rows, columns=["iso3", "spread"] + [e.label for e in c.ensembles])


def power_table(c: Comparison) -> pd.DataFrame:
    """Per forum and member: a priori Shapley-Shubik and Banzhaf indices of the rule's game, and
    the share of runs in which the member was pivotal under each strategy."""
    frames = []
    for k, f in enumerate(c.forums):
        indices = power_indices(forum_game(f.rule, f.weights))
        frame = pd.DataFrame({"forum": f.id, "iso3": [c.iso3[i] for i in f.members],
                              "shapley_shubik": indices.shapley_shubik, "banzhaf": indices.banzhaf,
                              "method": indices.method})
        for e in c.ensembles:
            frame[f"pivotal:{e.label}"] = pivotal_share(f.rule, e.stances[:, k, f.members], f.weights)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def resisters(ensemble: Ensemble, k: int, members: np.ndarray, sponsors: set[int],
              iso3: list[str]) -> list[int]:
    """The members of forum ``k`` (positions in ``members``) that do not endorse in every run of
    ``ensemble``, sponsors excepted: blockers first (most often objecting), then those most often
    voting no or abstaining, then most often not endorsing; ties by ISO3."""
    stances = ensemble.stances[:, k, members]
    endorse = (stances == Stance.ENDORSE).mean(axis=0)
    objects = (stances == Stance.OBJECT).mean(axis=0)
    against = ((stances == Stance.OPPOSE) | (stances == Stance.ABSTAIN)).mean(axis=0)
    pool = [j for j in range(len(members)) if endorse[j] < 1.0 and members[j] not in sponsors]
    return sorted(pool, key=lambda j: (-objects[j], -against[j], endorse[j], iso3[members[j]]))


def whom_to_court(c: Comparison, reference: NegotiationModel, top: int, runs: int, workers: int,
                  advance: Callable[[int], None] | None = None,
                  on_court: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Per forum, the ``top`` members that resist the text under the first strategy (blockers
    first, then those voting no or abstaining, then those not endorsing: :func:`resisters`),
    each re-run on the first ``runs`` seeds as won over (a sponsor of the forum's text); ranked by
    their measured effect: the change in adoption probability, then in endorsements.
    """
    base = c.ensembles[0]
    candidates = []
    for k, f in enumerate(c.forums):
        sponsors = set(reference.sponsors[f.proposal].tolist())
        endorse = (base.stances[:, k, f.members] == Stance.ENDORSE).mean(axis=0)
        blocks = (base.stances[:, k, f.members] == Stance.OBJECT).mean(axis=0)
        candidates += [(k, j, float(endorse[j]), float(blocks[j]))
                       for j in resisters(base, k, f.members, sponsors, c.iso3)[:top]]
    if not candidates:
        return pd.DataFrame()
    if on_court is not None:
        on_court(len(candidates) * runs)
    variants = [(f"{c.forums[k].id}:{c.iso3[c.forums[k].members[j]]}",
                 with_sponsor(c.scenario, c.forums[k].proposal, c.iso3[c.forums[k].members[j]]))
                for k, j, _, _ in candidates]
    ensembles = run_ensembles(variants, c.seeds[:runs], workers, advance)
    rows = []
    for (k, j, endorse, blocks), e in zip(candidates, ensembles, strict=True):
        d, lo, hi = mean_ci(e.adopted[:, k].astype(float) - base.adopted[:runs, k])
        de, _, _ = mean_ci(e.endorsements[:, k] - base.endorsements[:runs, k])
        rows.append({"k": k, "forum": c.forums[k].id, "iso3": c.iso3[c.forums[k].members[j]],
                     "endorse_share": endorse, "block_share": blocks, "runs": runs,
                     "diff_adoption": d, "diff_adoption_lo": lo, "diff_adoption_hi": hi,
                     "diff_endorsements": de})
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["k", "diff_adoption", "block_share", "diff_endorsements"],
                              ascending=[True, False, False, False], kind="stable")
    return frame.drop(columns="k").reset_index(drop=True)
