"""How Plenary's behaviour is compiled: Numba's ``njit`` with an on-disk cache, and the few
numerical helpers the compiled phases share.

Every phase of a round (``agents/state.py``'s deliberation, ``agents/coalitions.py``,
``agents/strategy.py``'s campaigns, ``agents/stakeholder.py``'s lobbying, ``agents/drift.py``) is
defined once, as a compiled function over the model's arrays. The engine calls them one at a time
on the general path of a round (``sim/engine/model.py``) and composes the same functions into one
compiled call for the common kind of round (``sim/engine/fastround.py``): there is no second
implementation to keep equal. To step through them in a debugger, run with Numba's own switch
``NUMBA_DISABLE_JIT=1`` (the same code, interpreted; much slower).
"""

from __future__ import annotations

import os

import numpy as np
from numba import njit

__all__ = ["U", "njit", "none_cached", "pairwise_sum"]

#: Array positions as unsigned integers: Numba then skips the test-and-wrap of negative indices
#: on every access, which in the loops over ties cost a fifth of the time.
U = np.uint64


def none_cached(*functions) -> bool:
    """Whether none of these compiled functions has machine code cached on disk yet: a fresh
    install, whose first run compiles them (half a minute for Plenary's, once per machine).
    False when Numba keeps its cache where this does not look."""
    try:
        return not any(os.path.exists(f._cache._cache_file._index_path) for f in functions)
    except AttributeError:  # pragma: no cover - another Numba's internals, or NUMBA_DISABLE_JIT
        return False


@njit(cache=True, nogil=True)
def _block_sum(a, start, n):
    # NumPy's pairwise summation of at most 128 numbers: eight running sums, then the rest
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[start + i]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    while i < n - (n % 8):
        r0 += a[start + i]
        r1 += a[start + i + 1]
        r2 += a[start + i + 2]
        r3 += a[start + i + 3]
        r4 += a[start + i + 4]
        r5 += a[start + i + 5]
        r6 += a[start + i + 6]
        r7 += a[start + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def pairwise_sum(a, start, n):
    """NumPy's pairwise summation of ``a[start:start + n]`` (numpy/_core/src/umath/
    loops_utils.h.src), which np.add.reduce and reduceat use on contiguous float64: blocks of up
    to 128, longer runs split in halves (rounded down to a multiple of 8) and the halves' sums
    added. NumPy recurses; this walks the same tree with a stack (Numba cannot reliably cache a
    recursive function). tests/test_kernels.py checks it against NumPy's sums."""
    if n <= 128:
        return _block_sum(a, start, n)
    depth = 64  # halving from 2**63 numbers
    starts = np.empty(depth, dtype=np.int64)
    sizes = np.empty(depth, dtype=np.int64)
    stage = np.zeros(depth, dtype=np.int64)  # 0: new, 1: left half under way, 2: right
    left = np.empty(depth)
    starts[0], sizes[0] = start, n
    top = 0
    carry = 0.0  # the sum a finished half hands to its parent
    while True:
        m = sizes[top]
        half = m // 2 - (m // 2) % 8
        if m > 128 and stage[top] == 0:  # split: the left half first
            stage[top] = 1
            starts[top + 1], sizes[top + 1], stage[top + 1] = starts[top], half, 0
            top += 1
            continue
        if m > 128 and stage[top] == 1:  # the left half is done: the right one
            left[top] = carry
            stage[top] = 2
            starts[top + 1], sizes[top + 1], stage[top + 1] = starts[top] + half, m - half, 0
            top += 1
            continue
        value = _block_sum(a, starts[top], m) if m <= 128 else left[top] + carry
        top -= 1
        if top < 0:
            return value
        carry = value
