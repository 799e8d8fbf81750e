"""Backtests: the model's predicted stances against real ones, beside four simple baselines.

For each case (``analysis/cases.py``) the model runs as an ensemble of seeds and gives every
member a probability of each stance its rule allows; the same seeds serve every case and every
behaviour tried (common random numbers). The predicted stance (:func:`predicted`) answers the
diplomat's question in its order: will the state say yes? Yes when that is at least as likely
as not; otherwise its likeliest other stance (ties: the rule's order). On the roll calls of the
record (``plenary validate --record``, 50 runs a roll call) this rule, against the plain
likeliest stance, found more of the states that did not vote yes in each year of 2020-2023
(+0.004 to +0.013 of them) at the same macro-F1 (within 0.001), and on the ten cases of
``scenarios/cases/cases.yaml`` 0.702 of them instead of 0.660 (macro-F1 0.651 instead of
0.648); for the one-hot baselines it changes nothing. Scores, over the states whose stance is
recorded:

* ``accuracy``: share of states whose predicted stance is the recorded one;
* ``brier``: multi-class Brier score, sum over the rule's options k of (p_k - o_k)^2, averaged
  over states (Brier 1950); 0 is perfect, 2 is certain and wrong;
* ``tally_error``: mean over the rule's options of |expected count - recorded count|, divided by
  the number of scored states (a share: 0.1 means the counts are off by a tenth of the scored
  states, per stance);
* ``macro_f1``: the F1 score of each of the rule's options that was recorded or predicted,
  averaged with equal weight (a predictor that says yes to all scores low however many said yes);
* ``resist_recall`` and ``resist_precision``: of the states that did not say yes (voted no,
  abstained, objected, did not endorse), the share the predictor finds; of those it says will not
  say yes, the share that did not (NaN when there are none).

Baselines (each one-hot, so their Brier is 2 x (1 - accuracy)). (a), (b) and (c) read the
case's own recorded stances of OTHER states, as such baselines are defined; the model never
reads any recorded stance of the case it predicts. (e) and (f) read only what came before:

* ``most_common``: every state takes the case's most common recorded stance;
* ``group_majority``: a state takes the most common recorded stance of the other scored members
  of its UN regional group (leave-one-out: its own stance is never used), else ``most_common``;
* ``bloc_leader``: a state takes the recorded stance of its bloc's leader
  (:data:`~analysis.cases.BLOC_LEADERS`, first bloc in that table's order whose leader, other
  than itself, has a recorded stance), else ``most_common``;
* ``earlier_decision``: a state repeats its recorded stance in the latest earlier case of the
  same population kind and rule, else ``most_common`` (also when no such case exists);
* ``always_yes``: every state says yes (endorses);
* ``persistence``: each state repeats its latest recorded stance before the case's date in the
  bundled record (``scenarios/data``): in a vote, its latest vote on the topic; in a consensus,
  whether it blocked the latest decision on the topic; in an open endorsement, whether it
  endorsed the latest declaration on the topic (or its family). No record: yes (a vote or
  consensus), not endorsed (an open endorsement);
* ``persistence_series``: the same, but in a vote the latest vote on the same resolution (its
  series: the same title, voted year after year) comes first, then the topic's. A stronger
  baseline than the issue's: on the General Assembly's recurring resolutions it is hard to beat.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.cases import BLOC_LEADERS, Case, case_scenario
from sim.paths import DATA_DIR
from sim.stance import Stance
from sim.world.roster import UN_GROUP_CODES, Roster, load_roster

BASELINES = ("most_common", "group_majority", "bloc_leader", "earlier_decision", "always_yes",
             "persistence", "persistence_series")
METRICS = ("accuracy", "brier", "tally_error", "macro_f1", "resist_recall", "resist_precision")
UN_GROUPS = tuple(UN_GROUP_CODES.values())


@dataclass(frozen=True)
class Scores:
    """How well one predictor did on one case."""

    accuracy: float
    brier: float
    tally_error: float
    macro_f1: float = float("nan")
    resist_recall: float = float("nan")
    resist_precision: float = float("nan")

    def as_dict(self) -> dict[str, float | None]:
        """The scores rounded to six places; None where undefined (no state resisted, say)."""
        return {m: None if math.isnan(v := float(getattr(self, m))) else round(v, 6)
                for m in METRICS}


@dataclass
class CaseResult:
    """A case, what was recorded and what each predictor said.

    Attributes:
        case: the case.
        iso3: the scored states, sorted by UN regional group then ISO3.
        groups: the UN regional group of each scored state.
        recorded: the recorded stance codes, in ``iso3`` order.
        probs: predictor name -> (states x stances) probabilities, columns by stance code.
        scores: predictor name -> :class:`Scores` (``model`` and each baseline).
    """

    case: Case
    iso3: list[str]
    groups: list[str]
    recorded: np.ndarray
    probs: dict[str, np.ndarray] = field(default_factory=dict)
    scores: dict[str, Scores] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.iso3)

    def as_dict(self) -> dict[str, Any]:
        """The case's entry of ``validation.json``."""
        return {"id": self.case.id, "n": self.n, "model": self.scores["model"].as_dict(),
                "baselines": {b: self.scores[b].as_dict() for b in BASELINES}}


def ensemble_seeds(runs: int) -> list[int]:
    """The seeds of an ensemble: the same for every case and every behaviour (common random numbers)."""
    return list(range(runs))


def roster_on(case: Case) -> Roster:
    """The roster as it stood on the case's date."""
    return load_roster(DATA_DIR / "states.csv", case.date)


def simulate_case(case: Case, behaviour: dict[str, Any] | None, runs: int) -> tuple[list[str], np.ndarray]:
    """Run a case's scenario once per seed and count the members' final stances.

    Returns:
        (members' ISO3 codes, members x stances probabilities with columns by stance code).
    """
    from sim.batch.run import run_scenario
    from sim.format.loading import scenario_from_dict

    scenario = scenario_from_dict(case_scenario(case, behaviour))
    counts: np.ndarray | None = None
    iso3: list[str] = []
    for seed in ensemble_seeds(runs):
        model = run_scenario(scenario, seed=seed).model
        forum = model.forums[0]
        stances = forum.stances[forum.member_index].astype(np.int64)
        if counts is None:
            iso3 = [model.world.iso3[i] for i in forum.member_index]
            counts = np.zeros((len(iso3), len(Stance)))
        counts[np.arange(len(iso3)), stances] += 1
    return iso3, counts / max(runs, 1)


def score(probs: np.ndarray, recorded: np.ndarray, options: tuple[Stance, ...]) -> Scores:
    """Accuracy, Brier score, tally error, macro-F1 and the finding of resisters, of
    probabilities against recorded stances (the module docstring defines each).

    Example:
        >>> opts = (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN)
        >>> p = np.zeros((2, 5)); p[0, 2] = 1.0; p[1, 2] = 0.5; p[1, 3] = 0.5  # columns: stance codes
        >>> s = score(p, np.array([2, 3]), opts).as_dict()
        >>> s["accuracy"], s["brier"], s["tally_error"], s["macro_f1"]
        (0.5, 0.25, 0.166667, 0.333333)
        >>> s["resist_recall"], s["resist_precision"]
        (1.0, 1.0)
    """
    cols = [int(o) for o in options]
    p = probs[:, cols]
    observed = (recorded[:, None] == np.array(cols)[None, :]).astype(float)
    picked = predicted(probs, options)
    n = max(len(recorded), 1)
    if not len(recorded):
        return Scores(*(float("nan"),) * 6)
    return Scores(
        accuracy=float(np.mean(picked == recorded)),
        brier=float(np.mean(np.sum((p - observed) ** 2, axis=1))),
        tally_error=float(np.mean(np.abs(p.sum(axis=0) - observed.sum(axis=0))) / n),
        macro_f1=macro_f1(picked, recorded, cols),
        **dict(zip(("resist_recall", "resist_precision"),
                   resisters_found(picked, recorded), strict=True)),
    )


def predicted(probs: np.ndarray, options: tuple[Stance, ...]) -> np.ndarray:
    """Each state's predicted stance from its probabilities (states x stance codes): yes
    (endorse) when P(yes) >= 1/2, else its likeliest other option of the rule (ties: the rule's
    order). Where the rule has no yes, the likeliest option.

    Example:
        >>> opts = (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN)
        >>> p = np.zeros((3, 5))
        >>> p[0, [1, 2, 3]] = 0.45, 0.30, 0.25  # the likeliest is yes, but less likely than not
        >>> p[1, [1, 2, 3]] = 0.50, 0.20, 0.30
        >>> p[2, [1, 2, 3]] = 0.20, 0.40, 0.40
        >>> [Stance(int(s)).word for s in predicted(p, opts)]
        ['oppose', 'endorse', 'oppose']
    """
    cols = [int(o) for o in options]
    p = probs[:, cols]
    if int(Stance.ENDORSE) not in cols:
        return np.array(cols)[np.argmax(p, axis=1)]
    yes = cols.index(int(Stance.ENDORSE))
    others = [k for k in range(len(cols)) if k != yes]
    if not others:
        return np.full(len(p), cols[yes])
    other = np.array(cols)[others][np.argmax(p[:, others], axis=1)]
    return np.where(p[:, yes] >= 0.5, cols[yes], other)


def macro_f1(picked: np.ndarray, recorded: np.ndarray, options: list[int]) -> float:
    """Mean F1 over the options recorded or predicted at least once.

    Example:
        >>> macro_f1(np.array([1, 1, 2]), np.array([1, 2, 2]), [1, 2, 3])
        0.666667
    """
    f1 = []
    for k in options:
        tp = int(np.sum((picked == k) & (recorded == k)))
        wrong = int(np.sum((picked == k) != (recorded == k)))
        if tp + wrong:
            f1.append(2 * tp / (2 * tp + wrong))
    return round(float(np.mean(f1)), 6) if f1 else float("nan")


def resisters_found(picked: np.ndarray, recorded: np.ndarray) -> tuple[float, float]:
    """(recall, precision) of the states that did not say yes (stance other than ENDORSE)."""
    said, did = picked != Stance.ENDORSE, recorded != Stance.ENDORSE
    hit = int(np.sum(said & did))
    return (hit / did.sum() if did.any() else float("nan"),
            hit / said.sum() if said.any() else float("nan"))


def _mode(stances: list[Stance], order: tuple[Stance, ...]) -> Stance:
    """The most common stance; ties go to the first in ``order``."""
    counts = Counter(stances)
    return max(order, key=lambda s: (counts.get(s, 0), -order.index(s)))


def most_common(recorded: dict[str, Stance], options: tuple[Stance, ...]) -> dict[str, Stance]:
    """Baseline (a): every state takes the case's most common recorded stance.

    Example:
        >>> rec = {"A": Stance.ENDORSE, "B": Stance.ENDORSE, "C": Stance.OPPOSE}
        >>> set(most_common(rec, (Stance.ENDORSE, Stance.OPPOSE)).values()) == {Stance.ENDORSE}
        True
    """
    top = _mode(list(recorded.values()), options)
    return {c: top for c in recorded}


def group_majority(recorded: dict[str, Stance], group_of: dict[str, str],
                   options: tuple[Stance, ...]) -> dict[str, Stance]:
    """Baseline (b): each state follows the most common recorded stance of the OTHER scored
    members of its UN regional group (never its own); alone in its group: ``most_common``."""
    fallback = _mode(list(recorded.values()), options)
    out = {}
    for code in recorded:
        peers = [s for c, s in recorded.items() if c != code and group_of.get(c) == group_of.get(code)
                 and group_of.get(code)]
        order = (fallback,) + tuple(o for o in options if o != fallback)
        out[code] = _mode(peers, order) if peers else fallback
    return out


def bloc_leader(recorded: dict[str, Stance], roster: Roster, options: tuple[Stance, ...],
                leaders: dict[str, tuple[str, ...]] = BLOC_LEADERS) -> dict[str, Stance]:
    """Baseline (c): each state follows the recorded stance of the leader of its first bloc (in
    ``leaders``' order) whose leader, other than itself, has one; in no such bloc: ``most_common``.
    With two leaders that differ, the first listed wins."""
    fallback = _mode(list(recorded.values()), options)
    out = {}
    for code in recorded:
        out[code] = fallback
        for bloc, heads in leaders.items():
            if code not in roster.groups.get(bloc, ()):
                continue
            cues = [recorded[h] for h in heads if h != code and h in recorded]
            if cues:
                out[code] = _mode(cues, tuple(dict.fromkeys(cues)))
                break
    return out


def earlier_case(case: Case, cases: list[Case]) -> Case | None:
    """The latest case before ``case`` with the same population kind and rule (None if none)."""
    earlier = [c for c in cases if c.date < case.date and c.rule == case.rule
               and c.population_kind == case.population_kind]
    return max(earlier, key=lambda c: c.date, default=None)


def earlier_decision(recorded: dict[str, Stance], earlier: dict[str, Stance] | None,
                     options: tuple[Stance, ...]) -> dict[str, Stance]:
    """Baseline (d): each state repeats its recorded stance in the earlier case, else ``most_common``."""
    fallback = _mode(list(recorded.values()), options)
    earlier = earlier or {}
    return {c: earlier[c] if earlier.get(c) in options else fallback for c in recorded}


def always_yes(recorded: dict[str, Stance]) -> dict[str, Stance]:
    """Baseline (e): every state says yes."""
    return {c: Stance.ENDORSE for c in recorded}


def persistence(case: Case, recorded: dict[str, Stance], series: bool = False) -> dict[str, Stance]:
    """Baselines (f) and (g): each state repeats its latest stance before the case's date in the
    bundled record (the module docstring says which); ``series``: in a vote, the same
    resolution's latest vote first."""
    from sim.world.record import (
        NO,
        YES,
        latest_votes,
        read_decisions,
        read_roll_calls,
        series_key,
    )

    if case.rule == "open_endorsement":
        return _latest_decision(case, recorded, read_decisions(DATA_DIR), "endorsement",
                                {"endorse": Stance.ENDORSE}, Stance.UNDECIDED)
    if case.rule == "consensus":
        return _latest_decision(case, recorded, read_decisions(DATA_DIR), "consensus",
                                {"object": Stance.OBJECT}, Stance.ENDORSE)
    calls = read_roll_calls(DATA_DIR)
    if calls is None:
        return always_yes(recorded)
    calls = calls.before(case.date)
    key = series_key(case.title) if series else ""
    same = [j for j, t in enumerate(calls.titles) if key and series_key(t) == key]
    latest = latest_votes(calls, case.topic)
    for j in same:  # the same resolution's earlier votes come before the topic's
        for i in np.flatnonzero(calls.votes[:, j] >= 0):
            latest[calls.iso3[i]] = int(calls.votes[i, j])
    word = {YES: Stance.ENDORSE, NO: Stance.OPPOSE}
    return {c: word.get(latest[c], Stance.ABSTAIN) if c in latest else Stance.ENDORSE
            for c in recorded}


def _latest_decision(case: Case, recorded: dict[str, Stance], decisions, kind: str,
                     telling: dict[str, Stance], otherwise: Stance) -> dict[str, Stance]:
    from sim.topics import family

    def matching(topic_of) -> list:
        return [d for d in decisions if d.kind == kind and d.date < case.date and topic_of(d)]

    earlier = (matching(lambda d: d.topic == case.topic)
               or matching(lambda d: family(d.topic) == family(case.topic)))
    out = {c: otherwise for c in recorded}
    for d in earlier:  # in date order: later decisions overwrite
        for c, stance in d.stances.items():
            if c in out:
                out[c] = telling.get(stance, otherwise)
    return out


def one_hot(stances: list[Stance]) -> np.ndarray:
    """Probabilities that put each state wholly on its stance (a one-hot row per state)."""
    out = np.zeros((len(stances), len(Stance)))
    out[np.arange(len(stances)), [int(s) for s in stances]] = 1.0
    return out


def recorded_stances(case: Case) -> dict[str, Stance]:
    """ISO3 -> recorded stance of the case's scored members."""
    return case.recorded(case.members(roster_on(case)))


def baseline_predictions(case: Case, cases: list[Case]) -> dict[str, dict[str, Stance]]:
    """Each baseline's stance for every scored state of ``case`` (``cases``: for the earlier one)."""
    roster = roster_on(case)
    recorded = recorded_stances(case)
    group_of = {c: g for g in UN_GROUPS for c in roster.groups.get(g, ())}
    before = earlier_case(case, cases)
    return {
        "most_common": most_common(recorded, case.options),
        "group_majority": group_majority(recorded, group_of, case.options),
        "bloc_leader": bloc_leader(recorded, roster, case.options),
        "earlier_decision": earlier_decision(recorded, recorded_stances(before) if before else None,
                                             case.options),
        "always_yes": always_yes(recorded),
        "persistence": persistence(case, recorded),
        "persistence_series": persistence(case, recorded, series=True),
    }


def backtest_case(case: Case, cases: list[Case], behaviour: dict[str, Any] | None, runs: int,
                  with_baselines: bool = True) -> CaseResult:
    """Score the model (an ensemble of ``runs`` seeds) and the baselines on one case."""
    roster = roster_on(case)
    recorded = recorded_stances(case)
    group_of = {c: g for g in UN_GROUPS for c in roster.groups.get(g, ())}
    iso3 = sorted(recorded, key=lambda c: (group_of.get(c, "~"), c))
    codes = np.array([int(recorded[c]) for c in iso3], dtype=np.int64)
    result = CaseResult(case, iso3, [group_of.get(c, "-") for c in iso3], codes)
    members, probs = simulate_case(case, behaviour, runs)
    # a state outside a regional forum (cases.region_of) takes no part: no stance
    probs = np.vstack([probs, np.eye(len(Stance))[Stance.UNDECIDED]])
    row = {c: i for i, c in enumerate(members)}
    result.probs["model"] = (probs[[row.get(c, len(members)) for c in iso3]] if iso3
                             else np.zeros((0, len(Stance))))
    if with_baselines:
        for name, said in baseline_predictions(case, cases).items():
            result.probs[name] = one_hot([said[c] for c in iso3])
    for name, p in result.probs.items():
        result.scores[name] = score(p, codes, case.options)
    return result


def backtest(cases: list[Case], behaviour: dict[str, Any] | None = None, runs: int = 20,
             with_baselines: bool = True) -> list[CaseResult]:
    """Backtest every case that has at least one scored state (see the module docstring)."""
    return [backtest_case(c, cases, behaviour, runs, with_baselines) for c in cases
            if recorded_stances(c)]


def validation_json(results: list[CaseResult]) -> dict[str, Any]:
    """``validation.json``: ``{"cases": [{"id", "n", "model": {...}, "baselines": {NAME: {...}}}]}``."""
    return {"cases": [r.as_dict() for r in results]}
