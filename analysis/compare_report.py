"""Showing a strategy comparison: rich tables on the terminal, ``compare.csv``, ``compare.json``,
``power.csv``, ``court.csv`` and ``compare.png`` (strategies side by side, one panel per forum).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from rich.console import Console
from rich.table import Table

from analysis.compare import Comparison
from analysis.palette import category_colour
from analysis.terminal import name_column, print_table
from sim.batch.outputs import save_figure, write_atomic

DIGITS = 6


def print_comparison(c: Comparison, console: Console, top: int = 5) -> None:
    """The comparison table, the states that move most, pivotal states and whom to court."""
    seeds = f"seeds {int(c.seeds[0])}..{int(c.seeds[-1])}" if len(c.seeds) else "no seeds"
    table = Table(title=f"{c.scenario.name}: {len(c.seeds)} runs per strategy, {seeds} "
                        f"(paired differences to {c.strategies[0].name})")
    name_column(table, "forum", c.table["forum"])
    name_column(table, "strategy", c.table["strategy"])
    for column in ("endorsements [95% CI]", "P(adopt) [95% CI]", "Δ endorsements [95% CI]",
                   "Δ P(adopt) [95% CI]"):
        table.add_column(column, justify="right")
    first = c.strategies[0].name
    previous = None
    for row in c.table.to_dict("records"):
        if previous is not None and row["forum"] != previous:
            table.add_section()
        reference = row["strategy"] == first
        table.add_row(row["forum"] if row["forum"] != previous else "", row["strategy"],
                      _ci(row, "endorsements", 1), _ci(row, "adoption", 2),
                      "(reference)" if reference else _ci(row, "diff_endorsements", 1, sign=True),
                      "(reference)" if reference else _ci(row, "diff_adoption", 2, sign=True))
        previous = row["forum"]
    print_table(table, console)

    movers = Table(title="states whose stance differs most between strategies (share of runs endorsing)")
    name_column(movers, "forum", c.movers)
    movers.add_column("states")
    for forum, frame in c.movers.items():
        shown = "; ".join(
            f"{r['iso3']} " + "/".join(f"{r[s.name]:.2f}" for s in c.strategies)
            for r in frame.head(top).to_dict("records"))
        movers.add_row(forum, shown or "no state differs")
    console.print(movers)
    console.print("  (shares in strategy order: " + " / ".join(s.name for s in c.strategies) + ")",
                  highlight=False)

    power = Table(title=f"pivotal states under {first}: share of runs in which a state's switch "
                        "alone flips the outcome; a priori indices of the rule")
    for column in ("forum", "most often pivotal", "Shapley-Shubik (top)", "Banzhaf (top)", "method"):
        power.add_column(column)
    for forum, frame in c.power.groupby("forum", sort=False):
        pivotal = frame.sort_values([f"pivotal:{first}", "iso3"], ascending=[False, True])
        pivotal = pivotal[pivotal[f"pivotal:{first}"] > 0].head(top)
        power.add_row(forum,
                      ", ".join(f"{r['iso3']} {r[f'pivotal:{first}']:.2f}"
                                for r in pivotal.to_dict("records"))
                      or "none in any run",
                      _top(frame, "shapley_shubik", top), _top(frame, "banzhaf", top),
                      str(frame["method"].iloc[0]))
    console.print(power)

    if not c.court.empty:
        court = Table(title=f"whom to court (under {first}): change in P(adopt) if the state endorsed")
        for column in ("forum", "state", "endorsed in", "blocked in", "Δ P(adopt) [95% CI]",
                       "Δ endorsements"):
            court.add_column(column, justify="left" if column in ("forum", "state") else "right")
        for row in c.court.to_dict("records"):
            court.add_row(row["forum"], row["iso3"], f"{row['endorse_share']:.0%} of runs",
                          f"{row['block_share']:.0%}",
                          _ci(row, "diff_adoption", 2, sign=True), f"{row['diff_endorsements']:+.1f}")
        console.print(court)


def _ci(row: dict[str, Any], key: str, digits: int, sign: bool = False) -> str:
    fmt = f"{{:{'+' if sign else ''}.{digits}f}}"
    value, lo, hi = row[key], row[f"{key}_lo"], row[f"{key}_hi"]
    if math.isnan(lo):
        return fmt.format(value)
    return f"{fmt.format(value)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def _top(frame, column: str, top: int) -> str:
    values = frame[column].to_numpy()
    if np.allclose(values, values[0]):
        return f"all {values[0]:.4f}"
    best = frame.sort_values([column, "iso3"], ascending=[False, True]).head(top)
    return ", ".join(f"{r.iso3} {getattr(r, column):.3f}" for r in best.itertuples())


def write_comparison(c: Comparison, out: str | Path) -> list[Path]:
    """Write ``compare.csv``, ``compare.json``, ``power.csv``, ``court.csv`` (when computed) and
    ``compare.png`` into ``out``; returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "compare.csv"
    write_atomic(path, c.table.round(DIGITS).to_csv(None, index=False, lineterminator="\n"))
    written.append(path)
    path = out / "compare.json"
    write_atomic(path, json.dumps(_as_json(c), indent=2, ensure_ascii=False) + "\n")
    written.append(path)
    path = out / "power.csv"
    write_atomic(path, c.power.round(DIGITS).to_csv(None, index=False, lineterminator="\n"))
    written.append(path)
    if not c.court.empty:
        path = out / "court.csv"
        write_atomic(path, c.court.round(DIGITS).to_csv(None, index=False, lineterminator="\n"))
        written.append(path)
    written.append(plot_comparison(c, out / "compare.png"))
    return written


def _as_json(c: Comparison) -> dict[str, Any]:
    def num(v: float) -> float | None:
        return None if v is None or math.isnan(v) else round(float(v), DIGITS)

    def interval(row: dict[str, Any], key: str) -> dict[str, Any]:
        return {"mean": num(row[key]), "ci95": [num(row[f"{key}_lo"]), num(row[f"{key}_hi"])]}

    forums = []
    for f in c.forums:
        rows = [r for r in c.table.to_dict("records") if r["forum"] == f.id]
        power = c.power[c.power["forum"] == f.id]
        forums.append({
            "id": f.id, "rule": f.rule.name, "members": len(f.members),
            "strategies": [{"name": r["strategy"], "runs": r["runs"],
                            "endorsements": interval(r, "endorsements"),
                            "adoption": interval(r, "adoption"),
                            "diff_endorsements": interval(r, "diff_endorsements"),
                            "diff_adoption": interval(r, "diff_adoption")} for r in rows],
            "stance_movers": [{k: (num(v) if isinstance(v, float) else v) for k, v in m.items()}
                              for m in c.movers[f.id].to_dict("records")],
            "power_method": str(power["method"].iloc[0]) if len(power) else None,
            "pivotal": [{"iso3": r["iso3"], "shapley_shubik": num(r["shapley_shubik"]),
                         "banzhaf": num(r["banzhaf"]),
                         "pivotal_share": {s.name: num(r[f"pivotal:{s.name}"]) for s in c.strategies}}
                        for r in power.sort_values([f"pivotal:{c.strategies[0].name}", "iso3"],
                                                   ascending=[False, True]).head(10).to_dict("records")],
            "whom_to_court": [{k: (num(v) if isinstance(v, float) else v) for k, v in r.items()
                               if k != "forum"}
                              for r in (c.court[c.court["forum"] == f.id].to_dict("records")
                                        if not c.court.empty else [])],
        })
    return {
        "scenario": c.scenario.name,
        "runs": len(c.seeds),
        "seeds": [int(c.seeds[0]), int(c.seeds[-1])] if len(c.seeds) else [],
        "strategies": [{"name": s.name, "description": s.spec.description.strip(),
                        "file": str(s.path) if s.path else None} for s in c.strategies],
        "forums": forums,
    }


def comparison_figure(c: Comparison) -> Figure:
    """The figure :func:`plot_comparison` saves: a column per forum; on top each strategy's mean
    endorsements (bars, 95% CI) and probability of adoption (diamonds, Wilson 95% CI); beneath,
    the table's point, the paired differences to the first strategy with their 95% intervals
    (endorsements, then P(adopt)), zero marked."""
    n = len(c.forums)
    fig = Figure(figsize=(4.4 * n + 1, 9.4), layout="constrained")
    axes = fig.subplots(3, n, squeeze=False, gridspec_kw={"height_ratios": [1.3, 1, 1]})
    first = c.strategies[0].name
    colour_of = {s.name: category_colour(k) for k, s in enumerate(c.strategies)}
    for col, f in enumerate(c.forums):
        ax = axes[0, col]
        rows = c.table[c.table["forum"] == f.id]
        x = np.arange(len(rows))
        mean = rows["endorsements"].to_numpy()
        err = np.vstack([mean - rows["endorsements_lo"].to_numpy(),
                         rows["endorsements_hi"].to_numpy() - mean])
        ax.bar(x, mean, yerr=np.nan_to_num(err), capsize=4,
               color=[colour_of[s] for s in rows["strategy"]], alpha=0.85)
        ax.axhline(len(f.members), color="grey", lw=0.8, ls=":")
        ax.set_ylim(0, len(f.members) * 1.05)
        ax.set_xticks(x, rows["strategy"].tolist(), rotation=20, ha="right")
        ax.set_title(f"{f.id} ({f.rule.name})", fontsize=10)
        ax.set_ylabel("endorsements (mean, 95% CI)")
        twin = ax.twinx()
        p = rows["adoption"].to_numpy()
        perr = np.vstack([p - rows["adoption_lo"].to_numpy(), rows["adoption_hi"].to_numpy() - p])
        twin.errorbar(x, p, yerr=np.nan_to_num(perr), fmt="D", color="black", capsize=4, ms=5)
        twin.set_ylim(0, 1.05)
        twin.set_ylabel("P(adopt) (Wilson 95% CI)")
        others = rows[rows["strategy"] != first]
        for row, (key, label, digits) in enumerate((
                ("diff_endorsements", "Δ endorsements", 1), ("diff_adoption", "Δ P(adopt)", 2)), 1):
            ax = axes[row, col]
            y = np.arange(len(others))[::-1]
            d = others[key].to_numpy(dtype=float)
            lo = others[f"{key}_lo"].to_numpy(dtype=float)
            hi = others[f"{key}_hi"].to_numpy(dtype=float)
            for yk, dk, lk, hk, name in zip(y, d, lo, hi, others["strategy"], strict=True):
                xerr = None if np.isnan(lk) else [[dk - lk], [hk - dk]]
                ax.errorbar([dk], [yk], xerr=xerr, fmt="o", color=colour_of[name], capsize=4, ms=6)
                interval = "" if np.isnan(lk) else f" [{lk:+.{digits}f}, {hk:+.{digits}f}]"
                ax.annotate(f"{dk:+.{digits}f}{interval}", (dk, yk), xytext=(0, 7),
                            textcoords="offset points", ha="center", fontsize=8,
                            bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 0.5})
            ax.axvline(0.0, color="black", lw=0.8)
            ax.set_yticks(y, others["strategy"].tolist())
            ax.set_ylim(-0.7, len(others) - 0.3)
            reach = np.nanmax(np.abs(np.concatenate([d, lo, hi, [0.0]])))
            reach = max(reach * 1.35, 0.5 if key == "diff_endorsements" else 0.05)
            ax.set_xlim(-reach, reach)  # zero in the middle: which side a difference falls on
            ax.ticklabel_format(axis="x", useOffset=False, style="plain")
            ax.set_xlabel(f"{label} to {first} (paired, 95% CI)", fontsize=9)
            ax.grid(axis="x", alpha=0.3)
            if not len(others):
                ax.text(0.5, 0.5, "one strategy: no differences", ha="center", va="center",
                        transform=ax.transAxes, fontsize=9)
    fig.suptitle(f"{c.scenario.name}: strategies on common random numbers ({len(c.seeds)} runs "
                 f"each); beneath, paired differences to {first}")
    return fig


def plot_comparison(c: Comparison, path: str | Path) -> Path:
    """Write :func:`comparison_figure` to ``path``."""
    save_figure(comparison_figure(c), path, dpi=110)
    return Path(path)
