"""Propensities: what the record says each state will do in the next decision on a topic, under
a forum's rule (see ``sim/world/record/__init__.py`` for the weights and the blend)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.topics import FAMILIES, related
from sim.world.record.data import (
    ABSTAIN,
    NO,
    VOTES_FILE,
    YES,
    Decision,
    RollCalls,
    _read_roll_calls,
    read_decisions,
    read_roll_calls,
)
from sim.world.record.irt import IdealPoints, _ideal_points_cached

TOPIC_WEIGHT = 0.05
FAMILY_WEIGHT = 0.02
OTHER_WEIGHT = 0.01
#: without an earlier roll call of the same series, the topic's and the family's weights
NEW_TOPIC_WEIGHT = 1.0
NEW_FAMILY_WEIGHT = 0.3
HALF_LIFE = 1.0  # years
KAPPA = 0.5
PRIOR_ITEMS = 6  # the topic's most recent roll calls averaged for the prior


def decay(dates, day: date | None) -> np.ndarray:
    """2^(-age / ``HALF_LIFE``) of each date as seen on ``day`` (age in years; 1 if ``day`` is None).

    Example:
        >>> decay((date(2022, 1, 1), date(2023, 1, 1)), date(2023, 1, 1)).round(3).tolist()
        [0.5, 1.0]
    """
    if day is None:
        return np.ones(len(dates))
    age = np.array([(day - d).days / 365.25 for d in dates])
    return np.power(2.0, -age / HALF_LIFE)


@dataclass(frozen=True)
class Propensity:
    """What the record says of one state on one topic, as of a date.

    Attributes:
        p: probabilities of no, abstain, yes on the topic's next roll call.
        votes: the state's earlier votes on the topic itself (how much of ``p`` is its own record).
        weight: the total weight of its earlier votes (topic, family and the rest, decayed).
        theta: its ideal point in the roll-call model (None if it never voted).
        latest: its latest vote on the topic (NO, ABSTAIN, YES) or None.
    """

    p: np.ndarray
    votes: int
    weight: float
    theta: np.ndarray | None
    latest: int | None


def series_key(title: str) -> str:
    """A roll call's series: its title, lower-cased, without what marks a year's version
    (the General Assembly votes the same resolutions year after year under the same titles).

    A title that quotes the text's own title (``First Committee draft A/C.1/78/L.56 "Lethal
    autonomous weapons systems"``) stands for what it quotes; what is in brackets is left out.

    Example:
        >>> series_key("Lethal autonomous weapons systems (inferred from the voting pattern)")
        'lethal autonomous weapons systems'
        >>> series_key('General Assembly resolution 78/241 "Lethal autonomous weapons systems"')
        'lethal autonomous weapons systems'
        >>> series_key("Lethal autonomous weapons systems (A/C.1/78/L.56, resolution 78/241)")
        'lethal autonomous weapons systems'
    """
    quoted = re.search(r'["“]([^"”]+)["”]', title or "")
    if quoted:
        title = quoted.group(1)
    title = re.sub(r"\([^)]*\)", "", title or "")  # symbols, dates, "(inferred ...)"
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def topic_weights(calls: RollCalls, topic: str, day: date | None, title: str = "") -> np.ndarray:
    """w_j of the module docstring for each roll call: match x half-life decay, the match being
    1 for the same series (title), ``TOPIC_WEIGHT`` for the topic, that times
    :func:`sim.topics.related` for a closely related topic, ``FAMILY_WEIGHT`` for its family,
    ``OTHER_WEIGHT`` otherwise; for a text with no earlier roll call of its series (a
    new resolution), the topic stands in for the series (``NEW_TOPIC_WEIGHT``,
    ``NEW_FAMILY_WEIGHT``)."""
    family = FAMILIES.get(topic, topic)
    series = series_key(title) if title else ""
    same = np.array([bool(series) and series_key(name) == series for name in calls.titles], dtype=bool)
    on_topic, in_family = (TOPIC_WEIGHT, FAMILY_WEIGHT) if same.any() else (NEW_TOPIC_WEIGHT,
                                                                             NEW_FAMILY_WEIGHT)
    match = np.array([1.0 if s else on_topic if t == topic
                      else max(on_topic * related(topic, t), in_family)
                      if FAMILIES.get(t, t) == family
                      else OTHER_WEIGHT for t, s in zip(calls.topics, same, strict=True)])
    return match * decay(calls.dates, day if day is not None else max(calls.dates, default=None))


def prior_items(calls: RollCalls, topic: str, title: str = "") -> np.ndarray:
    """The roll calls whose model probabilities make a state's prior: the latest of the same
    series, else the topic's latest ``PRIOR_ITEMS``, else its family's, else the latest of all."""
    family = FAMILIES.get(topic, topic)
    series = series_key(title) if title else None
    if series:
        same = [j for j, name in enumerate(calls.titles) if series_key(name) == series]
        if same:
            return np.array(same[-1:], dtype=np.int64)
    for keep in (lambda t: t == topic, lambda t: FAMILIES.get(t, t) == family, lambda t: True):
        items = [j for j, t in enumerate(calls.topics) if keep(t)]
        if items:
            return np.array(items[-PRIOR_ITEMS:], dtype=np.int64)
    return np.array([], dtype=np.int64)


def propensities(calls: RollCalls, model: IdealPoints | None, topic: str, day: date | None,
                 kappa: float = KAPPA, title: str = "") -> dict[str, Propensity]:
    """Each state's propensities on ``topic`` from the roll calls (already cut at ``day``).

    Args:
        calls: the roll calls before the date.
        model: the ideal-point model fitted to the same roll calls (None: the prior is the
            population's share of each option on the topic's latest roll calls).
        topic: the topic of the coming decision (a key of :data:`FAMILIES`).
        day: the date of the decision (for the decay).
        kappa: the prior's weight, in roll calls.
        title: the coming text's title: earlier roll calls of the same series weigh most.

    Returns:
        ISO3 -> :class:`Propensity`, for every state that voted at least once.
    """
    if not len(calls):
        return {}
    w = topic_weights(calls, topic, day, title)
    items = prior_items(calls, topic, title)
    cast = calls.votes >= 0
    onehot = np.stack([(calls.votes == k) for k in (NO, ABSTAIN, YES)], axis=-1).astype(float)
    counts = np.einsum("j,ijk->ik", w, onehot)
    weight = cast.astype(float) @ w
    if model is not None:
        prior = model.probabilities(np.arange(len(calls.iso3)), items).mean(axis=1)
    else:
        sub = onehot[:, items]
        prior = np.broadcast_to(sub.sum(axis=(0, 1)) / max(sub.sum(), 1.0), (len(calls.iso3), 3))
    p = (counts + kappa * prior) / (weight + kappa)[:, None]
    on_topic = np.array([t == topic for t in calls.topics])
    out = {}
    for i, code in enumerate(calls.iso3):
        if not cast[i].any():
            continue
        mine = np.flatnonzero(cast[i] & on_topic)
        out[code] = Propensity(p[i], len(mine), float(weight[i]),
                               None if model is None else model.theta[i],
                               int(calls.votes[i, mine[-1]]) if len(mine) else None)
    return out


@lru_cache(maxsize=64)
def _propensities_cached(folder: str, stamp: int, topic: str, day: date | None, title: str
                         ) -> dict[str, Propensity]:
    calls = _read_roll_calls(folder, stamp).before(day)
    model = _ideal_points_cached(folder, stamp, day, 2)
    return propensities(calls, model, topic, day, title=title)


def record_propensities(data_dir: Path, topic: str, day: date | None, title: str = ""
                        ) -> dict[str, Propensity]:
    """:func:`propensities` of the bundled record (``data_dir/votes.csv``) before ``day``, fitted
    once per process, topic, date and title."""
    path = Path(data_dir) / VOTES_FILE
    if not path.exists():
        return {}
    return _propensities_cached(str(Path(data_dir).resolve()), path.stat().st_mtime_ns, topic, day,
                                title)


def latest_votes(calls: RollCalls, topic: str) -> dict[str, int]:
    """Each state's latest vote on ``topic`` (the persistence baseline), NO/ABSTAIN/YES."""
    on_topic = [j for j, t in enumerate(calls.topics) if t == topic]
    out: dict[str, int] = {}
    for j in on_topic:  # in date order: later votes overwrite
        for i in np.flatnonzero(calls.votes[:, j] >= 0):
            out[calls.iso3[i]] = int(calls.votes[i, j])
    return out


#: What counts as the telling act of each kind of decision, and how much: forcing a weaker text
#: that was then adopted is a quarter of a block (judgement: of the 13 weakenings on record
#: before 2024 none ended in a block of that decision).
TELLING = {"endorsement": {"endorse": 1.0}, "consensus": {"object": 1.0, "weakened": 0.25}}
#: A decision whose rows name at least this many states lists (about) everyone who took part.
LISTS_ALL = 100
#: JUDGEMENT: the share taking the telling act where no decision lists everyone: about 57 of
#: 193 endorsed REAIM 2023's call (sources in decisions.csv); blocks are rare.
ACT_PRIOR = {"endorsement": 0.3, "consensus": 0.02}
#: JUDGEMENT: a state with no record of blocking objects to a consensus on a topic with this
#: share of its propensity to vote no on it (objecting alone costs more than voting no among many).
BLOCK_SHARE = 0.3


def decision_propensities(decisions: tuple[Decision, ...], kind: str, topic: str, day: date | None,
                          prior: dict[str, float] | None = None, kappa: float = 1.0
                          ) -> tuple[dict[str, tuple[float, float]], float]:
    """Each state's propensity to take the telling act (:data:`TELLING`) in the next decision of
    ``kind`` on ``topic``, from the decisions strictly before ``day`` (module docstring: the same
    weights and blend as for roll calls).

    Args:
        prior: ISO3 -> the prior propensity (default: the weighted share of the act among the
            stances of the relevant decisions that list most states (:data:`LISTS_ALL`), else
            :data:`ACT_PRIOR`: a list of endorsers alone overstates the share who endorse).

    Returns:
        (ISO3 -> (propensity, weight of its own record) for the states with a record, the
        default prior), or ({}, the default prior) without any relevant decision.

    Example:
        >>> ds = (Decision("d1", "endorsement", date(2023, 1, 1), "ai_military",
        ...                {"AAA": "endorse", "BBB": "not_endorsed"}),)
        >>> found, base = decision_propensities(ds, "endorsement", "ai_military", date(2023, 6, 1))
        >>> {k: round(v[0], 3) for k, v in found.items()}, base
        ({'AAA': 0.6, 'BBB': 0.171}, 0.3)
    """
    act = TELLING[kind]
    fam = FAMILIES.get(topic, topic)
    hits: dict[str, float] = {}
    weights: dict[str, float] = {}
    listed = [0.0, 0.0]  # acts and stances in decisions that list most states
    for d in decisions:
        if d.kind != kind or (day is not None and d.date >= day):
            continue
        # (related topics are not joined here: the Belén call for a ban and the US declaration
        # on responsible use were endorsed by different camps)
        match = 1.0 if d.topic == topic else FAMILY_WEIGHT if FAMILIES.get(d.topic, d.topic) == fam else 0.0
        if not match:
            continue
        w = match * float(decay((d.date,), day or d.date)[0])
        for code, stance in d.stances.items():
            weights[code] = weights.get(code, 0.0) + w
            hits[code] = hits.get(code, 0.0) + w * act.get(stance, 0.0)
        if len(d.stances) >= LISTS_ALL:
            listed[0] += w * sum(act.get(s, 0.0) for s in d.stances.values())
            listed[1] += w * len(d.stances)
    base = listed[0] / listed[1] if listed[1] else ACT_PRIOR[kind]
    prior = prior or {}
    return {c: ((hits[c] + kappa * prior.get(c, base)) / (weights[c] + kappa), weights[c])
            for c in weights}, base


#: JUDGEMENT: in a consensus forum, standing aside (not blocking) is this share of a state's
#: propensity to abstain in a vote on the topic.
STAND_ASIDE_SHARE = 0.5
#: Probabilities are kept within [FLOOR, 1 - FLOOR]: the record never makes an option impossible.
FLOOR = 0.005


def option_probabilities(data_dir: Path, iso3: list[str], topic: str, rule: str,
                         day: date | None, title: str = "") -> np.ndarray:
    """What the record says each state will do under a forum's rule on ``topic`` (states x
    stance codes; NaN rows for states the record says nothing of).

    * ``vote`` and ``qualified_majority``: the roll-call propensities (yes, no, abstain);
    * ``consensus``: objecting from the recorded blocks of consensus, with a prior of
      :data:`BLOCK_SHARE` times the state's propensity to vote no on the topic; standing aside
      :data:`STAND_ASIDE_SHARE` times its propensity to abstain; joining the rest;
    * ``open_endorsement``: endorsing from the recorded endorsements of declarations on the
      topic (or its family); every state gets the recorded share as its prior. Without any
      such record, NaN for all.

    ``title``: the text's title; earlier roll calls of the same series weigh most.
    """
    from sim.stance import Stance

    votes = record_propensities(data_dir, topic, day, title)
    out = np.full((len(iso3), len(Stance)), np.nan)
    if rule in ("vote", "qualified_majority"):
        for i, c in enumerate(iso3):
            if c in votes:
                p = votes[c].p
                out[i] = 0.0
                out[i, [Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN]] = p[[YES, NO, ABSTAIN]]
    elif rule == "consensus":
        prior = {c: BLOCK_SHARE * v.p[NO] for c, v in votes.items()}
        blocks, _ = decision_propensities(read_decisions(data_dir), "consensus", topic, day, prior)
        for i, c in enumerate(iso3):
            if c not in blocks and c not in votes:
                continue
            obj = blocks[c][0] if c in blocks else prior[c]
            aside = STAND_ASIDE_SHARE * votes[c].p[ABSTAIN] if c in votes else 0.0
            out[i] = 0.0
            out[i, [Stance.ENDORSE, Stance.ABSTAIN, Stance.OBJECT]] = (1.0 - obj - aside, aside, obj)
    elif rule == "open_endorsement":
        endorsed, base = decision_propensities(read_decisions(data_dir), "endorsement", topic, day)
        if endorsed:
            for i, c in enumerate(iso3):
                p = endorsed[c][0] if c in endorsed else base
                out[i] = 0.0
                out[i, [Stance.ENDORSE, Stance.UNDECIDED]] = (p, 1.0 - p)
    known = ~np.isnan(out[:, 0])
    clipped = np.clip(out[known], FLOOR, 1.0 - FLOOR) * (out[known] > 0)
    out[known] = clipped / clipped.sum(axis=1, keepdims=True)
    return out


def presence(data_dir: Path, iso3: list[str], day: date | None) -> np.ndarray:
    """Each state's probability of casting a vote (yes, no or abstain) in a General Assembly roll
    call, from its record before ``day``: the decayed share of the roll calls it voted in,
    blended with the share of all states (weight ``KAPPA``); 1 for a state with no record.

    Some states are often absent (small delegations, arrears that suspend the vote under
    Article 19 of the Charter): 26 members did not vote on resolution 78/241."""
    calls = read_roll_calls(data_dir)
    out = np.ones(len(iso3))
    if calls is None:
        return out
    calls = calls.before(day)
    if not len(calls):
        return out
    w = decay(calls.dates, day or max(calls.dates))
    voted = (calls.votes >= 0).astype(float) @ w
    base = float(voted.sum() / (w.sum() * len(calls.iso3)))
    row = {c: i for i, c in enumerate(calls.iso3)}
    for k, c in enumerate(iso3):
        if c in row:
            out[k] = (voted[row[c]] + KAPPA * base) / (w.sum() + KAPPA)
    return out
