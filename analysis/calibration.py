"""Calibration: fit a few behaviour weights to real cases, and the leave-one-case-out test.

The objective is the mean over cases of the model's Brier score (``analysis/validation.py``),
each case's ensemble run with the same seeds for every point tried (common random numbers), so
that two points differ only by their weights. The search is two-stage and involves no hand
tuning: the default weights and a Latin hypercube over the ranges in :data:`PARAMETERS` (McKay
et al. 1979; scipy's ``qmc.LatinHypercube``, seeded), then Nelder-Mead (scipy.optimize) from the
best point, in the unit cube of the ranges. The budget counts evaluations of the objective: half go to the
hypercube, the rest to Nelder-Mead.

Leave-one-case-out (:func:`leave_one_out`): for each case, the weights are fitted on the other
cases only and the held-out case is predicted with them. The hypercube is evaluated once, case
by case, and each fold picks its best point by its own cases' mean; Nelder-Mead then runs per
fold. Folds run in parallel on a process pool (``spawn``, as ``sim/batch/executors.py`` does).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize
from scipy.stats import qmc

from analysis.cases import Case
from analysis.validation import backtest
from sim.batch.outputs import write_atomic

#: The weights fitted and their ranges (see sim.format.scenario.Behaviour for their meaning). Chosen
#: because they set the level (baseline), the weight of views (policy), of peers (social), the
#: quiet option of a vote (abstain_bias), blocking (objection_cost), randomness (noise) and how
#: many members engage with a declaration open for endorsement (endorsement_turnout).
PARAMETERS: dict[str, tuple[float, float]] = {
    "baseline": (-2.0, 2.0),
    "policy": (0.0, 12.0),
    "social": (0.0, 2.0),
    "abstain_bias": (-2.0, 1.0),
    "objection_cost": (0.0, 4.0),
    "noise": (0.1, 1.5),
    "endorsement_turnout": (0.1, 1.0),
}
NAMES = tuple(PARAMETERS)
LOW = np.array([PARAMETERS[k][0] for k in NAMES])
HIGH = np.array([PARAMETERS[k][1] for k in NAMES])


@dataclass
class Calibration:
    """A fitted set of weights.

    Attributes:
        behaviour: the fitted weights (a ``behaviour:`` mapping).
        brier: the objective at those weights (mean Brier over the cases fitted to).
        evaluations: how many times the objective was evaluated.
        cases: ids of the cases fitted to.
    """

    behaviour: dict[str, float]
    brier: float
    evaluations: int
    cases: list[str]


def behaviour_at(unit: np.ndarray) -> dict[str, float]:
    """The weights at a point of the unit cube (clipped into it).

    Example:
        >>> behaviour_at(np.full(len(NAMES), 0.5))["policy"]
        6.0
    """
    x = LOW + np.clip(unit, 0.0, 1.0) * (HIGH - LOW)
    return {k: round(float(v), 6) for k, v in zip(NAMES, x, strict=True)}


def case_briers(cases: list[Case], unit: np.ndarray, runs: int) -> np.ndarray:
    """The model's Brier score on each case with the weights at ``unit``."""
    results = backtest(cases, behaviour_at(unit), runs, with_baselines=False)
    return np.array([r.scores["model"].brier for r in results])


def hypercube(n: int, seed: int) -> np.ndarray:
    """``n`` seeded Latin-hypercube points in the unit cube of :data:`PARAMETERS`."""
    return qmc.LatinHypercube(d=len(NAMES), seed=seed).random(n)


def default_unit() -> np.ndarray:
    """The default weights (``sim.format.scenario.Behaviour``) as a point of the unit cube.

    Example:
        >>> behaviour_at(default_unit())["policy"]
        6.0
    """
    from sim.format.scenario import Behaviour

    b = Behaviour()
    x = np.array([getattr(b, k) for k in NAMES], dtype=float)
    return np.clip((x - LOW) / (HIGH - LOW), 0.0, 1.0)


def screening_points(n: int, seed: int) -> np.ndarray:
    """The points screened before Nelder-Mead: the default weights, then ``n - 1`` hypercube
    points (so a fit never starts from a point worse, on its own cases, than the defaults)."""
    return np.vstack([default_unit(), hypercube(n - 1, seed)])


def refine(cases: list[Case], start: np.ndarray, runs: int, maxfev: int) -> tuple[np.ndarray, float, int]:
    """Nelder-Mead from ``start`` on the mean Brier over ``cases``; returns (point, value, evaluations)."""
    if maxfev <= 0:
        return start, float(np.mean(case_briers(cases, start, runs))), 1
    simplex = np.vstack([start] + [np.clip(start + 0.15 * e * (1 if start[k] < 0.5 else -1), 0, 1)
                                   for k, e in enumerate(np.eye(len(start)))])
    res = minimize(lambda u: float(np.mean(case_briers(cases, u, runs))), start, method="Nelder-Mead",
                   bounds=[(0.0, 1.0)] * len(start),
                   options={"maxfev": maxfev, "initial_simplex": simplex, "xatol": 1e-3, "fatol": 1e-4})
    return np.clip(res.x, 0, 1), float(res.fun), int(res.nfev)


def _grid_task(args: tuple[list[Case], np.ndarray, int]) -> np.ndarray:
    cases, unit, runs = args
    return case_briers(cases, unit, runs)


def _fold_task(args: tuple[list[Case], np.ndarray, int, int]) -> tuple[np.ndarray, float, int]:
    cases, start, runs, maxfev = args
    return refine(cases, start, runs, maxfev)


def _workers(workers: int | None) -> int:
    if workers:
        return workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def pool_map(fn: Callable, items: list, workers: int, advance: Callable[[], None] | None = None) -> list:
    """``[fn(x) for x in items]``, on a spawn process pool when ``workers > 1``, in order."""
    out: list = []
    if workers <= 1 or len(items) <= 1:
        for item in items:
            out.append(fn(item))
            if advance:
                advance()
        return out
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
        for value in pool.map(fn, items):
            out.append(value)
            if advance:
                advance()
    return out


def _screen(cases: list[Case], runs: int, points: int, seed: int, workers: int,
            advance: Callable[[], None] | None) -> tuple[np.ndarray, np.ndarray]:
    grid = screening_points(points, seed)
    briers = np.vstack(pool_map(_grid_task, [(cases, u, runs) for u in grid], workers, advance))
    return grid, briers


def calibrate(cases: list[Case], runs: int = 8, budget: int = 60, seed: int = 0,
              workers: int | None = None, advance: Callable[[], None] | None = None) -> Calibration:
    """Fit :data:`PARAMETERS` to ``cases`` by minimising the mean Brier score.

    Args:
        cases: the cases to fit to.
        runs: seeds per case and evaluation (the same seeds every time).
        budget: evaluations of the objective (half hypercube, half Nelder-Mead).
        seed: the hypercube's seed.
        workers: processes for the hypercube (default: the CPUs available).
        advance: called after each hypercube point and once at the end (progress bars).
    """
    points = max(len(NAMES) + 1, budget // 2)
    grid, briers = _screen(cases, runs, points, seed, _workers(workers), advance)
    best = int(np.argmin(briers.mean(axis=1)))
    unit, value, nfev = refine(cases, grid[best], runs, budget - points)
    if advance:
        advance()
    return Calibration(behaviour_at(unit), value, points + nfev, [c.id for c in cases])


def leave_one_out(cases: list[Case], runs: int = 8, budget: int = 40, seed: int = 0,
                  workers: int | None = None, advance: Callable[[], None] | None = None
                  ) -> tuple[Calibration, dict[str, Calibration]]:
    """Fit on all cases (in-sample) and, for each case, on all the others (its fold).

    Returns:
        (the in-sample calibration, case id -> the calibration that never saw that case).
    """
    workers = _workers(workers)
    points = max(len(NAMES) + 1, budget // 2)
    grid, briers = _screen(cases, runs, points, seed, workers, advance)
    folds: list[list[int]] = [list(range(len(cases)))] + [
        [j for j in range(len(cases)) if j != k] for k in range(len(cases))]
    starts = [grid[int(np.argmin(briers[:, f].mean(axis=1)))] for f in folds]
    tasks = [([cases[j] for j in f], s, runs, budget - points) for f, s in zip(folds, starts, strict=True)]
    fitted = pool_map(_fold_task, tasks, workers, advance)
    calibrations = [Calibration(behaviour_at(u), v, points + n, [cases[j].id for j in f])
                    for (u, v, n), f in zip(fitted, folds, strict=True)]
    return calibrations[0], {c.id: cal for c, cal in zip(cases, calibrations[1:], strict=True)}


def write_calibration(calibration: Calibration, path: str | Path, source: str = "") -> Path:
    """Write the fitted weights as a YAML that scenarios can ``extends:``.

    Example (a scenario then starts with ``extends: calibrated.yaml``)::

        behaviour:
          baseline: 0.31
          ...
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [
        "# Behaviour weights fitted by `plenary calibrate` (analysis/calibration.py): mean Brier",
        f"# score {calibration.brier:.4f} over {len(calibration.cases)} cases"
        + (f" of {source}" if source else "") + f", {calibration.evaluations} evaluations.",
        f"# Cases: {', '.join(calibration.cases)}",
        "# Use it from a scenario with `extends: <this file>`; the scenario's own behaviour wins.",
    ]
    body = yaml.safe_dump({"behaviour": calibration.behaviour}, sort_keys=False)
    write_atomic(path, "\n".join(header) + "\n" + body)
    return path
