"""NumPy statements of the formulas of a round's compiled phases (``agents/``), written
independently of them, for the tests to hold the compiled arithmetic against. Nothing in Plenary
runs these: each phase has one implementation, the compiled one."""

import numpy as np

from agents.state import Deliberation, policy_distance
from sim.stance import STANCE_SIGN, Stance


def drift(ideal, rows, cols, w, capability, dim_weights, mu, eps) -> None:
    """x_i += mu * sum_j w_ij c_j [d_ij < eps] (x_j - x_i) / sum_j w_ij c_j [d_ij < eps]."""
    n, dims = ideal.shape
    diff = ideal[cols] - ideal[rows]
    d2 = np.zeros(len(rows))
    for k in range(dims):
        d2 += diff[:, k] * diff[:, k] * dim_weights[k]
    close = d2 < eps * eps * dim_weights.sum()
    weight = np.where(close, w * capability[cols], 0.0)
    den = np.bincount(rows, weights=weight, minlength=n)
    moved = den > 0
    for k in range(dims):
        num = np.bincount(rows, weights=weight * diff[:, k], minlength=n)
        ideal[moved, k] += mu * num[moved] / den[moved]


def lobby(ideal, salience, lobby) -> None:
    """Each stakeholder in turn pulls its tied states toward its position, shifts salience."""
    for k in range(len(lobby.offsets) - 1):
        tied = lobby.tied[lobby.offsets[k]:lobby.offsets[k + 1]]
        ideal[tied] += lobby.influence[k] * (lobby.positions[k] - ideal[tied])
        if lobby.push[k] != 0.0:
            salience[tied] = np.clip(salience[tied] + lobby.push[k] * lobby.influence[k], 0.0, 1.0)


def court(ideal, key, holdouts, budget, effect, position) -> int:
    """The ``budget`` hold-outs with the smallest key (a stable sort) close a share of the gap."""
    ranking = np.argsort(key, kind="stable")
    targets = ranking[holdouts[ranking]][:budget]
    current = ideal[targets]
    ideal[targets] = current + effect[targets][:, None] * (position - current)
    return len(targets)


def ties_to(ties, chosen) -> np.ndarray:
    """Each state's total tie weight to the chosen states, as SciPy sums the columns."""
    return np.asarray(ties[:, np.flatnonzero(chosen)].sum(axis=1)).ravel()


def utilities(d: Deliberation, sign: np.ndarray) -> np.ndarray:
    """U_i of agents/state.py's docstring for the members taking part."""
    (baseline, policy, social_w, bloc_w, pull, form, *_, sq_weight, cue_shield) = d.params
    idx = d.idx
    distance = (policy_distance(d.ideal[idx], d.position, d.dim_weights)
                - sq_weight * policy_distance(d.ideal[idx], d.status_quo, d.dim_weights))
    social = np.zeros(len(sign))
    np.divide(d.ties @ (sign * d.members_weight), d.social_den, out=social, where=d.social_den > 0)
    social = social[idx]
    bloc = (d.leaders @ sign)[idx]
    heed = 1.0 - cue_shield * d.salience[idx]
    return (baseline - policy * d.salience[idx] * distance + social_w * social * heed
            + bloc_w * bloc * heed + pull - form * d.capability_share[idx])


def deliberate(d: Deliberation, utility_out: np.ndarray) -> None:
    """Utilities, option values, Gumbel-max choice for those who reconsider."""
    (*_, inertia, oppose_cost, objection_cost, abstain_bias, noise, attention2, _, _) = d.params
    idx = d.idx
    u = utilities(d, STANCE_SIGN[d.stances])
    utility_out[idx] = u
    options = [int(o) for o in d.options]
    values = np.empty((len(idx), len(options)))
    for k, o in enumerate(options):
        base = {int(Stance.ENDORSE): u, int(Stance.OPPOSE): -u - oppose_cost,
                int(Stance.OBJECT): -u - objection_cost}.get(o)
        if base is None:
            base = np.full(len(idx), abstain_bias if o == int(Stance.ABSTAIN) else 0.0)
        values[:, k] = base + d.bias[idx, o]
        values[:, k] += np.where((d.stances[idx] == o) & (o != 0), inertia, 0.0)
    n, k = values.shape
    gumbel = -np.log(-np.log(1.0 - d.shocks[:n * k].reshape(n, k)))
    chosen = np.asarray(options, dtype=np.int8)[np.argmax(values / noise + gumbel, axis=1)]
    looks = d.shocks[n * k:] < attention2 * d.salience[idx]
    if d.forced:
        looks[:] = True
    d.stances[idx] = np.where(looks, chosen, d.stances[idx])
