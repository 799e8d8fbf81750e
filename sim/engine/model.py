"""NegotiationModel: the Mesa model that steps rounds of a negotiation.

One round (:meth:`NegotiationModel.step`) reads as the story of a negotiating session, a method
per phase:

1. ``negotiate``: every open forum asks its members for their stance (``deliberate``: the logit
   rule of ``agents/state.py``); a forum that opens first draws who takes part and, when chained,
   inherits the stances of the forum it follows; members back at most one of rival texts
   (``agents/coalitions.py``); a forum whose decision round it is applies its rule;
2. ``campaign``: sponsors campaign (``agents/strategy.py``): outreach, concessions, invitations;
3. ``lobby``: stakeholders pull the states they are tied to (``agents/stakeholder.py``);
4. ``drift``: views drift toward like-minded tied states (``agents/drift.py``);
5. ``record_round``: the round's counts and texts' positions are recorded.

Per-state quantities (ideal points, salience, capability, stances) are NumPy arrays owned by the
model; the Mesa agents are views onto them, so a round is computed for all states at once. The
texts of each forum are tracks (``sim/engine/tracks.py``). Each phase's arithmetic is one
compiled function in ``agents/``; most rounds run whole as one compiled call composed of those
same functions (``sim/engine/fastround.py``). A subclass may override any phase (:attr:`PHASES`)
to try another behaviour; its rounds then all take this general path.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import coalitions, disposition, drift, stakeholder
from agents.stakeholder import StakeholderAgent
from agents.state import Deliberation, StateAgent, deliberate, draw_shocks, option_values, utilities
from agents.strategy import Campaign
from sim.engine import attendance, fastround
from sim.engine.forums import Counts, make_rule
from sim.engine.setting import setting_of
from sim.engine.tracks import STANCES, ForumState, Outcome, Record  # noqa: F401 - re-exported
from sim.format.scenario import FORM_POSITIONS, RECORD_FORMS, Forum, Scenario
from sim.stance import Stance


class NegotiationModel(mesa.Model):
    """States negotiating proposals in forums, round by round.

    Args:
        scenario: a validated :class:`~sim.format.scenario.Scenario`.
        seed: the seed of every random draw (default: the scenario's ``seed``).

    Example:
        >>> from sim.format.loading import load_scenario
        >>> from sim.paths import PROJECT_ROOT
        >>> s = load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml")
        >>> m = NegotiationModel(s, seed=1)
        >>> m.run()
        >>> m.forum("ccw").outcome.adopted
        False
    """

    def __init__(self, scenario: Scenario, seed: int | None = None):
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(seed=seed)
        self.seed = seed
        self.scenario = scenario
        self.behaviour = scenario.behaviour
        self.round = 0
        self.rounds = scenario.rounds
        self.dimensions = scenario.dimension_names()
        self.dim_weights = np.array([d.weight for d in scenario.dimensions], dtype=float)
        self.status_quo = np.array([d.status_quo for d in scenario.dimensions], dtype=float)
        if self.dim_weights.sum() == 0:
            self.dim_weights = np.ones(len(self.dimensions))

        setting = setting_of(scenario)  # shared by every run of this scenario (sim/engine/setting.py)
        self.setting = setting
        self.roster = setting.roster
        self.world = setting.world
        self.n = self.world.n
        self.ideal, self.salience = setting.ideal.copy(), setting.salience.copy()
        self.capability = setting.capability.copy()
        w = scenario.world
        if w.spread > 0:
            self.ideal = np.clip(self.ideal + self.rng.normal(0.0, w.spread, size=self.ideal.shape),
                                 0.0, 1.0)
        self.capability_share = self.capability / self.capability.max()
        self.degree = setting.degree
        self.bloc_leaders = setting.bloc_leaders
        self._edges = setting.edges
        self._pull: np.ndarray | None = None  # the drift's tie weights, on first use
        self._pairs: drift.TiePairs | None | bool = False  # and as pairs (False: not yet)
        self._plans: dict[str, fastround.Plan | None] = {}  # compiled rounds, per forum
        #: whether rounds of the common kind run as one compiled call: not when a subclass
        #: overrides a phase, nor when a caller sets it False because it changes what a round
        #: does between rounds in ways compiled rounds do not read (a played game: analysis/play.py)
        self.compiled = all(getattr(type(self), name) is getattr(NegotiationModel, name)
                            for name in self.PHASES)

        self.positions = {
            p.id: np.array([p.position[d] for d in self.dimensions]) for p in scenario.proposals
        }
        self.forms = {p.id: p.form for p in scenario.proposals}
        self.sponsors = {
            p.id: np.array(sorted(self.world.index[c] for c in p.sponsors if c in self.world.index),
                           dtype=np.int64)
            for p in scenario.proposals
        }
        self.lead_sponsors = dict(self.sponsors)  # before anyone is invited to co-sponsor
        #: the texts of each forum, a track per text (agents/coalitions.py)
        self.groups = [self._make_tracks(f) for f in scenario.forums]
        self.forums = [t for group in self.groups for t in group]
        self._forums_by_id = {f.id: f for f in self.forums}
        self._groups_by_id = {g[0].forum_id: g for g in self.groups}
        self._forums_of: dict[str, list[ForumState]] = {}
        for f in self.forums:
            self._forums_of.setdefault(f.proposal, []).append(f)
        self._open_groups: list[list[ForumState]] = []  # the forums open this round, and by text:
        self._open_deciding: dict[str, list[ForumState]] = {}
        #: each campaign's memory (best, stalled, conceded, visits), a row per campaign
        self.campaign_memory = np.zeros((len(scenario.strategies), 4))
        self.campaigns = [self._make_campaign(st, self.campaign_memory[k])
                          for k, st in enumerate(scenario.strategies)]
        self._lobby = setting.lobby(scenario.stakeholders, self.dimensions)

        self.record = Record(len(self.forums), self.rounds, len(self.dimensions))
        for k, f in enumerate(self.forums):
            f.slot = k  # the track's row in the record
        self._track_positions = np.array([self.positions[f.proposal] for f in self.forums],
                                         dtype=float).reshape(len(self.forums), -1)
        self._counts = np.array([np.bincount(f.stances[f.member_index], minlength=len(Stance))
                                 for f in self.forums], dtype=np.int64).reshape(-1, len(Stance))
        #: stances held from outside (:meth:`hold`): forum id -> {state row: stance code}
        self.held: dict[str, dict[int, int]] = {}
        self._unheld: dict[tuple[str, int], np.ndarray] = {}  # the bias rows before holding

    # -- construction ---------------------------------------------------------------------------

    def _make_tracks(self, spec: Forum) -> list[ForumState]:
        members = self.setting.members(spec.members, spec.exclude)
        decides = self.rounds - 1 if spec.decides is None else spec.decides
        # the texts' stances and utilities as rows of one array each (sim/engine/fastround.py
        # deliberates and resolves them all in one call)
        block = (np.zeros((len(spec.texts), self.n), dtype=np.int8),
                 np.zeros((len(spec.texts), self.n)))
        tracks = [ForumState(spec, make_rule(spec.rule, spec.threshold), members, decides, text,
                             block, k) for k, text in enumerate(spec.texts)]
        if spec.threshold is not None and spec.threshold.weight_by == "given":
            given = spec.threshold.weights
            for track in tracks:
                track.given_weights = np.array([float(given.get(self.world.iso3[i], 0.0))
                                                for i in track.member_index])
        return tracks

    def _make_campaign(self, spec, memory: np.ndarray) -> Campaign:
        proposal = spec.proposal or next(
            p.id for p in self.scenario.proposals if spec.sponsor in p.sponsors
        )
        return Campaign(spec, self.world.index.get(spec.sponsor, -1), proposal, memory)

    # -- the Mesa agents ---------------------------------------------------------------------------

    _agents_made = False

    def _make_agents(self) -> None:
        """The Mesa agents, made on first use: the states (in the world's order), then the
        stakeholders (in the scenario's). A round computes on the model's arrays, which the agents
        view, so a run or a sweep that never asks for an agent never pays for making them (196 of
        them cost about as much as ten rounds)."""
        if self._agents_made:
            return
        self._agents_made = True
        self._states = [StateAgent(self, iso3, i) for i, iso3 in enumerate(self.world.iso3)]
        lobby = self._lobby
        self._stakeholders = [
            StakeholderAgent(self, spec.id, spec.kind, lobby.positions[k], spec.influence,
                             spec.salience_push, lobby.tied[lobby.offsets[k]:lobby.offsets[k + 1]])
            for k, spec in enumerate(self.scenario.stakeholders)]
        # Mesa 3.3 numbers agents with a counter per model kept in a class-level dict, which holds
        # every model ever built alive (mesa#3179, fixed upstream by numbering agents in
        # register_agent): a sweep's worker grew by a model per run and its garbage collections
        # slowed. Every agent of this model is made here, so its counter is dropped.
        mesa.Agent._ids.pop(self, None)

    @property
    def states(self) -> list[StateAgent]:
        """The state agents, in the world's order (``states[i]`` views row i of the arrays)."""
        self._make_agents()
        return self._states

    @property
    def stakeholders(self) -> list[StakeholderAgent]:
        """The stakeholder agents, in the scenario's order."""
        self._make_agents()
        return self._stakeholders

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Mesa's set of every agent of the model (made on first use)."""
        self._make_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._make_agents()
        return super().agent_types

    # -- queries --------------------------------------------------------------------------------

    def forum(self, forum_id: str) -> ForumState:
        """A track by its id (a forum's id when it decides one text, ``forum/text`` otherwise)."""
        return self._forums_by_id[forum_id]

    def tracks(self, forum_id: str) -> list[ForumState]:
        """The tracks of a forum, one per text, in the forum's order."""
        return self._groups_by_id[forum_id]

    def forums_deciding(self, proposal: str) -> list[ForumState]:
        """Every track deciding a text."""
        return self._forums_of.get(proposal, [])

    def open_deciding(self, proposal: str) -> list[ForumState]:
        """The tracks deciding a text in the forums open this round."""
        return self._open_deciding.get(proposal, [])

    def move_text(self, proposal: str, position: np.ndarray) -> None:
        """Put a text at a new position (a concession): a new array, so a position read
        earlier keeps its value."""
        self.positions[proposal] = position
        for f in self._forums_of[proposal]:
            self._track_positions[f.slot] = position

    # -- the round ------------------------------------------------------------------------------

    #: The phases of a round, each a method a subclass may override to try another behaviour
    #: (a decision rule of its own, say: docs/modelling_guide.md has a worked example). A model
    #: whose class overrides any of them plays every round on the general path, phase by phase
    #: (slower); otherwise rounds of the common kind run as one compiled call
    #: (sim/engine/fastround.py) composed of the same phase functions.
    PHASES = ("step", "negotiate", "deliberate", "campaign", "lobby", "drift", "record_round")

    def step(self) -> None:
        """One round: each open forum negotiates (its members decide on each text; in its
        decision round, its rule decides), sponsors campaign, stakeholders lobby, views drift,
        and the round is recorded."""
        t = self.round
        forums = self._open_now(t)
        if not self._play_compiled(forums, t):
            for forum in forums:
                self.negotiate(forum, t)
            self.campaign()
            self.lobby()
            self.drift()
            self.record_round(forums, t)
        self.round += 1
        if self.round >= self.rounds:
            self.running = False

    def negotiate(self, group: list[ForumState], t: int) -> None:
        """One round of a forum (``group``: its tracks, one per text): it opens (who takes part,
        their dispositions) or members arrive; each text's members decide
        (:meth:`deliberate`), with the pull of the coalitions' sizes; each member backs at most
        one text (``agents.coalitions.resolve``); in the decision round the rule decides."""
        if t == group[0].opens:
            self._open_forum(group)
        elif group[0].spec.arrival > 0:
            self._arrive(group)
        b = self.behaviour
        pull = (coalitions.size_pull(group, self.capability, b)
                if b.bandwagon or b.balancing else None)
        for k, track in enumerate(group):
            self.deliberate(track, t, 0.0 if pull is None else float(pull[k]))
        coalitions.resolve(group, self.sponsors, b)
        self._decide(group, t)

    def deliberate(self, track: ForumState, t: int, size_pull: float = 0.0) -> None:
        """A text's members decide (``agents.state.deliberate``: the logit rule). Its
        :class:`~agents.state.Deliberation` is set for the round first (:meth:`set_round`)."""
        deliberate(self.set_round(track, t, size_pull), track.utility)

    def set_round(self, track: ForumState, t: int, size_pull: float = 0.0) -> Deliberation:
        """A track's deliberation arrays for round t: the text's position (a concession replaces
        it), the decision weights (plus the coalition's pull), the round's draws (Gumbel
        uniforms, then who reconsiders: taken whichever rule decides) and whether every member
        must decide (a vote's or a consensus' decision round)."""
        d = track.deliberation
        d.ideal, d.salience = self.ideal, self.salience
        d.position = self.positions[track.proposal]
        d.params = track.params
        if size_pull:
            d.params = track.params.copy()
            d.params[4] += size_pull  # the forum's pull, plus the coalition's (agents/coalitions.py)
        d.shocks = draw_shocks(self.rng, len(track.present_index), len(d.options))
        d.forced = t == track.decides and track.rule.forced_decision
        return d

    def campaign(self) -> None:
        """Each sponsor's campaign, in the scenario's order (``agents.strategy.Campaign.act``)."""
        for campaign in self.campaigns:
            campaign.act(self)

    def lobby(self) -> None:
        """Every stakeholder, in the scenario's order (``agents.stakeholder.lobby``)."""
        stakeholder.lobby(self.ideal, self.salience, self._lobby)

    def drift(self) -> None:
        """Bounded-confidence drift toward close tied states (``agents.drift``)."""
        mu, eps = self.behaviour.drift, self.behaviour.confidence
        rows, cols, w = self._edges
        if mu == 0 or len(rows) == 0:
            return
        drift.drift(self.ideal, rows, cols, w, self.capability, self.dim_weights, mu, eps,
                    indptr=self.world.ties.indptr, pull=self._tie_pull(),
                    pairs=self.drift_pairs())

    def record_round(self, open_now: list[list[ForumState]], t: int) -> None:
        """Count the stances on every open track and record the round (every track's counts
        and text position). A track's stances change only while its forum is open, so only
        those are counted again; the others keep the counts they had."""
        for group in open_now:
            for track in group:
                self._counts[track.slot] = np.bincount(track.stances[track.member_index],
                                                       minlength=STANCES)
        self.record.counts[:, t] = self._counts
        self.record.positions[:, t] = self._track_positions

    def _play_compiled(self, open_now: list[list[ForumState]], t: int) -> bool:
        """Round t as one compiled call, if it is of the kind ``sim.engine.fastround`` runs (False,
        with nothing done, if not)."""
        plan = self._compiled_plan(open_now)
        if plan is None:
            return False
        if t == open_now[0][0].opens:
            self._open_forum(open_now[0])  # its draws come first, as in negotiate
        fastround.play(self, open_now[0], plan, t, t)
        self._decide(open_now[0], t)
        return True

    def run(self) -> None:
        """Step every remaining round. Consecutive rounds of the kind ``sim.engine.fastround`` compiles
        run as one compiled call (the same results as stepping them one by one), unless a
        subclass overrides a phase (:attr:`PHASES`): then ``step`` is called every round."""
        while self.running and self.round < self.rounds:
            if not (self.compiled and self._play_block()):
                self.step()

    def _play_block(self) -> bool:
        """Play the rounds from this one to the last before anything changes (another forum
        opens, this one decides, the run ends) in one compiled call, if there are several and
        they are of the compiled kind. False if not, with nothing played. A forum opening in
        the first of them is opened first (its draws come first, as in ``step``)."""
        t = self.round
        open_now = self._open_now(t)
        plan = self._compiled_plan(open_now)
        if plan is None:
            return False
        group = open_now[0]
        next_opening = min((g[0].opens for g in self.groups if g[0].opens > t), default=self.rounds)
        last = min(group[0].decides, self.rounds - 1, next_opening - 1)
        if last <= t:
            return False
        if t == group[0].opens:
            self._open_forum(group)
            if not fastround.play(self, group, plan, t, last):
                last = t  # the forum is open: its first round alone, drawn a text at a time
                fastround.play(self, group, plan, t, t)
        elif not fastround.play(self, group, plan, t, last):
            return False
        self._decide(group, last)
        self.steps += last - t + 1  # Mesa's count of steps, as if each round had been stepped
        self.round = last + 1
        if self.round >= self.rounds:
            self.running = False
        return True

    def _open_now(self, t: int) -> list[list[ForumState]]:
        """The forums open in round t (and, when that changes, the open tracks by text)."""
        open_now = [group for group in self.groups if group[0].opens <= t <= group[0].decides]
        if open_now != self._open_groups:  # a forum opened or closed: the campaigns' forums change
            self._open_groups = open_now
            self._open_deciding = {}
            for track in (t for group in open_now for t in group):
                self._open_deciding.setdefault(track.proposal, []).append(track)
        return open_now

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
        params[5] = b.form_cost * b.form_costs.get(form, 0.0)
        return position, params

    def _pins(self, spec: Forum) -> tuple[np.ndarray, np.ndarray]:
        """The forum's pinned members and their stance codes."""
        pins = [(self.world.index[c], int(Stance[w.upper()])) for c, w in spec.pin.items()
                if c in self.world.index]
        return (np.array([r for r, _ in pins], dtype=np.int64),
                np.array([c for _, c in pins], dtype=np.int8))

    def _decide(self, group: list[ForumState], t: int) -> None:
        """In a forum's decision round, its rule decides each of its texts."""
        if t == group[0].decides:
            for track in group:
                stances = track.stances[track.member_index]
                counts = np.bincount(stances, minlength=STANCES)
                rule = track.rule  # an unweighted rule decides on the counts alone
                adopted = bool(rule.adopted(stances, track.weights(self.capability))
                               if rule.weighted else rule.adopted_by_counts(counts))
                track.outcome = Outcome(t, adopted, Counts.of_array(counts))

    def _compiled_plan(self, open_now: list[list[ForumState]]) -> fastround.Plan | None:
        """The plan of a compiled round, if this round is of the kind ``sim.engine.fastround`` runs:
        one forum open (and what ``plan`` checks)."""
        if len(open_now) != 1 or not self.compiled:
            return None
        forum_id = open_now[0][0].forum_id
        if forum_id not in self._plans:
            self._plans[forum_id] = fastround.plan(self, open_now[0])
        return self._plans[forum_id]

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
            b.form_cost * b.form_costs.get(self.forms[forum.proposal], 0.0), b.inertia,
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

    def starting_capability(self) -> bool:
        """Whether the capabilities are still the setting's (they do not change during a run,
        but a notebook may change them before): then what derives from them alone is shared
        with the other runs of the setting."""
        return np.array_equal(self.capability, self.setting.capability)

    def _tie_pull(self) -> np.ndarray:
        """w_ij c_j per tie, in CSR order (capabilities do not change during a run; the
        setting's, unless they were changed before it)."""
        if self._pull is None:
            if self.starting_capability():
                self._pull = self.setting.tie_pull
            else:
                rows, cols, w = self._edges
                self._pull = w * self.capability[cols]
        return self._pull

    def drift_pairs(self) -> drift.TiePairs | None:
        """The ties as pairs with their pulls, for the pair drift (None: ties not symmetric)."""
        if self._pairs is False:
            pairs = self.setting.pairs
            if pairs is not None and self._tie_pull() is self.setting.tie_pull:
                self._pairs = self.setting.pairs_with_pull
            else:
                self._pairs = None if pairs is None else pairs.with_pull(self._tie_pull())
        return self._pairs
