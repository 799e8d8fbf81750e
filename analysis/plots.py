"""Plots of one run: endorsements over rounds, the state network coloured by final stance or by
coalition, and coalition sizes over rounds.

Uses matplotlib's non-interactive Agg backend through the object API, so nothing here needs a
display and importing it changes no global state.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx
import numpy as np
from adjustText import adjust_text
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from analysis.palette import (
    CATEGORY_COLOURS,
    NOT_MEMBER,
    STANCE_COLOURS,
    STANCE_TEXT_COLOURS,
    category_colour,
)
from sim.batch.outputs import save_figure
from sim.batch.run import RunResult
from sim.stance import Stance


def plot_endorsements(result: RunResult, path: str | Path) -> Path:
    """Endorsements per round, a line per forum, with the rule's threshold dashed and objections
    (which block a consensus) dotted.

    Returns:
        The path written.
    """
    df = result.timeseries
    fig = Figure(figsize=(10, 4.8), layout="constrained")
    ax = fig.add_subplot()
    for k, (forum_id, rows) in enumerate(df.groupby("forum", sort=False)):
        colour = category_colour(k)  # forums are not stances: no stance's colour
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
    save_figure(fig, path, dpi=110)
    return path


#: at most this many resisting states are labelled (the legend names the rest)
MAX_RESISTING_LABELS = 60


def plot_network(result: RunResult, path: str | Path, forum_id: str | None = None) -> Path:
    """The tie network, nodes coloured by final stance in one forum (default: the last decided),
    sized by capability; the states that opposed, abstained or objected labelled in bold in
    their stance's colour and named in the legend."""
    model = result.model
    forum = model.forum(forum_id) if forum_id else _last_decided(model)
    stances = forum.stances
    member = np.zeros(model.n, dtype=bool)
    member[forum.member_index] = True
    colours = [STANCE_COLOURS[Stance(int(stances[i]))] if member[i] else NOT_MEMBER
               for i in range(model.n)]
    legend = []
    label_colours: dict[int, str] = {}
    for stance in (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT, Stance.UNDECIDED):
        who = [int(i) for i in forum.member_index if stances[i] == stance]
        if not who:
            continue
        name = f"{stance.word} ({len(who)})"
        if stance in (Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT):
            codes = sorted(model.world.iso3[i] for i in who)
            name += ": " + _wrapped(codes)
            for i in who:
                label_colours[i] = STANCE_TEXT_COLOURS[stance]
        legend.append((name, STANCE_COLOURS[stance]))
    if not member.all():
        legend.append((f"not a member ({int((~member).sum())})", NOT_MEMBER))
    resisted = sorted(label_colours)[:MAX_RESISTING_LABELS]
    verdict = "adopted" if forum.outcome and forum.outcome.adopted else "not adopted"
    return draw_network(
        model.world.graph(), model.world.iso3, colours, model.capability, legend, path,
        title=f"{result.summary['scenario']}: {forum.id} ({forum.rule.name}, {verdict})",
        legend_title=f"stance in {forum.id}\n(labelled: the 25 most capable;\nin bold: against, "
                     "abstaining, objecting)",
        seed=model.seed, labelled=resisted, label_colours=label_colours,
    )


def _wrapped(codes: list[str], per_line: int = 8, most: int = 48) -> str:
    """ISO3 codes for a legend entry, eight a line, at most ``most`` then "+N"."""
    shown = codes[:most]
    lines = [", ".join(shown[k: k + per_line]) for k in range(0, len(shown), per_line)]
    text = ",\n".join(lines)
    return text + (f" +{len(codes) - most}" if len(codes) > most else "")


#: the texts of rival coalitions: not stances, so not a stance's colour
COALITION_COLOURS = CATEGORY_COLOURS


def coalition_forum(model):
    """The forum whose coalitions are drawn: the last decided among those with the most texts."""
    most = max(len(g) for g in model.groups)
    groups = [g for g in model.groups if len(g) == most]
    decided = [g for g in groups if g[0].outcome is not None]
    return max(decided, key=lambda g: g[0].outcome.round) if decided else groups[-1]


def plot_coalitions(result: RunResult, path: str | Path, forum_id: str | None = None) -> Path:
    """The tie network with each member coloured by the text it backs in one forum (default:
    :func:`coalition_forum`); leaders ringed in black; grey: backs none or not a member."""
    model = result.model
    group = model.tracks(forum_id) if forum_id else coalition_forum(model)
    fid = group[0].forum_id
    colours = [STANCE_COLOURS[Stance.UNDECIDED]] * model.n
    legend = []
    coalitions = {c["proposal"]: c for c in result.summary["coalitions"][fid]}
    leaders = []
    for k, track in enumerate(group):
        colour = category_colour(k)
        c = coalitions[track.proposal]
        for code in c["members"]:
            colours[model.world.index[code]] = colour
        leaders += [model.world.index[code] for code in c["leaders"]]
        verdict = "adopted" if track.outcome and track.outcome.adopted else "not adopted"
        legend.append((f"{track.proposal}: {c['size']} ({verdict})", colour))
    legend.append(("backs none / not a member", STANCE_COLOURS[Stance.UNDECIDED]))
    return draw_network(
        model.world.graph(), model.world.iso3, colours, model.capability, legend, path,
        title=f"{result.summary['scenario']}: coalitions in {fid} ({group[0].rule.name})",
        legend_title=f"text backed in {fid}\n(black ring: leaders)", seed=model.seed, ringed=leaders,
    )


def plot_coalition_sizes(result: RunResult, path: str | Path) -> Path:
    """Members backing each text per round: a panel per forum, a line per text."""
    df = result.timeseries
    model = result.model
    fig = Figure(figsize=(10, 2.2 + 2.2 * len(model.groups)), layout="constrained")
    axes = fig.subplots(len(model.groups), 1, squeeze=False)[:, 0]
    for ax, group in zip(axes, model.groups, strict=True):
        for k, track in enumerate(group):
            rows = df[(df["forum"] == track.id) & df["status"].isin(["open", "decided"])]
            colour = category_colour(k)
            ax.plot(rows["round"], rows["coalition"], color=colour, lw=2, label=track.proposal)
        ax.set_title(f"{group[0].forum_id} ({group[0].rule.name}, {len(group[0].member_index)} members)",
                     fontsize=10, loc="left")
        ax.set_ylabel("backing")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, model.rounds - 1)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    axes[-1].set_xlabel("round")
    fig.suptitle(f"{result.summary['scenario']}: coalition sizes (seed {result.summary['seed']})")
    path = Path(path)
    save_figure(fig, path, dpi=110)
    return path


def draw_network(graph: nx.Graph, iso3: list[str], colours: list[str], capability: np.ndarray,
                 legend: list[tuple[str, str]], path: str | Path, title: str,
                 legend_title: str = "", seed: int = 0, ringed: list[int] = (),
                 labelled: list[int] = (), label_colours: dict[int, str] | None = None) -> Path:
    """Draw a tie network: a seeded spring layout, the strongest ties (six per state) so the
    picture stays readable (the title says so when ties are left out), nodes sized by
    capability, the 25 most capable labelled and the states of ``labelled`` too (those that
    resisted; in bold, in the colour ``label_colours`` gives them)."""
    fig = network_figure(graph, iso3, colours, capability, legend, title, legend_title, seed,
                         ringed, labelled, label_colours)
    path = Path(path)
    save_figure(fig, path, dpi=110)
    return path


def network_figure(graph: nx.Graph, iso3: list[str], colours: list[str], capability: np.ndarray,
                   legend: list[tuple[str, str]], title: str, legend_title: str = "",
                   seed: int = 0, ringed: list[int] = (), labelled: list[int] = (),
                   label_colours: dict[int, str] | None = None) -> Figure:
    """The figure :func:`draw_network` saves (labels moved apart where they would overlap)."""
    n = len(iso3)
    pos = network_layout(graph, iso3, seed)
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    ax = fig.add_subplot()
    edges = sorted(graph.edges(data="weight"), key=lambda e: (-e[2], e[0], e[1]))
    strong = edges[: min(len(edges), 6 * n)]
    if strong:  # one collection of segments: a Line2D per tie made drawing slow
        top = max(w for _, _, w in strong)
        colour = np.array(to_rgba("#8d99ae"))
        ax.add_collection(LineCollection(
            [(pos[a], pos[b]) for a, b, _ in strong], linewidths=0.4, zorder=1,
            colors=[(*colour[:3], 0.15 + 0.35 * w / top) for _, _, w in strong]))
    xy = np.array([pos[c] for c in iso3]) if n else np.zeros((0, 2))
    share = capability / capability.max() if n else capability
    ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=30 + 170 * share, edgecolors="white",
               linewidths=0.5, zorder=2)
    if len(ringed):
        ring = np.asarray(ringed)
        ax.scatter(xy[ring, 0], xy[ring, 1], s=30 + 170 * share[ring], facecolors="none",
                   edgecolors="black", linewidths=1.4, zorder=3)
    label = sorted(set(np.argsort(-capability, kind="stable")[:25].tolist()) | set(ringed)
                   | set(labelled)) if n > 30 else range(n)
    label_colours = label_colours or {}
    texts = [ax.text(xy[i, 0], xy[i, 1], iso3[i], fontsize=7, ha="center", va="bottom", zorder=3,
                     color=label_colours.get(i, "black"),
                     fontweight="bold" if i in label_colours else "normal") for i in label]
    if texts:  # states of one bloc sit close together: move their labels apart (adjustText)
        adjust_text(texts, ax=ax, x=xy[:, 0], y=xy[:, 1], expand=(1.15, 1.3),
                    arrowprops={"arrowstyle": "-", "color": "#6c757d", "lw": 0.4})
    handles = [Line2D([], [], marker="o", ls="", color=c, label=name) for name, c in legend]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small",
              frameon=False, title=legend_title)
    if len(strong) < len(edges):
        title += f"\n(only the strongest ties drawn: {len(strong)} of {len(edges)}, six per state)"
    ax.set_title(title)
    ax.set_axis_off()
    return fig


def layout_seed(seed: int) -> int:
    """The seed of the spring layout for a run's seed: networkx seeds numpy's legacy generator,
    which takes only 0 to 2**32 - 1. Those seeds stay as they are (the same pictures as before);
    any other (a sweep's seeds are 64-bit) is reduced to 32 bits through SHA-256 of its decimal
    digits, so each seed still has one layout, on any machine.

    Example:
        >>> layout_seed(7), layout_seed(2**32) == layout_seed(2**32), layout_seed(2**64) < 2**32
        (7, True, True)
    """
    seed = int(seed)
    if 0 <= seed < 2**32:
        return seed
    digest = hashlib.sha256(str(seed).encode("ascii")).digest()
    return int.from_bytes(digest[:4], "big")


def network_layout(graph: nx.Graph, iso3: list[str], seed: int) -> dict[str, np.ndarray]:
    """A seeded spring layout of the tied states; untied states in a row beneath (a spring
    layout would push them far out and squash the rest into a corner)."""
    tied = [c for c in iso3 if graph.degree(c) > 0]
    alone = [c for c in iso3 if graph.degree(c) == 0]
    pos = {}
    if tied:
        pos = nx.spring_layout(graph.subgraph(tied), seed=layout_seed(seed), weight="weight",
                               k=1.5 / np.sqrt(len(tied)))
    bottom = min((p[1] for p in pos.values()), default=0.0) - 0.15
    for k, c in enumerate(alone):
        pos[c] = np.array([-1.0 + 2.0 * (k + 0.5) / len(alone), bottom])
    return pos


#: groups are not stances: category colours, none of a stance
UN_GROUP_COLOURS = {
    "African": CATEGORY_COLOURS[0], "Asia-Pacific": CATEGORY_COLOURS[1],
    "Eastern European": CATEGORY_COLOURS[2], "Latin American and Caribbean": CATEGORY_COLOURS[3],
    "Western European and Others": CATEGORY_COLOURS[4], "": NOT_MEMBER,
}


def plot_world(report, path: str | Path, title: str) -> Path:
    """The roster's tie network (``analysis.roster.WorldReport``), coloured by UN regional group."""
    colours = [UN_GROUP_COLOURS[report.un_group[c]] for c in report.iso3]
    present = [g for g in UN_GROUP_COLOURS if g in set(report.un_group.values())]
    legend = [(g or "no group", UN_GROUP_COLOURS[g]) for g in present]
    capability = np.array([report.capability[c] for c in report.iso3])
    return draw_network(report.world.graph(), report.iso3, colours, capability, legend, path,
                        title=title, legend_title="UN regional group")


def _last_decided(model):
    decided = [f for f in model.forums if f.outcome is not None]
    return max(decided, key=lambda f: f.outcome.round) if decided else model.forums[-1]
