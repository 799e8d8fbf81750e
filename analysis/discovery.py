"""Scenario discovery: under which parameter boxes is a forum's text adopted?

Uses the Patient Rule Induction Method (Friedman and Fisher 1999) as implemented by the EMA
Workbench (Kwakkel 2017): PRIM peels the parameter space down to a box where adoption is dense.
For each forum whose adoption varies across the sweep, the box reported is the one on PRIM's
peeling trajectory that keeps the most adopting runs (coverage) while at least ``THRESHOLD`` of
the runs inside it adopt (density). Only the parameters the box restricts are listed.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.outputs import write_atomic
from sim.sweep import SweepSpec

THRESHOLD = 0.8


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


def write_prim(spec: SweepSpec, runs: pd.DataFrame, folder: Path) -> list[Path]:
    """``prim.csv`` (a box per forum whose adoption varies) and ``prim.txt`` in plain words."""
    names = [n for n in spec.parameters if pd.api.types.is_numeric_dtype(runs[n])]
    forums = [c.removesuffix(".adopted") for c in runs.columns if c.endswith(".adopted")]
    if not names or not forums:
        return []
    frames, lines = [], [f"PRIM scenario discovery over {len(runs)} runs of {spec.name}: "
                         f"boxes where at least {THRESHOLD:.0%} of runs adopt"]
    for forum in forums:
        adopted = runs[f"{forum}.adopted"].to_numpy(dtype=bool)
        share = adopted.mean()
        if share in (0.0, 1.0):
            lines.append(f"\n{forum}: {'always' if share else 'never'} adopted; nothing to discover")
            continue
        box = prim_box(runs[names], adopted)
        if box.empty:
            lines.append(f"\n{forum}: adopted in {share:.1%} of runs; no box reaches {THRESHOLD:.0%}")
            continue
        box.insert(0, "forum", forum)
        frames.append(box)
        first = box.iloc[0]
        lines.append(f"\n{forum}: adopted in {share:.1%} of runs; inside the box {first['density']:.0%} "
                     f"adopt, and the box holds {first['coverage']:.0%} of all adopting runs "
                     f"({first['mass']:.0%} of runs)")
        lines += [f"  {r.parameter:<28} {r.low:>10.4g} .. {r.high:<10.4g}" for r in box.itertuples()]
        if all(box["parameter"].isna()):
            lines.append("  (no parameter restricted)")
    csv = folder / "prim.csv"
    columns = ["forum", "parameter", "low", "high", "coverage", "density", "mass", "runs"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    write_atomic(csv, table.to_csv(None, index=False, float_format="%.6g", lineterminator="\n"))
    txt = folder / "prim.txt"
    write_atomic(txt, "\n".join(lines) + "\n")
    return [csv, txt]
