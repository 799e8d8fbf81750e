"""Rolling-origin backtest over the record itself (``plenary validate --record``).

Every roll call of the bundled record (``scenarios/data/votes.csv``) from ``since`` on is a case:
a vote of the UN members on a resolution with its title and topic, on its date. The model
predicts it as it predicts any case (``analysis/validation.py``: an ensemble of runs of the
case's scenario, which reads only the record strictly before the vote's date); the persistence
baseline repeats each state's latest earlier vote on the topic (``persistence_series``: on the
same resolution first); always yes says yes. Scores are pooled over all the states of
all the roll calls of a topic (and of all topics): accuracy, Brier, macro-F1 over yes / no /
abstain, and the recall and precision of the states that did not vote yes. States absent from a
vote are not scored; a First Committee vote known only from a press release scores the states it
names and the yes votes of the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from analysis.cases import Case
from analysis.validation import (
    CaseResult,
    Scores,
    always_yes,
    backtest_case,
    one_hot,
    persistence,
    score,
)
from sim.paths import DATA_DIR
from sim.stance import Stance
from sim.world.record import ABSTAIN, NO, YES, read_roll_calls

PREDICTORS = ("model", "persistence", "persistence_series", "always_yes")
WORD = {YES: Stance.ENDORSE, NO: Stance.OPPOSE, ABSTAIN: Stance.ABSTAIN}
VOTE_OPTIONS = tuple(WORD.values())
SINCE = date(2019, 9, 1)  # the 74th session on


def record_cases(since: date = SINCE, until: date | None = None) -> list[Case]:
    """The roll calls of the record from ``since`` (before ``until``) with a known topic, as cases."""
    calls = read_roll_calls(DATA_DIR)
    if calls is None:
        return []
    out = []
    for j, day in enumerate(calls.dates):
        if day < since or (until is not None and day >= until) or calls.topics[j] == "other":
            continue
        listed = {calls.iso3[i]: WORD[int(v)] for i, v in enumerate(calls.votes[:, j]) if v >= 0}
        out.append(Case(id=calls.ids[j], rule="vote", date=day, form="resolution",
                        population="un_members", listed=listed, others="unknown",
                        title=calls.titles[j], topic=calls.topics[j]))
    return out


def _predictions(case: Case, runs: int, behaviour: dict[str, Any] | None) -> CaseResult:
    """The model's probabilities on one roll call, and those (one-hot) of the baselines."""
    result = backtest_case(case, [], behaviour, runs, with_baselines=False)
    recorded = {c: Stance(int(s)) for c, s in zip(result.iso3, result.recorded, strict=True)}
    for name, said in (("persistence", persistence(case, recorded)),
                       ("persistence_series", persistence(case, recorded, series=True)),
                       ("always_yes", always_yes(recorded))):
        result.probs[name] = one_hot([said[c] for c in result.iso3])
    return result


def _pooled(probs: list[np.ndarray], recorded: list[np.ndarray]) -> Scores:
    """:func:`analysis.validation.score` over the states of several roll calls at once (a tally
    error over several roll calls means nothing: left out)."""
    pooled = score(np.concatenate(probs), np.concatenate(recorded), VOTE_OPTIONS)
    return replace(pooled, tally_error=float("nan"))


def backtest_record(runs: int = 10, since: date = SINCE, until: date | None = None,
                    advance: Callable[[], None] | None = None,
                    behaviour: dict[str, Any] | None = None) -> dict[str, Any]:
    """Predict every roll call of the record from ``since`` from the record before it.

    Returns:
        ``{"roll_calls": n, "by_topic": {topic: {"n_roll_calls", "n_votes", predictor: scores}},
        "all": {predictor: scores}, "since", "until"}``.
    """
    cases = record_cases(since, until)
    pools: dict[str, dict[str, tuple[list, list]]] = {}  # topic -> predictor -> (probs, recorded)
    counts: dict[str, list[int]] = {}
    for case in cases:
        result = _predictions(case, runs, behaviour)
        for topic in (case.topic, "all"):
            counts.setdefault(topic, [0, 0])
            counts[topic][0] += 1
            counts[topic][1] += result.n
            for name in PREDICTORS:
                probs, recorded = pools.setdefault(topic, {}).setdefault(name, ([], []))
                probs.append(result.probs[name])
                recorded.append(result.recorded)
        if advance is not None:
            advance()
    report = {"roll_calls": len(cases), "since": since.isoformat(),
              "until": until.isoformat() if until else None, "runs": runs, "by_topic": {}}
    for topic, pool in sorted(pools.items()):
        entry = {"n_roll_calls": counts[topic][0], "n_votes": counts[topic][1]}
        entry.update({name: _pooled(*pool[name]).as_dict() for name in PREDICTORS})
        if topic == "all":
            report["all"] = entry
        else:
            report["by_topic"][topic] = entry
    return report
