"""Whether the compiled kernels run: Numba's, unless ``PLENARY_KERNELS=numpy`` asks for the NumPy
references or Numba cannot be imported (the NumPy references are then used everywhere)."""

from __future__ import annotations

import os

import numpy as np

try:  # pragma: no cover - which branch runs depends on the machine
    if os.environ.get("PLENARY_KERNELS", "numba") == "numpy":
        raise ImportError("NumPy kernels requested")
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    njit = None
    HAVE_NUMBA = False

#: Array positions as unsigned integers: Numba then skips the test-and-wrap of negative indices
#: on every access, which in the loops over ties cost a fifth of the time.
U = np.uint64


def none_cached(*functions) -> bool:
    """Whether none of these compiled functions has machine code cached on disk yet: a fresh
    install, whose first run compiles them (half a minute for Plenary's, once per machine).
    False when Numba does not run or keeps its cache where this does not look."""
    if not HAVE_NUMBA:
        return False
    try:
        return not any(os.path.exists(f._cache._cache_file._index_path) for f in functions)
    except AttributeError:  # pragma: no cover - another Numba's internals: say nothing
        return False
