"""Opinion drift: bounded-confidence averaging over the ties (Hegselmann and Krause 2002)::

    x_i += mu * sum_j w_ij c_j [d_ij < eps] (x_j - x_i) / sum_j w_ij c_j [d_ij < eps]

a partial step of size mu toward the confidence-bounded weighted mean, with d_ij the weighted
Euclidean distance scaled to [0, 1]. One arithmetic, compiled, walked in one of two orders with
bit-identical results: the ties in CSR order, or (two dimensions, symmetric ties) each pair once,
a fifth to a third faster (tests/test_kernels.py checks the two against each other and against a
NumPy statement of the formula).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from agents.compiled import U, njit


@dataclass(frozen=True)
class TiePairs:
    """A symmetric tie matrix walked a pair at a time: the ties (i, j) with i < j in CSR order
    (row i's run is ``cols[ptr[i]:ptr[i + 1]]``), with each one's position in the CSR arrays
    (``upper``) and that of its reverse tie (j, i) (``reverse``); :meth:`with_pull` adds each
    pair's two pulls, once a run."""

    ptr: np.ndarray
    cols: np.ndarray
    upper: np.ndarray
    reverse: np.ndarray
    pull_ij: np.ndarray | None = None
    pull_ji: np.ndarray | None = None

    def with_pull(self, pull: np.ndarray) -> TiePairs:
        """These pairs with the pull of each tie and of its reverse (``pull`` in CSR order)."""
        return replace(self, pull_ij=pull[self.upper], pull_ji=pull[self.reverse])

    @classmethod
    def of(cls, ties) -> TiePairs | None:
        """The pairs of a CSR matrix with sorted indices, or None if its pattern is not
        symmetric or it ties a state to itself."""
        n, nnz = ties.shape[0], ties.nnz
        rows = np.repeat(np.arange(n), np.diff(ties.indptr))
        if not ties.has_sorted_indices or np.any(rows == ties.indices):
            return None
        import scipy.sparse as sp  # only here: the kernels need no SciPy

        # number the ties 1..nnz (0 would read as no tie), transpose: each tie meets its reverse
        numbered = sp.csr_matrix((np.arange(1, nnz + 1), ties.indices, ties.indptr), shape=(n, n))
        flipped = numbered.T.tocsr()
        flipped.sort_indices()
        if not (np.array_equal(flipped.indptr, ties.indptr)
                and np.array_equal(flipped.indices, ties.indices)):
            return None
        upper = np.flatnonzero(ties.indices > rows)
        ptr = np.concatenate(([0], np.cumsum(np.bincount(rows[upper], minlength=n))))
        return cls(ptr.astype(np.int64), ties.indices[upper].astype(np.int64),
                   upper.astype(np.int64), (flipped.data[upper] - 1).astype(np.int64))


@njit(cache=True, nogil=True)
def _drift_csr(ideal, indptr, cols, pull, dim_weights, total_weight, mu, eps):
    # Edges are walked row by row (CSR order, the order bincount sums them in), with each
    # row's sums kept in locals: a running sum in memory (den[i] += ...) made every edge
    # wait for the previous store. pull[e] = w_ij c_j is computed once per run, not per
    # round; the coordinates are copied into one contiguous array per dimension; indices
    # are unsigned (see _U). Two dimensions, the common case, get their own loop.
    n, dims = ideal.shape
    bound = eps * eps * total_weight
    den = np.zeros(n)
    num = np.zeros((n, dims))
    if dims == 2:
        w0 = dim_weights[0]
        w1 = dim_weights[1]
        x0 = ideal[:, 0].copy()
        x1 = ideal[:, 1].copy()
        for i in range(n):
            a0 = x0[i]
            a1 = x1[i]
            s = 0.0
            s0 = 0.0
            s1 = 0.0
            for e in range(U(indptr[i]), U(indptr[i + 1])):
                j = U(cols[e])
                d0 = x0[j] - a0
                d1 = x1[j] - a1
                # pull * 1.0 or pull * 0.0: no branch to mispredict (adding 0.0 changes no sum)
                weight = pull[e] * (d0 * d0 * w0 + d1 * d1 * w1 < bound)
                s += weight
                s0 += weight * d0
                s1 += weight * d1
            den[i] = s
            num[i, 0] = s0
            num[i, 1] = s1
    else:
        diff = np.empty(dims)
        acc = np.empty(dims)
        for i in range(n):
            s = 0.0
            acc[:] = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = cols[e]
                d2 = 0.0
                for k in range(dims):
                    diff[k] = ideal[j, k] - ideal[i, k]
                    d2 += diff[k] * diff[k] * dim_weights[k]
                weight = pull[e] if d2 < bound else 0.0
                s += weight
                for k in range(dims):
                    acc[k] += weight * diff[k]
            den[i] = s
            num[i, :] = acc
    for i in range(n):
        if den[i] > 0:
            for k in range(dims):
                ideal[i, k] += mu * num[i, k] / den[i]

@njit(inline="always")
def _pair_sums(x0, x1, ptr, cols, pull_ij, pull_ji, w0, w1, bound, unit, den, num0, num1):
    # Two dimensions, symmetric ties: each pair (i, j), i < j, is measured once and added to
    # both rows. Row i's sums stay in locals; row j's wait in memory. Row j still sums its
    # ties in CSR order: those to rows i < j arrive while rows 0..j-1 are walked, in
    # increasing i, before row j adds its own ties to higher rows. Its differences are the
    # exact negations of row i's (IEEE subtraction is antisymmetric), and a tie beyond the
    # confidence bound is skipped, where the CSR kernel adds pull * 0.0 = 0.0, which changes
    # no sum (a sum of these terms is never -0.0): the results are bit for bit the same.
    # ``unit`` (both weights 1.0, where x * 1.0 is x exactly) is a constant at each of the
    # two inlined call sites, so each gets its own loop: two multiplications fewer a pair,
    # a tenth of the drift's time.
    for i in range(x0.shape[0]):
        a0 = x0[i]
        a1 = x1[i]
        s = den[i]  # row i's ties to lower rows, added while those were walked
        s0 = num0[i]
        s1 = num1[i]
        for e in range(U(ptr[i]), U(ptr[i + 1])):
            j = U(cols[e])
            d0 = x0[j] - a0
            d1 = x1[j] - a1
            if (d0 * d0 + d1 * d1 if unit else d0 * d0 * w0 + d1 * d1 * w1) < bound:
                p = pull_ij[e]
                s += p
                s0 += p * d0
                s1 += p * d1
                q = pull_ji[e]
                den[j] += q
                num0[j] -= q * d0
                num1[j] -= q * d1
        den[i] = s
        num0[i] = s0
        num1[i] = s1

@njit(cache=True, nogil=True)
def drift_pairs_arrays(ideal, ptr, cols, pull_ij, pull_ji, dim_weights, total_weight, mu, eps):
    n = ideal.shape[0]
    bound = eps * eps * total_weight
    w0 = dim_weights[0]
    w1 = dim_weights[1]
    x0 = ideal[:, 0].copy()
    x1 = ideal[:, 1].copy()
    den = np.zeros(n)
    num0 = np.zeros(n)
    num1 = np.zeros(n)
    if w0 == 1.0 and w1 == 1.0:
        _pair_sums(x0, x1, ptr, cols, pull_ij, pull_ji, w0, w1, bound, True, den, num0, num1)
    else:
        _pair_sums(x0, x1, ptr, cols, pull_ij, pull_ji, w0, w1, bound, False, den, num0, num1)
    for i in range(n):
        if den[i] > 0:
            ideal[i, 0] += mu * num0[i] / den[i]
            ideal[i, 1] += mu * num1[i] / den[i]


def drift(ideal, rows, cols, w, capability, dim_weights, mu, eps, indptr=None,
          pull=None, pairs: TiePairs | None = None) -> None:
    """One round of drift over the edges (rows -> cols, ``rows`` sorted as CSR order gives), in
    place. Pass the CSR ``indptr`` when it is at hand, ``pull = w * capability[cols]`` when the
    capabilities are fixed, and the ``pairs`` of a symmetric tie matrix: with two dimensions
    each pair is then measured once."""
    if indptr is None:
        indptr = np.searchsorted(rows, np.arange(ideal.shape[0] + 1))
    if pull is None:
        pull = w * capability[cols]
    if pairs is not None and ideal.shape[1] == 2:
        if pairs.pull_ij is None:
            pairs = pairs.with_pull(pull)
        drift_pairs_arrays(ideal, pairs.ptr, pairs.cols, pairs.pull_ij, pairs.pull_ji,
                     dim_weights, dim_weights.sum(), mu, eps)
        return
    _drift_csr(ideal, indptr, cols, pull, dim_weights, dim_weights.sum(), mu, eps)
