"""A campaign a person directs round by round (``plenary play``, ``analysis/play.py``).

A :class:`Directed` campaign replaces a sponsor's strategy for one text. Its rules are not the
strategy's (whom to court by a targeting rule, concede on a stall, invite the most capable): each
round the person's :class:`Orders` say whom to court, how far to concede, whom to invite to
co-sponsor and whom to offer capacity building, and the strategy's own mechanics carry them out
(``agents/strategy.py``, in the order of :meth:`Campaign.act`):

- courting: ``listed`` outreach to the named states, in order (a visit moves a hold-out's ideal
  point as any sponsor's visit does; a state that endorses by the time the campaign acts is not
  visited);
- capacity building: for forums deciding the text that open later, as a strategy's
  ``capacity:`` (a higher chance of taking part, a visit, more value in endorsing); for a forum
  already open, at once: a visit and more value in endorsing (:meth:`Campaign.prepare`);
- a concession: :meth:`Campaign.concede`, the text moved toward the hold-outs' mean;
- invitations: a named state accepts if it endorses and favours the text, as the model asks of
  any invitation (:func:`agents.strategy.keen_of`); the others decline.

The orders are used once, in the round they were given for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agents.strategy import Campaign, court


@dataclass
class Orders:
    """One round's orders (ISO3 codes; ``concede``: the distance to move the text)."""

    court: list[str] = field(default_factory=list)
    concede: float = 0.0
    invite: list[str] = field(default_factory=list)
    capacity: list[str] = field(default_factory=list)


@dataclass
class Done:
    """What the campaign did with a round's orders (the model's answers)."""

    visits: int = 0
    conceded: float = 0.0
    invited: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)


class Directed(Campaign):
    """A sponsor's campaign on one text, moved by a person's orders (see the module)."""

    def __init__(self, spec, sponsor: int, proposal: str, memory: np.ndarray | None = None,
                 max_total: float = 1.0):
        super().__init__(spec.model_copy(update={"outreach": "listed", "targets": [],
                                                 "demarches": 0, "capacity": [],
                                                 "concessions": None, "invite_cosponsors": 0}),
                         sponsor, proposal, memory)
        self.orders = Orders()
        self.done = Done()
        self.max_total = max_total

    def give(self, orders: Orders) -> None:
        """This round's orders; the capacity packages also count at every later opening."""
        self.orders = orders
        if orders.capacity:
            self.spec = self.spec.model_copy(
                update={"capacity": list(self.spec.capacity) + list(orders.capacity)})

    def act(self, model) -> None:
        orders, self.orders, self.done = self.orders, Orders(), Done()
        forums = model.open_deciding(self.proposal)
        if not forums:
            return
        endorsing, _, holdouts, _, sponsor = self.standing(model, forums)
        index = model.world.index
        if orders.court:
            key = np.full(model.n, np.inf)
            for r, code in enumerate(orders.court):
                key[index[code]] = r
            made = court(model.ideal, key, holdouts & np.isfinite(key), len(orders.court),
                         self.visit_effect(model), model.positions[self.proposal])
            self.visits += made
            self.done.visits = int(made)
        if orders.capacity:
            self._aid_now(model, forums, orders.capacity)
        if orders.concede > 0:
            self.done.conceded = self.concede(model, holdouts, orders.concede, self.max_total)
        if orders.invite:
            named = np.zeros(model.n, dtype=bool)
            named[[index[c] for c in orders.invite]] = True
            invited = self.invite(model, forums, endorsing, sponsor, len(orders.invite), named)
            taken = {model.world.iso3[i] for i in invited.tolist()}
            self.done.invited = [c for c in orders.invite if c in taken]
            self.done.declined = [c for c in orders.invite if c not in taken]

    def _aid_now(self, model, forums: list, codes: list[str]) -> None:
        """Capacity building in the forums deciding the text that opened before this round
        (one opening this round was prepared with it already)."""
        now = Campaign(self.spec.model_copy(update={"capacity": list(codes), "demarches": 0}),
                       self.sponsor, self.proposal)
        seen: set[str] = set()
        for f in forums:
            if f.opens < model.round and f.forum_id not in seen:
                seen.add(f.forum_id)
                now.prepare(model, f.members, f.present, f.deliberation.bias)
