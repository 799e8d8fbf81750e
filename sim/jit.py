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
