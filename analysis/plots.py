"""Plots of one run: endorsements over rounds and the state network coloured by final stance.

Uses matplotlib's non-interactive Agg backend through the object API, so nothing here needs a
display and importing it changes no global state.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.run import RunResult
from sim.stance import Stance

STANCE_COLOURS = {
    Stance.ENDORSE: "#2a9d8f",
    Stance.OPPOSE: "#e76f51",
    Stance.OBJECT: "#9b2226",
    Stance.ABSTAIN: "#e9c46a",
    Stance.UNDECIDED: "#bfc5cc",
}


def plot_endorsements(result: RunResult, path: str | Path) -> Path:
    """Endorsements per round, a line per forum, with the rule's threshold dashed and objections
    (which block a consensus) dotted.

    Returns:
        The path written.
    """
    df = result.timeseries
    fig = Figure(figsize=(10, 4.8), layout="constrained")
    ax = fig.add_subplot()
    palette = [f"C{i}" for i in range(10)]
    for k, (forum_id, rows) in enumerate(df.groupby("forum", sort=False)):
        colour = palette[k % len(palette)]
        live = rows[rows["status"].isin(["open", "decided"])]
        ax.plot(live["round"], live["endorse"], color=colour, lw=2, label=f"{forum_id}")
        if live["needed"].notna().any():
            ax.plot(live["round"], live["needed"], color=colour, lw=1, ls="--")
        if live["object"].any():
            ax.plot(live["round"], live["object"], color=colour, lw=1, ls=":")
        decided = rows[rows["status"] == "decided"]
        for _, row in decided.iterrows():
            forum = next(f for f in result.summary["forums"] if f["id"] == forum_id)
            mark = "o" if forum["adopted"] else "x"
            ax.plot(row["round"], row["endorse"], marker=mark, ms=9, color=colour, mew=2,
                    fillstyle="none")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    ax.set_ylabel("states endorsing")
    ax.set_title(f"{result.summary['scenario']} (seed {result.summary['seed']})")
    handles, labels = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color="grey", ls="--", label="needed to adopt"),
        Line2D([], [], color="grey", ls=":", label="objections (block consensus)"),
        Line2D([], [], color="grey", marker="o", ls="", fillstyle="none", label="adopted"),
        Line2D([], [], color="grey", marker="x", ls="", label="not adopted"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              frameon=False)
    ax.grid(alpha=0.3)
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def plot_network(result: RunResult, path: str | Path, forum_id: str | None = None) -> Path:
    """The tie network, nodes coloured by final stance in one forum (default: the last decided),
    sized by capability; only the strongest ties are drawn so the picture stays readable."""
    model = result.model
    forum = model.forum(forum_id) if forum_id else _last_decided(model)
    graph = model.world.graph()
    pos = nx.spring_layout(graph, seed=model.seed, weight="weight", k=1.5 / np.sqrt(max(model.n, 1)))
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    ax = fig.add_subplot()
    edges = sorted(graph.edges(data="weight"), key=lambda e: (-e[2], e[0], e[1]))
    strong = edges[: min(len(edges), 6 * model.n)]
    if strong:
        top = max(w for _, _, w in strong)
        for a, b, w in strong:
            ax.plot([pos[a][0], pos[b][0]], [pos[a][1], pos[b][1]], color="#8d99ae", lw=0.4,
                    alpha=0.15 + 0.35 * w / top, zorder=1)
    stances = forum.stances
    xy = np.array([pos[c] for c in model.world.iso3]) if model.n else np.zeros((0, 2))
    colours = [STANCE_COLOURS[Stance(int(stances[i]))] for i in range(model.n)]
    sizes = 30 + 170 * model.capability_share
    ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=sizes, edgecolors="white", linewidths=0.5, zorder=2)
    label = np.argsort(-model.capability)[: min(25, model.n)] if model.n > 30 else range(model.n)
    for i in label:
        ax.annotate(model.world.iso3[i], xy[i], fontsize=7, ha="center", va="bottom", zorder=3,
                    xytext=(0, 4), textcoords="offset points")
    present = sorted({int(s) for s in stances})
    handles = [Line2D([], [], marker="o", ls="", color=STANCE_COLOURS[Stance(s)],
                      label=Stance(s).word) for s in present]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small",
              frameon=False, title=f"stance in {forum.id}\n(grey: not a member\nor undecided)")
    verdict = "adopted" if forum.outcome and forum.outcome.adopted else "not adopted"
    ax.set_title(f"{result.summary['scenario']}: {forum.id} ({forum.rule.name}, {verdict})")
    ax.set_axis_off()
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def _last_decided(model):
    decided = [f for f in model.forums if f.outcome is not None]
    return max(decided, key=lambda f: f.outcome.round) if decided else model.forums[-1]
