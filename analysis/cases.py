"""Real cases for backtests: loading a case file and building each case's scenario.

A case file (``scenarios/cases/cases.yaml``, a copy of the team's, is the default) lists real decisions: the
rule, the date, the form of the text, the population that decided and each listed state's
recorded stance. :func:`load_cases` reads any file in that format (unknown fields are tolerated;
malformed ones become :class:`~sim.errors.Problem` s with file, line and field). :func:`case_scenario`
turns a case into a one-forum scenario built only from what was on record *before* the decision:
the roster and memberships as of the date, the stated positions made strictly before it
(``world.as_of`` is the leak guard of ``sim/world/profiles.py``), the rule, and a position of the text
that is a judgement per form (:data:`FORM_POSITIONS`), never fitted to outcomes. The case's recorded
stances are never read by :func:`case_scenario`: they are only for scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.format.scenario import FORM_POSITIONS
from sim.format.yamlio import Locations, load_yaml
from sim.paths import DATA_DIR, PROJECT_ROOT
from sim.stance import Stance
from sim.topics import TOPICS, topic_of_title
from sim.world.roster import Roster, load_roster

#: Where ``plenary validate`` looks when no case file is given: the copy of the team's case file
#: shipped with Plenary (``scenarios/cases/cases.yaml``), so that a clone validates on its own.
DEFAULT_CASES = PROJECT_ROOT / "scenarios" / "cases" / "cases.yaml"

RULES = ("vote", "consensus", "open_endorsement", "qualified_majority")
FORMS = ("political_declaration", "resolution", "principles", "binding_instrument")
POPULATIONS = {"un_members": "UN", "ccw_parties": "CCW"}

#: The case files' stance words and the engine's stance each stands for (None: not scored).
CASE_STANCES: dict[str, Stance | None] = {
    "yes": Stance.ENDORSE, "no": Stance.OPPOSE, "abstain": Stance.ABSTAIN,
    "endorse": Stance.ENDORSE, "not_endorsed": Stance.UNDECIDED, "object": Stance.OBJECT,
    "non_voting": None, "unknown": None,
}

#: ``others`` (the members not listed) and the stance they are scored with (None: not scored).
#: Caveat: ``yes_or_absent`` members voted yes *or did not vote*; absent states are scored as yes,
#: which flatters any predictor that says yes (the sources name only the no and abstain votes).
OTHERS: dict[str, Stance | None] = {
    "yes_or_absent": Stance.ENDORSE, "not_endorsed": Stance.UNDECIDED, "endorse": Stance.ENDORSE,
    "unknown": None, "none": None,
}

#: Real parties that are not in Plenary's roster (the UN members and the two observer states):
#: a case may list them (Kosovo endorsed the US Political Declaration; the Cook Islands and Niue
#: are parties to treaties), and they are left out of the scoring with a note, where any other
#: code outside the roster is an error (most likely a typo). XKX is the code in common use for
#: Kosovo (user-assigned; it has no ISO 3166 code).
OUTSIDE_ROSTER: dict[str, str] = {"XKX": "Kosovo", "TWN": "Taiwan", "COK": "Cook Islands",
                                  "NIU": "Niue"}

#: The stances each rule lets a member take, in the engine's order of options.
RULE_OPTIONS: dict[str, tuple[Stance, ...]] = {
    "vote": (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN),
    "qualified_majority": (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN),
    "consensus": (Stance.ENDORSE, Stance.ABSTAIN, Stance.OBJECT),
    "open_endorsement": (Stance.UNDECIDED, Stance.ENDORSE),
}

#: JUDGEMENT: whose stance the members of each bloc watch. Used as the scenario's
#: ``world.leaders`` and by the bloc-leader baseline; the order is the baseline's priority (a
#: state in several blocs follows the first bloc whose leader has a recorded stance).
BLOC_LEADERS: dict[str, tuple[str, ...]] = {
    "NATO": ("USA",), "CSTO": ("RUS",), "EU": ("FRA", "DEU"), "SCO": ("CHN",), "GCC": ("SAU",),
    "ASEAN": ("IDN", "SGP"), "CARICOM": ("JAM", "TTO"), "ECOWAS": ("NGA",),
    "ARAB_LEAGUE": ("EGY", "SAU"), "AU": ("ZAF", "NGA"), "GRULAC": ("BRA", "MEX"),
    "WEOG": ("USA",), "EEG": ("RUS",), "APG": ("CHN", "IND"), "AG": ("ZAF", "NGA"),
}

#: JUDGEMENT (as in the bundled scenarios): where states with no stated position start.
DEFAULT_PROFILE = {"ideal": {"stringency": 0.5, "human_control": 0.6}, "salience": 0.3}
#: JUDGEMENT: a decision is settled over ten rounds of consultations (the bounded-confidence
#: drift of thirty rounds moved states' views further than a real vote's weeks do).
OPENS, DECIDES = 0, 10

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

#: JUDGEMENT: the roster group that decides a case whose ``forum`` names an organisation, or a
#: region together with the word "regional" (a regional conference is convened for the region's
#: states). In order, first match wins: "Latin America and Caribbean" is GRULAC, the Caribbean
#: alone CARICOM. A region's name without "regional" ("a summit in South Africa") names no group.
ORGANISATIONS: tuple[tuple[str, str], ...] = (
    (r"\bcaricom\b|caribbean community", "CARICOM"),
    (r"\becowas\b|economic community of west african states", "ECOWAS"),
    (r"african union", "AU"),
    (r"\basean\b|association of southeast asian nations", "ASEAN"),
    (r"arab league|league of arab states", "ARAB_LEAGUE"),
    (r"\boas\b|organi[sz]ation of american states", "OAS"),
    (r"\bgcc\b|gulf cooperation council", "GCC"),
    (r"\bsco\b|shanghai cooperation", "SCO"),
    (r"\bcsto\b|collective security treaty", "CSTO"),
)
REGIONS: tuple[tuple[str, str], ...] = (
    (r"latin america", "GRULAC"),
    (r"caribbean", "CARICOM"),
    (r"west africa", "ECOWAS"),
    (r"africa", "AU"),
    (r"south-?east asia", "ASEAN"),
    (r"\barab\b", "ARAB_LEAGUE"),
)


def _outside_roster(code: Any) -> bool:
    """Whether a listed code is a real party outside the roster (:data:`OUTSIDE_ROSTER`); a
    value that is not a string (a YAML list or mapping by mistake) is not, and stays an error."""
    return isinstance(code, str) and code in OUTSIDE_ROSTER


def region_of(case: Case) -> str | None:
    """The roster group that decided a case of all UN members held in a regional forum (its
    ``forum`` names an organisation of :data:`ORGANISATIONS`, or "regional" and a region of
    :data:`REGIONS`), else None. Only the case's description is read, never its stances.

    Example:
        >>> belen = Case("b", "open_endorsement", date(2023, 2, 24), "political_declaration",
        ...             "un_members", {}, forum="Latin America and Caribbean regional conference")
        >>> region_of(belen)
        'GRULAC'
        >>> from dataclasses import replace
        >>> region_of(replace(belen, forum="REAIM summit, The Hague")) is None
        True
    """
    if case.population != "un_members":
        return None
    text = case.forum.lower()
    for pattern, group in ORGANISATIONS:
        if re.search(pattern, text):
            return group
    if "regional" in text:
        for pattern, group in REGIONS:
            if re.search(pattern, text):
                return group
    return None


@dataclass(frozen=True)
class Case:
    """One real decision.

    Attributes:
        id: the case's id.
        rule: ``vote``, ``consensus``, ``open_endorsement`` or ``qualified_majority``.
        date: the decision date (the first date written in the file's ``date``).
        form: the form of the text decided.
        population: ``un_members``, ``ccw_parties`` or a tuple of ISO3 codes.
        listed: ISO3 -> the engine's stance for every listed state whose stance is scored.
        others: what the members not listed did (a key of :data:`OTHERS`).
        majority: ``simple`` or ``two_thirds`` (votes).
        title: the case's title.
        unscored: listed states whose stance is not scored (``non_voting``, ``unknown``).
        topic: what the text is about (the file's ``topic``, else read from the title by
            :func:`sim.topics.topic_of_title`, else from the forum): the record the members'
            dispositions come from.
        weights: qualified_majority: (ISO3, weight) of each member (the file's ``weights:``,
            e.g. the Council's population figures); empty: equal weights.
        blocking_minority: qualified_majority: the fewest members a blocking minority needs.
        forum: where it was decided (the file's ``forum``): a regional group or organisation
            named there decides in place of all UN members (:func:`region_of`).
        outside: listed parties outside the roster (:data:`OUTSIDE_ROSTER`): not scored.
    """

    id: str
    rule: str
    date: date
    form: str
    population: str | tuple[str, ...]
    listed: dict[str, Stance]
    others: str = "unknown"
    majority: str = "simple"
    title: str = ""
    unscored: frozenset[str] = field(default_factory=frozenset)
    topic: str = "other"
    weights: tuple[tuple[str, float], ...] = ()
    blocking_minority: int | None = None
    forum: str = ""
    outside: frozenset[str] = field(default_factory=frozenset)

    @property
    def population_kind(self) -> str:
        return self.population if isinstance(self.population, str) else "list"

    @property
    def options(self) -> tuple[Stance, ...]:
        return RULE_OPTIONS[self.rule]

    def members(self, roster: Roster) -> list[str]:
        """The states that decided: the population as it stood on the case's date, sorted."""
        if isinstance(self.population, str):
            return list(roster.groups.get(POPULATIONS[self.population], ()))
        return sorted(c for c in self.population if c in roster.names)

    def recorded(self, members: list[str]) -> dict[str, Stance]:
        """ISO3 -> recorded stance of every member that is scored (listed, or covered by ``others``)."""
        default = OTHERS[self.others]
        out: dict[str, Stance] = {}
        for code in members:
            if code in self.listed:
                out[code] = self.listed[code]
            elif code not in self.unscored and default is not None:
                out[code] = default
        return out


def parse_case_date(value: Any) -> date | None:
    """The first date in a case's ``date`` field.

    Example:
        >>> parse_case_date("2016-10-27 (plenary approval 2016-12-23)")
        datetime.date(2016, 10, 27)
    """
    if isinstance(value, date):
        return value
    match = _DATE.search(str(value))
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def load_cases(path: str | Path, roster_path: Path | None = None) -> list[Case]:
    """Read a case file; every malformed field is reported, all at once.

    Args:
        path: the YAML case file (``cases:`` a list of cases).
        roster_path: the states CSV that ISO3 codes are checked against (default: the project's).

    Returns:
        The cases, in file order.

    Raises:
        ScenarioError: one :class:`Problem` per malformed field, with file and line.
    """
    data, locs = load_yaml(path, str(path))
    roster = load_roster(roster_path or DATA_DIR / "states.csv")
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise ScenarioError([locs.problem(("cases",), "a case file needs `cases:`, a list of cases")])
    problems: list[Problem] = []
    cases: list[Case] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["cases"]):
        case = _parse_case(raw, ("cases", i), locs, roster, problems)
        if case is None:
            continue
        if case.id in seen:
            problems.append(locs.problem(("cases", i, "id"), f"case id {case.id!r} is given twice"))
        seen.add(case.id)
        cases.append(case)
    if not cases and not problems:
        problems.append(locs.problem(("cases",), "the file holds no case"))
    if problems:
        raise ScenarioError(problems)
    return cases


def _parse_case(raw: Any, at: tuple, locs: Locations, roster: Roster,
                problems: list[Problem]) -> Case | None:
    if not isinstance(raw, dict):
        problems.append(locs.problem(at, "a case must be a mapping of fields"))
        return None
    before = len(problems)

    def bad(key: str | tuple, message: str) -> None:
        problems.append(locs.problem(at + (key if isinstance(key, tuple) else (key,)), message))

    def choice(key: str, allowed, default=None) -> Any:
        value = raw.get(key, default)
        if value is None:
            bad(key, "required field is missing")
        elif value not in allowed:
            bad(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    case_id = raw.get("id")
    if not isinstance(case_id, str) or not case_id:
        bad("id", "required: a non-empty name")
    rule = choice("rule", RULES)
    form = choice("form", FORMS)
    others = choice("others", tuple(OTHERS), "unknown")
    topic = raw.get("topic")
    if not topic:  # read from the title, else (a title like "Freetown Communique") the forum
        topic = topic_of_title(str(raw.get("title", "")))
        if topic == "other":
            topic = topic_of_title(str(raw.get("forum") or ""))
    if topic not in TOPICS:
        bad("topic", f"{topic!r} is not one of {', '.join(TOPICS)}")
    majority = choice("majority", ("simple", "two_thirds"), "simple")
    when = parse_case_date(raw.get("date"))
    if when is None:
        bad("date", f"not a date (YYYY-MM-DD): {raw.get('date')!r}")

    outside: set[str] = set()
    population = raw.get("population")
    if isinstance(population, list):
        outside.update(c for c in population if _outside_roster(c))
        unknown = [c for c in population if not isinstance(c, str)
                   or (c not in roster.names and c not in OUTSIDE_ROSTER)]
        if unknown:
            bad("population", f"unknown ISO3 code(s): {', '.join(map(str, unknown[:8]))}")
        population = tuple(c for c in population if not _outside_roster(c))
    elif population not in POPULATIONS:
        bad("population", f"{population!r} is not one of {', '.join(POPULATIONS)} or a list of ISO3 codes")

    listed: dict[str, Stance] = {}
    unscored: set[str] = set()
    stances = raw.get("stances") or {}
    if not isinstance(stances, dict):
        bad("stances", "must map stance words to lists of ISO3 codes")
        stances = {}
    for word, codes in stances.items():
        word = {"True": "yes", "False": "no"}.get(word, word)  # YAML 1.1 reads bare yes/no as booleans
        if word not in CASE_STANCES:
            bad(("stances", word), f"{word!r} is not one of {', '.join(CASE_STANCES)}")
            continue
        if not isinstance(codes, list):
            bad(("stances", word), "must be a list of ISO3 codes")
            continue
        for k, code in enumerate(codes):
            if _outside_roster(code):
                outside.add(code)
            elif not isinstance(code, str) or code not in roster.names:
                bad(("stances", word, k), f"unknown ISO3 code {code!r}")
            elif code in listed or code in unscored:
                bad(("stances", word, k), f"{code} is listed under two stances")
            elif CASE_STANCES[word] is None:
                unscored.add(code)
            else:
                listed[code] = CASE_STANCES[word]
    if rule in RULE_OPTIONS:
        for code, stance in listed.items():
            if stance not in RULE_OPTIONS[rule]:
                bad("stances", f"{code}: stance {stance.word} is not possible under rule {rule}")
                break
        if others in OTHERS and OTHERS[others] is not None and OTHERS[others] not in RULE_OPTIONS[rule]:
            bad("others", f"{others!r} is not possible under rule {rule}")
    weights: list[tuple[str, float]] = []
    raw_weights = raw.get("weights") or {}
    if not isinstance(raw_weights, dict):
        bad("weights", "must map ISO3 codes to weights (numbers >= 0)")
        raw_weights = {}
    elif raw_weights and rule != "qualified_majority":
        bad("weights", "weights: count only with rule qualified_majority")
    for code, value in raw_weights.items():
        if not isinstance(code, str) or code not in roster.names:
            bad(("weights", code), f"unknown ISO3 code {code!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            bad(("weights", code), f"{value!r} is not a number >= 0")
        else:
            weights.append((code, float(value)))
    minority = raw.get("blocking_minority")
    if minority is not None and (isinstance(minority, bool) or not isinstance(minority, int) or minority < 1):
        bad("blocking_minority", f"{minority!r} is not a whole number >= 1")
    if len(problems) > before:
        return None
    return Case(id=case_id, rule=rule, date=when, form=form, population=population, listed=listed,
                others=others, majority=majority, title=str(raw.get("title", "")),
                unscored=frozenset(unscored), topic=topic, weights=tuple(weights),
                blocking_minority=minority, forum=str(raw.get("forum") or ""),
                outside=frozenset(outside))


def case_scenario(case: Case, behaviour: dict[str, Any] | None = None) -> dict[str, Any]:
    """The scenario of a case, as a dict for :func:`sim.format.loading.scenario_from_dict`.

    Built from the case's rule, date, form, title, topic and population only: the recorded
    stances are not read. The world is the roster as of the decision date with the stated
    positions made before it and the record (votes, endorsements, blocks) strictly before it
    (``world.record: data``, the forum's ``topic``: ``sim/world/record/``); one text at the position
    :data:`FORM_POSITIONS` gives its form; one forum of the population opening at round 0 and
    deciding at round 10; no sponsors, strategies or stakeholders (who sponsored is itself part
    of the record). A case of all UN members held in a regional forum (:func:`region_of`) is
    decided by the region's states, on a text at their median ideal point
    (:func:`drafted_by_members`).

    Example:
        >>> case = Case("x", "vote", date(2023, 11, 1), "resolution", "un_members", {})
        >>> s = case_scenario(case)
        >>> s["world"]["as_of"], s["forums"][0]["rule"], s["proposals"][0]["position"]["stringency"]
        ('2023-11-01', 'vote', 0.45)
    """
    region = region_of(case)
    if region is not None:
        members = [region]
    elif isinstance(case.population, str):
        members = [POPULATIONS[case.population]]
    else:
        members = list(case.population)
    forum: dict[str, Any] = {"id": "decision", "rule": case.rule, "proposal": "text", "members": members,
                             "opens": OPENS, "decides": DECIDES}
    if case.topic != "other":
        forum["topic"] = case.topic
    if case.rule == "vote":
        forum["threshold"] = {"majority": case.majority}
        # every member votes: what is scored is how the states that voted voted (absences
        # are not scored), so none is drawn absent from the record's absences
        forum["attendance"] = 1.0
    if case.rule == "qualified_majority":
        # the Council's double majority (TEU Art. 16(4)): 55% of the members and 65% of the
        # weight, the case's weights (its population figures) where it gives them
        threshold: dict[str, Any] = {"members": 0.55, "weight": 0.65}
        if case.weights:
            threshold.update(weight_by="given", weights=dict(case.weights))
        else:
            threshold["weight_by"] = "equal"
        if case.blocking_minority is not None:
            threshold["blocking_minority"] = case.blocking_minority
        forum["threshold"] = threshold
        forum["attendance"] = 1.0  # every member of the Council votes (absences are not scored)
    scenario = {
        "name": f"case_{case.id}",
        "description": f"Backtest of {case.id}: {case.title}",
        "seed": 0,
        "rounds": DECIDES + 1,
        "world": {
            "as_of": case.date.isoformat(),
            "record": "data",
            "include": members,
            "defaults": DEFAULT_PROFILE,
            "leaders": {g: list(v) for g, v in BLOC_LEADERS.items()},
        },
        "dimensions": [{"name": "stringency", "description": "0 = no new rules, 1 = a binding prohibition"},
                       # judgement (as in the bundled scenarios): without new rules states already
                       # claim human judgement over the use of force, so the reversion point is mid-way
                       {"name": "human_control", "status_quo": 0.5}],
        "proposals": [{"id": "text", "title": case.title, "form": case.form,
                       "position": dict(FORM_POSITIONS[case.form])}],
        "forums": [forum],
        "behaviour": dict(behaviour or {}),
    }
    if region is not None:
        scenario["proposals"][0]["position"] = drafted_by_members(scenario)
    return scenario


def drafted_by_members(scenario: dict[str, Any]) -> dict[str, float]:
    """JUDGEMENT: a text a regional group drafts for its own members sits at their median ideal
    point on each dimension (their stated positions before the date, else the default profile);
    the regional case's position in place of the form's (:data:`FORM_POSITIONS`)."""
    import numpy as np

    from sim.engine.model import NegotiationModel
    from sim.format.loading import scenario_from_dict

    model = NegotiationModel(scenario_from_dict(scenario), seed=0)
    rows = model.forums[0].member_index
    median = np.median(model.ideal[rows], axis=0)
    return {d: round(float(v), 4) for d, v in zip(model.dimensions, median, strict=True)}


def load_behaviour(path: str | Path) -> dict[str, Any]:
    """The ``behaviour:`` mapping of a YAML file (as ``plenary calibrate`` writes), checked
    against :class:`sim.format.scenario.Behaviour`; only the keys given are returned.

    Raises:
        ScenarioError: the file is missing, or a weight is unknown or out of range.
    """
    from pydantic import ValidationError

    from sim.format.scenario import Behaviour

    data, locs = load_yaml(path, str(path))
    if not isinstance(data, dict) or not isinstance(data.get("behaviour"), dict):
        raise ScenarioError([locs.problem(("behaviour",), "expected a `behaviour:` mapping of weights")])
    try:
        Behaviour.model_validate(data["behaviour"])
    except ValidationError as exc:
        raise ScenarioError([locs.problem(("behaviour", *err["loc"]), err["msg"])
                             for err in exc.errors()]) from None
    return dict(data["behaviour"])
