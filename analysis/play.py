"""Play a delegation: a person negotiates against the model, round by round (``plenary play``).

A :class:`Game` seats a person as one delegation (a sponsor of a text or any member of a forum)
in a scenario run on one seed. Before each round they give their moves; the round then plays and
every other state answers as the model says. The moves (a dict, as saved):

- ``court: [ISO3, ...]``: outreach visits this round to members taking part in the open forum
  deciding the player's text (at most the delegation's visits a round: its strategy's
  ``budget``, else 3);
- ``concede: x``: move the text x (at most 0.1 a round, 0.3 in all, as ``plenary plan``'s
  default) toward the hold-outs;
- ``invite: [ISO3, ...]``: invitations to co-sponsor (at most 3 a round); a state accepts if it
  endorses and favours the text, as the model asks of any invitation;
- ``capacity: [ISO3, ...]``: capacity building, ``behaviour.capacity_cost`` demarches a package
  out of the game's budget (``agents.strategy.cost``; 10 by default, as ``plenary plan``'s);
- ``stance: {FORUM: STANCE or null}``: the delegation's own stance in a forum it sits in, held
  from this round until changed (null: the model decides again; ``NegotiationModel.hold``).

Campaign moves are carried out by ``agents/played.py`` with the strategies' own mechanics. A
member who sponsors no text lobbies for a text decided in a forum it sits in (``lobby``, the
first by default): it may court and offer capacity building for it, not concede or invite
co-sponsors. A move that is not allowed is
refused with one line saying why (:class:`IllegalMove`) and nothing changes. Every round the
model takes its general path (``NegotiationModel.compiled``; the compiled rounds give the same
results, but do not read the person's orders), so the game is deterministic: the same scenario,
seed and moves give the same result, and :func:`replay` of a saved game gives a byte-identical
file. ``analysis/play_debrief.py`` compares the game with the model's own play.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from agents.played import Directed, Orders
from agents.strategy import cost
from analysis.planner import MAX_CONCESSION, MAX_COSPONSORS, with_campaign
from analysis.strategies import LoadedStrategy, apply_strategy, own_strategy, strategy_from_dict
from sim.engine.model import NegotiationModel
from sim.errors import Problem, ScenarioError
from sim.format.loading import load_scenario
from sim.format.scenario import Strategy
from sim.stance import Stance

MOVES = ("court", "concede", "invite", "capacity", "stance")
BUDGET = 10.0  # demarches for capacity building in a game (plenary plan's --budget default)
MAX_STEP = 0.1  # the most a text moves in one concession (plenary plan's largest step)
VISITS = 3  # visits a round for a delegation without a strategy (a strategy's default budget)
FORMAT = 1


class IllegalMove(ScenarioError):
    """Moves that are not allowed: one problem per move, ``round N: field: why``."""


class Game:
    """One delegation played by a person (see the module). ``seed``: the scenario's by default."""

    def __init__(self, scenario_path: str | Path, iso3: str, seed: int | None = None,
                 budget: float = BUDGET, scenario=None, lobby: str | None = None):
        self.path = str(scenario_path)
        #: ``scenario``: the file's, already loaded (the debrief replays many games)
        self.scenario = load_scenario(scenario_path) if scenario is None else scenario
        self.seed = self.scenario.seed if seed is None else int(seed)
        if self.seed < 0:
            raise ScenarioError([Problem("--seed", 0, "seed", f"must be >= 0, got {self.seed}")])
        self.budget = float(budget)
        self.iso3 = iso3.strip().upper()
        probe = NegotiationModel(self.scenario, seed=self.seed)
        self.row = _seat(probe, self.iso3)
        #: the texts the delegation sponsors (decided in a forum)
        self.sponsored = [p.id for p in self.scenario.proposals if self.iso3 in p.sponsors
                          and probe.forums_deciding(p.id)]
        self.forums = [g[0].forum_id for g in probe.groups if g[0].members[self.row]]
        if not self.forums and not self.sponsored:
            raise ScenarioError([self.scenario._locations.problem(
                ("forums",), f"--as {self.iso3}: it sits in no forum of {self.scenario.name} "
                             f"and sponsors no text decided in one")])
        #: a member that sponsors nothing lobbies for a text decided in a forum it sits in (the
        #: first by default): it may court and offer capacity building for it, not concede or
        #: invite co-sponsors (the sponsors' prerogatives)
        self.lobby = self._lobby_text(probe, lobby)
        #: the texts the delegation campaigns for: those it sponsors, else the one it lobbies for
        self.texts = self.sponsored or ([self.lobby] if self.lobby else [])
        own = {st.proposal or "": st.budget for st in self.scenario.strategies
               if st.sponsor == self.iso3}
        self.visits = max([own.get(t, own.get("", VISITS)) for t in self.texts] or [VISITS]) or VISITS
        self.played = self._played_scenario()
        self.model = NegotiationModel(self.played, seed=self.seed)
        self.model.compiled = False
        self.campaigns: dict[str, Directed] = {}
        for k, c in enumerate(self.model.campaigns):
            if c.sponsor == self.row and c.proposal in self.texts:
                self.model.campaigns[k] = self.campaigns[c.proposal] = Directed(
                    c.spec, c.sponsor, c.proposal, self.model.campaign_memory[k], MAX_CONCESSION)
        self.history: list[dict[str, Any]] = []
        self.packages: list[str] = []
        self.stances: dict[str, str] = {}  # the stances held now, by forum
        self._pending: dict[str, Any] = {}

    def _lobby_text(self, probe: NegotiationModel, lobby: str | None) -> str | None:
        """The text a member that sponsors nothing lobbies for (``--for``), checked."""
        mine = [p.id for p in self.scenario.proposals
                if any(f.forum_id in self.forums for f in probe.forums_deciding(p.id))]
        if lobby is None:
            return None if self.sponsored or not mine else mine[0]
        where = self.scenario._locations.problem(("proposals",), "")
        if self.sponsored:
            raise ScenarioError([Problem(where.file, where.line, "--for", f"{self.iso3} sponsors "
                                         f"{', '.join(self.sponsored)}: --for is for a member "
                                         "that sponsors no text")])
        if lobby not in mine:
            raise ScenarioError([Problem(where.file, where.line, "--for", f"{lobby!r} is not a "
                                         f"text decided in a forum {self.iso3} sits in; texts: "
                                         f"{', '.join(mine) or 'none'}")])
        return lobby

    def _played_scenario(self):
        """The scenario with the player's strategies replaced by quiet ones (their orders come
        each round)."""
        strategy = own_strategy(self.scenario)
        for text in self.texts:
            quiet = Strategy(sponsor=self.iso3, proposal=text, budget=0)
            strategy = with_campaign(strategy, quiet, self.scenario, "played", "")
        return apply_strategy(self.scenario, strategy) if self.texts else self.scenario

    # -- where the game stands ------------------------------------------------------------------

    @property
    def round(self) -> int:
        return self.model.round

    @property
    def finished(self) -> bool:
        return not self.model.running or self.model.round >= self.model.rounds

    @property
    def budget_left(self) -> float:
        return self.budget - cost(0, len(self.packages), self.scenario.behaviour.capacity_cost)

    def text(self) -> str | None:
        """The player's text this round (:meth:`_text_at`)."""
        return self._text_at(self.round)

    def open_tracks(self, text: str | None) -> list:
        t = self.round
        return [f for f in self.model.forums if f.proposal == text and f.opens <= t <= f.decides]

    def legal_moves(self) -> dict[str, Any]:
        """What the player may do this round: the states each move may name, the limits."""
        text, t = self.text(), self.round
        tracks = self.open_tracks(text)
        campaigners = set(self.model.sponsors[text].tolist()) if text else set()
        iso3 = self.model.world.iso3
        taking_part = np.zeros(self.model.n, dtype=bool)
        for f in tracks:
            taking_part |= f.present if f.deliberation is not None else f.members
        reach = [iso3[i] for i in np.flatnonzero(taking_part).tolist()
                 if i not in campaigners and i != self.row]
        later = np.zeros(self.model.n, dtype=bool)
        for f in self.model.forums:
            if f.proposal == text and f.decides >= t:
                later |= f.members
        aid = [iso3[i] for i in np.flatnonzero(later).tolist()
               if i not in campaigners and i != self.row and iso3[i] not in self.packages]
        stance = {}
        for forum in self.forums:
            group = self.model.tracks(forum)
            if group[0].decides >= t and not any(g.proposal in self.sponsored for g in group):
                stance[forum] = [s.word for s in group[0].rule.options]
        campaign = self.campaigns.get(text)
        return {
            "round": t, "rounds": self.model.rounds, "text": text,
            "open": [f.id for f in tracks], "visits": self.visits if tracks else 0,
            "court": reach if tracks else [],
            "invite": reach if tracks and self.sponsored else [],
            "max_invites": MAX_COSPONSORS if tracks and self.sponsored else 0,
            "concede": round(min(MAX_STEP, MAX_CONCESSION - campaign.conceded), 6)
            if tracks and campaign and self.sponsored else 0.0, "sponsor": bool(self.sponsored),
            "capacity": aid if text else [], "capacity_cost": self.scenario.behaviour.capacity_cost,
            "budget": self.budget, "budget_left": self.budget_left, "stance": stance,
        }

    # -- moves ----------------------------------------------------------------------------------

    def check(self, moves: dict[str, Any] | None) -> tuple[dict[str, Any], list[Problem]]:
        """The moves that are allowed (normalised) and a problem for each that is not."""
        where = f"round {self.round}"
        problems: list[Problem] = []

        def refuse(name: str, message: str) -> None:
            problems.append(Problem(where, 0, name, message))

        moves = dict(moves or {})
        if self.finished:
            return {}, [Problem(where, 0, "", "the game is over: no more moves")] if moves else []
        for key in moves:
            if key not in MOVES:
                refuse(str(key), f"unknown move; moves: {', '.join(MOVES)}")
        legal, clean = self.legal_moves(), {}
        index = self.model.world.index
        text = legal["text"]
        for key in ("court", "invite", "capacity"):
            codes = _codes(moves.get(key))
            if not codes:
                continue
            if not self.texts:
                refuse(key, f"{self.iso3} sits in no forum deciding a text: choose your stance "
                            "in the forums you sit in")
                continue
            if key == "invite" and not self.sponsored:
                refuse(key, f"{self.iso3} lobbies for {text} but does not sponsor it: only its "
                            "sponsors invite co-sponsors")
                continue
            limit, allowed = {"court": (legal["visits"], set(legal["court"])),
                              "invite": (legal["max_invites"], set(legal["invite"])),
                              "capacity": (None, set(legal["capacity"]))}[key]
            kept: list[str] = []
            spend = 0.0
            for i, code in enumerate(codes):
                name = f"{key}[{i}]"
                if code not in index:
                    refuse(name, f"{code!r} is not a state of this scenario")
                elif code in kept:
                    refuse(name, f"{code} is named twice")
                elif code not in allowed:
                    refuse(name, self._why_not(key, code, text, legal))
                elif limit is not None and len(kept) >= limit:
                    refuse(name, f"{len(codes)} named, at most {limit} a round")
                elif key == "capacity" and spend + legal["capacity_cost"] > legal["budget_left"] + 1e-9:
                    refuse(name, f"capacity building for {code} costs {legal['capacity_cost']:g} "
                                 f"demarches; {legal['budget_left'] - spend:g} of the budget of "
                                 f"{legal['budget']:g} left")
                else:
                    kept.append(code)
                    spend += legal["capacity_cost"] if key == "capacity" else 0.0
            if kept:
                clean[key] = kept
        if moves.get("concede") not in (None, 0, 0.0, ""):
            try:
                x = float(moves["concede"])
            except (TypeError, ValueError):
                x = float("nan")
            if not self.sponsored:
                refuse("concede", f"{self.iso3} sponsors no text: only a text's sponsors can "
                                  "concede on it")
            elif not legal["open"]:
                refuse("concede", f"no forum deciding {text} is open in round {self.round}")
            elif not 0 < x <= legal["concede"] + 1e-9:
                refuse("concede", f"{moves['concede']!r}: between 0 and {legal['concede']:g} this "
                                  f"round (at most {MAX_STEP:g} a round, {MAX_CONCESSION:g} in all)")
            else:
                clean["concede"] = round(x, 4)
        stances = moves.get("stance") or {}
        if not isinstance(stances, dict):
            refuse("stance", "a mapping of forum to stance")
            stances = {}
        for forum, word in stances.items():
            name = f"stance.{forum}"
            if forum not in legal["stance"]:
                refuse(name, self._why_no_stance(str(forum)))
            elif word in (None, "", "model"):
                clean.setdefault("stance", {})[forum] = None
            elif word not in legal["stance"][forum]:
                refuse(name, f"{word!r} is not an option in {forum}: "
                             f"{', '.join(legal['stance'][forum])}")
            else:
                clean.setdefault("stance", {})[forum] = word
        return clean, problems

    def _why_not(self, key: str, code: str, text: str, legal: dict) -> str:
        i = self.model.world.index[code]
        if i in set(self.model.sponsors[text].tolist()):
            return f"{code} already campaigns for {text}"
        if key == "capacity":
            if code in self.packages:
                return f"{code} has had capacity building already"
            return f"{code} is in no forum deciding {text} still to decide"
        if not legal["open"]:
            return f"no forum deciding {text} is open in round {self.round}"
        tracks = self.open_tracks(text)
        if any(f.members[i] for f in tracks):
            return f"{code} does not take part in {', '.join(legal['open'])} (absent)"
        return f"{code} is not a member of {', '.join(legal['open'])}, the forum open on {text}"

    def _why_no_stance(self, forum: str) -> str:
        ids = [g[0].forum_id for g in self.model.groups]
        if forum not in ids:
            return f"no forum {forum!r}; forums: {', '.join(ids)}"
        group = self.model.tracks(forum)
        if forum not in self.forums:
            return f"{self.iso3} does not sit in {forum}"
        if group[0].decides < self.round:
            return f"{forum} decided in round {group[0].decides}"
        return f"{self.iso3} sponsors {group[0].proposal}: a sponsor endorses its text"

    def apply(self, moves: dict[str, Any] | None, lenient: bool = False) -> dict[str, Any]:
        """Check this round's moves and keep them for :meth:`step`. A move not allowed raises
        :class:`IllegalMove` and nothing changes (``lenient``: it is left out)."""
        clean, problems = self.check(moves)
        if problems and not lenient:
            raise IllegalMove(problems)
        self._pending = clean
        return clean

    def step(self) -> dict[str, Any]:
        """Play the round with the moves given (none: the delegation does nothing this round)."""
        if self.finished:
            raise IllegalMove([Problem(f"round {self.round}", 0, "", "the game is over")])
        moves, self._pending = self._pending, {}
        t, text = self.round, self.text()
        for forum, word in moves.get("stance", {}).items():
            self.model.hold(forum, self.row, None if word is None else int(Stance[word.upper()]))
            if word is None:
                self.stances.pop(forum, None)
            else:
                self.stances[forum] = word
        campaign = self.campaigns.get(text)
        if campaign is not None:
            campaign.give(Orders(moves.get("court", []), moves.get("concede", 0.0),
                                 moves.get("invite", []), moves.get("capacity", [])))
            self.packages += moves.get("capacity", [])
        self.model.step()
        entry: dict[str, Any] = {"round": t, "moves": moves}
        if campaign is not None and moves:
            d = campaign.done
            entry["answers"] = {"visits": d.visits, "conceded": round(d.conceded, 6),
                                "invited": d.invited, "declined": d.declined}
        self.history.append(entry)
        return entry

    def play(self, moves: dict[str, Any] | None = None, lenient: bool = False) -> dict[str, Any]:
        """:meth:`apply` then :meth:`step`."""
        self.apply(moves, lenient)
        return self.step()

    def finish(self) -> None:
        """Play the remaining rounds without moves."""
        while not self.finished:
            self.play()

    # -- results --------------------------------------------------------------------------------

    def outcome(self) -> list[dict[str, Any]]:
        """Per forum (per text): adopted, when, endorsements of the members, the player's stance."""
        return outcome_of(self.model, self.row)

    def to_dict(self) -> dict[str, Any]:
        from sim.batch.sweep import scenario_hash

        return {"plenary_game": FORMAT, "scenario": self.path, "scenario_name": self.scenario.name,
                "scenario_sha256": scenario_hash(self.scenario), "seed": self.seed,
                "delegation": self.iso3, "lobby": self.lobby, "budget": self.budget,
                "finished": self.finished,
                "rounds": self.history, "outcome": self.outcome() if self.finished else None}

    def save(self, path: str | Path) -> Path:
        """Write the game as JSON (moves per round; replays to the same file: :func:`replay`)."""
        from sim.batch.outputs import write_atomic

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return path

    def to_strategy(self) -> LoadedStrategy:
        """The game's campaigns as a strategy file for ``plenary compare`` (the scenario's own
        strategies, the player's replaced): the closest static campaign, since a strategy file
        has rules, not rounds: ``listed`` outreach to the states courted (in the order first
        courted, the most visits of a round), the capacity packages, the most invitations of a
        round (the model then invites its most capable keen endorsers), and concessions of the
        largest step taken when endorsements stall a round, up to the total conceded."""
        if not self.texts:
            raise ScenarioError([Problem(self.iso3, 0, "strategies", f"{self.iso3} sponsors no "
                                         "text: a strategy file holds sponsors' campaigns")])
        strategy = own_strategy(self.scenario)
        for text in self.texts:
            rounds = [h for h in self.history if self._text_at(h["round"]) == text]
            court: list[str] = []
            for h in rounds:
                court += [c for c in h["moves"].get("court", []) if c not in court]
            visits = max((len(h["moves"].get("court", [])) for h in rounds), default=0)
            steps = [h["moves"]["concede"] for h in rounds if h["moves"].get("concede")]
            done = sum(h.get("answers", {}).get("conceded", 0.0) for h in rounds)
            st = {"sponsor": self.iso3, "proposal": text, "budget": visits,
                  "outreach": "listed" if court else "swing", "targets": court,
                  "capacity": [c for h in rounds for c in h["moves"].get("capacity", [])],
                  "invite_cosponsors": max((len(h["moves"].get("invite", [])) for h in rounds),
                                           default=0)}
            if steps and done > 0:
                st["concessions"] = {"step": max(steps), "stall_rounds": 1,
                                     "max_total": round(min(done, 1.0), 4)}
            strategy = with_campaign(strategy, Strategy(**st), self.scenario, "game", "")
        name = f"game_{self.iso3}_seed{self.seed}"
        return strategy_from_dict({**strategy.data, "name": name, "description": (
            f"{self.iso3}'s moves in a game of {self.scenario.name} (seed {self.seed}), as the "
            "closest static campaign (plenary play)")})

    def _text_at(self, t: int) -> str | None:
        """The player's text in round t: the one a forum deciding it has open, else the next
        to open, else the last (None for a member who sponsors none)."""
        best = None
        for f in self.model.forums:
            if f.proposal in self.texts and f.decides >= t:
                if f.opens <= t:
                    return f.proposal
                if best is None or f.opens < best[0]:
                    best = (f.opens, f.proposal)
        return best[1] if best else (self.texts[-1] if self.texts else None)


def outcome_of(model: NegotiationModel, row: int) -> list[dict[str, Any]]:
    out = []
    for f in model.forums:
        stance = ("not a member" if not f.members[row] else "absent" if not f.present[row]
                  else Stance(int(f.stances[row])).word)
        out.append({"id": f.id, "rule": f.rule.name, "proposal": f.proposal,
                    "adopted": bool(f.outcome.adopted) if f.outcome else False,
                    "decided_round": f.outcome.round if f.outcome else None,
                    "endorsements": f.counts().endorse, "members": len(f.member_index),
                    "stance": stance})
    return out


def _codes(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [str(v).strip().upper() for v in value if str(v).strip()]


def _seat(model: NegotiationModel, iso3: str) -> int:
    from analysis.explain import _state_index

    try:
        return _state_index(model, iso3)
    except ScenarioError as exc:
        raise ScenarioError([Problem(p.file, p.line, p.field, p.message.replace("--state", "--as"))
                             for p in exc.problems]) from None
