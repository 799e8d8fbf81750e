"""Hot loops of a round, each in two implementations that give bit-identical results (the
drift's are in ``sim/drift.py``, re-exported here).

The NumPy versions are the reference and the fallback; the Numba versions (compiled on first use
and cached on disk) run the same arithmetic in the same order, so the choice never changes a
result (tests/test_kernels.py runs the golden scenario through both). Set the environment
variable ``PLENARY_KERNELS=numpy`` to force the fallback; it is also used when Numba cannot be
imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.state import deliberate_numpy
from sim.drift import TiePairs, drift, drift_numpy  # noqa: F401 - re-exported
from sim.jit import HAVE_NUMBA, U, njit
from sim.stance import STANCE_SIGN


@dataclass(frozen=True)
class Lobby:
    """Every stakeholder's pull, as arrays: stakeholder k is tied to tied[offsets[k]:offsets[k+1]]."""

    tied: np.ndarray
    offsets: np.ndarray
    positions: np.ndarray
    influence: np.ndarray
    push: np.ndarray


def lobby_numpy(ideal: np.ndarray, salience: np.ndarray, lobby: Lobby) -> None:
    """Each stakeholder in turn pulls its tied states' ideal points toward its position and
    shifts their salience (``agents/stakeholder.py``), in place."""
    for k in range(len(lobby.offsets) - 1):
        tied = lobby.tied[lobby.offsets[k]:lobby.offsets[k + 1]]
        ideal[tied] += lobby.influence[k] * (lobby.positions[k] - ideal[tied])
        if lobby.push[k] != 0.0:
            salience[tied] = np.clip(salience[tied] + lobby.push[k] * lobby.influence[k], 0.0, 1.0)


def court_numpy(ideal: np.ndarray, key: np.ndarray, holdouts: np.ndarray, budget: int,
                effect: np.ndarray, position: np.ndarray) -> int:
    """One round of a sponsor's outreach (``agents/strategy.py``), in place: the ``budget``
    hold-outs with the smallest ``key`` (ties by array position: a stable sort) each close a
    share ``effect[i]`` of the gap between their ideal point and the text. Returns the visits.

    Ranking all states and keeping the hold-outs, in that order, picks the same states as
    ranking the hold-outs alone.
    """
    ranking = np.argsort(key, kind="stable")
    targets = ranking[holdouts[ranking]][:budget]
    current = ideal[targets]  # targets are distinct: one visit each
    ideal[targets] = current + effect[targets][:, None] * (position - current)
    return len(targets)


def ties_to_numpy(ties, chosen: np.ndarray) -> np.ndarray:
    """Each state's total tie weight to the ``chosen`` states (a boolean mask)."""
    return np.asarray(ties[:, np.flatnonzero(chosen)].sum(axis=1)).ravel()


if HAVE_NUMBA:
    @njit(cache=True, nogil=True)
    def _tie_sums(idx, t_ptr, t_idx, t_member, sign):
        # sum_j (w_ij m_j) a_j for each member i, in CSR order, as scipy's product sums it
        # ((w_ij m_j) a_j is the same product as w_ij (a_j m_j), m_j being 0 or 1). Two members
        # are summed side by side: each sum still adds its terms in order, but the two chains
        # of additions overlap instead of each waiting on its previous addition.
        count = idx.shape[0]
        out = np.empty(count)
        m = 0
        while m + 1 < count:
            a, a_end = U(t_ptr[idx[m]]), U(t_ptr[idx[m] + 1])
            b, b_end = U(t_ptr[idx[m + 1]]), U(t_ptr[idx[m + 1] + 1])
            span = min(a_end - a, b_end - b)
            s = 0.0
            r = 0.0
            for q in range(span):
                s += t_member[a + q] * sign[U(t_idx[a + q])]
                r += t_member[b + q] * sign[U(t_idx[b + q])]
            for e in range(a + span, a_end):
                s += t_member[e] * sign[U(t_idx[e])]
            for e in range(b + span, b_end):
                r += t_member[e] * sign[U(t_idx[e])]
            out[m] = s
            out[m + 1] = r
            m += 2
        if m < count:
            s = 0.0
            for e in range(U(t_ptr[idx[m]]), U(t_ptr[idx[m] + 1])):
                s += t_member[e] * sign[U(t_idx[e])]
            out[m] = s
        return out

    @njit(cache=True, nogil=True)
    def option_value(option, u, oppose_cost, objection_cost, abstain_bias):
        """V_ik of ``agents.state.option_values`` without inertia, for one option code."""
        if option == 1:
            return u
        if option == 2:
            return -u - oppose_cost
        if option == 4:
            return -u - objection_cost
        if option == 3:
            return abstain_bias
        return 0.0

    @njit(cache=True, nogil=True)
    def _deliberate_numba(idx, ideal, position, status_quo, dim_weights, total_weight, salience,
                          capability_share, stances, sign_of, t_ptr, t_idx, t_member,
                          social_den, l_ptr, l_idx, l_val, params, options, shocks, forced,
                          bias, utility_out):
        baseline, policy, social_w, bloc_w, pull, form = params[0], params[1], params[2], \
            params[3], params[4], params[5]
        inertia, oppose_cost, objection_cost, abstain_bias = params[6], params[7], params[8], \
            params[9]
        noise, attention2, sq_weight, cue_shield = params[10], params[11], params[12], params[13]
        dims = ideal.shape[1]
        n_opt = options.shape[0]
        sign = np.empty(stances.shape[0])
        for i in range(stances.shape[0]):
            sign[i] = sign_of[stances[i]]
        social_num = _tie_sums(idx, t_ptr, t_idx, t_member, sign)
        count = idx.shape[0]
        reconsider = count * n_opt  # shocks: count * n_opt Gumbel uniforms, then count more
        for m in range(count):
            i = idx[m]
            d2 = 0.0
            q2 = 0.0
            for k in range(dims):
                diff = ideal[i, k] - position[k]
                d2 += diff * diff * dim_weights[k]
            for k in range(dims):
                diff = ideal[i, k] - status_quo[k]
                q2 += diff * diff * dim_weights[k]
            distance = np.sqrt(d2 / total_weight) - sq_weight * np.sqrt(q2 / total_weight)
            den = social_den[i]
            social = social_num[m] / den if den > 0 else 0.0
            bloc = 0.0
            for jj in range(l_ptr[i], l_ptr[i + 1]):
                bloc += l_val[jj] * sign[l_idx[jj]]
            heed = 1.0 - cue_shield * salience[i]
            u = (baseline - policy * salience[i] * distance + social_w * social * heed
                 + bloc_w * bloc * heed + pull - form * capability_share[i])
            utility_out[i] = u
            # Only a member who reconsiders picks (its pick alone uses its own stance, and the
            # social and bloc terms read the signs taken before anyone moved).
            if not (forced or shocks[reconsider + m] < attention2 * salience[i]):
                continue
            best = -np.inf
            pick = 0
            for k in range(n_opt):
                option = options[k]
                v = option_value(option, u, oppose_cost, objection_cost, abstain_bias)
                v += bias[i, option]
                if option != 0 and stances[i] == option:
                    v += inertia
                else:
                    v += 0.0
                gumbel = -np.log(-np.log(1.0 - shocks[m * n_opt + k]))  # as gumbel_of
                score = v / noise + gumbel
                if score > best:
                    best = score
                    pick = k
            stances[i] = options[pick]

    def deliberate_numba(d, utility_out: np.ndarray) -> None:
        """:func:`agents.state.deliberate_numpy`, compiled."""
        _deliberate_numba(
            d.idx, d.ideal, d.position, d.status_quo, d.dim_weights, d.total_weight, d.salience,
            d.capability_share, d.stances, STANCE_SIGN, d.ties.indptr, d.ties.indices,
            d.tie_to_member, d.social_den, d.leaders.indptr, d.leaders.indices,
            d.leaders.data, d.params, d.options, d.shocks, d.forced, d.bias, utility_out)

    @njit(cache=True, nogil=True)
    def _lobby_numba(ideal, salience, tied, offsets, positions, influence, push):
        for k in range(offsets.shape[0] - 1):
            for m in range(offsets[k], offsets[k + 1]):
                i = tied[m]
                for d in range(ideal.shape[1]):
                    ideal[i, d] += influence[k] * (positions[k, d] - ideal[i, d])
            if push[k] != 0.0:
                for m in range(offsets[k], offsets[k + 1]):
                    i = tied[m]
                    v = salience[i] + push[k] * influence[k]
                    salience[i] = min(max(v, 0.0), 1.0)

    def lobby_numba(ideal, salience, lobby: Lobby) -> None:
        """:func:`lobby_numpy`, compiled (one call for all stakeholders)."""
        if lobby.offsets.shape[0] > 1:
            _lobby_numba(ideal, salience, lobby.tied, lobby.offsets, lobby.positions,
                         lobby.influence, lobby.push)

    @njit(cache=True, nogil=True)
    def court_numba(ideal, key, holdouts, budget, effect, position):
        """:func:`court_numpy`, compiled: the targets by repeated selection of the smallest key
        (first position on ties; NaN after every number, as NumPy sorts it) instead of a sort."""
        n = key.shape[0]
        taken = np.zeros(n, dtype=np.bool_)
        visits = 0
        for _ in range(budget):
            pick = -1
            for i in range(n):
                if holdouts[i] and not taken[i] and (
                        pick < 0 or key[i] < key[pick] or (key[pick] != key[pick]
                                                           and key[i] == key[i])):
                    pick = i
            if pick < 0:
                break
            taken[pick] = True
            visits += 1
            for d in range(ideal.shape[1]):
                current = ideal[pick, d]
                ideal[pick, d] = current + effect[pick] * (position[d] - current)
        return visits

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
        # NumPy's pairwise summation of a[start:start + n] (numpy/_core/src/umath/
        # loops_utils.h.src), which np.add.reduce and reduceat use on contiguous float64:
        # blocks of up to 128 (_block_sum), longer runs split in halves (rounded down to a
        # multiple of 8) and the halves' sums added. NumPy recurses; this walks the same tree
        # with a stack (Numba cannot reliably cache a recursive function). tests/
        # test_kernels.py checks it against SciPy's sums, which call NumPy's.
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

    @njit(cache=True, nogil=True)
    def ties_to_numba(t_ptr, t_idx, t_val, chosen, out):
        """:func:`ties_to_numpy`, compiled, into ``out``: for each row, its first tie to a
        chosen state plus NumPy's pairwise sum of the others, in column order, as SciPy's
        column sums add them."""
        values = np.empty(t_idx.shape[0])
        for i in range(out.shape[0]):
            k = 0
            for e in range(t_ptr[i], t_ptr[i + 1]):
                if chosen[t_idx[e]]:
                    values[k] = t_val[e]
                    k += 1
            out[i] = values[0] + pairwise_sum(values, 1, k - 1) if k > 0 else 0.0

    def ties_to(ties, chosen: np.ndarray) -> np.ndarray:
        """:func:`ties_to_numpy`, compiled (SciPy's column slicing took ~0.3 ms a call)."""
        out = np.empty(ties.shape[0])
        ties_to_numba(ties.indptr, ties.indices, ties.data, chosen, out)
        return out

    from sim.drift import drift_numba  # noqa: F401

    deliberate = deliberate_numba
    lobby = lobby_numba
    court = court_numba
else:  # pragma: no cover
    ties_to = ties_to_numpy
    deliberate = deliberate_numpy
    lobby = lobby_numpy
    court = court_numpy
