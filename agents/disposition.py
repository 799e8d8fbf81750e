"""A state's disposition: how its record and a pinned stance tilt its choice between options.

The decision rule of ``agents/state.py`` gives each option k a value V_ik and picks by a logit
with temperature tau. Where a forum names a topic and the world reads the record
(``sim/world/record/``), the record says with which probabilities p_ik state i took each option in
earlier decisions of the kind. Its disposition is the bias added to V_ik::

    B_ik = w * (tau * log p_ik - V_ik(reference))

with w = ``behaviour.record_weight``. V_ik(reference) is the value the model itself gives the
option when the forum opens, with every member's stance at what its record leads one to expect
(the expected sign sum_k p_jk sign_k in the social and bloc cues). At w = 1 a state that nothing
moves chooses as its record says (softmax(log p) = p); what the negotiation changes afterwards
(campaigns moving its ideal point, a concession moving the text, neighbours endorsing more or
less than their records suggest) moves V_ik away from the reference, and the choice with it. At
w = 0 the record is ignored; in between it is mixed with the model's own starting values.

A pinned stance (``forums[].pin``) is a bias of :data:`PIN` for that option and -:data:`PIN`
for the others: the state holds it whatever happens.
"""

from __future__ import annotations

import numpy as np

PIN = 1.0e6


def record_bias(probabilities: np.ndarray, reference: np.ndarray, options: np.ndarray,
                noise: float, weight: float) -> np.ndarray:
    """B_ik for the members with a record.

    Args:
        probabilities: (members x stance codes) the record's p_ik; NaN rows: no record (no bias).
        reference: (members x options) V_ik(reference), columns in ``options`` order.
        options: the rule's stance codes.
        noise: the logit temperature tau.
        weight: w, in [0, 1].

    Returns:
        (members x stance codes) biases; zero for options outside the rule and rows without record.

    Example:
        >>> p = np.array([[0.0, 0.8, 0.1, 0.1, 0.0]])
        >>> b = record_bias(p, np.zeros((1, 3)), np.array([1, 2, 3]), 1.0, 1.0)
        >>> np.round(np.exp(b[0, 1:4]) / np.exp(b[0, 1:4]).sum(), 3).tolist()
        [0.8, 0.1, 0.1]
    """
    out = np.zeros(probabilities.shape)
    known = ~np.isnan(probabilities[:, 0])
    cols = np.asarray(options, dtype=np.int64)
    with np.errstate(divide="ignore"):
        logp = np.log(probabilities[known][:, cols])
    out[np.ix_(known, cols)] = weight * (noise * logp - reference[known])
    return out


def expected_sign(probabilities: np.ndarray, sign_of: np.ndarray) -> np.ndarray:
    """sum_k p_ik sign_k per state (0 where the record says nothing).

    Example:
        >>> expected_sign(np.array([[0.0, 0.7, 0.2, 0.1, 0.0], [np.nan] * 5]),
        ...               np.array([0.0, 1.0, -1.0, 0.0, -1.0])).round(3).tolist()
        [0.5, 0.0]
    """
    return np.nan_to_num(probabilities @ sign_of, nan=0.0)


def pin_bias(bias: np.ndarray, rows: np.ndarray, stances: np.ndarray) -> None:
    """Pin each of ``rows`` to its stance in ``stances`` (in place)."""
    bias[rows] = -PIN
    bias[rows, stances] = PIN
