"""The setting of a scenario: what a model is built from that no run changes, built once per process.

A sweep runs one scenario thousands of times with different seeds and behaviour weights; the
roster, the world and its ties, the starting profiles (defaults, groups, stated positions,
indicators, single states), the bloc-leader matrix and the tie arrays of the drift kernel are the
same in every one of those runs. :func:`setting_of` builds them on first use and keeps them,
keyed by what they are computed from: the scenario's ``world`` section, its dimensions and the
roster files' modification stamps (an edited data file gives a new setting, as the roster
cache does). Only the random spread of ideal points (``world.spread``) is drawn per run, by the
model, from the run's seed.

The arrays of a :class:`Setting` are shared between runs and marked read-only; the model copies
the ones it changes (ideal points, salience).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from agents.disposition import expected_sign
from agents.drift import TiePairs
from agents.stakeholder import Lobby
from agents.state import member_ties
from sim.format.scenario import DEFAULT_TIE_WEIGHTS, Scenario, Stakeholder
from sim.stance import STANCE_SIGN, Stance
from sim.world.profiles import (
    INDICATORS_FILE,
    POSITIONS_FILE,
    capability_from_indicators,
    profiles_from_positions,
    read_indicators,
    read_positions,
)
from sim.world.record import (
    DECISIONS_FILE,
    VOTES_FILE,
    covoting_ties,
    option_probabilities,
    presence,
    record_ideals,
)
from sim.world.roster import Roster, World, cached_world, load_roster

DEFAULT_IDEAL = 0.5
DEFAULT_SALIENCE = 0.5
DEFAULT_CAPABILITY = 1.0
_CACHE_SIZE = 8
_SETTINGS: dict[tuple, Setting] = {}
_WORLD_KEYS: dict[int, tuple] = {}  # id(world section) -> (it, source, roster path, JSON, files)


@dataclass(frozen=True)
class Setting:
    """What every run of a scenario starts from (read-only arrays, shared between runs).

    Attributes:
        roster: the roster the world was picked from.
        world: the states and their ties.
        ideal, salience, capability: the starting profiles, before ``world.spread``.
        degree: each state's total tie weight (``regional_hubs`` targets the largest).
        bloc_leaders: row i averages the stances of the leaders of i's blocs.
        edges: the tie matrix as (rows, cols, weights) arrays in CSR order.
    """

    roster: Roster
    world: World
    ideal: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    degree: np.ndarray
    bloc_leaders: sp.csr_matrix
    edges: tuple[np.ndarray, np.ndarray, np.ndarray]
    _member_ties: dict[bytes, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False)
    _tied: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _lobby: list = field(default_factory=list, repr=False, compare=False)
    _effects: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    _members: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    #: where each state's starting ideal point came from: ``default``, ``group NAME``,
    #: ``record``, ``statement`` or ``state`` (the scenario's world.states)
    profile_source: tuple[str, ...] = ()
    #: where the record is read from (the roster's folder) and its date (None: no record)
    record_dir: Path | None = None
    as_of: date | None = None
    _dispositions: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _signs: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    #: the members' record biases at a forum's opening, by everything they are computed from
    #: (sim.engine.model: most runs of a scenario open a forum in the same state)
    bias_memo: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def remember_bias(self, key: tuple, bias: np.ndarray) -> None:
        """Keep a forum's record biases (read-only) for the next run, at most 64."""
        if len(self.bias_memo) >= 64:
            self.bias_memo.pop(next(iter(self.bias_memo)))
        bias.setflags(write=False)
        self.bias_memo[key] = bias

    def expected_sign(self, topic: str, rule: str, title: str = "") -> np.ndarray:
        """Each state's expected stance sign under its record (:func:`agents.disposition.expected_sign`)."""
        key = (topic, rule, title)
        if key not in self._signs:
            sign = expected_sign(self.dispositions(topic, rule, title), STANCE_SIGN)
            sign.setflags(write=False)
            self._signs[key] = sign
        return self._signs[key]

    @cached_property
    def presence(self) -> np.ndarray | None:
        """Each state's probability of casting a vote, from the record (None without one)."""
        if self.record_dir is None:
            return None
        p = presence(self.record_dir, list(self.world.iso3), self.as_of)
        p.setflags(write=False)
        return p

    def dispositions(self, topic: str, rule: str, title: str = "") -> np.ndarray:
        """What the record says every state will do under ``rule`` on ``topic``
        (:func:`sim.world.record.option_probabilities`: states x stance codes, NaN rows for states it
        says nothing of), fitted once per setting; all NaN when the world does not read the record."""
        key = (topic, rule, title)
        if key not in self._dispositions:
            if self.record_dir is None:
                probs = np.full((self.world.n, len(Stance)), np.nan)
            else:
                probs = option_probabilities(self.record_dir, list(self.world.iso3), topic, rule,
                                             self.as_of, title)
            probs.setflags(write=False)
            self._dispositions[key] = probs
        return self._dispositions[key]

    def members(self, include: list[str], exclude: list[str]) -> np.ndarray:
        """A forum's members as a mask over the world's states (read-only, kept per lists)."""
        key = (tuple(include), tuple(exclude))
        if key not in self._members:
            mask = np.zeros(self.world.n, dtype=bool)
            mask[self.world.positions(include, self.roster)] = True
            mask[self.world.positions(exclude, self.roster)] = False
            mask.setflags(write=False)
            self._members[key] = mask
        return self._members[key]

    def lobby(self, stakeholders: list[Stakeholder], dimensions: list[str]) -> Lobby:
        """The stakeholders as the arrays of ``agents.stakeholder.lobby``: their ties (looked up once
        per list of ties and kept, read-only) and their positions and weights (which a sweep
        may vary). The arrays are kept for the last list of stakeholders: the runs of a sweep
        that leaves them alone share their base scenario's list (``sim.format.loading.revalidate``)."""
        last = self._lobby
        if last and last[0] is stakeholders and last[1] == dimensions:
            return last[2]
        lobby = self._make_lobby(stakeholders, dimensions)
        for a in (lobby.tied, lobby.offsets, lobby.positions, lobby.influence, lobby.push):
            a.setflags(write=False)
        self._lobby[:] = [stakeholders, list(dimensions), lobby]
        return lobby

    def _make_lobby(self, stakeholders: list[Stakeholder], dimensions: list[str]) -> Lobby:
        tied = []
        for k in stakeholders:
            key = tuple(k.ties)
            if key not in self._tied:
                self._tied[key] = self.world.positions(k.ties, self.roster).astype(np.int64)
                self._tied[key].setflags(write=False)
            tied.append(self._tied[key])
        return Lobby(
            tied=np.concatenate(tied + [np.zeros(0, np.int64)]),
            offsets=np.cumsum([0] + [len(t) for t in tied]).astype(np.int64),
            positions=np.array([[k.position[d] for d in dimensions] for k in stakeholders],
                               dtype=float).reshape(len(stakeholders), len(dimensions)),
            influence=np.array([k.influence for k in stakeholders], dtype=float),
            push=np.array([k.salience_push for k in stakeholders], dtype=float),
        )

    @cached_property
    def capable(self) -> np.ndarray:
        """Every state, the most capable first (ties by position): whom sponsors invite first."""
        order = np.argsort(-self.capability, kind="stable")
        order.setflags(write=False)
        return order

    @cached_property
    def pairs(self) -> TiePairs | None:
        """The ties as pairs, for the drift kernel (None unless the ties are symmetric)."""
        pairs = TiePairs.of(self.world.ties)
        if pairs is not None:
            for a in (pairs.ptr, pairs.cols, pairs.upper, pairs.reverse):
                a.setflags(write=False)
        return pairs

    def visit_effect(self, sponsor: int, outreach: float, leverage: float) -> np.ndarray:
        """:func:`agents.strategy.visit_effect` with the starting capabilities, kept (read-only)."""
        key = (sponsor, outreach, leverage)
        if key not in self._effects:
            from agents.strategy import visit_effect

            if len(self._effects) >= 64:
                self._effects.pop(next(iter(self._effects)))
            effect = visit_effect(self.capability, sponsor, outreach, leverage)
            effect.setflags(write=False)
            self._effects[key] = effect
        return self._effects[key]

    @cached_property
    def tie_pull(self) -> np.ndarray:
        """w_ij c_j per tie in CSR order, with the starting capabilities (the drift's weights)."""
        rows, cols, w = self.edges
        pull = w * self.capability[cols]
        pull.setflags(write=False)
        return pull

    @cached_property
    def pairs_with_pull(self) -> TiePairs | None:
        """:attr:`pairs` with the pulls of :attr:`tie_pull`."""
        return None if self.pairs is None else self.pairs.with_pull(self.tie_pull)

    def member_ties(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:func:`agents.state.member_ties` for a forum's members, kept for the next run."""
        key = members.tobytes()
        if key not in self._member_ties:
            arrays = member_ties(self.world.ties, members.astype(np.float64))
            for a in arrays:
                a.setflags(write=False)
            self._member_ties[key] = arrays
        return self._member_ties[key]


def setting_of(scenario: Scenario) -> Setting:
    """The scenario's :class:`Setting`, built once per process for each distinct world section."""
    roster_path, world_json, stamped = _world_key(scenario)
    key = (str(roster_path), tuple(map(_stamp, stamped)), world_json,
           tuple(scenario.dimension_names()))
    setting = _SETTINGS.get(key)
    if setting is None:
        if len(_SETTINGS) >= _CACHE_SIZE:
            _SETTINGS.pop(next(iter(_SETTINGS)))
        setting = _SETTINGS[key] = _build(scenario, roster_path)
    return setting


def _world_key(scenario: Scenario) -> tuple[Path, str, tuple[str, ...]]:
    """The roster's resolved path, the world section as JSON and the data files whose stamps
    are part of the key, kept per world section: the runs of a sweep share their base
    scenario's (``sim.format.loading.revalidate``), and resolving the path and writing the JSON cost
    a third of a millisecond a run."""
    world, source = scenario.world, scenario.source
    known = _WORLD_KEYS.get(id(world))
    if known is None or known[0] is not world or known[1] != source:
        if len(_WORLD_KEYS) >= _CACHE_SIZE:
            _WORLD_KEYS.pop(next(iter(_WORLD_KEYS)))
        roster_path = scenario.roster_path().resolve()
        stamped = tuple(str(roster_path.parent / name) for name in
                        (roster_path.name, "memberships.csv", POSITIONS_FILE, INDICATORS_FILE,
                         VOTES_FILE, DECISIONS_FILE))
        known = _WORLD_KEYS[id(world)] = (world, source, roster_path, world.model_dump_json(),
                                          stamped)
    return known[2], known[3], known[4]


def _stamp(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0


def _build(scenario: Scenario, roster_path: Path) -> Setting:
    w = scenario.world
    roster = load_roster(roster_path, w.as_of)
    chosen = sorted(set(roster.expand(w.include)) - set(roster.expand(w.exclude)))
    weights = {**DEFAULT_TIE_WEIGHTS, **w.ties}
    extra = tuple((t.a, t.b, t.weight) for t in w.extra_ties)
    if w.record == "data" and w.record_ties > 0:  # co-voting ties beside the memberships
        extra += covoting_ties(roster_path.parent, chosen, w.as_of, w.record_ties)
    world = cached_world(tuple(chosen), tuple(roster.groups.items()),
                         tuple(sorted(weights.items())), extra)
    ideal, salience, capability, source = _profiles(scenario, roster, world, roster_path)
    coo = world.ties.tocoo()
    edges = (coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(float))
    degree = np.asarray(world.ties.sum(axis=1)).ravel()
    leaders = _bloc_leader_matrix(scenario, world)
    for a in (ideal, salience, capability, degree, leaders.data, *edges):
        a.setflags(write=False)
    record_dir = roster_path.parent if w.record == "data" else None
    return Setting(roster, world, ideal, salience, capability, degree, leaders, edges,
                   profile_source=tuple(source), record_dir=record_dir, as_of=w.as_of)


def _profiles(scenario: Scenario, roster: Roster, world: World, roster_path: Path
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Starting ideal points, salience and capability (see ``sim/world/profiles.py``): defaults,
    then groups, then the record's ideal points (``world.record: data``), then stated positions
    from the data, then single states; and where each state's ideal point came from."""
    w = scenario.world
    dimensions = scenario.dimension_names()
    ideal = np.full((world.n, len(dimensions)), DEFAULT_IDEAL)
    salience = np.full(world.n, DEFAULT_SALIENCE)
    capability = np.full(world.n, DEFAULT_CAPABILITY)
    if w.capability == "data":
        indicators = read_indicators(roster_path)
        if indicators is not None:
            capability = capability_from_indicators(world.iso3, indicators)

    source = ["default"] * world.n

    def apply(idx: np.ndarray, prof, label: str) -> None:
        for k, dim in enumerate(dimensions):
            if prof.ideal and dim in prof.ideal:
                ideal[idx, k] = prof.ideal[dim]
                for i in idx:
                    source[i] = label
        if prof.salience is not None:
            salience[idx] = prof.salience
        if prof.capability is not None:
            capability[idx] = prof.capability

    apply(np.arange(world.n), w.defaults, "default")
    for group, prof in w.groups.items():
        apply(world.positions([group], roster), prof, f"group {group}")
    statements = read_positions(roster_path) if w.positions == "data" else None
    points = {}
    if statements:
        points, gains = profiles_from_positions(world.iso3, dimensions, statements, w.as_of)
    if w.record == "data":
        recorded = record_ideals(roster_path.parent, list(world.iso3), dimensions, points, w.as_of)
        for i, point in recorded.items():
            for k, dim in enumerate(dimensions):
                if dim in point:
                    ideal[i, k] = point[dim]
                    source[i] = "record"
    if statements:
        for i, point in points.items():
            for k, dim in enumerate(dimensions):
                if dim in point:
                    ideal[i, k] = point[dim]
                    source[i] = "statement"
            salience[i] = min(1.0, salience[i] + gains[i])
    for code, prof in w.states.items():
        apply(world.positions([code], roster), prof, "state")
    return ideal, salience, capability, source


def _bloc_leader_matrix(scenario: Scenario, world: World) -> sp.csr_matrix:
    """Row i averages the stances of the leaders of every bloc i belongs to (not itself)."""
    n = world.n
    rows, cols = [], []
    for group, leaders in scenario.world.leaders.items():
        members = world.groups.get(group, np.array([], dtype=np.int64))
        heads = [world.index[c] for c in leaders if c in world.index]
        for i in members:
            for j in heads:
                if i != j:
                    rows.append(i)
                    cols.append(j)
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    m.sum_duplicates()
    totals = np.asarray(m.sum(axis=1)).ravel()
    scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sp.csr_matrix(sp.diags(scale) @ m)
