"""How a forum opens during a run, and who comes to it later: the part of
:class:`sim.engine.model.NegotiationModel` that sets up a forum's round (a mixin it inherits).

When a forum opens (:meth:`ForumOpening._open_forum`):

1. who takes part is drawn (``sim/engine/attendance.py``: the record's presence in a vote, the
   scenario's ``attendance``, a summit's turnout), raised by the campaigns' demarches and capacity
   building before it opens;
2. a chained forum (``after:``) takes over the stances of the forum it follows, and gains pull if
   that one adopted;
3. each text's decision weights and arrays are set up (:class:`agents.state.Deliberation`);
4. the members' dispositions are set: their leaning from the record on the forum's topic
   (``agents/disposition.py``) and the scenario's pinned stances; then the campaigns prepare the
   ground (demarches, capacity building) and stances held from outside (a person playing a
   delegation: ``analysis/play.py``) are applied.

While it is open, members not yet taking part may arrive (``arrival``), and a stance may be held
from outside (:meth:`ForumOpening.hold`).
"""

from __future__ import annotations

import numpy as np

from agents import disposition
from agents.state import Deliberation, option_values, utilities
from agents.strategy import Campaign
from sim.engine import attendance
from sim.engine.tracks import ForumState
from sim.format.scenario import FORM_POSITIONS, RECORD_FORMS, Forum
from sim.stance import Stance


class ForumOpening:
    """Opening forums and their members' arrivals; mixed into ``NegotiationModel``, whose arrays
    and draws it uses."""

    def hold(self, forum_id: str, row: int, stance: int | None) -> None:
        """Hold state ``row`` at ``stance`` in a forum's texts from now on (None: let it decide
        again), as a scenario's ``pin:`` does from the opening: its disposition is pinned
        (``agents.disposition.pin_bias``) and, if the forum is open, it takes part (it arrives
        if it was absent) and stands there now. A person playing a delegation
        (``analysis/play.py``) sets their stance this way."""
        held = self.held.setdefault(forum_id, {})
        if stance is None:
            held.pop(row, None)
        else:
            held[row] = int(stance)
        group = self.tracks(forum_id)
        if group[0].deliberation is not None:  # open: now (else when it opens)
            self._apply_held(group, [row])

    def _apply_held(self, group: list[ForumState], rows) -> None:
        lead = group[0]
        bias, held = lead.deliberation.bias, self.held.get(lead.forum_id, {})
        for row in rows:
            key = (lead.forum_id, row)
            if row not in held:
                if key in self._unheld:
                    bias[row] = self._unheld.pop(key)
                continue
            self._unheld.setdefault(key, bias[row].copy())
            if not lead.present[row]:
                present = lead.present.copy()
                present[row] = True
                for track in group:
                    track.present, track.present_index = present, np.flatnonzero(present)
                    track.deliberation.idx = track.present_index
            disposition.pin_bias(bias, np.array([row]), np.array([held[row]], dtype=np.int8))
            for track in group:
                track.stances[row] = held[row]

    def _open_forum(self, group: list[ForumState]) -> None:
        """A forum opens: who takes part is drawn, a chained forum takes over the stances of
        the one it follows, and each text's decision weights and arrays are set up."""
        present = self._attend(group)
        for track in group:
            track.present, track.present_index = present, np.flatnonzero(present)
            self._open(track)
            track.stances[track.members & ~present] = Stance.UNDECIDED  # absent: no stance
            track.params = self._decision_params(track)
            track.deliberation = self._prepare(track)
        self._dispose(group)
        for campaign in self._preparing(group):
            campaign.prepare(self, group[0].members, group[0].present, group[0].deliberation.bias)
        if self.held.get(group[0].forum_id):
            self._apply_held(group, sorted(self.held[group[0].forum_id]))

    def _arrive(self, group: list[ForumState]) -> None:
        """Members not yet taking part come to the forum, each with the chance ``arrival`` a
        round (raised by the campaigns' demarches and capacity building, as taking part is:
        ``attendance.courted``); one uniform per absent member, in member order."""
        lead = group[0]
        absent = lead.members & ~lead.present
        if not absent.any():
            return
        p = self._courted(group, np.where(absent, lead.spec.arrival, 0.0))
        come = attendance.draw_present_with(absent, p, np.zeros(0, np.int64), self.rng)
        if come.any():
            present = lead.present | come
            for track in group:
                track.present, track.present_index = present, np.flatnonzero(present)
                track.deliberation.idx = track.present_index

    def _courted(self, group: list[ForumState], p: np.ndarray) -> np.ndarray:
        """The members' chances ``p`` of taking part in a forum, raised by the demarches and
        capacity building of the campaigns for its texts (``attendance.courted``)."""
        campaigns = self._preparing(group)
        if not campaigns:
            return p
        boost = np.zeros(self.n)
        for campaign in campaigns:
            campaign.presence_boost(self, group[0].members, boost)
        return attendance.courted(p, boost)

    def _preparing(self, group: list[ForumState]) -> list[Campaign]:
        """The campaigns for the texts of a forum that opens that prepare the ground."""
        texts = {t.proposal for t in group}
        return [c for c in self.campaigns if c.proposal in texts
                and (c.spec.demarches or c.spec.capacity)]

    def _reads_record(self, spec: Forum) -> bool:
        """Whether the members' record sets their leaning in this forum."""
        return (spec.topic is not None and self.setting.record_dir is not None
                and self.behaviour.record_weight > 0)

    def _dispose(self, group: list[ForumState]) -> None:
        """The members' dispositions in a forum that opens (``agents/disposition.py``): their
        leaning from the record on the forum's topic, and the pinned stances. One bias array
        for all the texts of the forum, set against the first text."""
        lead, spec = group[0], group[0].spec
        d = lead.deliberation
        if self._reads_record(spec):
            title = self._title(lead.proposal)
            probs = self.setting.dispositions(spec.topic, spec.rule, title)
            idx = lead.present_index
            if not np.isnan(probs[idx, 0]).all():
                position, params = self._record_reference(lead)
                # everything the biases are computed from (the setting is shared by scenarios
                # that differ in their dimensions' status quo or weights, or in the behaviour)
                key = (spec.id, spec.topic, spec.rule, title, idx.tobytes(),
                       self.ideal.tobytes(), self.salience.tobytes(), position.tobytes(),
                       params.tobytes(), self.capability_share.tobytes(),
                       self.status_quo.tobytes(), self.dim_weights.tobytes(),
                       self.behaviour.noise, self.behaviour.record_weight)
                bias = self.setting.bias_memo.get(key)
                if bias is None:  # the same in every run whose opening state is the same
                    # what the record leads one to expect of each member taking part (one that
                    # does not take part holds no stance)
                    sign = np.where(lead.present,
                                    self.setting.expected_sign(spec.topic, spec.rule, title), 0.0)
                    reference = option_values(
                        utilities(d, sign, position, params), lead.rule.options,
                        np.zeros(len(idx), dtype=np.int8), self.behaviour)
                    bias = disposition.record_bias(probs[idx], reference, d.options,
                                                   self.behaviour.noise, self.behaviour.record_weight)
                    self.setting.remember_bias(key, bias)
                d.bias[idx] = bias
        rows, codes = self._pins(spec)
        if len(rows):
            disposition.pin_bias(d.bias, rows, codes)
            for track in group:
                track.stances[rows] = codes
        for track in group[1:]:
            track.deliberation.bias = d.bias

    def _record_reference(self, track: ForumState) -> tuple[np.ndarray, np.ndarray]:
        """The text the members' record was made on, and the decision weights with its form's
        cost. Its form is the rule's usual one (``sim.format.scenario.RECORD_FORMS``: a binding
        instrument costs more than the record's texts did). Its position is the forum's
        ``reference:`` if given, else on each dimension the lower of this text's and the usual
        form's (``FORM_POSITIONS``): a text stricter than those the states voted on moves them
        as their ideal points say; a more modest one is not held against those who wanted more
        (states that call for a ban still vote for modest texts: judgement)."""
        spec, b = track.spec, self.behaviour
        form = RECORD_FORMS.get(spec.rule, self.forms[track.proposal])
        text = self.positions[track.proposal]
        usual = FORM_POSITIONS.get(form, {})
        if spec.reference is not None:
            position = np.array([spec.reference.get(d, q) for d, q in
                                 zip(self.dimensions, text, strict=True)])
        else:
            position = np.array([min(q, usual.get(d, q)) for d, q in
                                 zip(self.dimensions, text, strict=True)])
        params = track.params.copy()
        params[5] = b.form_weight(form, spec.rule)
        return position, params

    def _pins(self, spec: Forum) -> tuple[np.ndarray, np.ndarray]:
        """The forum's pinned members and their stance codes."""
        pins = [(self.world.index[c], int(Stance[w.upper()])) for c, w in spec.pin.items()
                if c in self.world.index]
        return (np.array([r for r, _ in pins], dtype=np.int64),
                np.array([c for _, c in pins], dtype=np.int8))

    def _prepare(self, track: ForumState) -> Deliberation:
        """The arrays of a track's deliberation, set up when its forum opens (the tie sums over
        its members come from the setting: the same members in every run)."""
        social_den, tie_to_member = self.setting.member_ties(track.members)
        return Deliberation(
            idx=track.present_index, ideal=self.ideal, position=self.positions[track.proposal],
            status_quo=self.status_quo, dim_weights=self.dim_weights, salience=self.salience,
            capability_share=self.capability_share, stances=track.stances, ties=self.world.ties,
            members=track.members, members_weight=track.members_weight, leaders=self.bloc_leaders,
            params=track.params, options=track.rule.option_codes, social_den=social_den,
            tie_to_member=tie_to_member)

    def _attend(self, group: list[ForumState]) -> np.ndarray:
        """Who takes part in a forum, drawn when it opens (sim/engine/attendance.py); the same members
        for each of its texts."""
        spec, b = group[0].spec, self.behaviour
        share = spec.attendance
        if share is None:  # a summit's record of endorsements already says who does not come
            share = (b.endorsement_turnout if spec.rule == "open_endorsement"
                     and not self._record_endorsements(spec) else 1.0)
        sponsors = np.concatenate([self.sponsors[t.proposal] for t in group])
        members = group[0].members
        if (spec.attendance is None and spec.rule == "vote" and self._reads_record(spec)
                and self.setting.presence is not None):  # who votes, as the record says
            p = self.setting.presence
        else:
            p = attendance.member_participation(members, self.salience, share, b.engagement)
        if p is None:
            present = members.copy()
        else:  # demarches and capacity building before the forum opens raise p
            present = attendance.draw_present_with(members, self._courted(group, p), sponsors,
                                                   self.rng)
        rows, codes = self._pins(spec)
        present[rows[(codes != Stance.UNDECIDED) & group[0].members[rows]]] = True
        return present

    def _record_endorsements(self, spec: Forum) -> bool:
        """Whether the record says who endorses in this open-endorsement forum."""
        return (self._reads_record(spec) and not np.isnan(self.setting.dispositions(
            spec.topic, spec.rule, self._title(spec.texts[0]))[:, 0]).all())

    def _title(self, proposal: str) -> str:
        """A text's title (its series in the record: the same resolution voted year after year)."""
        return self.scenario.proposal(proposal).title

    def _decision_params(self, forum: ForumState) -> np.ndarray:
        """The weights of a forum's decisions, in the order ``Deliberation.params`` documents
        (fixed once the forum is open: its pull changes only when it opens)."""
        b = self.behaviour
        # where the record sets the leaning, it holds the usual alignment with the cues already
        cues = b.record_cues if self._reads_record(forum.spec) else 1.0
        return np.array([
            b.baseline, b.policy, b.social * cues, b.bloc_cue * cues, b.forum_pull * forum.pull,
            b.form_weight(self.forms[forum.proposal], forum.spec.rule), b.inertia,
            b.oppose_cost, b.objection_cost, b.abstain_bias, b.noise, 2.0 * b.attention,
            b.status_quo_weight, b.cue_shield,
        ])

    def _open(self, forum: ForumState) -> None:
        """A forum opens after another: it gains pull if the other adopted, and if it decides
        the same text it starts from the stances the other ended with (a state that endorsed
        a set of principles has not thereby endorsed a treaty, so a different text starts fresh).
        """
        if forum.spec.after is None:
            return
        earlier = self.tracks(forum.spec.after)
        if any(e.outcome is not None and e.outcome.adopted for e in earlier):
            forum.pull += self.behaviour.chain_pull
        before = next((e for e in earlier if e.proposal == forum.proposal), None)
        if before is None:
            return
        carried = before.stances.copy()
        options = forum.rule.options
        carried[(carried == Stance.OPPOSE) | (carried == Stance.OBJECT)] = forum.rule.against
        if Stance.ABSTAIN not in options:
            carried[carried == Stance.ABSTAIN] = Stance.UNDECIDED
        forum.stances[forum.member_index] = carried[forum.member_index]
