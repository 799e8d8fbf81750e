"""Checks a schema cannot express: ids that refer to each other, roster codes, chains and rounds.

Each check returns :class:`~sim.errors.Problem` values located at the offending field, so a user
sees every mistake of a scenario at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sim.errors import Problem
from sim.format.yamlio import Locations, PathKey
from sim.stance import RULE_OPTIONS, Stance
from sim.world.roster import Roster, RosterError, load_roster

if TYPE_CHECKING:
    from sim.format.scenario import Scenario


def check_scenario(s: Scenario, locs: Locations, check_world: bool = True,
                   changed: set[str] | None = None) -> list[Problem]:
    """Every cross-reference problem of a validated scenario (an empty list when it is sound).
    ``changed``: the only top-level sections that differ from a scenario that passed (the
    world's profiles, ~200 states, are checked again only if it or the dimensions are among
    them)."""
    problems: list[Problem] = []
    dims = s.dimension_names()
    problems += _unique(locs, "dimensions", [d.name for d in s.dimensions], "name")
    problems += _unique(locs, "proposals", [p.id for p in s.proposals], "id")
    problems += _unique(locs, "forums", [f.id for f in s.forums], "id")
    problems += _track_collisions(s, locs)
    problems += _unique(locs, "stakeholders", [k.id for k in s.stakeholders], "id")

    for i, p in enumerate(s.proposals):
        problems += _positions(locs, ("proposals", i, "position"), p.position, dims, complete=True)
    for i, k in enumerate(s.stakeholders):
        problems += _positions(locs, ("stakeholders", i, "position"), k.position, dims, complete=True)
    if changed is None or changed & {"world", "dimensions"}:
        problems += _positions(locs, ("world", "defaults", "ideal"), s.world.defaults.ideal or {},
                               dims)
        for section in ("groups", "states"):
            for key, prof in getattr(s.world, section).items():
                problems += _positions(locs, ("world", section, key, "ideal"), prof.ideal or {},
                                       dims)

    problems += _forums(s, locs)
    problems += [locs.problem(("forums", i, "arrival"), "arrival draws who comes to the text "
                              "round by round; with topic: the record says who takes part: "
                              "drop one of them")
                 for i, f in enumerate(s.forums) if f.arrival > 0 and f.topic is not None]
    problems += _thresholds(s, locs)
    proposal_ids = {p.id for p in s.proposals}
    for i, st in enumerate(s.strategies):
        if st.proposal is not None and st.proposal not in proposal_ids:
            problems.append(_missing(locs, ("strategies", i, "proposal"), st.proposal, proposal_ids,
                                     "proposal"))
        if st.proposal is None and not any(st.sponsor in p.sponsors for p in s.proposals):
            problems.append(locs.problem(("strategies", i, "sponsor"),
                                         f"{st.sponsor} sponsors no proposal; name one with "
                                         "'proposal:'"))
        if st.outreach == "listed" and not st.targets and st.budget:
            problems.append(locs.problem(("strategies", i, "outreach"),
                                         "outreach 'listed' courts only the states in 'targets:', "
                                         "and there are none"))
        for key in ("targets", "capacity"):
            values = getattr(st, key)
            problems += [locs.problem(("strategies", i, key, j), f"{v!r} is listed twice")
                         for j, v in enumerate(values) if v in values[:j]]
    if check_world:
        problems += _world_codes(s, locs)
    return problems


def _track_collisions(s: Scenario, locs: Locations) -> list[Problem]:
    """A forum's id that is also the output name of another forum's text (``core_group/text``,
    a forum ``core_group`` deciding several texts): the outputs would give both one id, and a
    forum ``after:`` it would start from the wrong one."""
    tracks = {f.track_id(t): f for f in s.forums if len(f.texts) > 1 for t in f.texts}
    out = []
    for i, f in enumerate(s.forums):
        other = tracks.get(f.id)
        if other is not None and other is not f:
            text = f.id[len(other.id) + 1:]
            out.append(locs.problem(("forums", i, "id"), (
                f"{f.id!r} is also the output name of text {text!r} in forum {other.id!r}; "
                "choose another id")))
    return out


def _unique(locs: Locations, section: str, values: list[str], key: str) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, v in enumerate(values):
        if v in seen:
            out.append(locs.problem((section, i, key), f"{v!r} is used twice"))
        seen.add(v)
    return out


def _positions(locs: Locations, path: PathKey, values: dict[str, float], dims: list[str],
               complete: bool = False) -> list[Problem]:
    out = [
        locs.problem(path + (k,), f"no dimension {k!r}; dimensions are {', '.join(dims)}")
        for k in values if k not in dims
    ]
    if complete:
        out += [locs.problem(path, f"missing position on dimension {d!r}")
                for d in dims if d not in values]
    return out


def _missing(locs: Locations, path: PathKey, value: str, known: Iterable[str], what: str) -> Problem:
    hint = difflib.get_close_matches(value, sorted(known), n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
    return locs.problem(path, f"no {what} {value!r}{extra}")


def _forums(s: Scenario, locs: Locations) -> list[Problem]:
    out: list[Problem] = []
    proposal_ids = {p.id for p in s.proposals}
    forum_ids = {f.id for f in s.forums}
    for i, f in enumerate(s.forums):
        if f.proposal is not None and f.proposal not in proposal_ids:
            out.append(_missing(locs, ("forums", i, "proposal"), f.proposal, proposal_ids, "proposal"))
        for j, text in enumerate(f.proposals):
            if text not in proposal_ids:
                out.append(_missing(locs, ("forums", i, "proposals", j), text, proposal_ids, "proposal"))
            elif text in f.proposals[:j]:
                out.append(locs.problem(("forums", i, "proposals", j), f"{text!r} is listed twice"))
        t = f.threshold
        if t is not None and t.weight_by == "given" and not t.weights:
            out.append(locs.problem(("forums", i, "threshold", "weight_by"),
                                    "weight_by: given needs weights: (ISO3 -> weight) for the members"))
        if t is not None and t.weights and t.weight_by != "given":
            out.append(locs.problem(("forums", i, "threshold", "weights"),
                                    "weights: count only with weight_by: given"))
        decides = s.rounds - 1 if f.decides is None else f.decides
        if decides >= s.rounds:
            out.append(locs.problem(("forums", i, "decides"),
                                    f"round {decides} is past the last round ({s.rounds - 1})"))
        if f.opens > decides:
            out.append(locs.problem(("forums", i, "opens"),
                                    f"opens in round {f.opens}, after it decides ({decides})"))
        if f.after is None:
            continue
        if f.after not in forum_ids:
            out.append(_missing(locs, ("forums", i, "after"), f.after, forum_ids, "forum"))
            continue
        before = s.forum(f.after)
        before_decides = s.rounds - 1 if before.decides is None else before.decides
        if f.after != f.id and f.opens <= before_decides:
            out.append(locs.problem(("forums", i, "opens"),
                                    f"a forum after {f.after!r} must open after round "
                                    f"{before_decides}, when {f.after!r} decides"))
    out += _after_cycles(s, locs)
    return out


#: The threshold keys each rule reads (``sim.stance.RULE_OPTIONS``); consensus reads none.
THRESHOLD_KEYS = {"open_endorsement": {"min_endorsements"}, "consensus": set(),
                  "vote": {"majority"}, "qualified_majority": {"members", "weight", "weight_by", "weights",
                                         "blocking_minority"}}


def _thresholds(s: Scenario, locs: Locations) -> list[Problem]:
    """A threshold key the forum's rule never reads, set to other than its default, would be
    ignored without a word. (Its default is left alone: a scenario copied whole, as ``compare``
    does, carries every key.)"""
    out = []
    for i, f in enumerate(s.forums):
        used = THRESHOLD_KEYS[f.rule]
        defaults = type(f.threshold)()
        for key in sorted(set(type(f.threshold).model_fields) - used):
            if getattr(f.threshold, key) == getattr(defaults, key):
                continue
            reads = f"reads only {', '.join(sorted(used))}" if used else "reads no threshold"
            out.append(locs.problem(("forums", i, "threshold", key),
                                    f"rule {f.rule} does not use {key!r} (it {reads})"))
    return out


def _after_cycles(s: Scenario, locs: Locations) -> list[Problem]:
    after = {f.id: f.after for f in s.forums}
    out = []
    reported: set[str] = set()
    for i, f in enumerate(s.forums):
        chain = [f.id]
        nxt = f.after
        while nxt is not None and nxt in after:
            if nxt in chain:
                cycle = chain[chain.index(nxt):] + [nxt]
                if not reported.intersection(cycle):
                    out.append(locs.problem(("forums", i, "after"),
                                            "after: forms a cycle: " + " -> ".join(cycle)))
                reported.update(cycle)
                break
            chain.append(nxt)
            nxt = after[nxt]
    return out


def _world_codes(s: Scenario, locs: Locations) -> list[Problem]:
    path = s.roster_path()
    if not path.exists():
        return [locs.problem(("world", "roster"), f"roster file not found: {path}")]
    try:
        roster = load_roster(path, s.world.as_of)
    except (RosterError, OSError, ValueError) as exc:
        return [locs.problem(("world", "roster"), f"cannot read the roster: {exc}")]
    out: list[Problem] = []
    w = s.world
    out += _codes(roster, locs, ("world", "include"), w.include)
    out += _codes(roster, locs, ("world", "exclude"), w.exclude)
    for section in ("groups", "states"):
        for key in getattr(w, section):
            if not roster.knows(key):
                out.append(_unknown(roster, locs, ("world", section, key), key))
    for key in w.ties:
        if key != "other" and key not in roster.groups:
            out.append(_unknown(roster, locs, ("world", "ties", key), key, groups_only=True))
    for key, leaders in w.leaders.items():
        if key not in roster.groups:
            out.append(_unknown(roster, locs, ("world", "leaders", key), key, groups_only=True))
        out += _codes(roster, locs, ("world", "leaders", key), leaders, states_only=True)
    for i, tie in enumerate(w.extra_ties):
        out += _codes(roster, locs, ("world", "extra_ties", i, "a"), [tie.a], states_only=True)
        out += _codes(roster, locs, ("world", "extra_ties", i, "b"), [tie.b], states_only=True)
    for i, p in enumerate(s.proposals):
        out += _codes(roster, locs, ("proposals", i, "sponsors"), p.sponsors, states_only=True)
    for i, f in enumerate(s.forums):
        out += _codes(roster, locs, ("forums", i, "members"), f.members)
        out += _codes(roster, locs, ("forums", i, "exclude"), f.exclude)
        for code in f.pin:
            if code not in roster.names:
                out.append(_unknown(roster, locs, ("forums", i, "pin", code), code, states_only=True))
        for code in (f.threshold.weights if f.threshold is not None else {}):
            if code not in roster.names:
                out.append(_unknown(roster, locs, ("forums", i, "threshold", "weights", code), code,
                                    states_only=True))
    for i, st in enumerate(s.strategies):
        out += _codes(roster, locs, ("strategies", i, "sponsor"), [st.sponsor], states_only=True,
                      single=True)
        out += _codes(roster, locs, ("strategies", i, "targets"), st.targets, states_only=True)
        out += _codes(roster, locs, ("strategies", i, "capacity"), st.capacity, states_only=True)
    for i, k in enumerate(s.stakeholders):
        out += _codes(roster, locs, ("stakeholders", i, "ties"), k.ties)
    if out:
        return out
    chosen = set(roster.expand(w.include)) - set(roster.expand(w.exclude))
    if not chosen:
        return [locs.problem(("world", "include"), "no state is left in the world")]
    for i, f in enumerate(s.forums):
        members = chosen.intersection(set(roster.expand(f.members)) - set(roster.expand(f.exclude)))
        if not members:
            out.append(locs.problem(("forums", i, "members"), "no member of this forum is in the world"))
        for code, word in f.pin.items():
            if code not in members:
                out.append(locs.problem(("forums", i, "pin", code),
                                        f"{code} is not a member of {f.id} in this world"))
            elif word != "undecided" and word not in stance_words(f.rule):
                out.append(locs.problem(("forums", i, "pin", code), f"{word!r} is not a stance of "
                                        f"rule {f.rule}: {', '.join(stance_words(f.rule))}"))
    for i, p in enumerate(s.proposals):
        for j, code in enumerate(p.sponsors):
            if code not in chosen:  # would be dropped without a word
                out.append(locs.problem(("proposals", i, "sponsors", j),
                                        f"{code} sponsors {p.id!r} but is not in the world"))
    for i, f in enumerate(s.forums):
        for j, code in enumerate(f.members):
            if code in roster.names and code not in chosen:  # a state named outright, then dropped
                out.append(locs.problem(("forums", i, "members", j),
                                        f"{code} is a member of {f.id!r} but is not in the world "
                                        "(world.include / world.exclude, as of world.as_of)"))
    for i, st in enumerate(s.strategies):
        if st.sponsor not in chosen:
            out.append(locs.problem(("strategies", i, "sponsor"),
                                    f"{st.sponsor} leads a strategy but is not in the world"))
    return out



def _codes(roster: Roster, locs: Locations, path: PathKey, names: list[str],
           states_only: bool = False, single: bool = False) -> list[Problem]:
    out = []
    for j, name in enumerate(names):
        where = path if single else path + (j,)
        if states_only and name not in roster.names:
            out.append(_unknown(roster, locs, where, name, states_only=True))
        elif not roster.knows(name):
            out.append(_unknown(roster, locs, where, name))
    return out


def _unknown(roster: Roster, locs: Locations, path: PathKey, name: str,
             states_only: bool = False, groups_only: bool = False) -> Problem:
    if states_only:
        pool, what = list(roster.names), "ISO3 code of a state"
    elif groups_only:
        pool, what = list(roster.groups), "group"
    else:
        pool, what = list(roster.names) + list(roster.groups), "ISO3 code or group"
    hint = difflib.get_close_matches(name, pool, n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
    return locs.problem(path, f"{name!r} is not a known {what}{extra}")


def stance_words(rule: str) -> tuple[str, ...]:
    """The stances a member can take under a rule (``sim.stance.RULE_OPTIONS``), undecided left out."""
    return tuple(s.word for s in RULE_OPTIONS[rule] if s != Stance.UNDECIDED)
