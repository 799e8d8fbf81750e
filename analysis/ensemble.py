"""Ensembles of a sweep's runs: bands of endorsements over rounds, and adoption heatmaps.

The bands are the median and the 5-95% range, round by round, of every run's endorsements in each
forum (the ``<forum>.endorsements_by_round`` outcome). The heatmap is the share of runs in which a
forum adopted its text (or, where every run adopts or none does, reached a number of endorsements),
over the sweep file's first two parameters (continuous ones cut into equal-width bins).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.discovery import Target, forum_target
from analysis.palette import category_colour
from sim.batch.outputs import save_figure, write_atomic
from sim.batch.sweep import SweepSpec

SERIES = ".endorsements_by_round"
BINS = 6


def bands(runs: pd.DataFrame) -> pd.DataFrame:
    """Per forum and round: the 5th percentile, median and 95th percentile of endorsements.

    Example:
        >>> runs = pd.DataFrame({"f.endorsements_by_round": [[0, 1], [0, 3], [0, 2]]})
        >>> bands(runs)[["forum", "round", "median"]].to_dict("records")
        [{'forum': 'f', 'round': 0, 'median': 0.0}, {'forum': 'f', 'round': 1, 'median': 2.0}]
    """
    frames = []
    for column in [c for c in runs.columns if c.endswith(SERIES)]:
        length = max(len(v) for v in runs[column])  # rounds may be a swept parameter
        series = np.full((len(runs), length), np.nan)
        for i, v in enumerate(runs[column]):
            series[i, :len(v)] = v
        p05, median, p95 = np.nanpercentile(series, [5, 50, 95], axis=0)
        frames.append(pd.DataFrame({"forum": column.removesuffix(SERIES),
                                    "round": np.arange(series.shape[1]),
                                    "p05": p05, "median": median, "p95": p95}))
    if not frames:
        return pd.DataFrame(columns=["forum", "round", "p05", "median", "p95"])
    return pd.concat(frames, ignore_index=True)


def write_bands(runs: pd.DataFrame, folder: Path) -> list[Path]:
    """``bands.csv`` and ``bands.png``; nothing when the sweep kept no per-round series."""
    table = bands(runs)
    if table.empty:
        return []
    csv = folder / "bands.csv"
    write_atomic(csv, table.to_csv(None, index=False, float_format="%.6g", lineterminator="\n"))
    fig = Figure(figsize=(10, 4.8), layout="constrained")
    ax = fig.add_subplot()
    for k, (forum, rows) in enumerate(table.groupby("forum", sort=False)):
        ax.fill_between(rows["round"], rows["p05"], rows["p95"], color=category_colour(k), alpha=0.25,
                        lw=0)
        ax.plot(rows["round"], rows["median"], color=category_colour(k), lw=2, label=forum)
    ax.set_xlabel("round")
    ax.set_ylabel("states endorsing")
    ax.set_title(f"endorsements over rounds: median and 5-95% of {len(runs)} runs")
    ax.legend()
    png = folder / "bands.png"
    save_figure(fig, png, dpi=110)
    return [csv, png]


def adoption_grid(runs: pd.DataFrame, target: Target, x: str, y: str) -> pd.DataFrame:
    """Per cell of parameters ``x`` and ``y``: the share of runs that hit ``target`` (adopted, or
    reached its endorsements), the share adopted and the mean endorsements.

    A parameter with at most ``BINS`` distinct values keeps them; others are cut into ``BINS``
    equal-width bins, labelled by their midpoints (to the bin width's first digit and one more).
    """
    forum = target.forum
    frame = pd.DataFrame({"x": _binned(runs[x]), "y": _binned(runs[y]), "share": target.hit.astype(float),
                          "adoption": runs[f"{forum}.adopted"].astype(float)})
    if f"{forum}.endorsements" in runs:
        frame["endorsements"] = runs[f"{forum}.endorsements"].astype(float)
    cells = frame.groupby(["x", "y"], observed=True).agg(
        share=("share", "mean"), adoption=("adoption", "mean"), runs=("share", "size"),
        **({"endorsements": ("endorsements", "mean")} if "endorsements" in frame else {})).reset_index()
    cells = cells.rename(columns={"x": x, "y": y})
    cells.insert(0, "forum", forum)
    cells.insert(1, "outcome", target.label)
    return cells


def _binned(values: pd.Series) -> pd.Series:
    if values.nunique() <= BINS or not pd.api.types.is_numeric_dtype(values):
        return values
    edges = np.linspace(values.min(), values.max(), BINS + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    digits = max(0, 1 - int(np.floor(np.log10(edges[1] - edges[0]))))
    return pd.cut(values, edges, labels=np.round(mids, digits), include_lowest=True).astype(float)


def _tick(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def write_heatmap(spec: SweepSpec, runs: pd.DataFrame, folder: Path,
                  threshold: float | None = None) -> list[Path]:
    """``adoption_heatmap.csv`` and ``.png`` over the sweep file's first two parameters, a panel
    per forum: the share of runs adopting, or where adoption does not vary (every run adopts, or
    none), the share reaching the endorsements of :func:`analysis.discovery.forum_target`."""
    names = list(spec.parameters)  # in the sweep file's order
    forums = [c.removesuffix(".adopted") for c in runs.columns if c.endswith(".adopted")]
    if len(names) < 2 or not forums:
        return []
    x, y = names[:2]
    targets = [forum_target(runs, f, threshold) for f in forums]
    table = pd.concat([adoption_grid(runs, target, x, y) for target in targets], ignore_index=True)
    csv = folder / "adoption_heatmap.csv"
    write_atomic(csv, table.to_csv(None, index=False, float_format="%.6g", lineterminator="\n"))
    fig = Figure(figsize=(4.4 * len(forums), 4.2), layout="constrained")
    for k, target in enumerate(targets):
        ax = fig.add_subplot(1, len(forums), k + 1)
        grid = table[table["forum"] == target.forum].pivot(index=y, columns=x, values="share")
        image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", vmin=0, vmax=1,
                          cmap="viridis", aspect="auto")
        ax.set_xticks(range(grid.shape[1]), [_tick(v) for v in grid.columns], fontsize=8, rotation=45)
        ax.set_yticks(range(grid.shape[0]), [_tick(v) for v in grid.index], fontsize=8)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(f"{target.forum}\n{target.label}", fontsize=10)
    fig.colorbar(image, ax=fig.axes, label="share of runs (adopted, or reaching the endorsements)")
    png = folder / "adoption_heatmap.png"
    save_figure(fig, png, dpi=110)
    return [csv, png]
