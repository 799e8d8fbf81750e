"""State agents and the decision each state takes every round, computed for all states at once.

A :class:`StateAgent` is the user-facing Mesa agent: it knows its ISO3 code and its position in
the model's arrays, and reads its ideal point, salience, capability and stances from them. The
hot path works on those arrays directly:

Utility of endorsing proposal p in forum F, for state i (a random-utility model, McFadden 1974)::

    U_i = b0                                   baseline
        - b_policy * s_i * (d(x_i, q_p) - lambda * d(x_i, q_0))
                                               salience-weighted policy loss: how much farther
                                               the text is than no agreement (the status quo
                                               q_0), the spatial model of Enelow and Hinich
                                               (1984); lambda = status_quo_weight
        + b_social * S_i * h_i                 tied members' stances, S_i in [-1, 1]
        + b_bloc   * B_i * h_i                 bloc leaders' stances, B_i in [-1, 1]
                                               h_i = 1 - cue_shield * s_i: states that care
                                               follow their own view more than cues
        + b_forum  * pull_F                    reputational pull of the forum
        - b_form   * cost(form_p) * c_i / max(c)   domestic cost of the form, heavier for the
                                               states that the commitment would constrain most

where d is the weighted Euclidean distance scaled to [0, 1], S_i = sum_j w_ij a_j / sum_j w_ij over
tied members j, a_j the sign of j's current stance (+1 endorse, -1 oppose or object, 0 otherwise),
and B_i the mean sign of the leaders of i's blocs. Each option k of the forum's rule gets a value
V_ik (endorse: U_i, oppose: -U_i - oppose_cost, object: -U_i - objection_cost, abstain: abstain_bias,
undecided: 0) plus ``inertia`` for the position i holds now (none while undecided); i picks
argmax_k V_ik / tau + G_ik with G Gumbel draws, i.e. a multinomial logit with temperature
tau = ``noise``. Each round a member reconsiders only with probability 2 * attention * s_i
(everyone in the decision round of a vote or a consensus forum).

The draws of a round (:func:`draw_shocks`) are uniform numbers, taken from the model's generator
exactly as ``rng.gumbel(size=(n, k))`` followed by ``rng.random(n)`` would take them; a Gumbel draw
is computed from its uniform as NumPy computes it (:func:`gumbel_of`), and only for the members who
reconsider, so a round costs a logarithm per option only for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np
import scipy.sparse as sp

from agents.compiled import U, njit
from sim.format.scenario import Behaviour
from sim.stance import STANCE_SIGN, Stance


class StateAgent(mesa.Agent):
    """A state: its attributes live in the model's arrays at position ``index``."""

    def __init__(self, model: mesa.Model, iso3: str, index: int):
        super().__init__(model)
        self.iso3 = iso3
        self.index = index

    @property
    def ideal(self) -> dict[str, float]:
        row = self.model.ideal[self.index]
        return {d: float(v) for d, v in zip(self.model.dimensions, row, strict=True)}

    @property
    def salience(self) -> float:
        return float(self.model.salience[self.index])

    @property
    def capability(self) -> float:
        return float(self.model.capability[self.index])

    def stance(self, forum_id: str) -> str:
        """This state's current stance in a forum, as a word (``endorse``, ``object``, ...)."""
        return Stance(int(self.model.forum(forum_id).stances[self.index])).word

    def __repr__(self) -> str:
        return f"StateAgent({self.iso3})"


def policy_distance(ideal: np.ndarray, position: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted Euclidean distance of each ideal point to a position, scaled to [0, 1].

    Example:
        >>> policy_distance(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0]), np.ones(2))
        array([1., 0.])
    """
    diff = ideal - position
    d2 = np.zeros(len(ideal))
    for k in range(len(weights)):  # summed dimension by dimension, as the compiled kernel does
        d2 += diff[:, k] * diff[:, k] * weights[k]
    return np.sqrt(d2 / weights.sum())


def neighbour_mean(ties: sp.csr_matrix, values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Tie-weighted mean of ``values`` over each state's tied states that are ``present``.

    States with no present tie get 0.
    """
    present = present.astype(float)
    num = ties @ (values * present)
    den = ties @ present
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def option_values(
    utility: np.ndarray, options: tuple[Stance, ...], current: np.ndarray, b: Behaviour,
    bias: np.ndarray | None = None,
) -> np.ndarray:
    """V_ik: the value of each option k (columns, in ``options`` order) for each state i, given
    its current stance ``current`` (inertia for holding it) and, optionally, ``bias`` (states x
    stance codes): each state's own leaning toward each option (its record, a pinned stance).
    The same values as the round's deliberation gives (:func:`option_value`)."""
    values = np.empty((len(utility), len(options)))
    _option_values(np.ascontiguousarray(utility, dtype=np.float64),
                   np.asarray(options, dtype=np.int64), np.asarray(current, dtype=np.int8),
                   b.inertia, b.oppose_cost, b.objection_cost, b.abstain_bias,
                   np.zeros((1, 1)) if bias is None else np.ascontiguousarray(bias),
                   bias is not None, values)
    return values


def choice_probabilities(values: np.ndarray, noise: float) -> np.ndarray:
    """Logit choice probabilities softmax(V / tau), row by row.

    Example:
        >>> choice_probabilities(np.array([[0.0, 0.0]]), 1.0)
        array([[0.5, 0.5]])
    """
    z = values / noise
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def draw_shocks(rng: np.random.Generator, members: int, options: int) -> np.ndarray:
    """The uniform draws of one forum's round: ``members * options`` for the Gumbel shocks (row
    by row), then ``members`` for who reconsiders. The generator's stream is consumed exactly as
    ``rng.gumbel(size=(members, options))`` then ``rng.random(members)`` consume it: NumPy's Gumbel
    sampler takes U = 1 - u and draws again when U == 1, i.e. when u == 0 (odds 2**-53 a draw),
    which is done here too.
    """
    need = members * options
    u = rng.random(need + members)
    if np.count_nonzero(u[:need]) == need:  # no zero: nothing to redraw
        return u
    gumbel = u[:need][u[:need] != 0.0]
    rest = u[need:]
    while len(gumbel) < need:  # each rejected draw is replaced by the next one in the stream
        take = rest[:need - len(gumbel)]
        rest = rest[len(take):]
        if len(take) == 0:
            take = rng.random(need - len(gumbel))
        gumbel = np.concatenate((gumbel, take[take != 0.0]))
    if len(rest) < members:
        rest = np.concatenate((rest, rng.random(members - len(rest))))
    return np.concatenate((gumbel, rest))


def gumbel_of(u: np.ndarray) -> np.ndarray:
    """Standard Gumbel draws from uniforms in [0, 1), by NumPy's own formula (-log(-log(1 - u))):
    bit for bit what ``Generator.gumbel`` returns for the same stream."""
    return -np.log(-np.log(1.0 - u))


@dataclass(eq=False, slots=True)
class Deliberation:
    """Everything one forum's round of decisions needs, as arrays (for either kernel).

    A track builds it once, when it opens (``sim.engine.model``): the arrays are the model's own and
    change in place. Each round then sets what a round changes: the text's ``position`` (a
    concession replaces it), the weights ``params`` (a coalition's pull adds to them), the
    draws and ``forced``.

    ``params`` holds, in order: baseline, policy, social, bloc_cue, forum_pull * pull,
    form_cost * cost(form), inertia, oppose_cost, objection_cost, abstain_bias, noise,
    2 * attention, status_quo_weight, cue_shield. ``social_den`` is each state's total tie
    weight to the forum's members (the denominator of S_i, fixed while the members are);
    ``tie_to_member`` is w_ij m_j per tie. ``bias`` (states x stance codes) is each state's own
    leaning toward each option, added to V_ik (zero unless the record or a pin sets it).
    """

    idx: np.ndarray
    ideal: np.ndarray
    position: np.ndarray
    status_quo: np.ndarray
    dim_weights: np.ndarray
    salience: np.ndarray
    capability_share: np.ndarray
    stances: np.ndarray
    ties: sp.csr_matrix
    members: np.ndarray
    members_weight: np.ndarray
    leaders: sp.csr_matrix
    params: np.ndarray
    options: np.ndarray
    shocks: np.ndarray | None = None
    forced: bool = False
    social_den: np.ndarray | None = None
    tie_to_member: np.ndarray | None = None
    bias: np.ndarray | None = None
    total_weight: float = field(init=False)

    def __post_init__(self) -> None:
        self.total_weight = float(self.dim_weights.sum())
        if self.bias is None:
            self.bias = np.zeros((len(self.stances), len(Stance)))
        if self.social_den is None:
            self.social_den, self.tie_to_member = member_ties(self.ties, self.members_weight)


def member_ties(ties: sp.csr_matrix, members_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each state's total tie weight to a forum's members (the denominator of S_i, summed in
    CSR order as the kernel would), and w_ij m_j per tie in CSR order (so that the compiled
    kernel reads one array per tie, not two)."""
    return ties @ members_weight, ties.data * members_weight[ties.indices]


def utilities(d: Deliberation, sign: np.ndarray, position: np.ndarray, params: np.ndarray
              ) -> np.ndarray:
    """U_i of the module docstring for the members ``d.idx`` taking part, given everyone's
    stance signs ``sign`` and the text at ``position`` (in member order)."""
    out = np.zeros(len(sign))
    _utilities(d.idx, d.ideal, position, d.status_quo, d.dim_weights, d.total_weight, d.salience,
               d.capability_share, np.ascontiguousarray(sign, dtype=np.float64), d.ties.indptr,
               d.ties.indices, d.tie_to_member, d.social_den, d.leaders.indptr,
               d.leaders.indices, d.leaders.data, params, out)
    return out[d.idx]


def deliberate(d: Deliberation, utility_out: np.ndarray) -> None:
    """One forum's round of decisions (:func:`deliberate_arrays` on a :class:`Deliberation`):
    writes the members' stances and utilities in place."""
    deliberate_arrays(
        d.idx, d.ideal, d.position, d.status_quo, d.dim_weights, d.total_weight, d.salience,
        d.capability_share, d.stances, STANCE_SIGN, d.ties.indptr, d.ties.indices,
        d.tie_to_member, d.social_den, d.leaders.indptr, d.leaders.indices,
        d.leaders.data, d.params, d.options, d.shocks, d.forced, d.bias, utility_out)


# -- the compiled decision -------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def option_value(option, u, oppose_cost, objection_cost, abstain_bias):
    """V_ik without inertia or bias, for one option code (endorse: U_i, oppose: -U_i -
    oppose_cost, object: -U_i - objection_cost, abstain: abstain_bias, undecided: 0)."""
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
def _option_values(utility, options, current, inertia, oppose_cost, objection_cost, abstain_bias,
                   bias, has_bias, out):
    for m in range(utility.shape[0]):
        for k in range(options.shape[0]):
            option = options[k]
            v = option_value(option, utility[m], oppose_cost, objection_cost, abstain_bias)
            if has_bias:
                v += bias[m, option]
            if option != 0 and current[m] == option:  # holding a position is sticky
                v += inertia
            else:
                v += 0.0
            out[m, k] = v


@njit(cache=True, nogil=True)
def _tie_sums(idx, t_ptr, t_idx, t_member, sign):
    # sum_j (w_ij m_j) a_j for each member i, in CSR order. Two members are summed side by
    # side: each sum still adds its terms in order, but the two chains of additions overlap
    # instead of each waiting on its previous addition.
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
def _utilities(idx, ideal, position, status_quo, dim_weights, total_weight, salience,
               capability_share, sign, t_ptr, t_idx, t_member, social_den, l_ptr, l_idx, l_val,
               params, utility_out):
    # U_i of the module docstring for each member i in idx, into utility_out[i]
    baseline, policy, social_w, bloc_w, pull, form = params[0], params[1], params[2], \
        params[3], params[4], params[5]
    sq_weight, cue_shield = params[12], params[13]
    dims = ideal.shape[1]
    social_num = _tie_sums(idx, t_ptr, t_idx, t_member, sign)
    for m in range(idx.shape[0]):
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
        utility_out[i] = (baseline - policy * salience[i] * distance + social_w * social * heed
                          + bloc_w * bloc * heed + pull - form * capability_share[i])


@njit(cache=True, nogil=True)
def deliberate_arrays(idx, ideal, position, status_quo, dim_weights, total_weight, salience,
                      capability_share, stances, sign_of, t_ptr, t_idx, t_member, social_den,
                      l_ptr, l_idx, l_val, params, options, shocks, forced, bias, utility_out):
    """One forum's round of decisions for the members ``idx`` taking part: each one's utility
    (into ``utility_out``) and, for those who reconsider (a uniform below 2 * attention *
    salience, or everyone when ``forced``), the logit choice by Gumbel-max among ``options``,
    into ``stances``. ``shocks``: the round's uniforms (:func:`draw_shocks`)."""
    inertia, oppose_cost, objection_cost, abstain_bias = params[6], params[7], params[8], \
        params[9]
    noise, attention2 = params[10], params[11]
    n_opt = options.shape[0]
    sign = np.empty(stances.shape[0])
    for i in range(stances.shape[0]):
        sign[i] = sign_of[stances[i]]
    # every utility reads the signs taken before anyone moved
    _utilities(idx, ideal, position, status_quo, dim_weights, total_weight, salience,
               capability_share, sign, t_ptr, t_idx, t_member, social_den, l_ptr, l_idx, l_val,
               params, utility_out)
    count = idx.shape[0]
    reconsider = count * n_opt  # shocks: count * n_opt Gumbel uniforms, then count more
    for m in range(count):
        i = idx[m]
        if not (forced or shocks[reconsider + m] < attention2 * salience[i]):
            continue
        u = utility_out[i]
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
            gumbel = -np.log(-np.log(1.0 - shocks[m * n_opt + k]))  # as Generator.gumbel
            score = v / noise + gumbel
            if score > best:
                best = score
                pick = k
        stances[i] = options[pick]
