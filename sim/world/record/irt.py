"""The ideal-point model of the roll calls, and what it gives the world: ideal points on a
scenario's dimensions and co-voting ties (see ``sim/world/record/__init__.py`` for the model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from sim.world.record.data import ABSTAIN, NO, VOTES_FILE, YES, RollCalls, _read_roll_calls, read_roll_calls


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


def covoting_affinity(calls: RollCalls) -> tuple[tuple[str, ...], np.ndarray]:
    """The share of the roll calls both states voted on where they voted alike (states x states;
    NaN where they never voted on the same roll call)."""
    cast = (calls.votes >= 0).astype(float)
    both = cast @ cast.T
    same = sum(((calls.votes == k).astype(float) @ (calls.votes == k).astype(float).T)
               for k in (NO, ABSTAIN, YES))
    with np.errstate(invalid="ignore", divide="ignore"):
        return calls.iso3, np.where(both > 0, same / both, np.nan)


def record_ideals(data_dir: Path, iso3: list[str], dimensions: list[str],
                  stated: dict[int, dict[str, float]], day: date | None) -> dict[int, dict[str, float]]:
    """Ideal points on the scenario's standard dimensions (``stringency``, ``human_control``)
    from the roll-call ideal points, for the states with a record and no stated position.

    The map from roll-call ideal points theta to a dimension is the least-squares line through
    the states that have both (their stated positions, ``sim/world/profiles.py``), clipped to [0, 1]:
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
