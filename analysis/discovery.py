"""Scenario discovery: under which parameter boxes is a forum's text adopted?

Uses the Patient Rule Induction Method (Friedman and Fisher 1999) as implemented by the EMA
Workbench (Kwakkel 2017): PRIM peels the parameter space down to a box where adoption is dense.
For each forum whose adoption varies across the sweep, the box reported is the one on PRIM's
peeling trajectory that keeps the most adopting runs (coverage) while at least ``THRESHOLD`` of
the runs inside it adopt (density). Only the parameters the box restricts are listed.

Where adoption does not vary (every run adopts, or none), what varies is how many endorse: the
runs looked for are then those whose endorsements reach a threshold (:func:`forum_target`; the
median, or ``plenary analyze --threshold N``), for PRIM and the heatmap alike.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.outputs import write_atomic
from sim.batch.sweep import SweepSpec

THRESHOLD = 0.8


@dataclass(frozen=True)
class Target:
    """The runs scenario discovery looks for in one forum: ``hit`` per run, and in words."""

    forum: str
    label: str  # "adopted" or "endorsements >= N"
    hit: np.ndarray  # booleans, a run each
    threshold: float | None = None  # the endorsements needed, for a continuous outcome


def forum_target(runs: pd.DataFrame, forum: str, threshold: float | None = None) -> Target:
    """Adoption where it varies across the runs; else endorsements at least ``threshold``.

    Without a threshold, the one taken is the median of the runs' endorsements (or the
    nearest value that splits them: at least one run on each side).

    Example:
        >>> runs = pd.DataFrame({"f.adopted": [True] * 4, "f.endorsements": [50, 60, 61, 70]})
        >>> target = forum_target(runs, "f")
        >>> target.label, target.hit.tolist()
        ('endorsements >= 61', [False, False, True, True])
    """
    adopted = runs[f"{forum}.adopted"].to_numpy(dtype=bool)
    column = f"{forum}.endorsements"
    if threshold is None and (0 < adopted.mean() < 1 or column not in runs):
        return Target(forum, "adopted", adopted)
    if column not in runs:
        return Target(forum, "adopted", adopted)
    values = runs[column].to_numpy(dtype=float)
    if threshold is None:
        above = np.unique(values)[1:]  # a threshold at the least value would take every run
        if not len(above):
            return Target(forum, "adopted", adopted)
        shares = np.array([(values >= v).mean() for v in above])
        threshold = float(above[np.argmin(np.abs(shares - 0.5))])
    return Target(forum, f"endorsements >= {threshold:g}", values >= threshold, threshold)


def prim_box(x: pd.DataFrame, adopted: np.ndarray, threshold: float = THRESHOLD) -> pd.DataFrame:
    """The PRIM box of the runs that adopt: one row per restricted parameter.

    Args:
        x: the swept parameters, a row per run (numeric columns).
        adopted: whether each run adopted (booleans).
        threshold: the least share of adopting runs inside the box.

    Returns:
        Columns ``parameter``, ``low``, ``high``, ``coverage``, ``density``, ``mass``, ``runs``;
        empty when no box reaches the threshold.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench warns that optional parallel backends are absent
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.ERROR)
    logging.getLogger("EMA.ema_workbench.analysis.prim").setLevel(logging.ERROR)
    columns = ["parameter", "low", "high", "coverage", "density", "mass", "runs"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x.reset_index(drop=True), adopted.astype(int), threshold=threshold).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= threshold]
    if dense.empty:
        return pd.DataFrame(columns=columns)
    best = int(dense.sort_values(["coverage", "mass"], ascending=False, kind="stable").index[0])
    stats = trajectory.loc[best]
    lims, full = box.box_lims[best], box.box_lims[0]
    rows = [{"parameter": name, "low": lims[name][0], "high": lims[name][1],
             "coverage": stats["coverage"], "density": stats["density"], "mass": stats["mass"],
             "runs": int(stats["n"])}
            for name in x.columns if (lims[name] != full[name]).any()]
    return pd.DataFrame(rows, columns=columns)


def write_prim(spec: SweepSpec, runs: pd.DataFrame, folder: Path,
               threshold: float | None = None) -> list[Path]:
    """``prim.csv`` (a box per forum whose adoption, or else endorsements, vary) and ``prim.txt``
    in plain words. ``threshold``: the endorsements looked for (default: adoption, or the median
    endorsements where every run adopts or none does)."""
    names = [n for n in spec.parameters if pd.api.types.is_numeric_dtype(runs[n])]
    forums = [c.removesuffix(".adopted") for c in runs.columns if c.endswith(".adopted")]
    if not names or not forums:
        return []
    frames, lines = [], [f"PRIM scenario discovery over {len(runs)} runs of {spec.name}: "
                         f"boxes where at least {THRESHOLD:.0%} of runs adopt (or, where adoption "
                         "does not vary, reach the endorsements named)"]
    for forum in forums:
        target = forum_target(runs, forum, threshold)
        share = target.hit.mean()
        what = "adopt" if target.threshold is None else f"reach {target.label}"
        if share in (0.0, 1.0):
            verb = "adopts" if target.threshold is None else f"reaches {target.label}"
            lines.append(f"\n{forum}: {'every' if share else 'no'} run {verb}; nothing to discover")
            continue
        saturated = "" if target.threshold is None else (
            f"{'every' if runs[f'{forum}.adopted'].all() else 'no'} run adopts, so: ")
        box = prim_box(runs[names], target.hit)
        if box.empty:
            lines.append(f"\n{forum}: {saturated}{share:.1%} of runs {what}; no box reaches "
                         f"{THRESHOLD:.0%}")
            continue
        box.insert(0, "forum", forum)
        box.insert(1, "outcome", target.label)
        frames.append(box)
        first = box.iloc[0]
        lines.append(f"\n{forum}: {saturated}{share:.1%} of runs {what}; inside the box "
                     f"{first['density']:.0%} do, and the box holds {first['coverage']:.0%} of all "
                     f"such runs ({first['mass']:.0%} of runs)")
        lines += [f"  {r.parameter:<28} {r.low:>10.4g} .. {r.high:<10.4g}" for r in box.itertuples()]
        if all(box["parameter"].isna()):
            lines.append("  (no parameter restricted)")
    csv = folder / "prim.csv"
    columns = ["forum", "outcome", "parameter", "low", "high", "coverage", "density", "mass", "runs"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    write_atomic(csv, table.to_csv(None, index=False, float_format="%.6g", lineterminator="\n"))
    txt = folder / "prim.txt"
    write_atomic(txt, "\n".join(lines) + "\n")
    return [csv, txt]
