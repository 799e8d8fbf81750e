"""Coalitions: competing texts in one forum, who backs which, and how a coalition pulls.

A forum may decide several texts (``proposals: [a, b]``): a treaty against a political
declaration, say. Each text has its own *track* in the model (the members' stances on that text,
deliberated each round by the logit rule of ``agents/state.py``); the *coalition* of a text is the
set of members backing it (endorsing it: in an open endorsement, in a vote, in a consensus).

The rules, in the order they act in a round:

1. **Pull of size: bandwagoning and balancing.** Before the members decide, the utility of backing
   text T in the forum gains::

       bandwagon * w_T  +  balancing * sum_{T' != T} w_T'

   where w_T is the capability share of the forum's members backing T at the start of the round
   (``coalition_weights``). The first term is bandwagoning: a coalition's pull grows with its size
   and its members' capability, a threshold cascade in the sense of Granovetter (1978). The second
   is balancing: a rival coalition's growth makes the other texts more attractive, pushing the
   states that have not committed the other way (inertia keeps committed states where they are).
   Walt (1987, *The Origins of Alliances*, Cornell UP, ch. 2 and 5) finds balancing more common
   than bandwagoning among states and bandwagoning likelier for weak states; Schweller (1994,
   "Bandwagoning for Profit", *International Security* 19(1): 72-107) argues bandwagoning is
   common when joining the larger side pays. Which dominates is a scenario's choice
   (``behaviour.bandwagon``, ``behaviour.balancing``; both 0 by default). They are the same for
   every member of a forum; Walt's capability-dependent version (weak states bandwagon, strong
   ones balance) is not modelled.
2. **Recruiting.** Members recruit the states they are tied to through the social term of the
   utility (a backer's stance counts for every tied state), and sponsors invite co-sponsors and
   court hold-outs (``agents/strategy.py``), so coalitions grow along ties.
3. **One text per state** (``resolve``). A state that would endorse several texts of the forum
   backs the one it values most (the text it prefers among those it would accept) and takes, on
   each of the others, the best stance its rule leaves it (abstain or no in a vote, stand aside
   or object in a consensus, undecided in an open endorsement), by the same option values as the
   logit rule, without noise. Sponsors always back their own text (a state sponsoring several
   backs the first one the forum lists). A state moves from one coalition to another when the
   texts, its views or its neighbours move enough to change which text it values most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.state import option_values
from sim.stance import Stance

if TYPE_CHECKING:
    from sim.scenario import Behaviour
    from sim.tracks import ForumState

LEADERS = 3
# plain ints: NumPy compares an array with an IntEnum member five times slower
ENDORSE, UNDECIDED = int(Stance.ENDORSE), int(Stance.UNDECIDED)


def coalition_weights(tracks: list[ForumState], capability: np.ndarray) -> np.ndarray:
    """The capability share of the forum's members backing each text (one value per track)."""
    members = tracks[0].members
    total = float(capability[members].sum())
    if total <= 0:
        return np.zeros(len(tracks))
    return np.array([float(capability[members & (t.stances == ENDORSE)].sum()) / total
                     for t in tracks])


def size_pull(weights: np.ndarray, b: Behaviour) -> np.ndarray:
    """What bandwagoning and balancing add to the utility of backing each text (rule 1)."""
    rivals = weights.sum() - weights
    return b.bandwagon * weights + b.balancing * rivals


def resolve(tracks: list[ForumState], sponsors: dict[str, np.ndarray], b: Behaviour) -> None:
    """Rule 3: each member backs at most one of the forum's texts; sponsors back their own.
    Writes the tracks' stances in place."""
    members = tracks[0].members
    if len(tracks) == 1:  # one text: its sponsors back it, nothing else to settle
        own = sponsors[tracks[0].proposal]
        tracks[0].stances[own[members[own]]] = ENDORSE
        return
    pinned = np.full(len(members), -1)
    for k in reversed(range(len(tracks))):  # the first text a state sponsors wins
        own = sponsors[tracks[k].proposal]
        pinned[own[members[own]]] = k
    endorsing = np.stack([t.stances == ENDORSE for t in tracks])
    utility = np.stack([t.utility for t in tracks])
    best = np.argmax(np.where(endorsing, utility, -np.inf), axis=0)
    backs = np.where(pinned >= 0, pinned, np.where(endorsing.any(axis=0), best, -1))
    for k, track in enumerate(tracks):
        track.stances[pinned == k] = ENDORSE
        lose = np.flatnonzero(members & (track.stances == ENDORSE) & (backs != k))
        if len(lose) == 0:
            continue
        options = tuple(o for o in track.rule.options if o != Stance.ENDORSE)
        bias = track.deliberation.bias[lose] if track.deliberation is not None else None
        values = option_values(track.utility[lose], options,
                               np.full(len(lose), UNDECIDED, dtype=np.int8), b, bias)
        track.stances[lose] = np.asarray(options, dtype=np.int8)[np.argmax(values, axis=1)]


def leaders(backers: np.ndarray, lead_sponsors: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """A coalition's leaders: its lead sponsors among its members, else its most capable members
    (at most three; ties by array position)."""
    backing = np.zeros(len(capability), dtype=bool)
    backing[backers] = True
    chosen = np.unique(lead_sponsors[backing[lead_sponsors]])
    if len(chosen):
        return chosen
    order = np.argsort(-capability[backers], kind="stable")
    return np.sort(backers[order[:LEADERS]])
