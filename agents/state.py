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
from typing import TYPE_CHECKING

import mesa
import numpy as np
import scipy.sparse as sp

from sim.scenario import Behaviour
from sim.stance import STANCE_SIGN, Stance

if TYPE_CHECKING:
    from sim.model import NegotiationModel


class StateAgent(mesa.Agent):
    """A state: its attributes live in the model's arrays at position ``index``."""

    def __init__(self, model: NegotiationModel, iso3: str, index: int):
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
    """V_ik: the value of each option k (columns, in ``options`` order) for each state i.

    ``bias`` (states x stance codes, optional) adds each state's own leaning toward each option:
    its record (``agents/disposition.py``), or a pinned stance.
    """
    values = np.empty((len(utility), len(options)))
    for k, option in enumerate(options):
        if option == Stance.ENDORSE:
            values[:, k] = utility
        elif option == Stance.OPPOSE:
            values[:, k] = -utility - b.oppose_cost
        elif option == Stance.OBJECT:
            values[:, k] = -utility - b.objection_cost
        elif option == Stance.ABSTAIN:
            values[:, k] = b.abstain_bias
        else:
            values[:, k] = 0.0
        if bias is not None:
            values[:, k] += bias[:, int(option)]
        if option != Stance.UNDECIDED:  # holding a position is sticky; having none is not
            values[:, k] += np.where(current == int(option), b.inertia, 0.0)  # int: faster
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


def choose(values: np.ndarray, options: tuple[Stance, ...], noise: float,
           gumbel: np.ndarray) -> np.ndarray:
    """Each state's stance under the logit rule, by Gumbel-max: argmax_k V_ik / tau + G_ik
    with G standard Gumbel draws (shape of ``values``), which picks k with probability
    softmax(V_i / tau)_k."""
    picks = np.argmax(values / noise + gumbel, axis=1)
    return np.asarray(options, dtype=np.int8)[picks]


@dataclass(eq=False, slots=True)
class Deliberation:
    """Everything one forum's round of decisions needs, as arrays (for either kernel).

    A track builds it once, when it opens (``sim.model``): the arrays are the model's own and
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
    stance signs ``sign`` and the text at ``position``."""
    (baseline, policy, social_w, bloc_w, pull, form, *_, sq_weight, cue_shield) = params
    idx = d.idx
    distance = (policy_distance(d.ideal[idx], position, d.dim_weights)
                - sq_weight * policy_distance(d.ideal[idx], d.status_quo, d.dim_weights))
    social = np.zeros(len(sign))  # S_i as neighbour_mean gives it, with its denominator kept
    np.divide(d.ties @ (sign * d.members_weight), d.social_den, out=social, where=d.social_den > 0)
    social = social[idx]
    bloc = (d.leaders @ sign)[idx]
    heed = 1.0 - cue_shield * d.salience[idx]
    return (baseline - policy * d.salience[idx] * distance + social_w * social * heed
            + bloc_w * bloc * heed + pull - form * d.capability_share[idx])


def deliberate_numpy(d: Deliberation, utility_out: np.ndarray) -> None:
    """One forum's round: utilities, logit choices, who reconsiders; writes stances in place."""
    (_, _, _, _, _, _, inertia, oppose_cost, objection_cost,
     abstain_bias, noise, attention2, _, _) = d.params
    idx = d.idx
    utility = utilities(d, STANCE_SIGN[d.stances], d.position, d.params)
    utility_out[idx] = utility
    b = _Weights(inertia, oppose_cost, objection_cost, abstain_bias)
    options = tuple(Stance(int(o)) for o in d.options)
    values = option_values(utility, options, d.stances[idx], b, d.bias[idx])
    n, k = values.shape
    chosen = choose(values, options, noise, gumbel_of(d.shocks[:n * k]).reshape(n, k))
    looks = d.shocks[n * k:] < attention2 * d.salience[idx]
    if d.forced:
        looks[:] = True
    d.stances[idx] = np.where(looks, chosen, d.stances[idx])


@dataclass(frozen=True)
class _Weights:
    inertia: float
    oppose_cost: float
    objection_cost: float
    abstain_bias: float


def stance_sign(stances: np.ndarray) -> np.ndarray:
    """+1 for endorse, -1 for oppose or object, 0 otherwise."""
    return STANCE_SIGN[stances]
