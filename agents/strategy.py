"""Sponsors' strategies: outreach, concessions and invitations to co-sponsor.

Each round, for every forum that decides its proposal and is open, a :class:`Campaign`

1. courts up to ``budget`` hold-outs (members not yet endorsing), chosen by a targeting rule:
   ``swing`` (smallest |utility|: closest to tipping), ``allies_first`` (strongest ties to the
   campaigners), ``regional_hubs`` (most tied states overall: weighted degree), ``random``;
   a visit moves the target's ideal point a share of the way to the text: ``behaviour.outreach``
   times (2 c_sponsor / (c_sponsor + c_target)) ** ``outreach_leverage``, so a small state
   courting a great power moves it little, and a great power moves a small state more;
2. concedes when endorsements stall: after ``stall_rounds`` rounds without a new endorsement it
   moves the text ``step`` toward the hold-outs' mean ideal point, at most ``max_total`` in all
   (trading depth for breadth);
3. invites the ``invite_cosponsors`` most capable endorsers that favour the text (endorsing is
   the option they value most, their disposition included, without the noise of the moment;
   and no rival text of the forum valued more) to co-sponsor: they then always endorse it
   (with rival texts, they back it: ``agents/coalitions.py``), and their ties count for
   ``allies_first``. A state that endorses by chance, or whose record leans against the text,
   is not asked.

Before each forum deciding its text opens, a campaign also prepares the ground
(:meth:`Campaign.presence_boost`, :meth:`Campaign.prepare`):

4. ``demarches``: visits in capitals to that many members (its ``targets`` first, then the
   members whose ideal point is closest to the text): each raises the member's log-odds of taking
   part by ``behaviour.demarche_turnout`` and, once the forum is open and the members' record has
   set their leaning, moves it as an outreach visit does;
5. ``capacity``: capacity building or side payments to the states listed, each raising its log-odds
   of taking part by ``behaviour.capacity_turnout`` and its value of endorsing by
   ``behaviour.capacity_gain``, scaled by the sponsor's weight relative to the recipient's as a
   visit is (:func:`leverage`: worth much to a small state, little to a great power; in a forum
   with rival texts, of endorsing any of them: the
   coalitions' resolution still picks the text by utility), at ``behaviour.capacity_cost``
   demarches each (:func:`cost`).

Both act after the record has set the members' leaning (``agents/disposition.py``), so they move
a member away from what its record alone would say. ``listed`` outreach takes the general path of
a round (``sim/engine/fastround.py`` compiles the other rules).

Ties are broken by array position, so the choice is deterministic for a given seed.
"""

from __future__ import annotations

import numpy as np

from agents.compiled import njit, pairwise_sum
from agents.state import option_value, policy_distance
from sim.format.scenario import Strategy
from sim.stance import Stance

ENDORSE = int(Stance.ENDORSE)  # a plain int: looking up an IntEnum member is slow in hot loops



class Remembered:
    """A field of a campaign's memory: an entry of its row of the model's campaign memory."""

    def __init__(self, index: int, kind: type, doc: str):
        self.index, self.kind, self.__doc__ = index, kind, doc

    def __get__(self, campaign, owner=None):
        return self if campaign is None else self.kind(campaign.memory[self.index])

    def __set__(self, campaign, value) -> None:
        campaign.memory[self.index] = value


class Campaign:
    """One sponsor's strategy for one proposal, with its memory (stall counter, concessions)."""

    def __init__(self, spec: Strategy, sponsor: int, proposal: str,
                 memory: np.ndarray | None = None):
        self.spec = spec
        self.sponsor = sponsor
        self.proposal = proposal
        #: best, stalled, conceded, visits: a row of the model's array of campaign memories
        #: (``sim.engine.fastround`` reads and writes them there)
        self.memory = np.zeros(4) if memory is None else memory
        self.memory[:] = (-1, 0, 0.0, 0)
        self._ties_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._effect: np.ndarray | None = None  # what a visit does to each state

    best = Remembered(0, int, "The most endorsements the text has had (a concession waits "
                               "for a stall below it).")
    stalled = Remembered(1, int, "Rounds since the text last gained an endorsement.")
    conceded = Remembered(2, float, "How far the text has moved in concessions.")
    visits = Remembered(3, int, "Outreach visits made so far.")

    def act(self, model) -> None:
        """One round of the campaign in the open forums deciding its text: outreach to the
        hold-outs, a concession when endorsements stall, invitations to co-sponsor. The
        arithmetic is that of the compiled functions below, which a compiled round
        (``sim/engine/fastround.py``) composes in the same order for a text decided in one
        forum."""
        forums = model.open_deciding(self.proposal)
        if not forums:
            return
        endorsing, count, holdouts, any_holdout, sponsor = self.standing(model, forums)
        if self.spec.budget:
            key = self._outreach_key(model, forums[0], holdouts, sponsor)
            self.visits += court(model.ideal, key, holdouts, self.spec.budget,
                                 self.visit_effect(model), model.positions[self.proposal])
        c = self.spec.concessions
        if c is not None and stalled(self.memory, count, any_holdout, c.stall_rounds):
            self.concede(model, holdouts, c.step, c.max_total)
        if self.spec.invite_cosponsors:
            self.invite(model, forums, endorsing, sponsor, self.spec.invite_cosponsors)

    def standing(self, model, forums: list) -> tuple:
        """Where the text stands in the open ``forums`` deciding it: who endorses (in any), the
        most endorsements in one, the hold-outs (members taking part, not endorsing, not
        campaigning), whether there is any, and the campaigners (a mask)."""
        # stances outside a forum's members stay undecided, so endorsing implies membership;
        # members not taking part (sim/engine/attendance.py) are not courted
        members, endorsing = forums[0].present, forums[0].stances == ENDORSE
        count = int(np.count_nonzero(endorsing))  # the most endorsements in one forum
        for f in forums[1:]:
            backs = f.stances == ENDORSE
            members, endorsing = members | f.present, endorsing | backs
            count = max(count, int(np.count_nonzero(backs)))
        sponsor = np.zeros(model.n, dtype=bool)
        sponsor[model.sponsors[self.proposal]] = True
        holdouts = np.zeros(model.n, dtype=bool)
        any_holdout = holdouts_of(members, endorsing, sponsor, holdouts)
        return endorsing, count, holdouts, any_holdout, sponsor

    def concede(self, model, holdouts: np.ndarray, step: float, max_total: float) -> float:
        """Move the text ``step`` toward the hold-outs' mean ideal point (no further than it, nor
        past ``max_total`` conceded in all: :func:`move_toward`); returns how far it moved."""
        position = model.positions[self.proposal].copy()
        moved = move_toward(self.memory, holdouts, model.ideal, position, step, max_total)
        if moved > 0:
            model.move_text(self.proposal, position)  # a new array: a position read earlier
        return moved  # keeps its value

    def invite(self, model, forums: list, endorsing: np.ndarray, sponsor: np.ndarray,
               count: int, among: np.ndarray | None = None) -> np.ndarray:
        """Invite the ``count`` most capable endorsers that favour the text (:func:`keen_of`,
        in any of the open ``forums``) and do not campaign yet, ``among`` these states if given;
        they join the campaigners (``sponsor``, in place, and the model's sponsors). Returns the
        rows invited."""
        b = model.behaviour
        keen = np.zeros(model.n, dtype=bool)
        for f in forums:
            keen_of(f.row, f.block_utility, f.deliberation.bias, f.rule.option_codes,
                    b.oppose_cost, b.objection_cost, b.abstain_bias, keen)
        pool = endorsing & keen if among is None else endorsing & keen & among
        before = sponsor.copy()
        if invite(model.setting.capable, pool, sponsor, count):
            model.sponsors[self.proposal] = np.flatnonzero(sponsor)
        return np.flatnonzero(sponsor & ~before)

    def _outreach_key(self, model, forum, holdouts: np.ndarray,
                      sponsor: np.ndarray) -> np.ndarray:
        """Each state's place in the queue of visits (smallest first); a hold-out not to be
        visited at all is dropped from ``holdouts``."""
        rule = self.spec.outreach
        if rule == "random":  # a draw per hold-out, in array order
            key = np.full(model.n, np.inf)
            candidates = np.flatnonzero(holdouts)
            key[candidates] = model.rng.random(len(candidates))
            return key
        if rule == "listed":  # the targets alone, in their order
            key = self._target_rank(model)
            holdouts &= np.isfinite(key)
            return key
        key = np.empty(model.n)
        allies = self._ties_to(model, sponsor) if rule == "allies_first" else key
        outreach_key(OUTREACH[rule], forum.utility, model.degree, allies, key)
        return key

    def _target_rank(self, model) -> np.ndarray:
        """Each state's place in the strategy's targets (inf for the others)."""
        key = np.full(model.n, np.inf)
        index = model.world.index
        for r, code in enumerate(c for c in self.spec.targets if c in index):
            key[index[code]] = r
        return key

    def _demarche_targets(self, model, members: np.ndarray) -> np.ndarray:
        """The members a campaign visits before a forum opens: ``demarches`` of them, its
        targets first (in order), then the members closest to the text
        (:func:`agents.state.policy_distance`; ties by array position), never its campaigners."""
        if self.spec.demarches == 0:
            return np.zeros(0, dtype=np.int64)
        distance = policy_distance(model.ideal, model.positions[self.proposal], model.dim_weights)
        pool = members.copy()
        pool[model.sponsors[self.proposal]] = False
        ranking = np.lexsort((distance, self._target_rank(model)))
        return ranking[pool[ranking]][: self.spec.demarches]

    def _capacity_recipients(self, model, members: np.ndarray) -> np.ndarray:
        index = model.world.index
        rows = np.array([index[c] for c in self.spec.capacity if c in index], dtype=np.int64)
        return rows[members[rows]] if len(rows) else rows

    def presence_boost(self, model, members: np.ndarray,
                       boost: np.ndarray) -> None:
        """Add to ``boost`` (log-odds of taking part, per state) what this campaign's demarches
        and capacity building do for a forum with these ``members`` that is about to open."""
        b = model.behaviour
        boost[self._demarche_targets(model, members)] += b.demarche_turnout
        boost[self._capacity_recipients(model, members)] += b.capacity_turnout

    def prepare(self, model, members: np.ndarray, present: np.ndarray,
                bias: np.ndarray) -> None:
        """Once a forum deciding the text is open and the members' leaning set: the demarches'
        targets and the capacity recipients are moved as by a visit, and the recipients that
        take part value endorsing more (``bias``, the forum's, in place)."""
        recipients = self._capacity_recipients(model, members)
        visited = np.union1d(self._demarche_targets(model, members), recipients)
        if len(visited):
            q = model.positions[self.proposal]
            effect = self.visit_effect(model)[visited][:, None]
            model.ideal[visited] += effect * (q - model.ideal[visited])
        recipients = recipients[present[recipients]]
        b = model.behaviour
        gain = b.capacity_gain * leverage(model.capability, self.sponsor, b.outreach_leverage)
        bias[recipients, ENDORSE] += gain[recipients]

    def visit_effect(self, model) -> np.ndarray:
        """The share of the gap a visit closes, per target state (made once: capabilities are
        fixed)."""
        if self._effect is None:
            self._effect = self._effect_of_visits(model)
        return self._effect

    def _effect_of_visits(self, model) -> np.ndarray:
        b = model.behaviour
        if model.starting_capability():  # the setting keeps it for the next run
            return model.setting.visit_effect(self.sponsor, b.outreach, b.outreach_leverage)
        return visit_effect(model.capability, self.sponsor, b.outreach, b.outreach_leverage)

    def _ties_to(self, model, sponsor: np.ndarray) -> np.ndarray:
        """Each state's total tie weight to the campaigners (recomputed when they change)."""
        campaigners = model.sponsors[self.proposal]
        if self._ties_cache is None or self._ties_cache[0] is not campaigners:
            ties = model.world.ties
            out = np.empty(model.n)
            ties_to(ties.indptr, ties.indices, ties.data, sponsor, out)
            self._ties_cache = (campaigners, out)
        return self._ties_cache[1]


def cost(demarches: int, packages: int, capacity_cost: float) -> float:
    """What a campaign spends before the forums open, in demarches: one for each demarche, and
    ``capacity_cost`` for each capacity-building package (one per state in ``capacity:``).

    Example:
        >>> cost(4, 2, 3.0)
        10.0
    """
    return float(demarches + capacity_cost * packages)


def visit_effect(capability: np.ndarray, sponsor: int, outreach: float,
                 outreach_leverage: float) -> np.ndarray:
    """The share of the gap a sponsor's visit closes, per state: ``outreach``, larger for a
    state weaker than the sponsor and smaller for a stronger one (``outreach_leverage``)."""
    if outreach_leverage == 0:
        return np.full(len(capability), outreach)
    return np.minimum(1.0, outreach * leverage(capability, sponsor, outreach_leverage))


def leverage(capability: np.ndarray, sponsor: int, outreach_leverage: float) -> np.ndarray:
    """How much a sponsor's weight multiplies what it offers each state:
    ``(2 c_sponsor / (c_sponsor + c_state)) ** outreach_leverage`` (1 between equals, up to
    2 ** outreach_leverage toward the weakest, toward 0 for a far stronger state).

    Example:
        >>> leverage(np.array([0.1, 0.1, 0.3]), 0, 1.0).tolist()
        [1.0, 1.0, 0.5]
    """
    mine = capability[sponsor] if sponsor >= 0 else 1.0
    return (2.0 * mine / (mine + capability)) ** outreach_leverage


# -- the compiled phases of a campaign --------------------------------------------------------------

#: the outreach rules a compiled round takes, by code (``random`` and ``listed`` give their own keys)
OUTREACH = {"swing": 0, "regional_hubs": 1, "allies_first": 2}


@njit(cache=True, nogil=True)
def holdouts_of(present, endorsing, sponsor, holdouts):
    """The hold-outs: members taking part that do not endorse and do not campaign (into
    ``holdouts``). Returns whether there is any."""
    found = False
    for i in range(present.shape[0]):
        if present[i] and not endorsing[i] and not sponsor[i]:
            holdouts[i] = True
            found = True
    return found


@njit(cache=True, nogil=True)
def outreach_key(rule, utility, degree, allies, key):
    """The queue of visits, smallest first (into ``key``): ``swing`` (0) |utility|, closest to
    tipping; ``regional_hubs`` (1) the most tied states; ``allies_first`` (2) the strongest ties
    to the campaigners (``allies``)."""
    for i in range(key.shape[0]):
        if rule == 0:
            key[i] = abs(utility[i])
        elif rule == 1:
            key[i] = -degree[i]
        else:
            key[i] = -allies[i]


@njit(cache=True, nogil=True)
def court(ideal, key, holdouts, budget, effect, position):
    """One round of outreach, in place: the ``budget`` hold-outs with the smallest ``key`` (the
    first position on ties; NaN after every number, as NumPy sorts) each close a share
    ``effect[i]`` of the gap between their ideal point and the text. Returns the visits."""
    n = key.shape[0]
    taken = np.zeros(n, dtype=np.bool_)
    visits = 0
    for _ in range(budget):
        pick = -1
        for i in range(n):
            if holdouts[i] and not taken[i] and (
                    pick < 0 or key[i] < key[pick] or (key[pick] != key[pick]
                                                       and key[i] == key[i])):
                pick = i
        if pick < 0:
            break
        taken[pick] = True
        visits += 1
        for d in range(ideal.shape[1]):
            current = ideal[pick, d]
            ideal[pick, d] = current + effect[pick] * (position[d] - current)
    return visits


@njit(cache=True, nogil=True)
def stalled(memory, count, any_holdout, stall_rounds):
    """Whether endorsements have stalled long enough for a concession: ``stall_rounds`` rounds
    in a row without more than the best ``count`` so far, with hold-outs to concede to.
    ``memory``: the campaign's (best, stalled, conceded, visits), updated."""
    if count > memory[0]:
        memory[0] = count
        memory[1] = 0
        return False
    memory[1] += 1
    if memory[1] < stall_rounds or not any_holdout:
        return False
    memory[1] = 0
    return True


@njit(cache=True, nogil=True)
def move_toward(memory, holdouts, ideal, position, step, max_total):
    """A concession: the text (``position``, in place) moves ``step`` toward the hold-outs' mean
    ideal point, no further than it, nor past ``max_total`` conceded in all (``memory[2]``).
    Returns how far it moved (0: not at all)."""
    dims = ideal.shape[1]
    direction = np.zeros(dims)
    held = 0
    for i in range(holdouts.shape[0]):  # the hold-outs' mean, summed in order as NumPy does
        if holdouts[i]:
            held += 1
            for j in range(dims):
                direction[j] += ideal[i, j]
    if held == 0:
        return 0.0
    norm2 = 0.0
    for j in range(dims):
        direction[j] = direction[j] / held - position[j]
        norm2 += direction[j] * direction[j]
    norm = np.sqrt(norm2)
    if max_total - memory[2] < step:
        step = max_total - memory[2]
    if norm < step:
        step = norm
    if step <= 1e-12:
        return 0.0
    for j in range(dims):
        v = position[j] + step * direction[j] / norm
        position[j] = min(max(v, 0.0), 1.0)
    memory[2] += step
    return step


@njit(cache=True, nogil=True)
def keen_of(x, utility, bias, options, oppose_cost, objection_cost, abstain_bias, keen):
    """Who would accept an invitation to co-sponsor text ``x`` of a forum (into ``keen``): a
    state that favours it (endorsing is the option of the forum's rule it values most, its
    disposition included: not an endorsement by chance) and values no rival text more
    (``utility``: the forum's texts x states)."""
    texts, n = utility.shape
    for i in range(n):
        u = utility[x, i]
        best = option_value(ENDORSE, u, oppose_cost, objection_cost, abstain_bias) \
            + bias[i, ENDORSE]
        favours = True
        for option in options:
            if option != ENDORSE and not best > option_value(
                    option, u, oppose_cost, objection_cost, abstain_bias) + bias[i, option]:
                favours = False
        for r in range(texts):
            if r != x and utility[r, i] > u:
                favours = False
        if favours:
            keen[i] = True


@njit(cache=True, nogil=True)
def invite(capable, pool, sponsor, count):
    """Invite the ``count`` most capable states of ``pool`` (keen endorsers) that do not campaign
    yet: they join ``sponsor`` (in place). Returns how many were invited."""
    taken = 0
    for m in range(capable.shape[0]):
        if taken == count:
            break
        i = capable[m]
        if pool[i] and not sponsor[i]:
            sponsor[i] = True
            taken += 1
    return taken


@njit(cache=True, nogil=True)
def ties_to(t_ptr, t_idx, t_val, chosen, out):
    """Each state's total tie weight to the ``chosen`` states (into ``out``): its first tie to
    one plus NumPy's pairwise sum of the others, in column order, as SciPy's column sums add
    them."""
    values = np.empty(t_idx.shape[0])
    for i in range(out.shape[0]):
        k = 0
        for e in range(t_ptr[i], t_ptr[i + 1]):
            if chosen[t_idx[e]]:
                values[k] = t_val[e]
                k += 1
        out[i] = values[0] + pairwise_sum(values, 1, k - 1) if k > 0 else 0.0
