"""A text in a forum during a run (a *track*), what the forum decided, and the run's records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.forums import Counts, Rule
from sim.format.scenario import Forum
from sim.stance import Stance

if TYPE_CHECKING:
    from agents.state import Deliberation

STANCES = len(Stance)


class Record:
    """What is recorded each round, per forum: stance counts (indexed by stance code) and the
    text's position. Preallocated arrays; ``sim.batch.run.timeseries`` turns them into a table."""

    def __init__(self, forums: int, rounds: int, dimensions: int):
        self.counts = np.zeros((forums, rounds, len(Stance)), dtype=np.int64)
        self.positions = np.zeros((forums, rounds, dimensions))


@dataclass(frozen=True)
class Outcome:
    """What a forum decided, in the round it decided."""

    round: int
    adopted: bool
    counts: Counts


class ForumState:
    """One text in one forum during a run (a *track*): the forum's members, their stances on the
    text and, once decided, its outcome. A forum deciding several texts has a track per text
    (``id`` is then ``forum/text``; ``forum_id`` is the forum's)."""

    def __init__(self, spec: Forum, rule: Rule, members: np.ndarray, decides: int, proposal: str,
                 block: tuple[np.ndarray, np.ndarray] | None = None, row: int = 0):
        n = len(members)
        self.spec = spec
        self.id = spec.track_id(proposal)
        self.forum_id = spec.id
        self.proposal = proposal
        self.rule = rule
        self.members = members
        self.member_index = np.flatnonzero(members)
        #: the members taking part (sim/engine/attendance.py): drawn when the forum opens
        self.present = members
        self.present_index = self.member_index
        self.members_weight = members.astype(np.float64)
        self.opens = spec.opens
        self.decides = decides
        self.pull = spec.pull
        #: weight_by: given: the members' weights, in member order (set by the model)
        self.given_weights = np.ones(len(self.member_index))
        self.params = np.zeros(0)  # the decision weights, set when the forum opens
        self.deliberation: Deliberation | None = None  # built when the forum opens
        self.outcome: Outcome | None = None
        self.slot = 0  # the track's row in the model's records
        #: the stances and utilities of every text of the forum (``block``, shared by its
        #: tracks; ``stances`` and ``utility`` are this track's rows ``row`` of them)
        self.block_stances, self.block_utility = block or (np.zeros((1, n), dtype=np.int8),
                                                           np.zeros((1, n)))
        self.row = row  # this text's row in the forum's block
        self.stances = self.block_stances[row]
        self.utility = self.block_utility[row]

    def is_open(self, round_: int) -> bool:
        return self.opens <= round_ <= self.decides

    def counts(self) -> Counts:
        return Counts.of(self.stances[self.member_index])

    @property
    def absent(self) -> int:
        """How many members do not take part (sim/engine/attendance.py)."""
        return len(self.member_index) - len(self.present_index)

    def weights(self, capability: np.ndarray) -> np.ndarray:
        """Each member's weight in the rule (``threshold.weight_by``), in member order."""
        if self.rule.threshold.weight_by == "capability":
            return capability[self.member_index]
        if self.rule.threshold.weight_by == "given":
            return self.given_weights
        return np.ones(len(self.member_index))

    def status(self, round_: int) -> str:
        if round_ < self.opens:
            return "pending"
        if self.outcome is not None and round_ >= self.outcome.round:
            return "decided" if round_ == self.outcome.round else "closed"
        return "open"
