"""The record: what states did before a date, and what it says about what they will do.

The strongest evidence about a state's next vote is its earlier votes. This module reads the
recorded votes of the General Assembly (``scenarios/data/votes.csv`` and ``roll_calls.csv``; sources
in ``scenarios/data/SOURCES_votes.md``), the endorsements of declarations and the blocks of
consensus (``decisions.csv``), and turns everything recorded *strictly before* a date into each
state's starting dispositions. Nothing on or after the date is read (the same leak guard as
``world.as_of`` for stated positions).

**Ideal points.** An ordered-logit item-response model of the roll calls (the ideal-point model
of Bailey, Strezhnev and Voeten 2017, "Estimating dynamic state preferences from United Nations
voting data", J. Conflict Resolution 61(2), here static and in ``D`` dimensions), fitted by
maximum a posteriori with L-BFGS (SciPy)::

    eta_ij = a_j . theta_i                 state i's ideal point theta_i, vote j's direction a_j
    P(y_ij >= abstain) = sigmoid(eta_ij - c1_j)
    P(y_ij  = yes)     = sigmoid(eta_ij - c2_j),      c2_j = c1_j + exp(g_j) > c1_j

with priors theta ~ N(0, I), a ~ N(0, 2^2 I), c1 ~ N(0, 5^2), g ~ N(0, 2^2). The fit is
deterministic (started from the leading singular vectors of the vote matrix) and its axes are
rotated to the principal axes of theta, the first oriented so that higher means voting with the
Assembly's majority more often.

**Propensities.** For a topic and a date, each state's probability of each option of the next
decision is an empirical-Bayes blend (a Dirichlet posterior mean)::

    p_i = (sum_j w_j onehot(y_ij) + kappa q_i) / (sum_j w_j + kappa)

over the earlier decisions j it took part in, weighted by w_j = topic match (1 for the topic,
``FAMILY_WEIGHT`` for its family, ``OTHER_WEIGHT`` otherwise) x 2^(-age / ``HALF_LIFE`` years);
the prior q_i is the ideal-point model's probability of each option for state i, averaged over the
topic's most recent roll calls (its family's, else all). A state with no record gets no
propensity (the scenario's priors stand). ``kappa``, the half-life and the weights are judgements
checked on the rolling-origin backtest of the record (``plenary validate --record``), not fitted
to any case that is scored.

**Ties.** Co-voting affinity, the share of earlier roll calls on which two states voted alike,
is offered as extra network ties (``world.record_ties``: each state tied to the five that voted
most like it, :func:`covoting_ties`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from sim.topics import FAMILIES, related

VOTES_FILE = "votes.csv"
CALLS_FILE = "roll_calls.csv"
DECISIONS_FILE = "decisions.csv"

#: The options of a roll call, in the model's order (the ordinal scale of the item-response model).
NO, ABSTAIN, YES = 0, 1, 2
VOTE_CODES = {"no": NO, "abstain": ABSTAIN, "yes": YES, "yes_or_absent": YES}

TOPIC_WEIGHT = 0.05
FAMILY_WEIGHT = 0.02
OTHER_WEIGHT = 0.01
#: without an earlier roll call of the same series, the topic's and the family's weights
NEW_TOPIC_WEIGHT = 1.0
NEW_FAMILY_WEIGHT = 0.3
HALF_LIFE = 1.0  # years
KAPPA = 0.5
PRIOR_ITEMS = 6  # the topic's most recent roll calls averaged for the prior


@dataclass(frozen=True)
class RollCalls:
    """Recorded votes as arrays: ``votes[i, j]`` is state i's vote on roll call j (-1: absent).

    Attributes:
        iso3: the states, rows of ``votes``.
        ids: the roll calls' ids, columns of ``votes``, in date order.
        dates: the roll calls' dates.
        topics: each roll call's topic.
        titles: each roll call's title.
        votes: int8 (states x roll calls): NO, ABSTAIN, YES or -1.
    """

    iso3: tuple[str, ...]
    ids: tuple[str, ...]
    dates: tuple[date, ...]
    topics: tuple[str, ...]
    titles: tuple[str, ...]
    votes: np.ndarray

    def before(self, day: date | None) -> RollCalls:
        """The roll calls held strictly before ``day`` (all of them if None)."""
        if day is None:
            return self
        keep = [j for j, d in enumerate(self.dates) if d < day]
        return RollCalls(self.iso3, tuple(self.ids[j] for j in keep),
                         tuple(self.dates[j] for j in keep), tuple(self.topics[j] for j in keep),
                         tuple(self.titles[j] for j in keep), self.votes[:, keep])

    def __len__(self) -> int:
        return len(self.ids)


def roll_calls_from_rows(rows: list[dict[str, str]], titles: dict[str, str] | None = None) -> RollCalls:
    """Roll calls from rows with ``vote_id``, ``date``, ``topic``, ``iso3`` and ``vote``.

    Example:
        >>> rc = roll_calls_from_rows([
        ...     {"vote_id": "v1", "date": "2020-01-01", "topic": "ict", "iso3": "AAA", "vote": "yes"},
        ...     {"vote_id": "v1", "date": "2020-01-01", "topic": "ict", "iso3": "BBB", "vote": "no"},
        ...     {"vote_id": "v2", "date": "2021-01-01", "topic": "ict", "iso3": "BBB", "vote": "absent"}])
        >>> rc.iso3, rc.ids, rc.votes.tolist()
        (('AAA', 'BBB'), ('v1', 'v2'), [[2, -1], [0, -1]])
    """
    calls: dict[str, tuple[date, str]] = {}
    for r in rows:
        calls.setdefault(r["vote_id"], (date.fromisoformat(r["date"]), r["topic"]))
    ids = sorted(calls, key=lambda v: (calls[v][0], v))
    col = {v: j for j, v in enumerate(ids)}
    iso3 = sorted({r["iso3"] for r in rows})
    row = {c: i for i, c in enumerate(iso3)}
    votes = np.full((len(iso3), len(ids)), -1, dtype=np.int8)
    for r in rows:
        code = VOTE_CODES.get(r["vote"])
        if code is not None:
            votes[row[r["iso3"]], col[r["vote_id"]]] = code
    titles = titles or {}
    return RollCalls(tuple(iso3), tuple(ids), tuple(calls[v][0] for v in ids),
                     tuple(calls[v][1] for v in ids), tuple(titles.get(v, "") for v in ids), votes)


@lru_cache(maxsize=4)
def _read_roll_calls(folder: str, _stamp: int) -> RollCalls:
    import pandas as pd  # a C reader: the csv module takes a quarter of a second for this file

    table = pd.read_csv(Path(folder) / VOTES_FILE, dtype=str, keep_default_na=False)
    calls = table.drop_duplicates("vote_id")[["vote_id", "date", "topic"]]
    calls = calls.assign(day=pd.to_datetime(calls["date"]).dt.date).sort_values(["day", "vote_id"])
    ids = calls["vote_id"].tolist()
    iso3 = sorted(set(table["iso3"]))
    col = pd.Series(range(len(ids)), index=ids)
    row = pd.Series(range(len(iso3)), index=iso3)
    codes = table["vote"].map(VOTE_CODES)
    known = codes.notna().to_numpy()
    votes = np.full((len(iso3), len(ids)), -1, dtype=np.int8)
    votes[row[table["iso3"]].to_numpy()[known], col[table["vote_id"]].to_numpy()[known]] = \
        codes[known].astype(np.int8).to_numpy()
    titles: dict[str, str] = {}
    path = Path(folder) / CALLS_FILE
    if path.exists():
        meta = pd.read_csv(path, dtype=str, keep_default_na=False)
        titles = dict(zip(meta["vote_id"], meta["title"], strict=True))
    return RollCalls(tuple(iso3), tuple(ids), tuple(calls["day"]), tuple(calls["topic"]),
                     tuple(titles.get(v, "") for v in ids), votes)


def read_roll_calls(data_dir: Path) -> RollCalls | None:
    """The roll calls in ``data_dir/votes.csv`` (read once per process), or None without one."""
    path = Path(data_dir) / VOTES_FILE
    if not path.exists():
        return None
    return _read_roll_calls(str(Path(data_dir).resolve()), path.stat().st_mtime_ns)


# -- the ideal-point model -----------------------------------------------------------------------


@dataclass(frozen=True)
class IdealPoints:
    """A fitted ideal-point model: ``theta`` per state, ``a``, ``c1``, ``c2`` per roll call."""

    iso3: tuple[str, ...]
    theta: np.ndarray
    a: np.ndarray
    c1: np.ndarray
    c2: np.ndarray
    converged: bool

    def probabilities(self, rows: np.ndarray, items: np.ndarray) -> np.ndarray:
        """P(no), P(abstain), P(yes) of states ``rows`` on roll calls ``items``: (rows, items, 3)."""
        eta = self.theta[rows] @ self.a[items].T
        s1 = expit(eta - self.c1[items])
        s2 = expit(eta - self.c2[items])
        return np.stack([1.0 - s1, s1 - s2, s2], axis=-1)


PRIOR_SD = {"theta": 1.0, "a": 2.0, "c1": 5.0, "g": 2.0}


def fit_ideal_points(votes: np.ndarray, iso3: tuple[str, ...], dims: int = 2,
                     max_iter: int = 500) -> IdealPoints:
    """Fit the ordered-logit ideal-point model (module docstring) to a vote matrix.

    Args:
        votes: int8 (states x roll calls) of NO, ABSTAIN, YES or -1 (not voting).
        iso3: the states, rows of ``votes``.
        dims: dimensions of the ideal points.
        max_iter: L-BFGS iterations at most.

    Returns:
        The fitted :class:`IdealPoints` (states that never voted sit at 0).
    """
    n, m = votes.shape
    i_obs, j_obs = np.nonzero(votes >= 0)
    y = votes[i_obs, j_obs].astype(np.int64)
    yes, no, mid = y == YES, y == NO, y == ABSTAIN
    theta0 = _start(votes, dims)
    x0 = np.concatenate([theta0.ravel(), np.zeros(m * dims), _start_cuts(votes), np.zeros(m)])

    def unpack(x):
        t = x[:n * dims].reshape(n, dims)
        a = x[n * dims:(n + m) * dims].reshape(m, dims)
        c1 = x[(n + m) * dims:(n + m) * dims + m]
        g = x[(n + m) * dims + m:]
        return t, a, c1, g

    def objective(x):
        t, a, c1, g = unpack(x)
        c2 = c1 + np.exp(g)
        eta = np.einsum("kd,kd->k", t[i_obs], a[j_obs])
        de = np.empty(len(y))
        dc1 = np.zeros(len(y))
        dc2 = np.zeros(len(y))
        # d log P / d eta, d c1, d c2, branch by branch (each on its own votes)
        s2 = expit(eta[yes] - c2[j_obs[yes]])
        ll = np.log(np.maximum(s2, 1e-300)).sum()
        de[yes], dc2[yes] = 1 - s2, -(1 - s2)
        s1 = expit(eta[no] - c1[j_obs[no]])
        ll += np.log(np.maximum(1 - s1, 1e-300)).sum()
        de[no], dc1[no] = -s1, s1
        s1 = expit(eta[mid] - c1[j_obs[mid]])
        s2 = expit(eta[mid] - c2[j_obs[mid]])
        d1, d2 = s1 * (1 - s1), s2 * (1 - s2)
        p_mid = np.maximum(s1 - s2, 1e-12)
        ll += np.log(p_mid).sum()
        de[mid], dc1[mid], dc2[mid] = (d1 - d2) / p_mid, -d1 / p_mid, d2 / p_mid
        ea, et = de[:, None] * a[j_obs], de[:, None] * t[i_obs]
        gt = np.stack([np.bincount(i_obs, ea[:, k], minlength=n) for k in range(dims)], axis=1)
        ga = np.stack([np.bincount(j_obs, et[:, k], minlength=m) for k in range(dims)], axis=1)
        gc1 = np.bincount(j_obs, dc1 + dc2, minlength=m)
        gg = np.bincount(j_obs, dc2, minlength=m) * np.exp(g)
        s = PRIOR_SD
        lp = (-(t ** 2).sum() / (2 * s["theta"] ** 2) - (a ** 2).sum() / (2 * s["a"] ** 2)
              - (c1 ** 2).sum() / (2 * s["c1"] ** 2) - (g ** 2).sum() / (2 * s["g"] ** 2))
        gt -= t / s["theta"] ** 2
        ga -= a / s["a"] ** 2
        gc1 -= c1 / s["c1"] ** 2
        gg -= g / s["g"] ** 2
        grad = np.concatenate([gt.ravel(), ga.ravel(), gc1, gg])
        return -(ll + lp), -grad

    # a small symmetric-breaking start for the directions: the leading singular vectors
    x0[n * dims:(n + m) * dims] = _start_directions(votes, theta0).ravel()
    res = minimize(objective, x0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    t, a, c1, g = unpack(res.x)
    t, a = _principal_axes(t, a, votes)
    return IdealPoints(tuple(iso3), t, a, c1, c1 + np.exp(g), bool(res.success))


def _centred(votes: np.ndarray) -> np.ndarray:
    v = np.where(votes >= 0, votes.astype(float) - 1.0, np.nan)  # -1 no, 0 abstain, +1 yes
    mean = np.nanmean(np.where(np.isnan(v).all(axis=0, keepdims=True), 0.0, v), axis=0)
    return np.nan_to_num(v - mean)


def _start(votes: np.ndarray, dims: int) -> np.ndarray:
    u, s, _ = np.linalg.svd(_centred(votes), full_matrices=False)
    t = u[:, :dims] * np.sqrt(len(votes))
    t = t / max(float(np.abs(t).max()), 1e-9) * 2.0
    return np.pad(t, ((0, 0), (0, max(0, dims - t.shape[1]))))


def _start_directions(votes: np.ndarray, theta: np.ndarray) -> np.ndarray:
    c = _centred(votes)
    a, *_ = np.linalg.lstsq(theta, c, rcond=None)
    return np.clip(a.T, -3, 3)


def _start_cuts(votes: np.ndarray) -> np.ndarray:
    share = np.array([np.mean(col[col >= 0] >= ABSTAIN) if (col >= 0).any() else 0.9
                      for col in votes.T])
    share = np.clip(share, 0.02, 0.98)
    return -np.log(share / (1 - share))


def _principal_axes(theta: np.ndarray, a: np.ndarray, votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rotate (theta, a) to theta's principal axes (the likelihood and the isotropic priors do
    not change), each axis oriented so that it correlates positively with the yes rate."""
    _, _, vt = np.linalg.svd(theta - theta.mean(axis=0), full_matrices=False)
    t, a = theta @ vt.T, a @ vt.T
    yes = np.array([np.mean(r[r >= 0] == YES) if (r >= 0).any() else 0.5 for r in votes])
    for k in range(t.shape[1]):
        if np.corrcoef(t[:, k], yes)[0, 1] < 0:
            t[:, k], a[:, k] = -t[:, k], -a[:, k]
    return t, a


@lru_cache(maxsize=16)
def _ideal_points_cached(folder: str, stamp: int, day: date | None, dims: int) -> IdealPoints | None:
    calls = _read_roll_calls(folder, stamp).before(day)
    if len(calls) < 3:
        return None
    key = _fit_key(calls, dims)
    cached = _load_fit(key, calls.iso3)
    if cached is not None:
        return cached
    fit = fit_ideal_points(calls.votes, calls.iso3, dims)
    _save_fit(key, fit)
    return fit


#: bump when the model or its fit changes: fits cached on disk under another version are ignored
FIT_VERSION = 1


def cache_dir() -> Path:
    """Where fitted ideal points are kept between runs: ``$PLENARY_CACHE``, else
    ``$XDG_CACHE_HOME/plenary``, else ``~/.cache/plenary``."""
    import os

    if os.environ.get("PLENARY_CACHE"):
        return Path(os.environ["PLENARY_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "plenary"


def _fit_key(calls: RollCalls, dims: int) -> str:
    import hashlib

    h = hashlib.sha256()
    h.update(repr((FIT_VERSION, dims, sorted(PRIOR_SD.items()), calls.iso3, calls.ids)).encode())
    h.update(np.ascontiguousarray(calls.votes).tobytes())
    return h.hexdigest()[:32]


def _load_fit(key: str, iso3: tuple[str, ...]) -> IdealPoints | None:
    path = cache_dir() / f"ideal-points-{key}.npz"
    try:
        with np.load(path) as f:
            return IdealPoints(iso3, f["theta"], f["a"], f["c1"], f["c2"], bool(f["converged"]))
    except (OSError, KeyError, ValueError):
        return None


def _save_fit(key: str, fit: IdealPoints) -> None:
    """Keep a fit on disk (written beside and renamed: a reader never sees half a file); a
    cache that cannot be written is skipped (the next run fits again)."""
    import os
    import tempfile

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, theta=fit.theta, a=fit.a, c1=fit.c1, c2=fit.c2, converged=fit.converged)
        os.replace(tmp, folder / f"ideal-points-{key}.npz")
    except OSError:
        return


def ideal_points(data_dir: Path, day: date | None, dims: int = 2) -> IdealPoints | None:
    """The ideal-point model fitted to the roll calls before ``day``: once per process and date,
    and kept on disk (:func:`cache_dir`) for the next process."""
    path = Path(data_dir) / VOTES_FILE
    if not path.exists():
        return None
    return _ideal_points_cached(str(Path(data_dir).resolve()), path.stat().st_mtime_ns, day, dims)


# -- propensities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Propensity:
    """What the record says of one state on one topic, as of a date.

    Attributes:
        p: probabilities of no, abstain, yes on the topic's next roll call.
        votes: the state's earlier votes on the topic itself (how much of ``p`` is its own record).
        weight: the total weight of its earlier votes (topic, family and the rest, decayed).
        theta: its ideal point in the roll-call model (None if it never voted).
        latest: its latest vote on the topic (NO, ABSTAIN, YES) or None.
    """

    p: np.ndarray
    votes: int
    weight: float
    theta: np.ndarray | None
    latest: int | None


def series_key(title: str) -> str:
    """A roll call's series: its title, lower-cased, without what marks a year's version
    (the General Assembly votes the same resolutions year after year under the same titles).

    A title that quotes the text's own title (``First Committee draft A/C.1/78/L.56 "Lethal
    autonomous weapons systems"``) stands for what it quotes; what is in brackets is left out.

    Example:
        >>> series_key("Lethal autonomous weapons systems (inferred from the voting pattern)")
        'lethal autonomous weapons systems'
        >>> series_key('General Assembly resolution 78/241 "Lethal autonomous weapons systems"')
        'lethal autonomous weapons systems'
        >>> series_key("Lethal autonomous weapons systems (A/C.1/78/L.56, resolution 78/241)")
        'lethal autonomous weapons systems'
    """
    quoted = re.search(r'["“]([^"”]+)["”]', title or "")
    if quoted:
        title = quoted.group(1)
    title = re.sub(r"\([^)]*\)", "", title or "")  # symbols, dates, "(inferred ...)"
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def topic_weights(calls: RollCalls, topic: str, day: date | None, title: str = "") -> np.ndarray:
    """w_j of the module docstring for each roll call: match x half-life decay, the match being
    1 for the same series (title), ``TOPIC_WEIGHT`` for the topic, that times
    :func:`sim.topics.related` for a closely related topic, ``FAMILY_WEIGHT`` for its family,
    ``OTHER_WEIGHT`` otherwise; for a text with no earlier roll call of its series (a
    new resolution), the topic stands in for the series (``NEW_TOPIC_WEIGHT``,
    ``NEW_FAMILY_WEIGHT``)."""
    family = FAMILIES.get(topic, topic)
    series = series_key(title) if title else ""
    same = np.array([bool(series) and series_key(name) == series for name in calls.titles], dtype=bool)
    on_topic, in_family = (TOPIC_WEIGHT, FAMILY_WEIGHT) if same.any() else (NEW_TOPIC_WEIGHT,
                                                                             NEW_FAMILY_WEIGHT)
    match = np.array([1.0 if s else on_topic if t == topic
                      else max(on_topic * related(topic, t), in_family)
                      if FAMILIES.get(t, t) == family
                      else OTHER_WEIGHT for t, s in zip(calls.topics, same, strict=True)])
    if day is None:
        day = max(calls.dates) if calls.dates else date.today()
    age = np.array([(day - d).days / 365.25 for d in calls.dates])
    return match * np.power(2.0, -age / HALF_LIFE)


def prior_items(calls: RollCalls, topic: str, title: str = "") -> np.ndarray:
    """The roll calls whose model probabilities make a state's prior: the latest of the same
    series, else the topic's latest ``PRIOR_ITEMS``, else its family's, else the latest of all."""
    family = FAMILIES.get(topic, topic)
    series = series_key(title) if title else None
    if series:
        same = [j for j, name in enumerate(calls.titles) if series_key(name) == series]
        if same:
            return np.array(same[-1:], dtype=np.int64)
    for keep in (lambda t: t == topic, lambda t: FAMILIES.get(t, t) == family, lambda t: True):
        items = [j for j, t in enumerate(calls.topics) if keep(t)]
        if items:
            return np.array(items[-PRIOR_ITEMS:], dtype=np.int64)
    return np.array([], dtype=np.int64)


def propensities(calls: RollCalls, model: IdealPoints | None, topic: str, day: date | None,
                 kappa: float = KAPPA, title: str = "") -> dict[str, Propensity]:
    """Each state's propensities on ``topic`` from the roll calls (already cut at ``day``).

    Args:
        calls: the roll calls before the date.
        model: the ideal-point model fitted to the same roll calls (None: the prior is the
            population's share of each option on the topic's latest roll calls).
        topic: the topic of the coming decision (a key of :data:`FAMILIES`).
        day: the date of the decision (for the decay).
        kappa: the prior's weight, in roll calls.
        title: the coming text's title: earlier roll calls of the same series weigh most.

    Returns:
        ISO3 -> :class:`Propensity`, for every state that voted at least once.
    """
    if not len(calls):
        return {}
    w = topic_weights(calls, topic, day, title)
    items = prior_items(calls, topic, title)
    cast = calls.votes >= 0
    onehot = np.stack([(calls.votes == k) for k in (NO, ABSTAIN, YES)], axis=-1).astype(float)
    counts = np.einsum("j,ijk->ik", w, onehot)
    weight = cast.astype(float) @ w
    if model is not None:
        prior = model.probabilities(np.arange(len(calls.iso3)), items).mean(axis=1)
    else:
        sub = onehot[:, items]
        prior = np.broadcast_to(sub.sum(axis=(0, 1)) / max(sub.sum(), 1.0), (len(calls.iso3), 3))
    p = (counts + kappa * prior) / (weight + kappa)[:, None]
    on_topic = np.array([t == topic for t in calls.topics])
    out = {}
    for i, code in enumerate(calls.iso3):
        if not cast[i].any():
            continue
        mine = np.flatnonzero(cast[i] & on_topic)
        out[code] = Propensity(p[i], len(mine), float(weight[i]),
                               None if model is None else model.theta[i],
                               int(calls.votes[i, mine[-1]]) if len(mine) else None)
    return out


@lru_cache(maxsize=64)
def _propensities_cached(folder: str, stamp: int, topic: str, day: date | None, title: str
                         ) -> dict[str, Propensity]:
    calls = _read_roll_calls(folder, stamp).before(day)
    model = _ideal_points_cached(folder, stamp, day, 2)
    return propensities(calls, model, topic, day, title=title)


def record_propensities(data_dir: Path, topic: str, day: date | None, title: str = ""
                        ) -> dict[str, Propensity]:
    """:func:`propensities` of the bundled record (``data_dir/votes.csv``) before ``day``, fitted
    once per process, topic, date and title."""
    path = Path(data_dir) / VOTES_FILE
    if not path.exists():
        return {}
    return _propensities_cached(str(Path(data_dir).resolve()), path.stat().st_mtime_ns, topic, day,
                                title)


def latest_votes(calls: RollCalls, topic: str) -> dict[str, int]:
    """Each state's latest vote on ``topic`` (the persistence baseline), NO/ABSTAIN/YES."""
    on_topic = [j for j, t in enumerate(calls.topics) if t == topic]
    out: dict[str, int] = {}
    for j in on_topic:  # in date order: later votes overwrite
        for i in np.flatnonzero(calls.votes[:, j] >= 0):
            out[calls.iso3[i]] = int(calls.votes[i, j])
    return out


def covoting_affinity(calls: RollCalls) -> tuple[tuple[str, ...], np.ndarray]:
    """The share of the roll calls both states voted on where they voted alike (states x states;
    NaN where they never voted on the same roll call)."""
    cast = (calls.votes >= 0).astype(float)
    both = cast @ cast.T
    same = sum(((calls.votes == k).astype(float) @ (calls.votes == k).astype(float).T)
               for k in (NO, ABSTAIN, YES))
    with np.errstate(invalid="ignore", divide="ignore"):
        return calls.iso3, np.where(both > 0, same / both, np.nan)


# -- endorsements and consensus ------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A recorded endorsement of a declaration or a decision by consensus (``decisions.csv``).

    ``stances``: ISO3 -> ``endorse`` / ``not_endorsed`` (endorsements) or ``joined`` / ``object``
    (consensus), for the states the sources say something of."""

    id: str
    kind: str
    date: date
    topic: str
    stances: dict[str, str]


@lru_cache(maxsize=4)
def _read_decisions(path: str, _stamp: int) -> tuple[Decision, ...]:
    found: dict[str, Decision] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            d = found.setdefault(r["decision_id"], Decision(
                r["decision_id"], r["kind"], date.fromisoformat(r["date"]), r["topic"], {}))
            d.stances[r["iso3"]] = r["stance"]
    return tuple(sorted(found.values(), key=lambda d: (d.date, d.id)))


def read_decisions(data_dir: Path) -> tuple[Decision, ...]:
    """The recorded endorsements and consensus decisions beside the roster (empty without a file)."""
    path = Path(data_dir) / DECISIONS_FILE
    if not path.exists():
        return ()
    return _read_decisions(str(path.resolve()), path.stat().st_mtime_ns)


#: What counts as the telling act of each kind of decision, and how much: forcing a weaker text
#: that was then adopted is a quarter of a block (judgement: of the 13 weakenings on record
#: before 2024 none ended in a block of that decision).
TELLING = {"endorsement": {"endorse": 1.0}, "consensus": {"object": 1.0, "weakened": 0.25}}
#: A decision whose rows name at least this many states lists (about) everyone who took part.
LISTS_ALL = 100
#: JUDGEMENT: the share taking the telling act where no decision lists everyone: about 57 of
#: 193 endorsed REAIM 2023's call (sources in decisions.csv); blocks are rare.
ACT_PRIOR = {"endorsement": 0.3, "consensus": 0.02}
#: JUDGEMENT: a state with no record of blocking objects to a consensus on a topic with this
#: share of its propensity to vote no on it (objecting alone costs more than voting no among many).
BLOCK_SHARE = 0.3


def decision_propensities(decisions: tuple[Decision, ...], kind: str, topic: str, day: date | None,
                          prior: dict[str, float] | None = None, kappa: float = 1.0
                          ) -> tuple[dict[str, tuple[float, float]], float]:
    """Each state's propensity to take the telling act (:data:`TELLING`) in the next decision of
    ``kind`` on ``topic``, from the decisions strictly before ``day`` (module docstring: the same
    weights and blend as for roll calls).

    Args:
        prior: ISO3 -> the prior propensity (default: the weighted share of the act among the
            stances of the relevant decisions that list most states (:data:`LISTS_ALL`), else
            :data:`ACT_PRIOR`: a list of endorsers alone overstates the share who endorse).

    Returns:
        (ISO3 -> (propensity, weight of its own record) for the states with a record, the
        default prior), or ({}, the default prior) without any relevant decision.

    Example:
        >>> ds = (Decision("d1", "endorsement", date(2023, 1, 1), "ai_military",
        ...                {"AAA": "endorse", "BBB": "not_endorsed"}),)
        >>> found, base = decision_propensities(ds, "endorsement", "ai_military", date(2023, 6, 1))
        >>> {k: round(v[0], 3) for k, v in found.items()}, base
        ({'AAA': 0.6, 'BBB': 0.171}, 0.3)
    """
    act = TELLING[kind]
    fam = FAMILIES.get(topic, topic)
    hits: dict[str, float] = {}
    weights: dict[str, float] = {}
    listed = [0.0, 0.0]  # acts and stances in decisions that list most states
    for d in decisions:
        if d.kind != kind or (day is not None and d.date >= day):
            continue
        # (related topics are not joined here: the Belén call for a ban and the US declaration
        # on responsible use were endorsed by different camps)
        match = 1.0 if d.topic == topic else FAMILY_WEIGHT if FAMILIES.get(d.topic, d.topic) == fam else 0.0
        if not match:
            continue
        age = ((day or d.date) - d.date).days / 365.25
        w = match * 2.0 ** (-age / HALF_LIFE)
        for code, stance in d.stances.items():
            weights[code] = weights.get(code, 0.0) + w
            hits[code] = hits.get(code, 0.0) + w * act.get(stance, 0.0)
        if len(d.stances) >= LISTS_ALL:
            listed[0] += w * sum(act.get(s, 0.0) for s in d.stances.values())
            listed[1] += w * len(d.stances)
    base = listed[0] / listed[1] if listed[1] else ACT_PRIOR[kind]
    prior = prior or {}
    return {c: ((hits[c] + kappa * prior.get(c, base)) / (weights[c] + kappa), weights[c])
            for c in weights}, base


#: JUDGEMENT: in a consensus forum, standing aside (not blocking) is this share of a state's
#: propensity to abstain in a vote on the topic.
STAND_ASIDE_SHARE = 0.5
#: Probabilities are kept within [FLOOR, 1 - FLOOR]: the record never makes an option impossible.
FLOOR = 0.005


def option_probabilities(data_dir: Path, iso3: list[str], topic: str, rule: str,
                         day: date | None, title: str = "") -> np.ndarray:
    """What the record says each state will do under a forum's rule on ``topic`` (states x
    stance codes; NaN rows for states the record says nothing of).

    * ``vote`` and ``qualified_majority``: the roll-call propensities (yes, no, abstain);
    * ``consensus``: objecting from the recorded blocks of consensus, with a prior of
      :data:`BLOCK_SHARE` times the state's propensity to vote no on the topic; standing aside
      :data:`STAND_ASIDE_SHARE` times its propensity to abstain; joining the rest;
    * ``open_endorsement``: endorsing from the recorded endorsements of declarations on the
      topic (or its family); every state gets the recorded share as its prior. Without any
      such record, NaN for all.

    ``title``: the text's title; earlier roll calls of the same series weigh most.
    """
    from sim.stance import Stance

    votes = record_propensities(data_dir, topic, day, title)
    out = np.full((len(iso3), len(Stance)), np.nan)
    if rule in ("vote", "qualified_majority"):
        for i, c in enumerate(iso3):
            if c in votes:
                p = votes[c].p
                out[i] = 0.0
                out[i, [Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN]] = p[[YES, NO, ABSTAIN]]
    elif rule == "consensus":
        prior = {c: BLOCK_SHARE * v.p[NO] for c, v in votes.items()}
        blocks, _ = decision_propensities(read_decisions(data_dir), "consensus", topic, day, prior)
        for i, c in enumerate(iso3):
            if c not in blocks and c not in votes:
                continue
            obj = blocks[c][0] if c in blocks else prior[c]
            aside = STAND_ASIDE_SHARE * votes[c].p[ABSTAIN] if c in votes else 0.0
            out[i] = 0.0
            out[i, [Stance.ENDORSE, Stance.ABSTAIN, Stance.OBJECT]] = (1.0 - obj - aside, aside, obj)
    elif rule == "open_endorsement":
        endorsed, base = decision_propensities(read_decisions(data_dir), "endorsement", topic, day)
        if endorsed:
            for i, c in enumerate(iso3):
                p = endorsed[c][0] if c in endorsed else base
                out[i] = 0.0
                out[i, [Stance.ENDORSE, Stance.UNDECIDED]] = (p, 1.0 - p)
    known = ~np.isnan(out[:, 0])
    clipped = np.clip(out[known], FLOOR, 1.0 - FLOOR) * (out[known] > 0)
    out[known] = clipped / clipped.sum(axis=1, keepdims=True)
    return out


def presence(data_dir: Path, iso3: list[str], day: date | None) -> np.ndarray:
    """Each state's probability of casting a vote (yes, no or abstain) in a General Assembly roll
    call, from its record before ``day``: the decayed share of the roll calls it voted in,
    blended with the share of all states (weight ``KAPPA``); 1 for a state with no record.

    Some states are often absent (small delegations, arrears that suspend the vote under
    Article 19 of the Charter): 26 members did not vote on resolution 78/241."""
    calls = read_roll_calls(data_dir)
    out = np.ones(len(iso3))
    if calls is None:
        return out
    calls = calls.before(day)
    if not len(calls):
        return out
    age = np.array([((day or max(calls.dates)) - d).days / 365.25 for d in calls.dates])
    w = np.power(2.0, -age / HALF_LIFE)
    voted = (calls.votes >= 0).astype(float) @ w
    base = float(voted.sum() / (w.sum() * len(calls.iso3)))
    row = {c: i for i, c in enumerate(calls.iso3)}
    for k, c in enumerate(iso3):
        if c in row:
            out[k] = (voted[row[c]] + KAPPA * base) / (w.sum() + KAPPA)
    return out


def record_ideals(data_dir: Path, iso3: list[str], dimensions: list[str],
                  stated: dict[int, dict[str, float]], day: date | None) -> dict[int, dict[str, float]]:
    """Ideal points on the scenario's standard dimensions (``stringency``, ``human_control``)
    from the roll-call ideal points, for the states with a record and no stated position.

    The map from roll-call ideal points theta to a dimension is the least-squares line through
    the states that have both (their stated positions, ``sim/profiles.py``), clipped to [0, 1]:
    y = b0 + b1 theta_1 + b2 theta_2. Needs at least ten such states; otherwise nothing.

    Args:
        stated: position in ``iso3`` -> its stated point (from ``profiles_from_positions``).

    Returns:
        position in ``iso3`` -> {dimension: value}.
    """
    model = ideal_points(data_dir, day)
    if model is None:
        return {}
    row = {c: i for i, c in enumerate(model.iso3)}
    out: dict[int, dict[str, float]] = {}
    for dim in ("stringency", "human_control"):
        if dim not in dimensions:
            continue
        pairs = [(model.theta[row[iso3[i]]], p[dim]) for i, p in stated.items()
                 if dim in p and iso3[i] in row]
        if len(pairs) < 10:
            continue
        x = np.column_stack([np.ones(len(pairs)), np.array([t for t, _ in pairs])])
        coef, *_ = np.linalg.lstsq(x, np.array([y for _, y in pairs]), rcond=None)
        for i, code in enumerate(iso3):
            if code in row and i not in stated:
                value = float(np.clip(coef[0] + model.theta[row[code]] @ coef[1:], 0.0, 1.0))
                out.setdefault(i, {})[dim] = round(value, 6)
    return out


def covoting_ties(data_dir: Path, iso3: list[str], day: date | None, weight: float,
                  neighbours: int = 5) -> tuple[tuple[str, str, float], ...]:
    """Ties from co-voting: each state to the ``neighbours`` states of ``iso3`` that voted most
    like it before ``day`` (at least 20 roll calls in common), weighted ``weight`` x affinity;
    a pair chosen from both ends counts once.

    Returns:
        (a, b, weight) with a < b, sorted.
    """
    calls = read_roll_calls(data_dir)
    if calls is None or weight <= 0:
        return ()
    calls = calls.before(day)
    if not len(calls):
        return ()
    codes, affinity = covoting_affinity(calls)
    cast = (calls.votes >= 0).astype(float)
    common = cast @ cast.T
    wanted = set(iso3)
    keep = [k for k, c in enumerate(codes) if c in wanted]
    ties: dict[tuple[str, str], float] = {}
    for k in keep:
        others = [j for j in keep if j != k and common[k, j] >= 20 and not np.isnan(affinity[k, j])]
        others.sort(key=lambda j: (-affinity[k, j], codes[j]))
        for j in others[:neighbours]:
            pair = tuple(sorted((codes[k], codes[j])))
            ties[pair] = round(weight * float(affinity[k, j]), 6)
    return tuple(sorted((a, b, w) for (a, b), w in ties.items()))
