"""Non-state stakeholders: industry, research institutions and civil society.

They carry no vote. Each round a stakeholder pulls the ideal points of the states it is tied to
toward its own position, closing a share ``influence`` of the gap (a one-way DeGroot-style
update), and shifts their salience by ``salience_push * influence`` (civil-society campaigns raise
salience; industry may lower it). Stakeholders act in the order the scenario lists them; the
model applies them all in one call (``sim.kernels.lobby``) from the arrays these agents hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import NegotiationModel


class StakeholderAgent(mesa.Agent):
    """A non-state actor tied to some states."""

    def __init__(self, model: NegotiationModel, ident: str, kind: str, position: np.ndarray,
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
