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
   (``weights_of``). The first term is bandwagoning: a coalition's pull grows with its size
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

import numpy as np

from agents.compiled import njit, pairwise_sum
from agents.state import option_value
from sim.stance import Stance

LEADERS = 3
# plain ints: NumPy compares an array with an IntEnum member five times slower
ENDORSE, UNDECIDED = int(Stance.ENDORSE), int(Stance.UNDECIDED)


def size_pull(tracks, capability: np.ndarray, b) -> np.ndarray:
    """What bandwagoning and balancing add to the utility of backing each text of a forum
    (rule 1), from its tracks' stances."""
    pull = np.zeros(len(tracks))
    size_pull_of(tracks[0].block_stances, tracks[0].members, capability, b.bandwagon,
                 b.balancing, pull)
    return pull


def sponsor_mask(tracks, sponsors: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Each text's sponsors as a mask (texts x states)."""
    mask = np.zeros((len(tracks), n), dtype=bool)
    for k, track in enumerate(tracks):
        mask[k, sponsors[track.proposal]] = True
    return mask


def resolve(tracks, sponsors: dict[str, np.ndarray], b) -> None:
    """Rule 3: each member backs at most one of the forum's texts; sponsors back their own.
    Writes the tracks' stances in place."""
    lead = tracks[0]
    resolve_arrays(lead.block_stances, lead.block_utility,
                   sponsor_mask(tracks, sponsors, len(lead.members)), lead.members,
                   lead.rule.option_codes, b.oppose_cost, b.objection_cost, b.abstain_bias,
                   lead.deliberation.bias)


@njit(cache=True, nogil=True)
def weights_of(stances, members, capability, weights):
    """Each text's backers' share of the members' capability (into ``weights``), summed as
    NumPy sums the selections (``stances``: texts x states)."""
    n = stances.shape[1]
    chosen = np.empty(n)
    k = 0
    for i in range(n):
        if members[i]:
            chosen[k] = capability[i]
            k += 1
    total = pairwise_sum(chosen, 0, k) if k else 0.0
    if total > 0:
        for x in range(stances.shape[0]):
            k = 0
            for i in range(n):
                if members[i] and stances[x, i] == ENDORSE:
                    chosen[k] = capability[i]
                    k += 1
            weights[x] = (pairwise_sum(chosen, 0, k) if k else 0.0) / total


@njit(cache=True, nogil=True)
def size_pull_of(stances, members, capability, bandwagon, balancing, pull):
    """Rule 1 (into ``pull``, a value per text): bandwagon * w_T + balancing * sum of the
    rivals' w."""
    texts = stances.shape[0]
    weights = np.zeros(texts)
    weights_of(stances, members, capability, weights)
    all_weights = pairwise_sum(weights, 0, texts)
    for x in range(texts):
        pull[x] = bandwagon * weights[x] + balancing * (all_weights - weights[x])


@njit(cache=True, nogil=True)
def resolve_arrays(stances, utility, sponsor, members, options, oppose_cost, objection_cost,
                   abstain_bias, bias):
    """Rule 3 on a forum's arrays (texts x states): each member backs at most one text,
    sponsors their own (the first the forum lists); a member endorsing a text it does not back
    takes the best other option of the rule, by the option values without noise or inertia."""
    texts, n = stances.shape
    for i in range(n):
        if not members[i]:
            continue
        pinned = -1
        for x in range(texts):
            if sponsor[x, i]:
                pinned = x
                break
        best = -1
        top = -np.inf
        for x in range(texts):  # argmax over the texts it endorses (-inf for the others)
            value = utility[x, i] if stances[x, i] == ENDORSE else -np.inf
            if best < 0 or value > top:
                best, top = x, value
        endorses_any = False
        for x in range(texts):
            if stances[x, i] == ENDORSE:
                endorses_any = True
        backs = pinned if pinned >= 0 else (best if endorses_any else -1)
        for x in range(texts):
            if pinned == x:
                stances[x, i] = ENDORSE
            elif stances[x, i] == ENDORSE and backs != x:
                u = utility[x, i]
                pick = -1
                top = 0.0
                for option in options:
                    if option == ENDORSE:
                        continue
                    value = option_value(option, u, oppose_cost, objection_cost, abstain_bias)
                    value += bias[i, option]
                    if pick < 0 or value > top:
                        pick, top = option, value
                stances[x, i] = pick


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
