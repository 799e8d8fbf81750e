"""A world map of stances (``map.png``): each state filled with its final stance in one forum.

Drawn with matplotlib alone from Natural Earth's boundaries installed at set-up
(``analysis.boundaries``), on the Equal Earth projection (Šavrič, Patterson and Jenny 2018), so
areas compare fairly. States too small to see at this scale get a dot in their stance's colour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon

from analysis.boundaries import country_polygons
from analysis.palette import NOT_MEMBER, STANCE_COLOURS
from sim.batch.outputs import save_figure
from sim.stance import Stance

#: a territory that is not a state of the roster (Greenland, Western Sahara, ...)
NOT_A_STATE = "#f8f9fa"
#: states whose largest shape covers less than this (in projected units squared) get a dot
SMALL = 2e-4


def equal_earth(lon_lat: np.ndarray) -> np.ndarray:
    """Longitude and latitude (degrees, an (n, 2) array) to Equal Earth x, y.

    Example:
        >>> equal_earth(np.array([[0.0, 0.0], [180.0, 0.0]])).round(4).tolist()
        [[0.0, 0.0], [2.7066, 0.0]]
    """
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    lam = np.radians(lon_lat[:, 0])
    theta = np.arcsin(np.sqrt(3) / 2 * np.sin(np.radians(lon_lat[:, 1])))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * np.sqrt(3) * lam * np.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return np.column_stack([x, y])


def unwrapped(ring: np.ndarray) -> list[np.ndarray]:
    """A ring that crosses the antimeridian (a jump of more than 180 degrees of longitude between
    neighbours) made continuous and drawn twice, once from each side; the map's outline clips
    what lies beyond. Any other ring as it is.

    Example:
        >>> [r[:, 0].tolist() for r in unwrapped(np.array([[170.0, 0], [-170, 0], [-170, 5]]))]
        [[170.0, 190.0, 190.0], [-190.0, -170.0, -170.0]]
    """
    lon = ring[:, 0]
    jumps = np.diff(lon)
    if not (np.abs(jumps) > 180).any():
        return [ring]
    shift = np.concatenate([[0.0], -360.0 * np.cumsum(np.round(jumps / 360.0))])
    first = ring.copy()
    first[:, 0] = lon + shift
    second = first.copy()
    second[:, 0] += -360.0 if first[:, 0].max() > 180 else 360.0
    return [first, second]


def outline() -> np.ndarray:
    """The projected edge of the world (longitude +-180 from pole to pole)."""
    lat = np.linspace(-90, 90, 181)
    edge = np.concatenate([np.column_stack([np.full(181, 180.0), lat]),
                           np.column_stack([np.full(181, -180.0), lat[::-1]])])
    return equal_earth(edge)


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def map_figure(iso3: list[str], colours: dict[str, str], legend: list[tuple[str, str]], title: str,
               polygons: dict | None = None) -> Figure:
    """A world map with the states of ``colours`` (ISO3 -> colour) filled; every other state
    and territory pale. ``polygons`` defaults to the installed boundaries."""
    polygons = country_polygons() if polygons is None else polygons
    known = set(iso3)
    fig = Figure(figsize=(12, 5.9), layout="constrained")
    ax = fig.add_subplot()
    rings, faces, dots = [], [], []
    for code, shapes in polygons.items():
        if code in ("ATA", "010"):  # Antarctica (010) takes room and takes no part
            continue
        face = colours.get(code, NOT_MEMBER if code in known else NOT_A_STATE)
        largest, biggest = None, 0.0
        for polygon in shapes:
            for piece in unwrapped(polygon[0]):  # holes (lakes) are left filled at this scale
                projected = equal_earth(piece)
                rings.append(projected)
                faces.append(face)
                area = _area(projected)
                if area > biggest and abs(piece[:, 0]).max() <= 180:
                    largest, biggest = projected, area
        if code in colours and largest is not None and biggest < SMALL:
            dots.append((largest.mean(axis=0), face))
    edge = outline()
    ax.fill(edge[:, 0], edge[:, 1], color="#f1f6fa", zorder=0)  # the sea
    shapes_drawn = ax.add_collection(PolyCollection(rings, facecolors=faces, edgecolors="#6c757d",
                                                    linewidths=0.2))
    shapes_drawn.set_clip_path(Polygon(edge, closed=True, transform=ax.transData))
    if dots:
        xy = np.array([d[0] for d in dots])
        ax.scatter(xy[:, 0], xy[:, 1], s=14, c=[d[1] for d in dots], edgecolors="#343a40",
                   linewidths=0.4, zorder=3)
    ax.set_xlim(-2.75, 2.75)
    ax.set_ylim(-1.0, 1.34)
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="#6c757d", linewidth=0.4, label=name) for name, c in legend]
    ax.legend(handles=handles, loc="lower left", fontsize="small", frameon=False)
    ax.set_title(title)
    ax.text(1.0, 0.0, "boundaries: Natural Earth (public domain), via world-atlas; "
            "small states as dots", transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
            color="#6c757d")
    return fig


def plot_map(result, path: str | Path, forum_id: str | None = None,
             polygons: dict | None = None) -> Path:
    """``map.png``: the states filled with their final stance in one forum (default: the last
    decided, as in ``network.png``), non-members pale.

    Raises:
        FileNotFoundError: when the boundaries are not installed (``analysis.boundaries``).
    """
    from analysis.plots import _last_decided

    model = result.model
    forum = model.forum(forum_id) if forum_id else _last_decided(model)
    iso3 = list(model.world.iso3)
    colours, counts = {}, {}
    for i in forum.member_index:
        stance = Stance(int(forum.stances[i]))
        colours[iso3[i]] = STANCE_COLOURS[stance]
        counts[stance] = counts.get(stance, 0) + 1
    legend = [(f"{s.word} ({counts[s]})", STANCE_COLOURS[s])
              for s in (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT, Stance.UNDECIDED)
              if counts.get(s)]
    if len(forum.member_index) < len(iso3):
        legend.append((f"not a member ({len(iso3) - len(forum.member_index)})", NOT_MEMBER))
    legend.append(("not in the scenario's world", NOT_A_STATE))
    verdict = "adopted" if forum.outcome and forum.outcome.adopted else "not adopted"
    fig = map_figure(iso3, colours, legend, polygons=polygons,
                     title=f"{result.summary['scenario']}: stances in {forum.id} "
                           f"({forum.rule.name}, {verdict}; seed {result.summary['seed']})")
    path = Path(path)
    save_figure(fig, path, dpi=110)
    return path
