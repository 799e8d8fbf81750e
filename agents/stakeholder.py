"""Non-state stakeholders: industry, research institutions and civil society.

They carry no vote. Each round a stakeholder pulls the ideal points of the states it is tied to
toward its own position, closing a share ``influence`` of the gap (a one-way DeGroot-style
update), and shifts their salience by ``salience_push * influence`` (civil-society campaigns raise
salience; industry may lower it). Stakeholders act in the order the scenario lists them; the
model applies them all in one call (:func:`lobby`) from the arrays these agents hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from agents.compiled import njit


@dataclass(frozen=True)
class Lobby:
    """Every stakeholder's pull, as arrays: stakeholder k is tied to tied[offsets[k]:offsets[k+1]]."""

    tied: np.ndarray
    offsets: np.ndarray
    positions: np.ndarray
    influence: np.ndarray
    push: np.ndarray


def lobby(ideal: np.ndarray, salience: np.ndarray, stakeholders: Lobby) -> None:
    """Each stakeholder in turn pulls its tied states' ideal points toward its position and
    shifts their salience, in place (one compiled call for all of them)."""
    if stakeholders.offsets.shape[0] > 1:
        lobby_arrays(ideal, salience, stakeholders.tied, stakeholders.offsets,
                     stakeholders.positions, stakeholders.influence, stakeholders.push)


@njit(cache=True, nogil=True)
def lobby_arrays(ideal, salience, tied, offsets, positions, influence, push):
    """:func:`lobby` on the arrays of a :class:`Lobby`."""
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


class StakeholderAgent(mesa.Agent):
    """A non-state actor tied to some states."""

    def __init__(self, model: mesa.Model, ident: str, kind: str, position: np.ndarray,
                 influence: float, salience_push: float, tied: np.ndarray):
        super().__init__(model)
        self.ident = ident
        self.kind = kind
        self.position = position
        self.influence = influence
        self.salience_push = salience_push
        self.tied = tied

    def __repr__(self) -> str:
        return f"StakeholderAgent({self.ident}, {self.kind})"
