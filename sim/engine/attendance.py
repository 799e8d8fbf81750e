"""Who takes part: not every member of a forum engages with every text.

A summit declaration is open to all 193 UN members, but only the states that send a delegation,
follow the file and have a view ever sign it: about 60 states endorsed the REAIM 2023 call to
action and 46 the US Political Declaration by November 2023 (``scenarios/cases/cases.yaml``,
with sources). A model in which every member weighs every text each round predicts that nearly
everyone who does not object signs, the largest error of the backtests without this module.

So when a forum opens each member takes part with a probability

    p_i = sigmoid(b0 + engagement * z_i),   z_i = (s_i - mean s) / sd s over the members,

where s_i is its salience (how much it cares: it rises with its statements on autonomous
weapons, ``sim/world/profiles.py``), ``engagement`` says how much salience decides who comes, and b0 is
set so that the members' mean p equals the forum's ``attendance`` (the expected share taking part).
Sponsors always take part. A member that does not take part holds no stance in the forum (it is
counted as undecided and absent), is not courted and does not decide. Demarches and capacity
building before the forum opens (``agents/strategy.py``) add to a member's log-odds of taking
part (:func:`courted`); the uniform drawn for it is the same, so a member that came without them
still comes (common random numbers). ``attendance`` 1 (the
default of every rule but open endorsement) means everyone takes part and draws nothing.

The turnout share is a judgement of the scenario (or of the rule's default), not fitted to any
case's outcome; its default for open endorsements is calibrated with the other weights.
"""

from __future__ import annotations

import functools

import numpy as np


def participation(salience: np.ndarray, share: float, engagement: float) -> np.ndarray:
    """Each member's probability of taking part: a logistic in standardised salience whose
    mean over the members is ``share``.

    Example:
        >>> p = participation(np.array([0.1, 0.5, 0.9]), 0.5, 2.0)
        >>> bool(p[0] < p[1] < p[2]), round(float(p.mean()), 6)
        (True, 0.5)
    """
    n = len(salience)
    if n == 0 or share >= 1.0:
        return np.ones(n)
    if share <= 0.0:
        return np.zeros(n)
    sd = float(salience.std())
    z = (salience - salience.mean()) / sd if sd > 0 else np.zeros(n)
    # Newton's method on the intercept b0 (the mean is increasing and smooth in it), kept inside
    # a bracket that shrinks each step (a bisection step whenever Newton would leave it), from
    # the intercept that would be right with equal saliences: a few steps reach float precision
    reach = 60.0 + engagement * float(np.abs(z).max())  # sigmoid is 0 or 1 beyond it
    low, high = -reach, reach
    b0 = float(np.log(share / (1.0 - share)))
    spread = engagement * z
    for _ in range(200):
        p = _sigmoid(b0 + spread)
        gap = float(p.mean()) - share
        if abs(gap) < 1e-13:
            break
        if gap > 0:
            high = b0
        else:
            low = b0
        slope = float((p * (1.0 - p)).mean())
        step = b0 - gap / slope if slope > 0 else low - 1.0
        b0 = step if low < step < high else 0.5 * (low + high)
    return _sigmoid(b0 + spread)


def member_participation(members: np.ndarray, salience: np.ndarray, share: float,
                         engagement: float) -> np.ndarray | None:
    """Each state's probability of taking part in a forum with these ``members`` (0 outside
    them), or None when all take part (``share`` 1: nothing is drawn)."""
    if share >= 1.0:
        return None
    idx = np.flatnonzero(members)
    p = np.zeros(len(members))
    p[idx] = _participation_of(salience[idx].tobytes(), float(share), float(engagement))
    return p


def draw_present(members: np.ndarray, salience: np.ndarray, sponsors: np.ndarray, share: float,
                 engagement: float, rng: np.random.Generator) -> np.ndarray:
    """Who takes part in a forum (a boolean per state; False outside the members). Draws one
    uniform per member, in member order, only when ``share`` < 1."""
    p = member_participation(members, salience, share, engagement)
    return members.copy() if p is None else draw_present_with(members, p, sponsors, rng)


def courted(p: np.ndarray, boost: np.ndarray) -> np.ndarray:
    """Probabilities of taking part raised by campaigns: ``boost`` added to the log-odds (a
    probability of 0 or 1 stays as it is).

    Example:
        >>> courted(np.array([0.5, 0.0, 1.0]), np.array([np.log(3.0), 5.0, 1.0])).round(3).tolist()
        [0.75, 0.0, 1.0]
    """
    inside = (p > 0.0) & (p < 1.0) & (boost != 0.0)
    out = p.copy()
    q = p[inside]
    out[inside] = _sigmoid(np.log(q / (1.0 - q)) + boost[inside])
    return out


def draw_present_with(members: np.ndarray, p: np.ndarray, sponsors: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Who takes part, each state with its own probability ``p`` (per state, e.g. from the
    record: ``sim.world.record.presence``). Draws one uniform per member, in member order; sponsors
    always take part."""
    present = members.copy()
    idx = np.flatnonzero(members)
    present[idx] = rng.random(len(idx)) < p[idx]
    present[sponsors[members[sponsors]]] = True
    return present


@functools.lru_cache(maxsize=64)
def _participation_of(salience: bytes, share: float, engagement: float) -> np.ndarray:
    """:func:`participation`, kept for the last saliences seen: they are those the stakeholders
    have pushed by the forum's opening round, the same in every run of a sweep that leaves them,
    the turnout and the engagement alone (a Newton solve saved per forum and run)."""
    p = participation(np.frombuffer(salience), share, engagement)
    p.setflags(write=False)
    return p


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
