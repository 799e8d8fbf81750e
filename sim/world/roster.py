"""The roster of states, their groups, and the weighted network that ties them.

The roster comes from ``scenarios/data/states.csv`` (one row per state: ISO3 code, name, UN status
and UN regional group) and ``memberships.csv`` beside it (one row per state and organisation, with
the dates it joined and left), both sourced in ``scenarios/data/SOURCES.md``. A scenario picks
states from it by ISO3 code or group; :func:`build_world` turns the pick into index arrays and a
sparse, symmetric tie matrix (the sum, over the groups two states share, of the group's weight),
which is also available as a networkx graph with one layer per group.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

UN_GROUP_CODES: dict[str, str] = {
    "African": "AG",
    "Asia-Pacific": "APG",
    "Eastern European": "EEG",
    "Latin American and Caribbean": "GRULAC",
    "Western European and Others": "WEOG",
}
SPECIAL_GROUPS = ("all", "UN")
#: near-universal treaty memberships: they tie their parties only when world.ties names them
#: (182 BWC parties are not a bloc; ``other`` does not reach them, so adding such a list to
#: memberships.csv changes no scenario). CCW ties as ``other`` as it always has.
UNTIED_UNLESS_NAMED = ("BWC",)


class RosterError(ValueError):
    """The roster files themselves are broken (a project data error, not a user's)."""


@dataclass(frozen=True)
class Roster:
    """Every state known to the project and the groups each belongs to.

    Attributes:
        iso3: all ISO3 codes, sorted.
        names: ISO3 -> name.
        un_status: ISO3 -> ``member`` or ``observer``.
        groups: group code -> sorted ISO3 codes of its members (UN regional groups as AG, APG,
            EEG, GRULAC, WEOG; ``UN`` = UN members; ``all`` = everyone).
    """

    iso3: tuple[str, ...]
    names: dict[str, str]
    un_status: dict[str, str]
    groups: dict[str, tuple[str, ...]]

    def expand(self, names: list[str]) -> list[str]:
        """ISO3 codes meant by a list of codes and group names, sorted, without duplicates.

        Raises:
            KeyError: a name is neither a known ISO3 code nor a group.
        """
        out: set[str] = set()
        for name in names:
            if name in self.groups:
                out.update(self.groups[name])
            elif name in self.names:
                out.add(name)
            else:
                raise KeyError(name)
        return sorted(out)

    def knows(self, name: str) -> bool:
        return name in self.groups or name in self.names

    def groups_of(self, iso3: str) -> list[str]:
        return [g for g, members in self.groups.items() if iso3 in members and g not in SPECIAL_GROUPS]


def load_roster(path: str | Path, as_of: date | None = None) -> Roster:
    """Read ``states.csv`` and, if present, ``memberships.csv`` beside it.

    Args:
        path: the states CSV.
        as_of: count memberships as they stood on this date; None counts current memberships
            (rows with no ``left`` date).

    Returns:
        The :class:`Roster` (cached while the files are unchanged).
    """
    path = Path(path).resolve()
    members = path.parent / "memberships.csv"
    stamp = (path.stat().st_mtime_ns, members.stat().st_mtime_ns if members.exists() else 0)
    return _load_roster(str(path), as_of, stamp)


@lru_cache(maxsize=32)
def _load_roster(path: str, as_of: date | None, _stamp: tuple[int, int]) -> Roster:
    rows = _read_csv(Path(path), required=("iso3", "name"))
    names: dict[str, str] = {}
    status: dict[str, str] = {}
    groups: dict[str, set[str]] = {}
    for row in rows:
        code = row["iso3"].strip()
        if code in names:
            raise RosterError(f"{path}: {code} appears twice")
        names[code] = row["name"].strip()
        status[code] = (row.get("un_status") or "member").strip()
        un_group = UN_GROUP_CODES.get((row.get("un_group") or "").strip())
        if un_group:
            groups.setdefault(un_group, set()).add(code)
    groups["all"] = set(names)
    groups["UN"] = {c for c, s in status.items() if s == "member"}
    members_path = Path(path).parent / "memberships.csv"
    if members_path.exists():
        for row in _read_csv(members_path, required=("iso3", "group")):
            code = row["iso3"].strip()
            if code not in names:
                continue
            if _member_on(row.get("joined", ""), row.get("left", ""), as_of):
                groups.setdefault(row["group"].strip(), set()).add(code)
    return Roster(
        iso3=tuple(sorted(names)),
        names=names,
        un_status=status,
        groups={g: tuple(sorted(m)) for g, m in sorted(groups.items())},
    )


def _member_on(joined: str, left: str, as_of: date | None) -> bool:
    """Whether a membership row counts on ``as_of`` (year-only dates count from 1 January)."""
    joined, left = (joined or "").strip(), (left or "").strip()
    if as_of is None:
        return not left
    if joined and _as_date(joined) > as_of:
        return False
    return not left or _as_date(left) > as_of


def _as_date(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.startswith("#"))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise RosterError(f"{path}: missing columns {', '.join(missing)}")
        return list(reader)


@dataclass
class World:
    """The states of one scenario as arrays: position i is ``iso3[i]`` everywhere.

    Attributes:
        iso3: ISO3 codes in array order (sorted).
        index: ISO3 -> array position.
        groups: group code -> positions of its members in this world.
        layers: group code -> the tie matrix that sharing this group contributes (weighted).
        ties: the combined symmetric tie matrix (CSR), zero diagonal.
    """

    iso3: list[str]
    index: dict[str, int]
    groups: dict[str, np.ndarray]
    layers: dict[str, sp.csr_matrix] = field(repr=False)
    ties: sp.csr_matrix = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.iso3)

    def positions(self, names: list[str], roster: Roster) -> np.ndarray:
        """Positions of the states meant by codes and group names (those outside this world dropped)."""
        wanted = roster.expand(names)
        return np.array([self.index[c] for c in wanted if c in self.index], dtype=np.int64)

    def graph(self, layer: str | None = None) -> nx.Graph:
        """The tie network (or one group's layer) as a networkx graph with ISO3 node labels.

        Example:
            >>> w = build_world(["AAA", "BBB", "CCC"], {"X": ["AAA", "BBB"]}, {"X": 2.0})
            >>> sorted(w.graph().edges(data="weight"))
            [('AAA', 'BBB', 2.0)]
        """
        matrix = self.ties if layer is None else self.layers[layer]
        g = nx.from_scipy_sparse_array(matrix)
        return nx.relabel_nodes(g, dict(enumerate(self.iso3)))


def build_world(
    iso3: list[str],
    groups: dict[str, list[str] | tuple[str, ...]],
    tie_weights: dict[str, float],
    extra_ties: list[tuple[str, str, float]] = (),
) -> World:
    """Index the chosen states and tie every pair that shares a group.

    The weight of the tie between i and j is the sum of ``tie_weights[g]`` over the groups g that
    both belong to (``tie_weights['other']`` for groups not named, but not for
    :data:`UNTIED_UNLESS_NAMED`; ``all`` and ``UN`` tie nobody),
    plus any extra ties.

    Args:
        iso3: the chosen states.
        groups: group code -> member ISO3 codes (members outside ``iso3`` are ignored).
        tie_weights: weight per group code.
        extra_ties: (a, b, weight) ties added on top.

    Returns:
        The :class:`World`.
    """
    codes = sorted(set(iso3))
    index = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    positions = {
        g: np.array(sorted(index[c] for c in members if c in index), dtype=np.int64)
        for g, members in groups.items()
    }
    layers: dict[str, sp.csr_matrix] = {}
    total = sp.csr_matrix((n, n))
    for g, pos in positions.items():
        weight = tie_weights.get(g, 0.0 if g in UNTIED_UNLESS_NAMED else tie_weights.get("other", 0.0))
        if g in SPECIAL_GROUPS or weight == 0.0 or len(pos) < 2:
            continue
        rows, cols = np.meshgrid(pos, pos, indexing="ij")
        keep = rows != cols
        data = np.full(int(keep.sum()), float(weight))
        layer = sp.csr_matrix((data, (rows[keep], cols[keep])), shape=(n, n))
        layers[g] = layer
        total = total + layer
    for a, b, weight in extra_ties:
        if a in index and b in index and a != b:
            extra = sp.csr_matrix(([weight, weight], ([index[a], index[b]], [index[b], index[a]])),
                                  shape=(n, n))
            layers["extra"] = layers.get("extra", sp.csr_matrix((n, n))) + extra
            total = total + extra
    total = sp.csr_matrix(total)
    total.sum_duplicates()
    total.eliminate_zeros()
    return World(iso3=codes, index=index, groups=positions, layers=layers, ties=total)


@lru_cache(maxsize=16)
def cached_world(
    iso3: tuple[str, ...],
    groups: tuple[tuple[str, tuple[str, ...]], ...],
    tie_weights: tuple[tuple[str, float], ...],
    extra_ties: tuple[tuple[str, str, float], ...],
) -> World:
    """:func:`build_world` memoised on its (hashable) arguments: runs of a sweep share one world.

    The World is shared, so callers must treat it as read-only.
    """
    world = build_world(list(iso3), dict(groups), dict(tie_weights), list(extra_ties))
    world.ties.data.setflags(write=False)
    return world
