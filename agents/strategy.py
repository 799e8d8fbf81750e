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
   (with rival texts, they back it: ``sim/coalitions.py``), and their ties count for
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
a round (``sim/fastround.py`` compiles the other rules).

Ties are broken by array position, so the choice is deterministic for a given seed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from agents.state import option_values, policy_distance
from sim import kernels
from sim.scenario import Strategy
from sim.stance import Stance

ENDORSE = int(Stance.ENDORSE)  # a plain int: looking up an IntEnum member is slow in hot loops

if TYPE_CHECKING:
    from sim.model import NegotiationModel


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
        #: (``sim.fastround`` reads and writes them there)
        self.memory = np.zeros(4) if memory is None else memory
        self.memory[:] = (-1, 0, 0.0, 0)
        self._ties_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._effect: np.ndarray | None = None  # what a visit does to each state

    best = Remembered(0, int, "The most endorsements the text has had (a concession waits "
                               "for a stall below it).")
    stalled = Remembered(1, int, "Rounds since the text last gained an endorsement.")
    conceded = Remembered(2, float, "How far the text has moved in concessions.")
    visits = Remembered(3, int, "Outreach visits made so far.")

    def act(self, model: NegotiationModel) -> None:
        forums = model.open_deciding(self.proposal)
        if not forums:
            return
        endorsing, count, holdouts, campaigners = self.standing(model, forums)
        self._outreach(model, forums[0], holdouts, campaigners)
        if self.spec.concessions is not None:
            self._concede(model, count, holdouts)
        if self.spec.invite_cosponsors:
            self._invite(model, endorsing & self._keen(model, forums), campaigners)

    def standing(self, model: NegotiationModel, forums: list) -> tuple:
        """Where the text stands in the open ``forums`` deciding it: who endorses (in any),
        the most endorsements in one, the hold-outs (members taking part, not endorsing, not
        campaigning) and the campaigners."""
        # stances outside a forum's members stay undecided, so endorsing implies membership;
        # members not taking part (sim/attendance.py) are not courted
        members, endorsing = forums[0].present, forums[0].stances == ENDORSE
        count = int(np.count_nonzero(endorsing))  # the most endorsements in one forum
        for f in forums[1:]:
            backs = f.stances == ENDORSE
            members, endorsing = members | f.present, endorsing | backs
            count = max(count, int(np.count_nonzero(backs)))
        campaigners = model.sponsors[self.proposal]
        holdouts = members > endorsing  # members not endorsing
        holdouts[campaigners] = False
        return endorsing, count, holdouts, campaigners

    @staticmethod
    def _keen(model: NegotiationModel, forums: list) -> np.ndarray:
        """Who would accept an invitation: a state that favours the text (endorsing is the
        option of the forum's rule it values most, its disposition included: not an
        endorsement by chance) and values no rival text of the forum more, in at least one of
        the open forums deciding it."""
        keen = None
        for f in forums:
            options = f.rule.options
            values = option_values(f.utility, options, np.zeros(model.n, dtype=np.int8),
                                   model.behaviour, f.deliberation.bias)
            endorse = options.index(Stance.ENDORSE)
            others = np.delete(values, endorse, axis=1)
            favours = values[:, endorse] > (others.max(axis=1) if others.shape[1] else -np.inf)
            group = model.tracks(f.forum_id)
            if len(group) > 1:
                favours &= f.utility >= np.max([r.utility for r in group if r is not f], axis=0)
            keen = favours if keen is None else keen | favours
        return keen

    def _outreach(self, model: NegotiationModel, forum, holdouts: np.ndarray,
                  campaigners: np.ndarray) -> None:
        if self.spec.budget == 0:
            return
        q = model.positions[self.proposal]
        rule = self.spec.outreach
        if rule == "random":
            candidates = np.flatnonzero(holdouts)
            if len(candidates) == 0:
                return
            key = np.full(model.n, np.inf)  # a draw per hold-out, in array order
            key[candidates] = model.rng.random(len(candidates))
        elif rule == "swing":
            key = np.abs(forum.utility)  # closest to tipping first
        elif rule == "allies_first":
            key = -self._ties_to(model, campaigners)
        elif rule == "listed":  # the targets alone, in their order
            key = self._target_rank(model)
            holdouts = holdouts & np.isfinite(key)
        else:  # regional_hubs
            key = -model.degree
        self.visits += kernels.court(model.ideal, key, holdouts, self.spec.budget,
                                     self.visit_effect(model), q)

    def _target_rank(self, model: NegotiationModel) -> np.ndarray:
        """Each state's place in the strategy's targets (inf for the others)."""
        key = np.full(model.n, np.inf)
        index = model.world.index
        for r, code in enumerate(c for c in self.spec.targets if c in index):
            key[index[code]] = r
        return key

    def _demarche_targets(self, model: NegotiationModel, members: np.ndarray) -> np.ndarray:
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

    def _capacity_recipients(self, model: NegotiationModel, members: np.ndarray) -> np.ndarray:
        index = model.world.index
        rows = np.array([index[c] for c in self.spec.capacity if c in index], dtype=np.int64)
        return rows[members[rows]] if len(rows) else rows

    def presence_boost(self, model: NegotiationModel, members: np.ndarray,
                       boost: np.ndarray) -> None:
        """Add to ``boost`` (log-odds of taking part, per state) what this campaign's demarches
        and capacity building do for a forum with these ``members`` that is about to open."""
        b = model.behaviour
        boost[self._demarche_targets(model, members)] += b.demarche_turnout
        boost[self._capacity_recipients(model, members)] += b.capacity_turnout

    def prepare(self, model: NegotiationModel, members: np.ndarray, present: np.ndarray,
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

    def visit_effect(self, model: NegotiationModel) -> np.ndarray:
        """The share of the gap a visit closes, per target state (made once: capabilities are
        fixed)."""
        if self._effect is None:
            self._effect = self._effect_of_visits(model)
        return self._effect

    def _effect_of_visits(self, model: NegotiationModel) -> np.ndarray:
        b = model.behaviour
        if model.starting_capability():  # the setting keeps it for the next run
            return model.setting.visit_effect(self.sponsor, b.outreach, b.outreach_leverage)
        return visit_effect(model.capability, self.sponsor, b.outreach, b.outreach_leverage)

    def _ties_to(self, model: NegotiationModel, campaigners: np.ndarray) -> np.ndarray:
        """Each state's total tie weight to the campaigners (recomputed when they change)."""
        if self._ties_cache is None or self._ties_cache[0] is not campaigners:
            chosen = np.zeros(model.n, dtype=bool)
            chosen[campaigners] = True
            self._ties_cache = (campaigners, kernels.ties_to(model.world.ties, chosen))
        return self._ties_cache[1]

    def _concede(self, model: NegotiationModel, count: int, holdouts: np.ndarray) -> None:
        c = self.spec.concessions
        if count > self.best:
            self.best, self.stalled = count, 0
            return
        self.stalled += 1
        if self.stalled < c.stall_rounds or not holdouts.any():
            return
        self.stalled = 0
        self.concede(model, holdouts, c.step, c.max_total)

    def concede(self, model: NegotiationModel, holdouts: np.ndarray, step: float,
                max_total: float) -> float:
        """Move the text ``step`` toward the hold-outs' mean ideal point (no further than it,
        nor past ``max_total`` conceded in all); returns how far it moved."""
        q = model.positions[self.proposal]
        direction = model.ideal[holdouts].mean(axis=0) - q
        # the length summed in order, as the compiled round does (not BLAS's dot, whose
        # rounding may differ between machines)
        norm = math.sqrt(sum(d * d for d in direction.tolist()))
        step = min(step, max_total - self.conceded, norm)
        if step <= 1e-12:
            return 0.0
        model.move_text(self.proposal, np.clip(q + step * direction / norm, 0.0, 1.0))
        self.conceded += step
        return step

    def _invite(self, model: NegotiationModel, pool: np.ndarray, campaigners: np.ndarray,
                count: int | None = None) -> np.ndarray:
        """Invite the ``count`` (default: ``invite_cosponsors``) most capable states of ``pool``
        (a mask of keen endorsers, which this changes) that do not campaign yet; returns them."""
        pool[campaigners] = False
        capable = model.setting.capable
        count = self.spec.invite_cosponsors if count is None else count
        invited = capable[np.flatnonzero(pool[capable])[:count]]
        if len(invited) == 0:
            return invited
        pool[:] = False  # now the campaigners, sorted by position
        pool[campaigners] = True
        pool[invited] = True
        model.sponsors[self.proposal] = np.flatnonzero(pool)
        return invited


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
