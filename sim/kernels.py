"""Hot loops of a round, each in two implementations that give bit-identical results.

The NumPy versions are the reference and the fallback; the Numba versions (compiled on first use
and cached on disk) run the same arithmetic in the same order, so the choice never changes a
result (tests/test_kernels.py runs the golden scenario through both). Set the environment
variable ``PLENARY_KERNELS=numpy`` to force the fallback; it is also used when Numba cannot be
imported.
"""

from __future__ import annotations

import os

import numpy as np

try:  # pragma: no cover - which branch runs depends on the machine
    if os.environ.get("PLENARY_KERNELS", "numba") == "numpy":
        raise ImportError("NumPy kernels requested")
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False


def drift_numpy(ideal: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray,
                capability: np.ndarray, dim_weights: np.ndarray, mu: float, eps: float) -> None:
    """Bounded-confidence averaging over the edges (rows -> cols), in place.

    x_i += mu * sum_j w_ij c_j [d_ij < eps] (x_j - x_i) / sum_j w_ij c_j [d_ij < eps]
    (Hegselmann and Krause 2002, as a partial step of size mu toward the confidence-bounded
    weighted mean), with d_ij the weighted Euclidean distance scaled to [0, 1].
    """
    n, dims = ideal.shape
    diff = ideal[cols] - ideal[rows]
    d2 = np.zeros(len(rows))
    for k in range(dims):
        d2 += diff[:, k] * diff[:, k] * dim_weights[k]
    close = np.sqrt(d2 / dim_weights.sum()) < eps
    weight = np.where(close, w * capability[cols], 0.0)
    den = np.bincount(rows, weights=weight, minlength=n)
    moved = den > 0
    for k in range(dims):
        num = np.bincount(rows, weights=weight * diff[:, k], minlength=n)
        ideal[moved, k] += mu * num[moved] / den[moved]


if HAVE_NUMBA:

    @njit(cache=True, nogil=True)
    def _drift_numba(ideal, rows, cols, w, capability, dim_weights, total_weight, mu, eps):
        n, dims = ideal.shape
        den = np.zeros(n)
        num = np.zeros((n, dims))
        diff = np.empty(dims)
        for e in range(rows.shape[0]):
            i = rows[e]
            j = cols[e]
            d2 = 0.0
            for k in range(dims):
                diff[k] = ideal[j, k] - ideal[i, k]
                d2 += diff[k] * diff[k] * dim_weights[k]
            if np.sqrt(d2 / total_weight) < eps:
                weight = w[e] * capability[j]
                den[i] += weight
                for k in range(dims):
                    num[i, k] += weight * diff[k]
        for i in range(n):
            if den[i] > 0:
                for k in range(dims):
                    ideal[i, k] += mu * num[i, k] / den[i]

    def drift_numba(ideal, rows, cols, w, capability, dim_weights, mu, eps) -> None:
        """:func:`drift_numpy`, compiled."""
        _drift_numba(ideal, rows, cols, w, capability, dim_weights, dim_weights.sum(), mu, eps)

    drift = drift_numba
else:  # pragma: no cover
    drift = drift_numpy
