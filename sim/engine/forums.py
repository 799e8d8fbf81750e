"""Decision rules: one small class per rule, each answering "adopted? by whom?".

A rule names the stances its members choose among and turns the stances standing in the
decision round into an :class:`Outcome`. Rules are pure functions of stance arrays, so they are
tested by hand on five-state worlds (``tests/test_forums.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sim.format.scenario import Threshold
from sim.stance import RULE_OPTIONS, Stance

# plain ints for the counting loops: looking up an IntEnum member is slow (Python 3.11)
_ENDORSE, _OPPOSE, _OBJECT = int(Stance.ENDORSE), int(Stance.OPPOSE), int(Stance.OBJECT)


@dataclass(frozen=True)
class Counts:
    """How many members stand where."""

    endorse: int
    oppose: int
    abstain: int
    object: int
    undecided: int

    @classmethod
    def of(cls, stances: np.ndarray) -> Counts:
        return cls.of_array(np.bincount(stances, minlength=len(Stance)))

    @classmethod
    def of_array(cls, c: np.ndarray) -> Counts:
        """From counts indexed by stance code."""
        return cls(int(c[1]), int(c[2]), int(c[3]), int(c[4]), int(c[0]))


class Rule:
    """A decision rule. Subclasses set ``name`` and ``options`` and implement ``adopted``."""

    name: str = ""
    #: the stances a member chooses among each round
    options: tuple[Stance, ...] = ()
    #: what a member's opposition looks like under this rule (used when forums are chained)
    against: Stance = Stance.OPPOSE
    #: whether every member must take a stance in the decision round (a vote, a consensus)
    forced_decision: bool = True
    #: whether members' weights count (only a qualified majority's do)
    weighted: bool = False

    def __init__(self, threshold: Threshold | None = None):
        self.threshold = threshold or Threshold()
        self.option_codes = np.array(self.options, dtype=np.int8)

    def adopted(self, stances: np.ndarray, weights: np.ndarray) -> bool:
        """Whether the members' stances (one per member) adopt the proposal."""
        raise NotImplementedError

    def needed(self, counts: Counts, members: int) -> float | None:
        """Endorsements needed for adoption given the other counts (None: not a count)."""
        return None

    def pivotal(self, stances: np.ndarray, weights: np.ndarray, utility: np.ndarray) -> np.ndarray:
        """The smallest set of members whose change of stance would reverse the outcome, the
        others standing where they are (positions into the member arrays, in the order taken).

        Adopted: the smallest set of endorsers whose switch to this rule's stance against
        (object, no, or not endorsing) would defeat the text; the least committed first (lowest
        utility), the heaviest first under a weighted rule. Not adopted: the smallest set to win
        over to endorsing: those against first (a no turned yes counts twice), then the heaviest,
        then the closest to endorsing. For consensus this is every objector; for one-member-one-
        vote rules the greedy order gives the smallest set. Empty when nothing can reverse it.
        """
        counts = np.bincount(stances, minlength=len(Stance))
        adopted = bool(self.adopted(stances, weights) if self.weighted
                       else self.adopted_by_counts(counts))
        heavy = -weights if self.weighted else np.zeros(len(stances))
        if adopted:
            pool = np.flatnonzero(stances == _ENDORSE)
            order = pool[np.lexsort((pool, utility[pool], heavy[pool]))]
            target = self.against
        else:
            pool = np.flatnonzero(stances != _ENDORSE)
            # a no turned yes counts twice in a count; under a weighted rule only weight matters
            against = np.isin(stances[pool], (Stance.OBJECT, Stance.OPPOSE)) & (not self.weighted)
            order = pool[np.lexsort((pool, -utility[pool], heavy[pool], ~against))]
            target = Stance.ENDORSE
        if self.weighted:
            trial = stances.copy()
            for k, i in enumerate(order):
                trial[i] = target
                if bool(self.adopted(trial, weights)) != adopted:
                    return order[: k + 1]
            return np.zeros(0, dtype=np.int64)
        # an unweighted rule decides on the counts alone: column k holds the counts once the
        # first k + 1 members of the order have turned, one count moved per member
        held = stances[order]
        turned = np.cumsum(held[None, :] == np.arange(len(Stance))[:, None], axis=1)
        table = counts[:, None] - turned
        table[target] += np.arange(1, len(order) + 1)
        reversed_ = np.asarray(self.adopted_by_counts(table)) != adopted
        if not reversed_.any():
            return np.zeros(0, dtype=np.int64)
        return order[: int(np.argmax(reversed_)) + 1]

    def adopted_by_counts(self, counts: np.ndarray) -> bool | np.ndarray:
        """:meth:`adopted` from the members' counts per stance code (unweighted rules): counts
        indexed by stance code, or a table with a column of counts per case (then an array)."""
        raise NotImplementedError


class OpenEndorsement(Rule):
    """A declaration open for endorsement (REAIM's call to action): what stands at the decision
    round counts, and it is adopted when it has at least ``min_endorsements``."""

    name = "open_endorsement"
    options = RULE_OPTIONS[name]
    against = Stance.UNDECIDED
    forced_decision = False

    def adopted(self, stances: np.ndarray, weights: np.ndarray) -> bool:
        return int(np.count_nonzero(stances == _ENDORSE)) >= self.threshold.min_endorsements

    def adopted_by_counts(self, counts: np.ndarray) -> bool | np.ndarray:
        return counts[_ENDORSE] >= self.threshold.min_endorsements

    def needed(self, counts: Counts, members: int) -> float | None:
        return float(self.threshold.min_endorsements)


class Consensus(Rule):
    """Consensus (CCW, NATO, EU foreign policy): one objection blocks; members may stand aside.
    Adopted when nobody objects and at least one member endorses."""

    name = "consensus"
    options = RULE_OPTIONS[name]
    against = Stance.OBJECT

    def adopted(self, stances: np.ndarray, weights: np.ndarray) -> bool:
        return not np.any(stances == _OBJECT) and np.any(stances == _ENDORSE)

    def adopted_by_counts(self, counts: np.ndarray) -> bool | np.ndarray:
        return (counts[_OBJECT] == 0) & (counts[_ENDORSE] > 0)


class Vote(Rule):
    """A recorded vote (UN General Assembly): a simple or two-thirds majority of the members
    present and voting; abstentions do not count as votes cast (UNGA rules of procedure 86-87)."""

    name = "vote"
    options = RULE_OPTIONS[name]

    def _share(self) -> Fraction:
        return Fraction(2, 3) if self.threshold.majority == "two_thirds" else Fraction(1, 2)

    def adopted(self, stances: np.ndarray, weights: np.ndarray) -> bool:
        yes = int(np.count_nonzero(stances == _ENDORSE))
        no = int(np.count_nonzero(stances == _OPPOSE))
        if yes + no == 0:
            return False
        if self.threshold.majority == "two_thirds":
            return Fraction(yes, yes + no) >= self._share()
        return yes > no

    def adopted_by_counts(self, counts: np.ndarray) -> bool | np.ndarray:
        yes, no = counts[_ENDORSE], counts[_OPPOSE]
        if self.threshold.majority == "two_thirds":
            # Fraction(yes, yes + no) >= 2/3 in integers, and some votes cast
            return (yes + no > 0) & (3 * yes >= 2 * (yes + no))
        return yes > no  # which needs a vote cast

    def needed(self, counts: Counts, members: int) -> float | None:
        # yes needed against the current no votes: yes >= 2 no (two thirds) or yes > no (simple)
        return float(2 * counts.oppose) if self.threshold.majority == "two_thirds" else counts.oppose + 1.0


class QualifiedMajority(Rule):
    """A double majority: at least ``members`` of the members and ``weight`` of their total
    weight vote yes, as in the EU Council's qualified majority; with ``blocking_minority`` (the
    Council's 4, TEU Art. 16(4)), fewer members than that not voting yes cannot block on weight.

    Example:
        >>> from sim.format.scenario import Threshold
        >>> rule = QualifiedMajority(Threshold(blocking_minority=4))
        >>> stances = np.array([_ENDORSE] * 4 + [Stance.OPPOSE])  # 80% of members, 60% of weight
        >>> bool(rule.adopted(stances, np.array([10.0, 10, 10, 30, 40])))  # one member cannot block
        True
        >>> bool(QualifiedMajority(Threshold()).adopted(stances, np.array([10.0, 10, 10, 30, 40])))
        False
    """

    name = "qualified_majority"
    options = RULE_OPTIONS[name]
    weighted = True

    def adopted(self, stances: np.ndarray, weights: np.ndarray) -> bool:
        if len(stances) == 0:
            return False
        yes = stances == _ENDORSE
        share_members = yes.sum() / len(stances)
        total = float(weights.sum())
        share_weight = float(weights[yes].sum()) / total if total > 0 else 0.0
        if share_members < self.threshold.members:
            return False
        blockers = len(stances) - int(yes.sum())
        minority = self.threshold.blocking_minority
        return share_weight >= self.threshold.weight or (minority is not None
                                                          and blockers < minority)

    def needed(self, counts: Counts, members: int) -> float | None:
        return float(np.ceil(self.threshold.members * members))


RULES: dict[str, type[Rule]] = {
    r.name: r for r in (OpenEndorsement, Consensus, Vote, QualifiedMajority)
}
assert set(RULES) == set(RULE_OPTIONS)  # the vocabulary names every rule, and only those


def make_rule(name: str, threshold: Threshold | None = None) -> Rule:
    """The rule called ``name``.

    Example:
        >>> rule = make_rule("vote", Threshold(majority="two_thirds"))
        >>> votes = np.array([Stance.ENDORSE] * 10 + [Stance.OPPOSE] * 5 + [Stance.ABSTAIN] * 20)
        >>> bool(rule.adopted(votes, np.ones(35)))
        True
    """
    return RULES[name](threshold)
