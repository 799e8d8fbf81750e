"""Pivotal states: Shapley-Shubik and Banzhaf power indices of a forum's decision rule.

A decision rule is read as a *simple game*: a coalition of members saying yes either wins (the
text is adopted) or not. Every rule of ``sim/engine/forums.py`` is (approximately) a weighted
double-majority game, :class:`WeightedGame`: a coalition wins when its weight reaches ``quota``
and it has at least ``count_quota`` members. :func:`forum_game` maps each rule:

- ``open_endorsement``: one vote each, quota ``min_endorsements``;
- ``consensus``: one vote each, quota = every member (unanimity: every member is a veto player;
  standing aside is read as saying no, an approximation: in the model an abstention does not block);
- ``vote``: one vote each, and everyone present and voting (no abstentions, an approximation):
  ``yes > no`` becomes ``yes >= floor(n / 2) + 1``, two thirds ``yes >= ceil(2 n / 3)``;
- ``qualified_majority``: the double majority itself (members and weight, by capability or equal).

Indices (Shapley and Shubik 1954; Banzhaf 1965; Felsenthal and Machover 1998 for both):

- exact enumeration of the 2^n coalitions for small games (n <= 16);
- exact generating functions (Brams and Affuso 1976; Matsui and Matsui 2000) when the weights are
  whole numbers: players with equal weight form a class, the coalitions of the others are counted
  by size and weight as the coefficients of prod_c (1 + x y^w_c)^m_c, and player i swings in the
  coalitions S of the others with S losing and S + i winning. Shapley-Shubik weighs a swing in a
  coalition of size s by s! (n - s - 1)! / n!, Banzhaf counts swings over 2^(n - 1) coalitions;
- Monte Carlo with a fixed seed otherwise (real-valued weights such as capability): random
  orderings for Shapley-Shubik (the pivot of each ordering), random coalitions for Banzhaf
  (Mann and Shapley 1960). With the default 20,000 samples the standard error is below 0.004.

:func:`pivotal_share` reads the simulated stances instead: in how many runs a member's switch
(to endorse, or from endorse to the rule's way of saying no) would have flipped the outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.engine.forums import Rule
from sim.stance import Stance

EXACT_ENUMERATION_MAX = 16
DP_BUDGET = 2e8  # array cells touched by the generating-function algorithm before Monte Carlo
MC_SAMPLES = 20_000
MC_SEED = 12345
_TOL = 1e-9


@dataclass(frozen=True)
class WeightedGame:
    """A weighted double-majority game: S wins iff w(S) >= quota and |S| >= count_quota.

    Example:
        >>> g = WeightedGame(np.array([3.0, 2.0, 1.0]), quota=4)
        >>> bool(g.wins(5.0, 2)), bool(g.wins(3.0, 1))
        (True, False)
    """

    weights: np.ndarray
    quota: float
    count_quota: int = 0

    @property
    def n(self) -> int:
        return len(self.weights)

    def wins(self, weight, count):
        """Whether coalitions of total ``weight`` and ``count`` members win (arrays broadcast)."""
        scale = max(1.0, float(np.sum(self.weights)))
        return (np.asarray(weight) >= self.quota - _TOL * scale) & (np.asarray(count) >= self.count_quota)


@dataclass(frozen=True)
class PowerIndices:
    """Both indices of one game, and how they were computed (``enumeration``, ``generating
    function`` or ``monte carlo``)."""

    shapley_shubik: np.ndarray
    banzhaf: np.ndarray  # normalised to sum to 1
    banzhaf_raw: np.ndarray  # swings / 2^(n-1)
    method: str


def power_indices(game: WeightedGame, samples: int = MC_SAMPLES, seed: int = MC_SEED) -> PowerIndices:
    """Shapley-Shubik and Banzhaf indices of ``game`` (exact when feasible, see the module doc).

    Args:
        game: the weighted game.
        samples: Monte Carlo samples, when the exact methods are too costly.
        seed: the Monte Carlo seed (fixed: the same game gives the same numbers).

    Returns:
        :class:`PowerIndices`; all zeros when the empty coalition already wins or the grand
        coalition does not (nobody is ever pivotal).

    Example:
        >>> p = power_indices(WeightedGame(np.array([3, 2, 1]), quota=4))
        >>> p.shapley_shubik.round(4).tolist(), p.banzhaf.round(2).tolist(), p.method
        ([0.6667, 0.1667, 0.1667], [0.6, 0.2, 0.2], 'enumeration')
    """
    w = np.asarray(game.weights, dtype=float)
    n = len(w)
    zeros = np.zeros(n)
    if n == 0 or game.wins(0.0, 0) or not game.wins(w.sum(), n):
        return PowerIndices(zeros, zeros, zeros, "trivial")
    if n <= EXACT_ENUMERATION_MAX:
        ss, raw = _enumerate(game)
        method = "enumeration"
    elif _dp_cost(w) <= DP_BUDGET:
        ss, raw = _generating_function(game)
        method = "generating function"
    else:
        ss, raw = _monte_carlo(game, samples, seed)
        method = "monte carlo"
    total = raw.sum()
    banzhaf = raw / total if total > 0 else zeros
    return PowerIndices(ss, banzhaf, raw, method)


def _enumerate(game: WeightedGame) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(game.weights, dtype=float)
    n = len(w)
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    weight = masks @ w
    size = masks.sum(axis=1)
    win = game.wins(weight, size)
    # s! (n - s - 1)! / n! = 1 / (n C(n-1, s)) for a coalition S of the others of size s
    factor = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)] + [0.0])
    ss, raw = np.zeros(n), np.zeros(n)
    for i in range(n):
        swing = ~masks[:, i] & ~win & game.wins(weight + w[i], size + 1)
        ss[i] = factor[size[swing]].sum()
        raw[i] = swing.sum() / 2 ** (n - 1)
    return ss, raw


def _dp_cost(w: np.ndarray) -> float:
    if not np.allclose(w, np.round(w)) or np.any(w < 0):
        return math.inf
    classes = len(np.unique(w))
    return classes * (len(w) + classes) * (len(w) + 1) * (w.sum() + 1)


def _generating_function(game: WeightedGame) -> tuple[np.ndarray, np.ndarray]:
    w = np.round(np.asarray(game.weights, dtype=float)).astype(np.int64)
    n, total = len(w), int(w.sum())
    values, counts = np.unique(w, return_counts=True)
    size = np.arange(n + 1)[:, None]
    weight = np.arange(total + 1)[None, :]
    factor = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)] + [0.0])[:, None]
    ss, raw = np.zeros(n), np.zeros(n)
    for c, wc in enumerate(values):
        # coalitions of the other players: every class, one player fewer in class c
        poly = np.zeros((n + 1, total + 1))
        poly[0, 0] = 1.0
        for d, (wd, md) in enumerate(zip(values, counts, strict=True)):
            poly = _times_binomial(poly, int(wd), int(md) - (1 if d == c else 0))
        swing = ~game.wins(weight, size) & game.wins(weight + wc, size + 1)
        swings = np.where(swing, poly, 0.0)
        ss[w == wc] = float((swings * factor).sum())
        raw[w == wc] = float(swings.sum()) / 2.0 ** (n - 1)
    return ss, raw


def _times_binomial(poly: np.ndarray, weight: int, m: int) -> np.ndarray:
    """poly * (1 + x y^weight)^m, with x counting members (axis 0) and y weight (axis 1)."""
    out = np.zeros_like(poly)
    rows, cols = poly.shape
    for k in range(m + 1):
        shift = k * weight
        if k >= rows or shift >= cols:
            break
        out[k:, shift:] += math.comb(m, k) * poly[: rows - k, : cols - shift]
    return out


def _monte_carlo(game: WeightedGame, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(game.weights, dtype=float)
    n = len(w)
    rng = np.random.default_rng(seed)
    pivots = np.zeros(n)
    swings = np.zeros(n)
    done = 0
    while done < samples:
        k = min(2000, samples - done)
        # Shapley-Shubik: the player whose arrival first makes the ordering's coalition win
        order = rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1)
        winning = game.wins(np.cumsum(w[order], axis=1), np.arange(1, n + 1)[None, :])
        pivots += np.bincount(order[np.arange(k), np.argmax(winning, axis=1)], minlength=n)
        # Banzhaf: toggle each player in a uniformly random coalition
        member = rng.random((k, n)) < 0.5
        weight = (member @ w)[:, None]
        size = member.sum(axis=1)[:, None]
        win = game.wins(weight, size)
        without = game.wins(weight - w[None, :], size - 1)
        with_ = game.wins(weight + w[None, :], size + 1)
        swings += np.where(member, win & ~without, ~win & with_).sum(axis=0)
        done += k
    return pivots / samples, swings / samples


def forum_game(rule: Rule, weights: np.ndarray) -> WeightedGame:
    """The simple game of a forum's rule over its members (see the module doc for the mapping).

    Args:
        rule: the forum's :class:`~sim.engine.forums.Rule`.
        weights: the members' capabilities (used by ``qualified_majority`` weighted by capability).

    Example:
        >>> from sim.engine.forums import make_rule
        >>> g = forum_game(make_rule("vote"), np.ones(5))
        >>> g.quota, g.count_quota
        (3.0, 0)
    """
    n = len(weights)
    ones = np.ones(n)
    t = rule.threshold
    if rule.name == "open_endorsement":
        return WeightedGame(ones, float(t.min_endorsements))
    if rule.name == "consensus":
        return WeightedGame(ones, float(n))
    if rule.name == "vote":
        quota = math.ceil(2 * n / 3) if t.majority == "two_thirds" else n // 2 + 1
        return WeightedGame(ones, float(quota))
    if rule.name == "qualified_majority":
        # weighted by capability or given weights (the blocking-minority clause, which only
        # matters for coalitions of fewer than its members, is left out of the a priori indices)
        w = np.asarray(weights, dtype=float) if t.weight_by in ("capability", "given") else ones
        return WeightedGame(w, t.weight * float(w.sum()), math.ceil(t.members * n - _TOL))
    raise ValueError(f"no game for rule {rule.name!r}")


def pivotal_share(rule: Rule, stances: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Share of runs in which each member was pivotal: switching its stance alone (to endorse,
    or from endorse to the rule's ``against`` stance) would have flipped the outcome.

    Args:
        rule: the forum's rule.
        stances: members' stances in the decision round, shape (runs, members).
        weights: members' weights for the rule (capability or ones).

    Returns:
        One share per member.

    Example:
        >>> from sim.engine.forums import make_rule
        >>> E, O = int(Stance.ENDORSE), int(Stance.OPPOSE)
        >>> pivotal_share(make_rule("vote"), np.array([[E, E, O], [E, E, E]]), np.ones(3)).tolist()
        [0.5, 0.5, 0.0]
    """
    runs, members = stances.shape
    hits = np.zeros(members)
    equal = bool(np.all(weights == weights[0])) if members else True
    for r in range(runs):
        row = stances[r]
        adopted = bool(rule.adopted(row, weights))
        # with equal weights only the stance matters: one trial per stance held
        tried = {}
        for i in range(members):
            if equal and row[i] in tried:
                hits[i] += tried[row[i]]
                continue
            flipped = row.copy()
            flipped[i] = rule.against if row[i] == Stance.ENDORSE else Stance.ENDORSE
            tried[row[i]] = bool(rule.adopted(flipped, weights)) != adopted
            hits[i] += tried[row[i]]
    return hits / max(runs, 1)
