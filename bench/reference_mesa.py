"""The same rules written as a plain per-agent Mesa model: the benchmark's reference point.

Each agent holds its own ideal point, salience and stances as Python values and, every round,
loops over its neighbours (a networkx adjacency dict) to compute its utility, takes a logit
choice, and drifts toward close neighbours; stakeholders and sponsors' outreach are per-agent
loops too. It does the per-round work of the engine's rules (logit decisions with social and
bloc terms, chaining, stakeholders, bounded-confidence drift, swing outreach) but leaves out
concessions, co-sponsor invitations and the other targeting rules, and draws its random numbers
in another order: its outcomes are of the same kind, not the same. It exists to show what the
vectorised engine saves per round; nothing else uses it.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.engine.model import NegotiationModel
from sim.format.scenario import Scenario
from sim.stance import STANCE_SIGN, Stance


class RefState(mesa.Agent):
    def __init__(self, model, iso3, ideal, salience, capability, share):
        super().__init__(model)
        self.iso3, self.ideal, self.salience = iso3, list(ideal), salience
        self.capability, self.share = capability, share
        self.neighbours: list[tuple[RefState, float]] = []
        self.stance: dict[str, int] = {}
        self.utility: dict[str, float] = {}
        self.leaders: list[RefState] = []

    def distance(self, point) -> float:
        w = self.model.dim_weights
        return math.sqrt(sum(wk * (a - b) ** 2 for wk, a, b in zip(w, self.ideal, point, strict=True))
                         / sum(w))

    def decide(self, forum, t) -> None:
        m, b = self.model, self.model.behaviour
        fid = forum.id
        num = den = 0.0
        for other, w in self.neighbours:
            if other in forum.member_set:
                num += w * STANCE_SIGN[other.stance.get(fid, 0)]
                den += w
        social = num / den if den > 0 else 0.0
        bloc = (sum(STANCE_SIGN[lead.stance.get(fid, 0)] for lead in self.leaders)
                / len(self.leaders)) if self.leaders else 0.0
        u = (b.baseline - b.policy * self.salience * self.distance(m.positions[forum.proposal])
             + b.social * social + b.bloc_cue * bloc + b.forum_pull * forum.pull
             - b.form_cost * forum.form_cost * self.share)
        self.utility[fid] = u
        current = self.stance.get(fid, 0)
        best, pick = -math.inf, 0
        for option in forum.options:
            v = {1: u, 2: -u - b.oppose_cost, 4: -u - b.objection_cost, 3: b.abstain_bias}.get(option, 0.0)
            if option != 0 and option == current:
                v += b.inertia
            score = v / b.noise - math.log(-math.log(self.random.random()))
            if score > best:
                best, pick = score, option
        forced = t == forum.decides and forum.forced
        self.next_stance = pick if forced or self.random.random() < 2 * b.attention * self.salience \
            else current

    def drift(self) -> None:
        b = self.model.behaviour
        den = 0.0
        num = [0.0] * len(self.ideal)
        for other, w in self.neighbours:
            if self.distance(other.ideal) < b.confidence:
                weight = w * other.capability
                den += weight
                for k in range(len(num)):
                    num[k] += weight * (other.ideal[k] - self.ideal[k])
        self.pending = [x + b.drift * n / den for x, n in zip(self.ideal, num, strict=True)] if den else None


class RefForum:
    def __init__(self, spec, members, form_cost, rule):
        self.id, self.proposal, self.pull = spec.id, spec.proposal, spec.pull
        self.after, self.adopted, self.rule = spec.after, False, rule
        self.opens = spec.opens
        self.decides = spec.decides
        self.member_set = members
        self.form_cost = form_cost
        self.options = [int(o) for o in rule.options]
        self.forced = rule.forced_decision


class ReferenceModel(mesa.Model):
    """Per-agent Mesa version of NegotiationModel's rules (for the benchmark only)."""

    def __init__(self, scenario: Scenario, seed: int = 0):
        super().__init__(seed=seed)
        base = NegotiationModel(scenario, seed=seed)  # for the starting arrays and the network
        self.behaviour, self.rounds = base.behaviour, base.rounds
        self.dim_weights = list(base.dim_weights)
        self.positions = {k: list(v) for k, v in base.positions.items()}
        self.states = [RefState(self, c, base.ideal[i], float(base.salience[i]),
                                float(base.capability[i]), float(base.capability_share[i]))
                       for i, c in enumerate(base.world.iso3)]
        graph = base.world.graph()
        by_code = {a.iso3: a for a in self.states}
        for a in self.states:
            a.neighbours = [(by_code[o], d["weight"]) for o, d in graph[a.iso3].items()]
        for group, leaders in scenario.world.leaders.items():
            for i in base.world.groups.get(group, []):
                self.states[i].leaders += [by_code[c] for c in leaders if c != self.states[i].iso3]
        self.forums = []
        for f in base.forums:
            members = {self.states[i] for i in f.member_index}
            cost = base.behaviour.form_costs.get(base.forms[f.spec.proposal], 0.0)
            forum = RefForum(f.spec, members, cost, f.rule)
            forum.decides = f.decides
            self.forums.append(forum)
        self.sponsors = {p: [self.states[i] for i in idx] for p, idx in base.sponsors.items()}
        self.stakeholders = [(s.position, s.influence, [self.states[i] for i in s.tied])
                             for s in base.stakeholders]
        self.campaigns = [(c.proposal, c.spec.budget) for c in base.campaigns]
        self.round = 0

    def carry(self, forum) -> None:
        """A chained forum starts from the stances the earlier one ended with."""
        before = next(f for f in self.forums if f.id == forum.after)
        against = 4 if 4 in forum.options else (2 if 2 in forum.options else 0)
        for agent in forum.member_set:
            old = agent.stance.get(before.id, 0)
            new = against if old in (2, 4) else old
            agent.stance[forum.id] = new if new in forum.options else 0
        if before.adopted:
            forum.pull += self.behaviour.chain_pull

    def step(self) -> None:
        t = self.round
        for forum in self.forums:
            if forum.opens <= t <= forum.decides:
                if t == forum.opens and forum.after is not None:
                    self.carry(forum)
                members = sorted(forum.member_set, key=lambda a: a.iso3)
                for agent in members:
                    agent.decide(forum, t)
                for agent in members:  # simultaneous, as in the engine
                    agent.stance[forum.id] = agent.next_stance
                for agent in self.sponsors[forum.proposal]:
                    if agent in forum.member_set:
                        agent.stance[forum.id] = int(Stance.ENDORSE)
                if t == forum.decides:
                    stances = np.array([a.stance.get(forum.id, 0) for a in members], dtype=np.int8)
                    weights = np.array([a.capability for a in members])
                    forum.adopted = bool(forum.rule.adopted(stances, weights))
        for proposal, budget in self.campaigns:
            open_forums = [f for f in self.forums if f.proposal == proposal and f.opens <= t <= f.decides]
            for forum in open_forums[:1]:
                holdouts = [a for a in forum.member_set if a.stance.get(forum.id, 0) != 1]
                holdouts.sort(key=lambda a: (abs(a.utility.get(forum.id, 0.0)), a.iso3))
                q = self.positions[proposal]
                for a in holdouts[:budget]:
                    a.ideal = [x + self.behaviour.outreach * (p - x) for x, p in zip(a.ideal, q, strict=True)]
        for position, influence, tied in self.stakeholders:
            for a in tied:
                a.ideal = [x + influence * (p - x) for x, p in zip(a.ideal, position, strict=True)]
        for a in self.states:
            a.drift()
        for a in self.states:
            if a.pending is not None:
                a.ideal = a.pending
        self.round += 1


def run_reference(scenario: Scenario, seed: int = 0, rounds: int | None = None) -> ReferenceModel:
    model = ReferenceModel(scenario, seed=seed)
    for _ in range(rounds if rounds is not None else model.rounds):
        model.step()
    return model
