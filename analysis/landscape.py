"""Which two camps would the states fall into? Axelrod and Bennett's landscape theory of aggregation.

Axelrod and Bennett (1993), "A Landscape Theory of Aggregation", British Journal of Political
Science 23(2): 211-233. n actors with sizes s_i and symmetric pairwise propensities p_ij
(positive: they want to be together; negative: apart) split into two camps; a configuration X
says who is in which. With d_ij(X) = 1 when i and j are in different camps and 0 otherwise:

    F_i(X) = sum_{j != i} s_j p_ij d_ij(X)                       frustration of actor i
    E(X)   = sum_i s_i F_i(X) = sum_i sum_{j != i} s_i s_j p_ij d_ij(X)     energy of X

The sum runs over ordered pairs, as in the paper's footnote 2 (E(X) = sum_{A'} sum_B r_ij +
sum_B sum_{A'} r_ij with r_ij = s_i s_j p_ij), so each split pair counts twice; summing over
unordered pairs halves every energy and changes no minimum and no ranking. Because p is
symmetric, an actor that lowers its own frustration by switching lowers E by twice its size times
that amount (footnote 2), so myopic, incremental actors roll downhill on the energy landscape and
stop in a local minimum: a configuration no single actor can leave and lower E. The predicted
configurations are the local minima, the global minimum the most likely; a minimum's basin is the
share of starting configurations from which the descent ends there.

:func:`minima` finds them. Swapping the two camps' labels changes nothing (E(X) = E(mirror of X)),
so one actor, the largest (the *anchor*), is always in camp A. Up to ``exhaustive_limit`` actors it
descends from every one of the 2^(n-1) configurations, so it finds every local minimum and its
exact basin; above that it descends from ``starts`` random configurations drawn with ``seed``
(deterministic for a seed) and the basins are shares of those starts. The descent is steepest:
each step the actor whose switch lowers E most switches (ties: the lowest index), until none can.

:func:`propensities_from_world` builds sizes and propensities from a Plenary world. That mapping is
a modelling choice of this project, not part of the paper (which built its propensities from
ethnic conflict, religion, border disputes, ideology and past wars): see its docstring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Largest number of actors for which every configuration is searched (2^(n-1) of them).
EXHAUSTIVE_LIMIT = 20
#: Random starting configurations of the descent above that size.
STARTS = 1000
#: Share of ties in a pair's affinity (the rest is policy closeness); see propensities_from_world.
TIE_SHARE = 0.5
_CHUNK = 1 << 15  # configurations stepped at once in the exhaustive search
_TOL = 1e-10  # a switch must lower E by more than this (times the largest possible field)


@dataclass(frozen=True)
class Minimum:
    """One local minimum of the energy landscape.

    Attributes:
        camp: boolean per actor, True for camp A (the anchor's camp), False for camp B.
        energy: E(X) of the configuration.
        basin: share of the starting configurations whose descent ends here.
    """

    camp: np.ndarray
    energy: float
    basin: float


@dataclass(frozen=True)
class Landscape:
    """The local minima found, lowest energy first (equal energies: larger basin first).

    Attributes:
        minima: the local minima.
        exhaustive: True when every configuration was a start (basins are exact).
        starts: configurations descended from (2^(n-1) when exhaustive).
        anchor: the actor always in camp A (the first of the largest).
    """

    minima: list[Minimum]
    exhaustive: bool
    starts: int
    anchor: int


def energy(config: np.ndarray, sizes: np.ndarray, propensity: np.ndarray) -> np.ndarray | float:
    """E(X) = sum over ordered pairs i != j of s_i s_j p_ij d_ij(X) (Axelrod and Bennett 1993).

    Args:
        config: each actor's camp, any two labels (bool, 0/1, +1/-1); one configuration per row
            for a batch.
        sizes: s_i, shape (n,).
        propensity: p_ij, shape (n, n), symmetric; the diagonal is ignored.

    Returns:
        The energy (a float, or one per row of a batch).

    Example:
        >>> p = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0]])
        >>> float(energy(np.array([0, 0, 1]), np.ones(3), p))   # the pair with 1 splits twice
        -4.0
    """
    config = np.asarray(config)
    r = _pair_weights(sizes, propensity)
    apart = config[..., :, None] != config[..., None, :]
    out = (r * apart).sum(axis=(-2, -1))
    return float(out) if np.ndim(out) == 0 else out


def frustration(config: np.ndarray, sizes: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """F_i(X) = sum_{j != i} s_j p_ij d_ij(X): how much actor i dislikes where the others stand.

    Example:
        >>> p = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0]])
        >>> frustration(np.array([0, 1, 1]), np.ones(3), p)
        array([ 0.,  1., -1.])
    """
    config = np.asarray(config)
    p = np.array(propensity, dtype=np.float64)
    np.fill_diagonal(p, 0.0)
    apart = config[:, None] != config[None, :]
    return (p * apart) @ np.asarray(sizes, dtype=np.float64)


def minima(
    sizes: np.ndarray,
    propensity: np.ndarray,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
    starts: int = STARTS,
    seed: int = 0,
) -> Landscape:
    """The local minima of E with their energies and basins.

    Args:
        sizes: s_i >= 0, shape (n,).
        propensity: p_ij, symmetric, shape (n, n); the diagonal is ignored.
        exhaustive_limit: search every configuration when n is at most this (time and memory
            grow as 2^(n-1): 20 actors take about half a second).
        starts: random starting configurations when n is larger.
        seed: seed of those starts.

    Returns:
        The :class:`Landscape`.

    Raises:
        ValueError: sizes negative or not finite, propensity not square, not symmetric or not
            finite, or starts < 1.

    Example: three actors who all want to be apart (a frustrated triangle) cannot all be; each
    minimum leaves one of them alone. Equal sizes, so actor 0 anchors camp A; the descent from
    "all together" moves actor 0 out first (lowest index), which doubles that basin.

        >>> p = -np.ones((3, 3))
        >>> land = minima(np.ones(3), p)
        >>> [(m.camp.astype(int).tolist(), m.energy, m.basin) for m in land.minima]
        [([1, 0, 0], -4.0, 0.5), ([1, 0, 1], -4.0, 0.25), ([1, 1, 0], -4.0, 0.25)]
    """
    r = _pair_weights(sizes, propensity)
    n = len(r)
    if starts < 1:
        raise ValueError(f"starts must be >= 1, got {starts}")
    anchor = int(np.argmax(sizes))
    tol = _TOL * max(1.0, float(np.abs(r).sum(axis=1).max()))
    exhaustive = n <= exhaustive_limit
    if exhaustive:
        total = 1 << (n - 1)
        basins = np.bincount(_descend_everywhere(r, anchor, tol), minlength=total)
        codes = np.flatnonzero(basins)
        spins = np.vstack([_canonical_configurations(n, anchor, c, c + 1) for c in codes])
        ends, counts = spins, basins[codes]
    else:
        total = int(starts)
        rng = np.random.default_rng(seed)
        ends = _descend(np.where(rng.random((total, n)) < 0.5, -1.0, 1.0), r, tol)
        ends = ends * ends[:, anchor : anchor + 1]  # mirrored: the anchor in camp A
        ends, counts = np.unique(ends, axis=0, return_counts=True)
    found = []
    for spin, count in zip(ends, counts, strict=True):
        e = (r.sum() - spin @ r @ spin) / 2.0  # E = sum_ij r_ij (1 - sigma_i sigma_j) / 2
        found.append(Minimum(camp=spin > 0, energy=float(e), basin=int(count) / total))
    found.sort(key=lambda m: (round(m.energy, 9), -m.basin, tuple(np.flatnonzero(~m.camp))))
    return Landscape(minima=found, exhaustive=exhaustive, starts=total, anchor=anchor)


def propensities_from_world(
    ties: sp.spmatrix | np.ndarray,
    ideal: np.ndarray,
    dim_weights: np.ndarray,
    tie_share: float = TIE_SHARE,
) -> np.ndarray:
    """Pairwise propensities of a Plenary world: ties and closeness, relative to the average pair.

    A modelling choice of this project, not Axelrod and Bennett's. Each pair's affinity mixes how
    strongly the two are tied (shared memberships, ``World.ties``, scaled so the strongest tie is
    1) with how close their ideal points are (the weighted distance of ``agents/state.py``,
    ``policy_distance``, in [0, 1]); the propensity is the affinity minus the mean affinity over
    all pairs, so better-than-average pairs attract and worse-than-average pairs repel (with
    affinities alone, all positive, everyone would sit in one camp)::

        a_ij = tie_share * t_ij / max(t) + (1 - tie_share) * (1 - dist(x_i, x_j))
        p_ij = a_ij - mean_{k != l} a_kl,        p_ii = 0

    Args:
        ties: the symmetric tie matrix (sparse or dense), zero diagonal.
        ideal: ideal points, shape (n, dimensions).
        dim_weights: the weight of each dimension.
        tie_share: the weight of ties in the affinity, in [0, 1].

    Returns:
        The (n, n) propensity matrix.

    Example: A and B share the only tie and a view (affinity 0.5 + 0.5 = 1), C is 0.6 away from
    both (affinity 0.5 * 0.4 = 0.2); the mean affinity is 1.4 / 3, so C repels both.

        >>> ties = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
        >>> ideal = np.array([[0.2], [0.2], [0.8]])
        >>> propensities_from_world(ties, ideal, np.ones(1)).round(3)
        array([[ 0.   ,  0.533, -0.267],
               [ 0.533,  0.   , -0.267],
               [-0.267, -0.267,  0.   ]])
    """
    if not 0.0 <= tie_share <= 1.0:
        raise ValueError(f"tie_share must be in [0, 1], got {tie_share}")
    t = ties.toarray() if sp.issparse(ties) else np.asarray(ties, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    ideal = np.asarray(ideal, dtype=np.float64)
    w = np.asarray(dim_weights, dtype=np.float64)
    n = len(ideal)
    if t.shape != (n, n):
        raise ValueError(f"ties has shape {t.shape}, expected ({n}, {n})")
    top = t.max() if t.size else 0.0
    tied = t / top if top > 0 else np.zeros_like(t)
    diff = ideal[:, None, :] - ideal[None, :, :]
    dist = np.sqrt((diff * diff * w).sum(axis=2) / w.sum())  # as policy_distance, pair by pair
    affinity = tie_share * tied + (1.0 - tie_share) * (1.0 - dist)
    off = ~np.eye(n, dtype=bool)
    p = affinity - (affinity[off].mean() if n > 1 else 0.0)
    np.fill_diagonal(p, 0.0)
    return p


def model_landscape_inputs(model, tie_share: float = TIE_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Sizes (capability, the largest = 1) and propensities of a built ``NegotiationModel``."""
    sizes = model.capability / model.capability.max()
    return sizes, propensities_from_world(model.world.ties, model.ideal, model.dim_weights, tie_share)


def summary(land: Landscape, iso3: list[str], sizes: np.ndarray, top: int) -> list[dict]:
    """The ``top`` lowest minima as JSON-ready rows: camps as ISO3 lists, energy, basin, size shares."""
    total = float(np.sum(sizes)) or 1.0
    rows = []
    for rank, m in enumerate(land.minima[:top], start=1):
        rows.append({
            "rank": rank,
            "energy": m.energy,
            "basin": m.basin,
            "camp_a": [c for c, a in zip(iso3, m.camp, strict=True) if a],
            "camp_b": [c for c, a in zip(iso3, m.camp, strict=True) if not a],
            "size_share_a": float(np.sum(sizes[m.camp])) / total,
        })
    return rows


# -- the search -----------------------------------------------------------------------------------


def _pair_weights(sizes: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """r_ij = s_i s_j p_ij with a zero diagonal, after checking the inputs."""
    s = np.asarray(sizes, dtype=np.float64)
    p = np.array(propensity, dtype=np.float64)
    if s.ndim != 1 or len(s) == 0:
        raise ValueError("sizes must be a non-empty vector")
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("sizes must be finite and >= 0")
    if p.shape != (len(s), len(s)):
        raise ValueError(f"propensity has shape {p.shape}, expected ({len(s)}, {len(s)})")
    if not np.all(np.isfinite(p)):
        raise ValueError("propensity must be finite")
    if not np.allclose(p, p.T):
        raise ValueError("propensity must be symmetric (p_ij = p_ji)")
    np.fill_diagonal(p, 0.0)
    return s[:, None] * s[None, :] * p


def _canonical_configurations(n: int, anchor: int, begin: int, end: int) -> np.ndarray:
    """Configurations begin..end-1 of the 2^(n-1) with the anchor in camp A, as spins +1/-1."""
    others = np.delete(np.arange(n), anchor)
    code = np.arange(begin, end, dtype=np.int64)
    bits = (code[:, None] >> np.arange(n - 1)) & 1
    spins = np.ones((end - begin, n))
    spins[:, others] = 1.0 - 2.0 * bits
    return spins


def _descend(spins: np.ndarray, r: np.ndarray, tol: float) -> np.ndarray:
    """Steepest descent of every row at once until no single switch lowers E.

    Switching actor i changes E by 2 sigma_i h_i with h = r sigma (E = (sum r - sigma' r sigma)/2);
    after a switch, h moves by -2 sigma_i(old) r[i].
    """
    spins = spins.copy()
    field = spins @ r
    active = np.arange(len(spins))
    while active.size:
        gain = 2.0 * spins[active] * field[active]
        who = gain.argmin(axis=1)
        moves = gain[np.arange(active.size), who] < -tol
        active, who = active[moves], who[moves]
        old = spins[active, who]
        spins[active, who] = -old
        field[active] -= 2.0 * old[:, None] * r[who]
    return spins


def _descend_everywhere(r: np.ndarray, anchor: int, tol: float) -> np.ndarray:
    """Where the steepest descent from each of the 2^(n-1) configurations ends, as codes.

    Code c has actor others[b] in camp B when bit b of c is set (the anchor always in camp A).
    One step is computed for every configuration at once (``_descend``'s rule, the same ties),
    giving a successor table; following it by pointer doubling reaches every path's end in
    log2(longest path) gathers.
    """
    n = len(r)
    total = 1 << (n - 1)
    bit_of = np.zeros(n, dtype=np.int64)
    bit_of[np.delete(np.arange(n), anchor)] = 1 << np.arange(n - 1, dtype=np.int64)
    bit_of[anchor] = total - 1  # moving the anchor = moving everyone else, mirrored
    successor = np.arange(total, dtype=np.int64)
    for begin in range(0, total, _CHUNK):
        end = min(total, begin + _CHUNK)
        spins = _canonical_configurations(n, anchor, begin, end)
        gain = 2.0 * spins * (spins @ r)
        who = gain.argmin(axis=1)
        moves = gain[np.arange(end - begin), who] < -tol
        successor[begin:end] ^= np.where(moves, bit_of[who], 0)
    while True:
        jumped = successor[successor]
        if np.array_equal(jumped, successor):
            return successor
        successor = jumped
