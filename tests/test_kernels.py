"""Each compiled phase of a round (agents/) against a NumPy statement of its formula
(tests/oracles.py), bit for bit."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from agents import drift, stakeholder, strategy
from agents.state import Deliberation, deliberate, draw_shocks, member_ties
from tests import oracles

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_drift_kernels_agree_bit_for_bit(seed, dims):
    rng = np.random.default_rng(seed)
    n, edges = 40, 300
    rows = rng.integers(0, n, edges)
    cols = rng.integers(0, n, edges)
    keep = rows != cols
    order = np.argsort(rows[keep], kind="stable")  # edges in CSR order, as the model keeps them
    rows, cols = rows[keep][order], cols[keep][order]
    w = rng.random(len(rows))
    capability = rng.random(n) + 0.2
    dim_weights = rng.random(dims) + 0.5
    a = rng.random((n, dims))
    b = a.copy()
    oracles.drift(a, rows, cols, w, capability, dim_weights, 0.1, 0.4)
    drift.drift(b, rows, cols, w, capability, dim_weights, 0.1, 0.4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, rng.random((n, dims)))


def random_ties(rng, n, density, symmetric=True):
    """A random tie matrix in CSR order (no state tied to itself)."""
    w = rng.random((n, n)) * (rng.random((n, n)) < density)
    np.fill_diagonal(w, 0.0)
    if symmetric:
        w = np.triu(w) + np.triu(w).T
    return sp.csr_matrix(w)


@pytest.mark.parametrize("eps", [0.05, 0.15, 0.3, 2.0])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("unit", [False, True])
def test_drift_by_pairs_agrees_bit_for_bit(seed, eps, unit):
    # symmetric ties in two dimensions: each pair measured once, the sums as the CSR walk has them
    # (unit weights take a loop of their own)
    rng = np.random.default_rng(seed)
    n = 60
    ties = random_ties(rng, n, 0.4)
    pairs = drift.TiePairs.of(ties)
    assert pairs is not None and len(pairs.cols) * 2 == ties.nnz
    coo = ties.tocoo()
    rows, cols, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    capability, dim_weights = rng.random(n) + 0.2, rng.random(2) + 0.5
    if unit:
        dim_weights = np.ones(2)
    a = rng.random((n, 2))
    b, start = a.copy(), a.copy()
    for _ in range(20):  # the points cluster, so ties cross the bound as the rounds go
        oracles.drift(a, rows, cols, w, capability, dim_weights, 0.3, eps)
        drift.drift(b, rows, cols, w, capability, dim_weights, 0.3, eps,
                    indptr=ties.indptr, pairs=pairs)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, start)


def test_ties_without_a_symmetric_pattern_have_no_pairs():
    rng = np.random.default_rng(5)
    assert drift.TiePairs.of(random_ties(rng, 20, 0.3, symmetric=False)) is None
    looped = random_ties(rng, 20, 0.3).tolil()
    looped[3, 3] = 1.0  # a state tied to itself
    assert drift.TiePairs.of(looped.tocsr()) is None
    # which ties pair with which: (i, j) and (j, i) carry their own weights
    ties = sp.csr_matrix(np.array([[0, 1.0, 2.0], [3.0, 0, 0], [4.0, 0, 0]]))
    pairs = drift.TiePairs.of(ties)
    assert pairs.cols.tolist() == [1, 2] and pairs.ptr.tolist() == [0, 2, 2, 2]
    assert ties.data[pairs.upper].tolist() == [1.0, 2.0]
    assert ties.data[pairs.reverse].tolist() == [3.0, 4.0]


def test_stakeholder_kernels_agree_bit_for_bit():
    rng = np.random.default_rng(7)
    n, dims = 30, 2
    tied = [rng.choice(n, size=8, replace=False) for _ in range(4)]
    lobby = stakeholder.Lobby(
        tied=np.concatenate(tied), offsets=np.array([0, 8, 16, 24, 32]),
        positions=rng.random((4, dims)), influence=rng.random(4) * 0.2,
        push=np.array([0.5, 0.0, -0.3, 1.0]))
    ideal, salience = rng.random((n, dims)), rng.random(n)
    a, sa, b, sb = ideal.copy(), salience.copy(), ideal.copy(), salience.copy()
    for _ in range(3):
        oracles.lobby(a, sa, lobby)
        stakeholder.lobby(b, sb, lobby)
    assert np.array_equal(a, b) and np.array_equal(sa, sb)
    assert not np.array_equal(a, ideal) and not np.array_equal(sa, salience)


@pytest.mark.parametrize("seed", range(4))
def test_ties_to_the_campaigners_sum_as_scipy_sums_them(seed):
    # allies_first ranks states by their ties to the campaigners; the compiled sums must be
    # SciPy's bit for bit (NumPy's pairwise summation), rows longer than 128 included
    rng = np.random.default_rng(seed)
    n = 400
    w = rng.random((n, n)) * (rng.random((n, n)) < 0.7)
    w[w > 0] = np.round(w[w > 0] * 4) / 4 + 0.1  # few distinct weights, as real ties have
    ties = sp.csr_matrix(w)
    chosen = np.sort(rng.choice(n, size=300, replace=False))
    mask = np.zeros(n, dtype=bool)
    mask[chosen] = True
    out = np.empty(n)
    strategy.ties_to(ties.indptr, ties.indices, ties.data, mask, out)
    expected = oracles.ties_to(ties, mask)
    assert np.array_equal(out.view(np.int64), expected.view(np.int64))
    in_order = np.cumsum(w[:, chosen], axis=1)[:, -1]  # the same sums, added one by one
    assert not np.array_equal(expected, in_order)  # the order shows: the check has teeth


def test_a_kernel_without_machine_code_on_disk_is_told_apart(tmp_path):
    # the CLI says "compiling the simulation kernels" when none of them is cached yet
    import importlib.util

    from agents.compiled import none_cached

    source = tmp_path / "tiny_kernel.py"
    source.write_text("from numba import njit\n\n@njit(cache=True)\ndef double(x):\n"
                      "    return 2 * x\n")
    spec = importlib.util.spec_from_file_location("tiny_kernel", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert none_cached(module.double)
    assert module.double(21) == 42  # compiled, and its machine code written beside the source
    assert not none_cached(module.double)


@pytest.mark.parametrize("forced", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_the_decision_agrees_with_its_formula_bit_for_bit(seed, forced):
    # every term on: status quo, cue shield, a bias, rival inertia, leaders, present subset
    rng = np.random.default_rng(seed)
    n, dims = 50, 2
    ties = random_ties(rng, n, 0.3)
    members = rng.random(n) < 0.8
    idx = np.flatnonzero(members & (rng.random(n) < 0.9))
    options = np.array([1, 2, 3], dtype=np.int8)
    stances = rng.choice(np.array([0, 1, 2, 3], dtype=np.int8), size=n)
    leaders = sp.csr_matrix(rng.random((n, n)) * (rng.random((n, n)) < 0.05))
    params = np.array([0.2, 2.0, 0.8, 0.5, 0.3, 0.4, 0.6, 0.3, 1.0, -0.1, 0.7, 0.9, 0.5, 0.4])
    social_den, tie_to_member = member_ties(ties, members.astype(float))

    def make():
        return Deliberation(
            idx=idx, ideal=rng_state.random((n, dims)), position=np.array([0.7, 0.4]),
            status_quo=np.array([0.1, 0.2]), dim_weights=np.array([1.0, 0.5]),
            salience=rng_state.random(n), capability_share=rng_state.random(n),
            stances=stances.copy(), ties=ties, members=members,
            members_weight=members.astype(float), leaders=leaders, params=params,
            options=options, shocks=draw_shocks(rng_state, len(idx), len(options)),
            forced=forced, social_den=social_den, tie_to_member=tie_to_member,
            bias=rng_state.normal(0, 0.3, (n, 5)))

    rng_state = np.random.default_rng(seed + 100)
    a = make()
    rng_state = np.random.default_rng(seed + 100)
    b = make()
    ua, ub = np.zeros(n), np.zeros(n)
    oracles.deliberate(a, ua)
    deliberate(b, ub)
    assert np.array_equal(ua, ub) and np.array_equal(a.stances, b.stances)
    assert not np.array_equal(a.stances, stances)  # somebody moved: the check has teeth
