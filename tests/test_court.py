"""The compiled outreach kernel picks the same targets and moves them as its NumPy twin does."""

import numpy as np
import pytest

from agents import strategy
from tests import oracles


@pytest.mark.parametrize("seed", range(6))
def test_court_kernels_agree_bit_for_bit_with_ties_and_nan(seed):
    rng = np.random.default_rng(seed)
    n, dims = 40, 1 + seed % 3
    key = rng.integers(0, 5, n).astype(float)  # many ties, broken by array position
    key[rng.random(n) < 0.1] = np.nan  # ranked after every number
    holdouts = rng.random(n) < 0.6
    effect = rng.random(n) * 0.3
    position = rng.random(dims)
    for budget in (0, 1, 3, n):
        a = rng.random((n, dims))
        b = a.copy()
        visits_numpy = oracles.court(a, key, holdouts, budget, effect, position)
        visits_numba = strategy.court(b, key, holdouts, budget, effect, position)
        assert visits_numpy == visits_numba == min(budget, int(holdouts.sum()))
        assert np.array_equal(a, b)


def test_court_visits_the_smallest_keys_first():
    ideal = np.zeros((4, 1))
    key = np.array([3.0, 1.0, 1.0, 0.5])
    holdouts = np.array([True, True, True, False])  # state 3 already endorses
    visits = strategy.court(ideal, key, holdouts, 2, np.full(4, 0.5), np.array([1.0]))
    assert visits == 2
    assert ideal[:, 0].tolist() == [0.0, 0.5, 0.5, 0.0]  # the tie goes to the first position
