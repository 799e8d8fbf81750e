"""A whole round in one compiled call, for the common kind of round.

A round of :class:`sim.engine.model.NegotiationModel` (members deliberate, sponsors back their text,
campaigns court, concede and invite, stakeholders pull, views drift, counts are recorded) calls
each phase's compiled function from Python (``agents/``). When a round is of the common kind,
:func:`play` runs all of it as one Numba call composed of the same phase functions in the same
order, so the Python and NumPy glue between phases is paid once per block of rounds instead of
once per phase (about half a round's time). There is no second implementation of any phase:
the results are those of ``NegotiationModel.step`` because they are the same functions
(tests/test_fastround.py compares the two paths on every bundled scenario).

The common kind (:func:`plan`, decided once per open forum):

- one forum is open, deciding one text or several rival ones (in its opening round, attendance,
  the carry-over of a chained forum and the preparation of the arrays are done in Python first;
  the rule's decision is taken in Python after the round: nothing after the coalitions'
  resolution changes the stances it reads), and no member arrives during it;
- every campaign for its texts courts ``swing``, ``regional_hubs`` or ``allies_first`` targets,
  or has no budget (``random`` draws its targets from the model's generator, ``listed`` reads
  its list: both in Python);
- the ties are symmetric and the world has two dimensions (the pair drift), or there is no drift.

Everything else runs the general path; a run may mix the two, round by round.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents import coalitions, drift, stakeholder, state, strategy
from agents.compiled import njit, none_cached
from agents.state import draw_shocks
from sim.stance import STANCE_SIGN, Stance

if TYPE_CHECKING:
    from sim.engine.tracks import ForumState

RULES = strategy.OUTREACH


@dataclass
class Plan:
    """What compiled rounds of one open forum need beyond the model's own arrays: its texts
    (tracks, in the forum's order) and the campaigns for them (in the model's order)."""

    campaigns: np.ndarray  # positions in model.campaigns of the texts' campaigns, in order
    text: np.ndarray  # each campaign's text (its track's position in the forum)
    budget: np.ndarray
    rule: np.ndarray
    effect: np.ndarray  # (campaigns, states): the share of the gap a visit closes
    invite: np.ndarray
    concede: np.ndarray  # (campaigns, 3): step, stall rounds (-1: no concessions), max total
    sponsor: np.ndarray  # (texts, states): each text's sponsors (invitations add to them)
    slots: np.ndarray  # (texts, k): the record rows of the tracks deciding each text, -1 padded
    allies: np.ndarray  # (campaigns, states): each state's ties to the campaigners (allies_first)
    sponsor_version: np.ndarray  # per text: how often its sponsors changed
    allies_version: np.ndarray  # per campaign: the sponsors' version its allies row is of
    sponsors_seen: list = field(default_factory=list)  # the model's arrays the masks are of


def plan(model, group: list[ForumState]) -> Plan | None:
    """A plan for compiled rounds of ``group`` (the tracks of the only open forum), or None
    when its rounds must take the general path."""
    b = model.behaviour
    if group[0].spec.arrival > 0:  # arrivals: the general path
        return None
    if b.drift != 0 and (model.setting.pairs is None or len(model.dimensions) != 2):
        return None
    texts = tuple(t.proposal for t in group)
    mine = tuple(k for k, c in enumerate(model.campaigns) if c.proposal in texts)
    chosen = [model.campaigns[k] for k in mine]
    if any(c.spec.budget and c.spec.outreach not in RULES for c in chosen):
        return None
    n = model.n
    fixed = _fixed(texts, mine, tuple(
        (c.proposal, c.spec.budget, c.spec.outreach, c.spec.invite_cosponsors,
         (c.spec.concessions.step, c.spec.concessions.stall_rounds, c.spec.concessions.max_total)
         if c.spec.concessions else (0.0, -1, 0.0)) for c in chosen),
        tuple(tuple(f.slot for f in model.forums_deciding(text)) for text in texts))
    return Plan(
        **fixed,
        effect=np.array([c.visit_effect(model) for c in chosen]).reshape(len(chosen), n),
        sponsor=np.zeros((len(texts), n), dtype=bool),
        allies=np.zeros((len(chosen), n)),
        sponsor_version=np.zeros(len(texts), dtype=np.int64),
        allies_version=np.full(len(chosen), -1, dtype=np.int64),
        sponsors_seen=[None] * len(texts),
    )


@functools.lru_cache(maxsize=64)
def _fixed(texts: tuple[str, ...], mine: tuple[int, ...], campaigns: tuple[tuple, ...],
           deciding: tuple[tuple[int, ...], ...]) -> dict[str, np.ndarray]:
    """The arrays of a plan that no round changes, from the campaigns' specs (proposal, budget,
    outreach, invitations, concessions) and the record rows of each text's tracks: the same
    in most runs of a sweep, kept read-only."""
    slots = np.full((len(texts), max(len(d) for d in deciding)), -1, dtype=np.int64)
    for row, d in zip(slots, deciding, strict=True):
        row[:len(d)] = d
    fixed = {
        "campaigns": np.array(mine, dtype=np.int64),
        "text": np.array([texts.index(c[0]) for c in campaigns], dtype=np.int64),
        "budget": np.array([c[1] for c in campaigns], dtype=np.int64),
        "rule": np.array([RULES.get(c[2], 0) for c in campaigns], dtype=np.int64),
        "invite": np.array([c[3] for c in campaigns], dtype=np.int64),
        "concede": np.array([c[4] for c in campaigns], dtype=float).reshape(len(campaigns), 3),
        "slots": slots,
    }
    for a in fixed.values():
        a.setflags(write=False)
    return fixed


def play(model, group: list[ForumState], p: Plan, first: int,
         last: int) -> bool:
    """Rounds ``first`` to ``last`` of the model, compiled (``group``: the tracks of the one
    forum open in all of them). The draws of all the rounds are taken at once: the same numbers,
    in the same order, as a round at a time would take them. False, with nothing drawn or
    changed, when one of them is a zero that NumPy's Gumbel sampler would redraw (odds 2**-53 a
    draw): then play the rounds one at a time."""
    lead = group[0]
    d = lead.deliberation  # the members' arrays: the same for every text of the forum
    present = len(lead.present_index)
    per_text = present * (len(d.options) + 1)
    if first == last:
        shocks = np.concatenate([draw_shocks(model.rng, present, len(d.options))
                                 for _ in group])
    else:
        state = model.rng.bit_generator.state
        shocks = model.rng.random((last - first + 1) * len(group) * per_text)
        if np.count_nonzero(shocks) != shocks.size:  # (a zero among the other draws too:
            # refusing then costs only speed)
            model.rng.bit_generator.state = state
            return False
    texts = [t.proposal for t in group]
    for k, text in enumerate(texts):
        if p.sponsors_seen[k] is not model.sponsors[text]:
            p.sponsor[k] = False
            p.sponsor[k, model.sponsors[text]] = True
            p.sponsors_seen[k] = model.sponsors[text]
            p.sponsor_version[k] += 1
    positions = np.array([model.positions[text] for text in texts])
    params = np.array([t.params for t in group])
    invited = np.zeros(len(group), dtype=bool)
    moved = np.zeros(len(group), dtype=bool)
    lobby = model._lobby
    pairs = model.drift_pairs()
    mu = model.behaviour.drift if pairs is not None else 0.0
    pairs = pairs or _NO_PAIRS
    b = model.behaviour
    record = model.record
    _rounds(
        first, last, lead.decides if lead.rule.forced_decision else -1, shocks, per_text,
        d.idx, d.ideal, positions, d.status_quo, d.dim_weights, d.total_weight, d.salience,
        d.capability_share, lead.block_stances, STANCE_SIGN, d.ties.indptr, d.ties.indices,
        d.ties.data, d.tie_to_member, d.social_den, d.leaders.indptr, d.leaders.indices,
        d.leaders.data, params, d.options, lead.block_utility, lead.members, lead.present,
        p.sponsor, model.capability, b.bandwagon, b.balancing, b.oppose_cost,
        b.objection_cost, b.abstain_bias, p.campaigns, p.text, p.budget, p.rule, p.effect,
        p.invite, p.concede, model.campaign_memory, model.setting.capable, model.degree, p.allies,
        p.sponsor_version, p.allies_version, lobby.tied, lobby.offsets, lobby.positions,
        lobby.influence, lobby.push, mu, b.confidence, pairs.ptr, pairs.cols, pairs.pull_ij,
        pairs.pull_ji, lead.member_index, np.array([t.slot for t in group], dtype=np.int64),
        p.slots, model._counts, model._track_positions, record.counts, record.positions,
        invited, moved, d.bias)
    for k, text in enumerate(texts):
        if invited[k]:  # invitations: the sponsors grew (their version is counted in the call)
            p.sponsors_seen[k] = model.sponsors[text] = np.flatnonzero(p.sponsor[k])
        if moved[k]:  # a concession moved the text
            model.move_text(text, positions[k].copy())
    return True


_NO_PAIRS = drift.TiePairs(*(np.zeros(1, np.int64) for _ in range(4)),
                             pull_ij=np.zeros(1), pull_ji=np.zeros(1))

ENDORSE = int(Stance.ENDORSE)


@njit(cache=True, nogil=True)
def _campaign(k, c, x, ideal, position, stances, present, utility, sponsor, budget, rule, effect,
              invite_n, concessions, memory, capable, degree, allies, sponsor_version,
              allies_version, t_ptr, t_idx, t_val, options, oppose_cost, objection_cost,
              abstain_bias, bias):
    # Campaign.act (agents/strategy.py) for a text decided in one open forum, composed of the
    # same compiled phases in the same order: outreach to the hold-outs, a concession when
    # endorsements stall, invitations. k: the campaign among the plan's, c: its row in the
    # model's memory, x: its text among the forum's. Returns 1 if it invited a state, 2 if it
    # conceded (the text moved in ``position``).
    n = stances.shape[1]
    endorsing = stances[x] == ENDORSE
    count = 0
    for i in range(n):
        count += endorsing[i]
    holdouts = np.zeros(n, dtype=np.bool_)
    any_holdout = strategy.holdouts_of(present, endorsing, sponsor[x], holdouts)
    if budget[k] > 0:
        key = np.empty(n)
        if rule[k] == 2 and allies_version[k] != sponsor_version[x]:  # allies_first: ties to
            strategy.ties_to(t_ptr, t_idx, t_val, sponsor[x], allies[k])  # the campaigners,
            allies_version[k] = sponsor_version[x]  # when they have changed
        strategy.outreach_key(rule[k], utility[x], degree, allies[k], key)
        memory[c, 3] += strategy.court(ideal, key, holdouts, budget[k], effect[k], position)
    flags = 0
    if concessions[k, 1] >= 0 and strategy.stalled(memory[c], count, any_holdout,
                                                   concessions[k, 1]):
        if strategy.move_toward(memory[c], holdouts, ideal, position, concessions[k, 0],
                                concessions[k, 2]) > 0:
            flags |= 2
    if invite_n[k] > 0:
        keen = np.zeros(n, dtype=np.bool_)
        strategy.keen_of(x, utility, bias, options, oppose_cost, objection_cost, abstain_bias,
                         keen)
        if strategy.invite(capable, endorsing & keen, sponsor[x], invite_n[k]):
            sponsor_version[x] += 1
            flags |= 1
    return flags


@njit(cache=True, nogil=True)
def _rounds(first, last, forced_round, shocks, per_text, idx, ideal, positions, status_quo,
            dim_weights, total_weight, salience, capability_share, stances, sign_of, t_ptr,
            t_idx, t_val, t_member, social_den, l_ptr, l_idx, l_val, params, options,
            utility, members, present, sponsor, capability, bandwagon, balancing,
            oppose_cost, objection_cost, abstain_bias, campaigns, text, budget, rule, effect,
            invite, concede, memory, capable, degree, allies, sponsor_version,
            allies_version, k_tied, k_offsets, k_positions, k_influence, k_push, mu, eps,
            p_ptr, p_cols, p_ij, p_ji, member_index, track_slot, slots, counts,
            track_positions, record_counts, record_positions, invited, moved, bias):
    # Rounds first..last as NegotiationModel.step plays them (sim/engine/model.py), one after the
    # other, each phase by the same compiled function: each text's deliberation (with the
    # coalitions' pull), the coalitions' resolution, campaigns in order, stakeholders, drift,
    # then the round's record (every track's counts and text position).
    texts = stances.shape[0]
    pull = np.zeros(texts)
    for r in range(first, last + 1):
        if bandwagon != 0.0 or balancing != 0.0:
            coalitions.size_pull_of(stances, members, capability, bandwagon, balancing, pull)
        for x in range(texts):
            start = ((r - first) * texts + x) * per_text
            weights = params[x]
            if pull[x] != 0.0:
                weights = params[x].copy()
                weights[4] += pull[x]
            state.deliberate_arrays(idx, ideal, positions[x], status_quo, dim_weights,
                                    total_weight, salience, capability_share, stances[x],
                                    sign_of, t_ptr, t_idx, t_member, social_den, l_ptr, l_idx,
                                    l_val, weights, options, shocks[start:start + per_text],
                                    r == forced_round, bias, utility[x])
        coalitions.resolve_arrays(stances, utility, sponsor, members, options, oppose_cost,
                                  objection_cost, abstain_bias, bias)
        for k in range(budget.shape[0]):
            x = text[k]
            flags = _campaign(k, campaigns[k], x, ideal, positions[x], stances, present,
                              utility, sponsor, budget, rule, effect, invite, concede,
                              memory, capable, degree, allies, sponsor_version,
                              allies_version, t_ptr, t_idx, t_val, options, oppose_cost,
                              objection_cost, abstain_bias, bias)
            if flags & 1:
                invited[x] = True
            if flags & 2:
                moved[x] = True
                for s in slots[x]:
                    if s >= 0:
                        track_positions[s, :] = positions[x]
        stakeholder.lobby_arrays(ideal, salience, k_tied, k_offsets, k_positions, k_influence,
                                 k_push)
        if mu != 0.0 and p_cols.shape[0] > 0:
            drift.drift_pairs_arrays(ideal, p_ptr, p_cols, p_ij, p_ji, dim_weights,
                                     total_weight, mu, eps)
        for x in range(texts):
            row = track_slot[x]
            counts[row, :] = 0
            for m in range(member_index.shape[0]):
                counts[row, stances[x, member_index[m]]] += 1
        record_counts[:, r, :] = counts
        record_positions[:, r, :] = track_positions


def compiling_ahead() -> bool:
    """Whether the next run compiles the kernels (the first run after installing): worth saying.
    Either path's deliberation cached means Plenary has run here before."""
    return none_cached(_rounds, state.deliberate_arrays)
