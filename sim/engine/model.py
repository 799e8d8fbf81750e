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

from agents import coalitions, drift, stakeholder
from agents.stakeholder import StakeholderAgent
from agents.state import Deliberation, StateAgent, deliberate, draw_shocks
from agents.strategy import Campaign
from sim.engine import fastround
from sim.engine.forums import Counts, make_rule
from sim.engine.opening import ForumOpening
from sim.engine.setting import setting_of
from sim.engine.tracks import STANCES, ForumState, Outcome, Record  # noqa: F401 - re-exported
from sim.format.scenario import Forum, Scenario
from sim.stance import Stance


class NegotiationModel(ForumOpening, mesa.Model):
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
