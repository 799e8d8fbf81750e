"""Stances a state can take on a proposal, as small integers in arrays and as words in outputs."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stance(IntEnum):
    """A state's stance on a proposal in one forum.

    ``ENDORSE`` is a yes vote or an endorsement; ``OPPOSE`` a no vote; ``ABSTAIN`` an abstention
    (or standing aside in a consensus forum); ``OBJECT`` blocks a consensus; ``UNDECIDED`` has not
    (yet) taken a position.
    """

    UNDECIDED = 0
    ENDORSE = 1
    OPPOSE = 2
    ABSTAIN = 3
    OBJECT = 4

    @property
    def word(self) -> str:
        return self.name.lower()


STANCE_WORDS: tuple[str, ...] = tuple(s.word for s in Stance)

#: +1 for support, -1 for opposition, 0 otherwise; indexed by stance code.
STANCE_SIGN = np.array([0.0, 1.0, -1.0, 0.0, -1.0])

#: The stances a member chooses among under each decision rule (``sim/engine/forums.py`` holds the
#: rules themselves): the vocabulary the scenario format checks pinned stances against.
RULE_OPTIONS: dict[str, tuple[Stance, ...]] = {
    "open_endorsement": (Stance.UNDECIDED, Stance.ENDORSE),
    "consensus": (Stance.ENDORSE, Stance.ABSTAIN, Stance.OBJECT),
    "vote": (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN),
    "qualified_majority": (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN),
}
