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
3. invites the ``invite_cosponsors`` most capable endorsers that favour the text (a positive
   utility of endorsing it, and no rival text of the forum valued more) to co-sponsor: they
   then always endorse it (with rival texts, they back it: ``sim/coalitions.py``), and their
   ties count for ``allies_first``.

Ties are broken by array position, so the choice is deterministic for a given seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.scenario import Strategy
from sim.stance import Stance

ENDORSE = int(Stance.ENDORSE)  # a plain int: looking up an IntEnum member is slow in hot loops

if TYPE_CHECKING:
    from sim.model import NegotiationModel


class Campaign:
    """One sponsor's strategy for one proposal, with its memory (stall counter, concessions)."""

    def __init__(self, spec: Strategy, sponsor: int, proposal: str):
        self.spec = spec
        self.sponsor = sponsor
        self.proposal = proposal
        self.best = -1
        self.stalled = 0
        self.conceded = 0.0
        self.visits = 0
        self._ties_cache: tuple[np.ndarray, np.ndarray] | None = None

    def act(self, model: NegotiationModel) -> None:
        t = model.round
        forums = [f for f in model.forums_deciding(self.proposal) if f.opens <= t <= f.decides]
        if not forums:
            return
        # stances outside a forum's members stay undecided, so endorsing implies membership
        backing = [f.stances == ENDORSE for f in forums]
        members, endorsing = forums[0].members, backing[0]
        for f, backs in zip(forums[1:], backing[1:], strict=True):
            members = members | f.members
            endorsing = endorsing | backs
        campaigners = model.sponsors[self.proposal]
        holdouts = members > endorsing  # members not endorsing
        holdouts[campaigners] = False
        self._outreach(model, forums[0], holdouts, campaigners)
        if self.spec.concessions is not None:
            count = max(int(np.count_nonzero(backs)) for backs in backing)
            self._concede(model, count, holdouts)
        if self.spec.invite_cosponsors:
            self._invite(model, endorsing & self._keen(model, forums), campaigners)

    @staticmethod
    def _keen(model: NegotiationModel, forums: list) -> np.ndarray:
        """Who would accept an invitation: a state that favours the text (a positive utility
        of endorsing it, not an endorsement by chance) and values no rival text of the forum
        more, in at least one of the open forums deciding it."""
        keen = None
        for f in forums:
            rivals = [r.utility for r in model.tracks(f.forum_id) if r is not f]
            favours = f.utility > 0
            if rivals:
                favours &= f.utility >= np.max(rivals, axis=0)
            keen = favours if keen is None else keen | favours
        return keen

    def _outreach(self, model: NegotiationModel, forum, holdouts: np.ndarray,
                  campaigners: np.ndarray) -> None:
        candidates = np.flatnonzero(holdouts)
        if self.spec.budget == 0 or len(candidates) == 0:
            return
        rule = self.spec.outreach
        if rule == "swing":
            score = np.abs(forum.utility[candidates])  # smallest first
        elif rule == "allies_first":
            score = -self._ties_to(model, campaigners)[candidates]
        elif rule == "regional_hubs":
            score = -model.degree[candidates]
        else:
            score = model.rng.random(len(candidates))
        # stable sort: equal scores keep array order (candidates ascend), as lexsort would
        targets = candidates[np.argsort(score, kind="stable")[: self.spec.budget]]
        q = model.positions[self.proposal]
        b = model.behaviour
        if b.outreach_leverage == 0:
            effect = b.outreach
        else:  # a visit moves a weaker state more than a stronger one
            mine = model.capability[self.sponsor] if self.sponsor >= 0 else 1.0
            theirs = model.capability[targets]
            leverage = (2.0 * mine / (mine + theirs)) ** b.outreach_leverage
            effect = np.minimum(1.0, b.outreach * leverage)[:, None]
        current = model.ideal[targets]  # targets are distinct: one visit each
        model.ideal[targets] = current + effect * (q - current)
        self.visits += len(targets)

    def _ties_to(self, model: NegotiationModel, campaigners: np.ndarray) -> np.ndarray:
        """Each state's total tie weight to the campaigners (recomputed when they change)."""
        if self._ties_cache is None or self._ties_cache[0] is not campaigners:
            strength = np.asarray(model.world.ties[:, campaigners].sum(axis=1)).ravel()
            self._ties_cache = (campaigners, strength)
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
        q = model.positions[self.proposal]
        direction = model.ideal[holdouts].mean(axis=0) - q
        norm = float(np.linalg.norm(direction))
        step = min(c.step, c.max_total - self.conceded, norm)
        if step <= 1e-12:
            return
        model.positions[self.proposal] = np.clip(q + step * direction / norm, 0.0, 1.0)
        self.conceded += step

    def _invite(self, model: NegotiationModel, endorsing: np.ndarray,
                campaigners: np.ndarray) -> None:
        pool = endorsing.copy()
        pool[campaigners] = False
        candidates = np.flatnonzero(pool)
        if len(candidates) == 0:
            return
        order = np.argsort(-model.capability[candidates], kind="stable")
        invited = candidates[order[: self.spec.invite_cosponsors]]
        # the invited are not campaigners yet, so this is their union, sorted
        model.sponsors[self.proposal] = np.sort(np.concatenate((campaigners, invited)))
