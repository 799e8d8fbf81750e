"""A whole round in one compiled call, for the common kind of round.

A round of :class:`sim.model.NegotiationModel` (members deliberate, sponsors back their text,
campaigns court, concede and invite, stakeholders pull, views drift, counts are recorded) spends
about half its time in Python and NumPy calls around the compiled kernels. When a round is of the
common kind, :func:`play` runs all of it as one Numba call that does the same arithmetic in the
same order, so that results are bit for bit those of the general path (``NegotiationModel.step``;
tests/test_fastround.py compares the two on every bundled scenario, and with
``PLENARY_KERNELS=numpy`` the general path is all there is).

The common kind (:func:`plan`, decided once per open forum):

- one forum is open and it decides one text (in its opening round, attendance, the carry-over
  of a chained forum and the preparation of the arrays are done in Python first; the rule's
  decision is taken in Python after the round: nothing after the sponsors' backing changes the
  stances it reads);
- no bandwagoning or balancing (``behaviour.bandwagon`` and ``balancing`` are 0);
- every campaign for the text courts ``swing``, ``regional_hubs`` or ``allies_first`` targets,
  or has no budget (``random`` draws its targets in Python);
- the ties are symmetric and the world has two dimensions (the pair drift), or there is no drift.

Everything else runs the general path; a run may mix the two, round by round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.state import draw_shocks
from sim import kernels
from sim.stance import STANCE_SIGN, Stance

if TYPE_CHECKING:
    from sim.model import ForumState, NegotiationModel

RULES = {"swing": 0, "regional_hubs": 1, "allies_first": 2}


@dataclass
class Plan:
    """What a compiled round of one open track needs beyond the model's own arrays."""

    campaigns: np.ndarray  # positions in model.campaigns of the text's campaigns, in order
    budget: np.ndarray
    rule: np.ndarray
    effect: np.ndarray  # (campaigns, states): the share of the gap a visit closes
    invite: np.ndarray
    concede: np.ndarray  # (campaigns, 3): step, stall rounds (-1: no concessions), max total
    capable: np.ndarray  # every state, the most capable first
    sponsor: np.ndarray  # the text's sponsors as a mask (invitations add to it)
    slots: np.ndarray  # the record rows of every track deciding the text (a concession moves it)
    allies: np.ndarray  # (campaigns, states): each state's ties to the campaigners (allies_first)
    versions: np.ndarray  # [the sponsors' version, then the version each row of allies is of]
    sponsors_seen: np.ndarray | None = None  # the model's sponsor array the mask was made from


def plan(model: NegotiationModel, track: ForumState) -> Plan | None:
    """A plan for compiled rounds of ``track`` (the only text of the only open forum), or None
    when its rounds must take the general path."""
    b = model.behaviour
    if not kernels.HAVE_NUMBA or b.bandwagon or b.balancing:
        return None
    if b.drift != 0 and (model.setting.pairs is None or len(model.dimensions) != 2):
        return None
    mine = [k for k, c in enumerate(model.campaigns) if c.proposal == track.proposal]
    chosen = [model.campaigns[k] for k in mine]
    if any(c.spec.budget and c.spec.outreach not in RULES for c in chosen):
        return None
    n = model.n
    effect = np.zeros((len(chosen), n))
    for row, c in zip(effect, chosen, strict=True):
        if c._effect is None:
            c._effect = c._visit_effect(model)
        row[:] = c._effect
    concede = np.array([(c.spec.concessions.step, c.spec.concessions.stall_rounds,
                         c.spec.concessions.max_total) if c.spec.concessions else (0.0, -1, 0.0)
                        for c in chosen], dtype=float).reshape(len(chosen), 3)
    return Plan(
        campaigns=np.array(mine, dtype=np.int64),
        budget=np.array([c.spec.budget for c in chosen], dtype=np.int64),
        rule=np.array([RULES.get(c.spec.outreach, 0) for c in chosen], dtype=np.int64),
        effect=effect,
        invite=np.array([c.spec.invite_cosponsors for c in chosen], dtype=np.int64),
        concede=concede,
        capable=np.argsort(-model.capability, kind="stable"),
        sponsor=np.zeros(n, dtype=bool),
        slots=np.array([f.slot for f in model.forums_deciding(track.proposal)], dtype=np.int64),
        allies=np.zeros((len(chosen), n)),
        versions=np.full(len(chosen) + 1, -1, dtype=np.int64),
    )


def play(model: NegotiationModel, track: ForumState, p: Plan, first: int, last: int) -> bool:
    """Rounds ``first`` to ``last`` of the model, compiled (``track``: the open forum's one text,
    open in all of them and in no other forum). The draws of all the rounds are taken at once:
    the same numbers, in the same order, as a round at a time would take them. False, with
    nothing drawn or changed, when one of them is a zero that NumPy's Gumbel sampler would
    redraw (odds 2**-53 a draw): then play the rounds one at a time."""
    d = track.deliberation
    text = track.proposal
    per_round = len(track.present_index) * (len(d.options) + 1)
    if first == last:
        shocks = draw_shocks(model.rng, len(track.present_index), len(d.options))
    else:
        state = model.rng.bit_generator.state
        shocks = model.rng.random((last - first + 1) * per_round)
        gumbel = shocks.reshape(last - first + 1, per_round)[:, :per_round - len(track.present_index)]
        if np.count_nonzero(gumbel) != gumbel.size:
            model.rng.bit_generator.state = state
            return False
    sponsors = model.sponsors[text]
    if p.sponsors_seen is not sponsors:
        p.sponsor[:] = False
        p.sponsor[sponsors] = True
        p.sponsors_seen = sponsors
        p.versions[0] += 1
    position = model.positions[text].copy()
    lobby = model._lobby
    pairs = model.drift_pairs()
    mu = model.behaviour.drift if pairs is not None else 0.0
    pairs = pairs or _NO_PAIRS
    record = model.record
    flags = _rounds(
        first, last, track.decides if track.rule.forced_decision else -1, shocks, per_round,
        d.idx, d.ideal, position, d.status_quo, d.dim_weights, d.total_weight, d.salience,
        d.capability_share, d.stances, STANCE_SIGN, d.ties.indptr, d.ties.indices, d.ties.data,
        d.tie_to_member, d.social_den, d.leaders.indptr, d.leaders.indices, d.leaders.data,
        d.params, d.options, track.utility, track.members, track.present, p.sponsor,
        p.campaigns, p.budget, p.rule, p.effect, p.invite, p.concede, model.campaign_memory,
        p.capable, model.degree, p.allies, p.versions, lobby.tied, lobby.offsets,
        lobby.positions, lobby.influence, lobby.push, mu, model.behaviour.confidence,
        pairs.ptr, pairs.cols, pairs.pull_ij, pairs.pull_ji, track.member_index, track.slot,
        p.slots, model._counts, model._track_positions, record.counts, record.positions)
    if flags & 1:  # an invitation: the sponsors grew (the mask's version is counted in the call)
        p.sponsors_seen = model.sponsors[text] = np.flatnonzero(p.sponsor)
    if flags & 2:  # a concession moved the text
        model.move_text(text, position)
    return True


_NO_PAIRS = kernels.TiePairs(*(np.zeros(1, np.int64) for _ in range(4)),
                             pull_ij=np.zeros(1), pull_ji=np.zeros(1))

if kernels.HAVE_NUMBA:
    from numba import njit

    ENDORSE = int(Stance.ENDORSE)

    @njit(cache=True, nogil=True)
    def _campaign(k, c, ideal, position, stances, present, utility, sponsor, budget, rule,
                  effect, invite, concede, memory, capable, degree, allies, versions, t_ptr,
                  t_idx, t_val):
        # agents/strategy.py, Campaign.act, for one forum deciding one text: outreach to the
        # hold-outs, a concession when endorsements stall, invitations (k: the campaign among
        # the text's, c: its row in the model's memory: best, stalled, conceded, visits).
        # Returns 1 if it invited a state, 2 if it conceded (the text moved in ``position``).
        n = stances.shape[0]
        holdouts = np.zeros(n, dtype=np.bool_)
        count = 0
        any_holdout = False
        for i in range(n):
            backs = stances[i] == ENDORSE
            count += backs
            if present[i] and not backs and not sponsor[i]:
                holdouts[i] = True
                any_holdout = True
        if budget[k] > 0:
            key = np.empty(n)
            if rule[k] == 2:  # allies_first: ties to the campaigners, when they have changed
                if versions[k + 1] != versions[0]:
                    kernels.ties_to_numba(t_ptr, t_idx, t_val, sponsor, allies[k])
                    versions[k + 1] = versions[0]
                for i in range(n):
                    key[i] = -allies[k, i]
            else:
                for i in range(n):
                    key[i] = abs(utility[i]) if rule[k] == 0 else -degree[i]
            memory[c, 3] += kernels.court(ideal, key, holdouts, budget[k], effect[k], position)
        flags = 0
        stall_rounds = concede[k, 1]
        if stall_rounds >= 0:
            if count > memory[c, 0]:
                memory[c, 0] = count
                memory[c, 1] = 0
            else:
                memory[c, 1] += 1
                if memory[c, 1] >= stall_rounds and any_holdout:
                    memory[c, 1] = 0
                    dims = ideal.shape[1]
                    direction = np.zeros(dims)
                    held = 0
                    for i in range(n):  # the hold-outs' mean, summed in order as NumPy does
                        if holdouts[i]:
                            held += 1
                            for j in range(dims):
                                direction[j] += ideal[i, j]
                    norm2 = 0.0
                    for j in range(dims):
                        direction[j] = direction[j] / held - position[j]
                        norm2 += direction[j] * direction[j]
                    norm = np.sqrt(norm2)
                    step = concede[k, 0]  # min(step, max_total - conceded, norm), as Python's
                    if concede[k, 2] - memory[c, 2] < step:
                        step = concede[k, 2] - memory[c, 2]
                    if norm < step:
                        step = norm
                    if step > 1e-12:
                        for j in range(dims):
                            v = position[j] + step * direction[j] / norm
                            position[j] = min(max(v, 0.0), 1.0)
                        memory[c, 2] += step
                        flags |= 2
        if invite[k] > 0:  # the most capable keen endorsers that do not campaign yet
            taken = 0
            for m in range(n):
                i = capable[m]
                if taken == invite[k]:
                    break
                if stances[i] == ENDORSE and utility[i] > 0 and not sponsor[i]:
                    sponsor[i] = True
                    taken += 1
            if taken:
                versions[0] += 1
                flags |= 1
        return flags

    @njit(cache=True, nogil=True)
    def _rounds(first, last, forced_round, shocks, per_round, idx, ideal, position, status_quo,
                dim_weights, total_weight, salience, capability_share, stances, sign_of, t_ptr,
                t_idx, t_val, t_member, social_den, l_ptr, l_idx, l_val, params, options, utility,
                members, present, sponsor, campaigns, budget, rule, effect, invite, concede,
                memory, capable, degree, allies, versions, k_tied, k_offsets, k_positions,
                k_influence, k_push,
                mu, eps, p_ptr, p_cols, p_ij, p_ji, member_index, slot, slots, counts,
                track_positions, record_counts, record_positions):
        # Rounds first..last as NegotiationModel.step plays them (sim/model.py), one after the
        # other: deliberation, the sponsors' backing, campaigns in order, stakeholders, drift,
        # then the round's record (every track's counts and text position).
        flags = 0
        for r in range(first, last + 1):
            draws = shocks[(r - first) * per_round:(r - first + 1) * per_round]
            kernels._deliberate_numba(idx, ideal, position, status_quo, dim_weights,
                                      total_weight, salience, capability_share, stances, sign_of,
                                      t_ptr, t_idx, t_member, social_den, l_ptr, l_idx, l_val,
                                      params, options, draws, r == forced_round, utility)
            for i in range(stances.shape[0]):  # sponsors back their text (sim/coalitions.py)
                if sponsor[i] and members[i]:
                    stances[i] = ENDORSE
            for k in range(budget.shape[0]):
                moved = _campaign(k, campaigns[k], ideal, position, stances, present, utility,
                                  sponsor, budget, rule, effect, invite, concede, memory,
                                  capable, degree, allies, versions, t_ptr, t_idx, t_val)
                if moved & 2:
                    for s in slots:
                        track_positions[s, :] = position
                flags |= moved
            kernels._lobby_numba(ideal, salience, k_tied, k_offsets, k_positions, k_influence,
                                 k_push)
            if mu != 0.0 and p_cols.shape[0] > 0:
                kernels._drift_pairs(ideal, p_ptr, p_cols, p_ij, p_ji, dim_weights,
                                     total_weight, mu, eps)
            counts[slot, :] = 0
            for m in range(member_index.shape[0]):
                counts[slot, stances[member_index[m]]] += 1
            record_counts[:, r, :] = counts
            record_positions[:, r, :] = track_positions
        return flags
