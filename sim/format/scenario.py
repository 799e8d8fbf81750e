"""The scenario format: pydantic models that validate YAML, give typed access and write the schema.

A scenario is one YAML file (see ``scenarios/reaim_2023.yaml``); ``sim/format/loading.py`` reads it,
resolves ``extends:`` and ``--set``, validates it against :class:`Scenario` and reports every
problem with its file, line and field. Its functions (``load_scenario``, ``validate_scenario``,
``scenario_from_dict``, ``apply_override``, ``problem_from_pydantic``) can also be imported from
here, as before the split.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from sim.format.yamlio import Locations
from sim.paths import PROJECT_ROOT, resolve_data_path
from sim.topics import TOPICS

Unit = Annotated[float, Field(ge=0.0, le=1.0)]

#: BOUNDS, far past any sensible value, that keep numbers finite inside the model: a weight of the
#: decision model is at most MAX_WEIGHT (utilities stay far from overflow), a count (visits,
#: co-sponsors, endorsements, rounds) at most MAX_COUNT (the compiled kernels take 64-bit ints).
MAX_WEIGHT = 1000.0
MAX_COUNT = 100_000
#: the largest capability relative to others (capabilities from data are within 0.01 to 100)
MAX_CAPABILITY = 1e6
Weight = Annotated[float, Field(ge=0.0, le=MAX_WEIGHT)]
SignedWeight = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT)]
Form = Literal["political_declaration", "resolution", "principles", "binding_instrument"]
Rule = Literal["open_endorsement", "consensus", "vote", "qualified_majority"]
Targeting = Literal["swing", "allies_first", "regional_hubs", "random", "listed"]
StakeholderKind = Literal["industry", "research", "civil_society"]
Topic = Literal[TOPICS]  # type: ignore[valid-type]
StanceWord = Literal["endorse", "oppose", "abstain", "object", "undecided"]

DEFAULT_TIE_WEIGHTS: dict[str, float] = {
    # Judgement, not data: how strongly sharing a group ties two states' stances together.
    # Military alliances and the EU's common foreign policy bind most; large political
    # groupings (NAM, G20, OAS) bind little. UN regional groups coordinate candidacies and
    # often statements. Override per scenario under world.ties.
    "NATO": 1.0, "EU": 1.0, "CSTO": 1.0, "GCC": 0.6, "SCO": 0.4, "ASEAN": 0.5, "CARICOM": 0.6,
    "ECOWAS": 0.5, "AU": 0.3, "ARAB_LEAGUE": 0.3, "G7": 0.5, "OECD": 0.2, "G20": 0.1,
    "OAS": 0.2, "NAM": 0.1, "CCW": 0.0,
    "AG": 0.3, "APG": 0.2, "EEG": 0.3, "GRULAC": 0.3, "WEOG": 0.3,
    "other": 0.2,
}

DEFAULT_FORM_COSTS: dict[str, float] = {
    # Judgement: the domestic cost of committing to each form, before it is scaled by capability.
    "political_declaration": 0.0, "principles": 0.1, "resolution": 0.2, "binding_instrument": 1.0,
}


#: JUDGEMENT, stated once and not fitted to outcomes: where a text of each form sits on the two
#: standard dimensions (stringency: 0 = no new rules, 1 = a binding prohibition; human_control:
#: 0 = no requirement, 1 = meaningful human control over every use of force). They follow the
#: bundled scenarios: a political declaration of responsible use (reaim_2023.yaml), principles
#: like the CCW's eleven (ccw_gge_laws.yaml), a resolution asking for views and a report
#: (unga_laws_2023.yaml), a binding instrument as its supporters ask for it (ccw_gge_laws.yaml).
FORM_POSITIONS: dict[str, dict[str, float]] = {
    "political_declaration": {"stringency": 0.3, "human_control": 0.55},
    "principles": {"stringency": 0.2, "human_control": 0.55},
    "resolution": {"stringency": 0.45, "human_control": 0.7},
    "binding_instrument": {"stringency": 0.75, "human_control": 0.8},
}

#: Rules whose decision binds every member whatever its vote: the Council of the EU's qualified
#: majority adopts legislation that binds the minority too, and membership has already accepted
#: it, so the cost of a binding form falls on a member whichever option it takes and does not
#: weigh in its choice. (Judgement, Dec 2026: a vote or a consensus on a treaty text binds only
#: those who join it later, so there the cost stays.)
BINDS_EVERY_MEMBER = frozenset({"qualified_majority"})

#: JUDGEMENT: the form of the texts a state's record under each rule was made on (what it voted
#: on in the General Assembly, joined or blocked by consensus, endorsed at summits).
RECORD_FORMS: dict[str, str] = {
    "vote": "resolution", "qualified_majority": "resolution", "consensus": "principles",
    "open_endorsement": "political_declaration",
}


class Strict(BaseModel):
    """Base of every model of the format: unknown keys are errors, not silently ignored, and every
    number is finite (.nan and .inf are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


class Dimension(Strict):
    """A policy dimension in [0, 1], e.g. ``stringency`` (0 = no new rules, 1 = a ban)."""

    name: str = Field(min_length=1, description="Name used in positions and ideal points.")
    description: str = Field("", description="What 0 and 1 mean on this dimension.")
    weight: float = Field(1.0, ge=0.0, le=MAX_WEIGHT,
                          description="Weight of this dimension in policy distance.")
    status_quo: Unit = Field(
        0.0, description="Where this dimension stands if nothing is agreed (the reversion point)."
    )


class StateProfile(Strict):
    """Starting attributes of a state; any field left out keeps the value from the level below."""

    ideal: dict[str, Unit] | None = Field(None, description="Ideal point per dimension, in [0, 1].")
    salience: Unit | None = Field(None, description="How much the state cares, in [0, 1].")
    capability: float | None = Field(
        None, gt=0.0, le=MAX_CAPABILITY, description="How much the state's word moves others (relative, > 0)."
    )


class Tie(Strict):
    """An extra tie between two states (prior co-sponsorship, a bilateral partnership)."""

    a: str = Field(description="ISO3 code of one state.")
    b: str = Field(description="ISO3 code of the other state.")
    weight: float = Field(1.0, gt=0.0, le=MAX_WEIGHT,
                          description="Weight of the tie (group ties are 0.1-1).")


class World(Strict):
    """Who takes part, how they start, and how they are tied to each other."""

    roster: str = Field(
        "scenarios/data/states.csv",
        description="CSV of states (iso3,name,un_status,un_group,...); memberships.csv beside it.",
    )
    as_of: date | None = Field(
        None,
        description="The world as it stood on this date: memberships, and the stated positions "
        "made before it (default: today's roster and every statement).",
    )
    include: list[str] = Field(
        default_factory=lambda: ["UN"],
        description="ISO3 codes or group names to include; 'UN' = UN members, 'all' = everyone.",
    )
    exclude: list[str] = Field(default_factory=list, description="ISO3 codes or groups to leave out.")
    capability: Literal["data", "uniform"] = Field(
        "data",
        description="'data': from military expenditure in indicators.csv beside the roster "
        "(see sim/world/profiles.py); 'uniform': 1 for every state. Overrides apply on top.",
    )
    positions: Literal["data", "none"] = Field(
        "data",
        description="'data': ideal points and salience from the stated positions in "
        "positions.csv beside the roster, made before as_of (see sim/world/profiles.py); 'none': "
        "only this file's values.",
    )
    record: Literal["data", "none"] = Field(
        "none",
        description="'data': the recorded votes, endorsements and blocks beside the roster "
        "(votes.csv, decisions.csv) made before as_of set each member's leaning in the forums "
        "that name a topic:, and the ideal points of states with no stated position "
        "(sim/world/record/); 'none': not used.",
    )
    defaults: StateProfile = Field(
        default_factory=StateProfile, description="Starting attributes of every state."
    )
    groups: dict[str, StateProfile] = Field(
        default_factory=dict, description="Overrides for the members of a group, applied in order."
    )
    states: dict[str, StateProfile] = Field(
        default_factory=dict, description="Overrides for single states (ISO3), applied last."
    )
    spread: float = Field(
        0.0, ge=0.0, le=0.5, description="Std. dev. of seeded noise added to ideal points."
    )
    ties: dict[str, Weight] = Field(
        default_factory=dict, description="Tie weight per shared group (overrides the defaults)."
    )
    extra_ties: list[Tie] = Field(default_factory=list, description="Ties between two states.")
    record_ties: float = Field(
        0.0, ge=0.0, le=10.0,
        description="With record: data, tie each state to the five states that voted most like it "
        "in the roll calls before as_of, with this weight times their share of votes alike "
        "(co-voting affinity, beside the membership ties); 0: none.",
    )
    leaders: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Bloc leaders whose stance cues the bloc's members: group -> ISO3 codes.",
    )


class Proposal(Strict):
    """A text under negotiation: a point in the policy space and a form."""

    id: str = Field(min_length=1, description="Name the forums use to refer to this text.")
    title: str = Field("", description="A readable title.")
    position: dict[str, Unit] = Field(description="Position on each dimension, in [0, 1].")
    form: Form = Field(description="political_declaration, resolution, principles or binding_instrument.")
    sponsors: list[str] = Field(default_factory=list, description="ISO3 codes; they always endorse.")


class Threshold(Strict):
    """What the forum's rule needs to adopt the proposal."""

    majority: Literal["simple", "two_thirds"] = Field(
        "simple", description="vote: share of those present and voting that must say yes."
    )
    members: Unit = Field(0.55, description="qualified_majority: share of members voting yes.")
    weight: Unit = Field(0.65, description="qualified_majority: share of weight voting yes.")
    weight_by: Literal["equal", "capability", "given"] = Field(
        "capability", description="qualified_majority: what a member's weight is ('given': "
        "the weights: below, e.g. the EU Council's population figures)."
    )
    weights: dict[str, Annotated[float, Field(ge=0.0, le=1e10)]] = Field(
        default_factory=dict,
        description="qualified_majority with weight_by: given: each member's weight (ISO3 -> "
        "weight), for every member.",
    )
    blocking_minority: int | None = Field(
        None, ge=1, le=MAX_COUNT,
        description="qualified_majority: the fewest members a blocking minority needs; with "
        "fewer members not voting yes, the weight criterion is deemed met (the EU Council: 4, "
        "TEU Art. 16(4)). Default: no such clause.",
    )
    min_endorsements: int = Field(
        1, ge=0, le=MAX_COUNT,
        description="open_endorsement: endorsements needed for the text to count as adopted."
    )


class Forum(Strict):
    """A place where a proposal is decided under a rule."""

    id: str = Field(min_length=1, description="Name used in outputs and by after: and --set.")
    title: str = Field("", description="A readable title.")
    rule: Rule = Field(description="The decision rule (sim/engine/forums.py).")
    proposal: str | None = Field(None, description="id of the proposal decided here.")
    proposals: list[str] = Field(
        default_factory=list,
        description="ids of competing proposals decided here, instead of proposal: each member "
        "backs at most one of them (agents/coalitions.py).",
    )
    members: list[str] = Field(
        default_factory=lambda: ["all"], description="'all', group names or ISO3 codes."
    )
    exclude: list[str] = Field(
        default_factory=list, description="ISO3 codes or groups left out of the members."
    )
    opens: int = Field(0, ge=0, le=MAX_COUNT, description="Round in which states start taking positions.")
    decides: int | None = Field(
        None, ge=0, le=MAX_COUNT,
        description="Round of the decision (default: last).",
    )
    threshold: Threshold = Field(
        default_factory=Threshold, description="What the rule needs to adopt the text."
    )
    after: str | None = Field(None, description="id of a forum whose outcome this one starts from.")
    pull: float = Field(
        0.0, ge=-MAX_WEIGHT, le=MAX_WEIGHT,
        description="Reputational pull of taking part (adds to utility).",
    )
    attendance: Unit | None = Field(
        None,
        description="Expected share of members taking part (sending a delegation, engaging with "
        "the text); the others hold no stance (sim/engine/attendance.py). Default: everyone, or "
        "behaviour.endorsement_turnout for open_endorsement (everyone when the record sets "
        "who endorses: topic: with world.record: data).",
    )
    arrival: Unit = Field(
        0.0,
        description="The chance each round that a member not yet taking part comes to the text "
        "(an open endorsement that grows over months as states come to it one by one); "
        "demarches and capacity building raise it as they raise taking part "
        "(sim/engine/attendance.py). 0: who takes part is drawn once, when the forum opens. Not with "
        "topic: (the record then says who takes part).",
    )
    topic: Topic | None = Field(
        None,
        description="What the text is about (autonomous_weapons, ai_military, outer_space, ict, "
        "nuclear, ...): with world.record: data, each member leans toward the options as its "
        "record on this topic says (sim/world/record/, agents/disposition.py).",
    )
    reference: dict[str, Unit] | None = Field(
        None,
        description="Where the texts of the members' record on the topic sat, per dimension "
        "(default: the lower of this text's position and that of the rule's usual form, "
        "FORM_POSITIONS of RECORD_FORMS in sim/format/scenario.py): a text stricter than those moves "
        "states the way their ideal points say (agents/disposition.py); a binding instrument "
        "also costs more than the record's form did.",
    )
    real_outcome: str = Field(
        "",
        description="What really happened, for a forum that models a real decision (with its "
        "source), shown beside the simulated outcome (outcomes tables, plenary run).",
    )
    pin: dict[str, StanceWord] = Field(
        default_factory=dict,
        description="Stances fixed outright, ISO3 -> endorse/oppose/abstain/object/undecided "
        "(a red line, for what-if questions): the state takes part and holds it all along.",
    )

    @model_validator(mode="after")
    def _one_way_to_name_texts(self) -> Forum:
        if self.proposal is None and not self.proposals:
            raise ValueError("name the text decided here with 'proposal:' (or several with 'proposals:')")
        if self.proposal is not None and self.proposals:
            raise ValueError("give either 'proposal:' or 'proposals:', not both")
        return self

    @property
    def texts(self) -> list[str]:
        """The ids of the texts decided here, in order."""
        return [self.proposal] if self.proposal is not None else list(self.proposals)

    def track_id(self, proposal: str) -> str:
        """The id of one text's track in outputs: the forum's id, or ``forum/text`` when the
        forum decides several texts."""
        return self.id if len(self.texts) == 1 else f"{self.id}/{proposal}"


class Behaviour(Strict):
    """Weights of the decision model (see agents/state.py for the equations).

    The defaults are a hand-set starting point that gives partial, non-trivial outcomes on the
    bundled scenarios; they are not calibrated (``plenary calibrate`` fits them to real cases).
    """

    baseline: float = Field(
        -0.2, ge=-MAX_WEIGHT, le=MAX_WEIGHT,
        description="Intercept: utility of endorsing a text at zero distance.")
    policy: float = Field(
        6.0, ge=0.0, le=MAX_WEIGHT,
        description="Weight of salience-weighted policy distance.")
    status_quo_weight: float = Field(
        1.0, ge=0.0, le=MAX_WEIGHT,
        description="1: a state weighs the text against no agreement (how much closer the text "
        "is than the status quo); 0: against its own ideal point only.",
    )
    social: float = Field(0.6, ge=0.0, le=MAX_WEIGHT, description="Weight of tied states' stances.")
    bloc_cue: float = Field(0.4, ge=0.0, le=MAX_WEIGHT, description="Weight of the bloc leaders' stance.")
    cue_shield: Unit = Field(
        1.0,
        description="How much a state's own salience shields it from social and bloc cues: "
        "they are weighted by 1 - cue_shield * salience (0: cues weigh the same for all).",
    )
    forum_pull: float = Field(
        1.0, ge=0.0, le=MAX_WEIGHT,
        description="Weight of the forum's reputational pull.")
    form_cost: float = Field(
        1.0, ge=0.0, le=MAX_WEIGHT,
        description="Weight of the domestic cost of the form.")
    form_costs: dict[Form, SignedWeight] = Field(
        default_factory=lambda: dict(DEFAULT_FORM_COSTS), description="Cost of each form."
    )
    inertia: float = Field(0.5, ge=0.0, le=MAX_WEIGHT, description="Bonus for keeping one's current stance.")
    attention: Unit = Field(
        0.2,
        description="Chance per round that a state of salience 0.5 reconsiders its stance "
        "(2 * attention * salience in general); everyone decides in a vote's or a consensus "
        "forum's decision round.",
    )
    objection_cost: float = Field(1.0, ge=0.0, le=MAX_WEIGHT, description="Cost of blocking a consensus.")
    oppose_cost: float = Field(
        1.0, ge=0.0, le=MAX_WEIGHT,
        description="Cost of a no vote (against abstaining, the quiet option)."
    )
    abstain_bias: float = Field(
        0.0, ge=-MAX_WEIGHT, le=MAX_WEIGHT,
        description="Extra utility of abstaining in a vote.")
    noise: float = Field(
        0.4, gt=0.0, le=MAX_WEIGHT,
        description="Logit temperature: 0+ deterministic, large random.")
    drift: Unit = Field(0.005, description="Opinion dynamics: step toward close neighbours per round.")
    confidence: Unit = Field(0.3, description="Opinion dynamics: bound beyond which views are ignored.")
    chain_pull: float = Field(
        0.5, ge=-MAX_WEIGHT, le=MAX_WEIGHT,
        description="Extra forum pull when the forum it follows adopted.")
    endorsement_turnout: Unit = Field(
        0.5,
        description="Expected share of members taking part in a forum open for endorsement, "
        "unless the forum sets attendance: (sim/engine/attendance.py; other rules: everyone). A prior "
        "of one half, not fitted; plenary calibrate fits it.",
    )
    engagement: float = Field(
        1.0, ge=0.0, le=MAX_WEIGHT,
        description="How much salience decides who takes part when attendance < 1 (0: chance alone).",
    )
    bandwagon: float = Field(
        0.0, ge=0.0, le=MAX_WEIGHT,
        description="Pull of a coalition's size: adds bandwagon * (capability share of the forum's "
        "members backing the text) to the utility of backing it (agents/coalitions.py).",
    )
    balancing: float = Field(
        0.0, ge=0.0, le=MAX_WEIGHT,
        description="Push of rival coalitions: adds balancing * (capability share backing the "
        "other texts of the forum) to the utility of backing this one (agents/coalitions.py).",
    )
    record_weight: Unit = Field(
        1.0,
        description="How far a member's record sets its leaning where a forum names a topic: "
        "1 = its recorded propensities are its starting disposition, 0 = ignored "
        "(agents/disposition.py).",
    )
    record_cues: Unit = Field(
        0.5,
        description="Where the record sets the members' leaning (a forum with a topic), the share "
        "of the social and bloc weights that still applies: a state's record already holds its "
        "usual alignment with its neighbours and bloc leaders (agents/disposition.py). Chosen on "
        "the 2019-2021 roll calls (plenary validate --record).",
    )
    outreach: Unit = Field(0.03, description="Share of the gap to the text closed by one outreach visit.")
    outreach_leverage: float = Field(
        1.0, ge=0.0, le=MAX_WEIGHT,
        description="How much relative capability scales a visit: the share is multiplied by "
        "(2 c_sponsor / (c_sponsor + c_target)) ** outreach_leverage (0: not at all).",
    )
    demarche_turnout: float = Field(
        1.0, ge=0.0, le=20.0,
        description="Demarches before a forum opens (a strategy's demarches:): how much one raises "
        "the courted member's log-odds of taking part (agents/strategy.py). A judgement "
        "(docs/levers.md).",
    )
    capacity_gain: float = Field(
        0.5, ge=0.0, le=20.0,
        description="Capacity building or side payments (a strategy's capacity:): the value of "
        "endorsing the text added for each recipient, in the units of the decision model, "
        "scaled by the sponsor's capability relative to the recipient's as a visit is "
        "(outreach_leverage; agents/strategy.py; docs/levers.md for the literature).",
    )
    capacity_turnout: float = Field(
        2.0, ge=0.0, le=20.0,
        description="Capacity building: how much it raises a recipient's log-odds of taking part.",
    )
    capacity_cost: float = Field(
        3.0, ge=0.0, le=1000.0,
        description="Capacity building's cost in demarches (what a plan's --budget counts).",
    )

    def form_weight(self, form: str, rule: str) -> float:
        """The weight of a text's form in its members' choice (before capability scales it):
        ``form_cost`` x ``form_costs[form]``, and none under a rule that binds every member
        whatever its vote (:data:`BINDS_EVERY_MEMBER`)."""
        if rule in BINDS_EVERY_MEMBER:
            return 0.0
        return self.form_cost * self.form_costs.get(form, 0.0)


class Concessions(Strict):
    """Move the text toward hold-outs when endorsements stall (trading depth for breadth)."""

    step: Unit = Field(0.05, description="Distance moved per concession.")
    stall_rounds: int = Field(
        3, ge=1, le=MAX_COUNT,
        description="Rounds without a new endorsement before conceding.",
    )
    max_total: Unit = Field(0.3, description="Largest total distance the text may move.")


class Strategy(Strict):
    """What a sponsor does each round to win endorsements."""

    sponsor: str = Field(description="ISO3 code of the acting state.")
    proposal: str | None = Field(None, description="id of the proposal (default: the one it sponsors).")
    budget: int = Field(3, ge=0, le=MAX_COUNT, description="Outreach visits per round.")
    outreach: Targeting = Field("swing", description="Whom to court first.")
    concessions: Concessions | None = Field(None, description="Concede when endorsements stall.")
    invite_cosponsors: int = Field(
        0, ge=0, le=MAX_COUNT,
        description="Endorsers invited to co-sponsor per round.",
    )
    targets: list[str] = Field(
        default_factory=list, max_length=400,
        description="ISO3 codes, in order: outreach 'listed' courts only these (the first "
        "hold-outs first), and demarches go to them first.")
    demarches: int = Field(
        0, ge=0, le=1000,
        description="Visits in capitals before each forum deciding the text opens: each courted "
        "member is moved as by an outreach visit and is likelier to take part "
        "(behaviour.demarche_turnout). Targets first, then the members closest to the text.")
    capacity: list[str] = Field(
        default_factory=list, max_length=400,
        description="ISO3 codes of states offered capacity building (or side payments) before the "
        "forums deciding the text open: each values endorsing it more "
        "(behaviour.capacity_gain) and is likelier to take part; each costs "
        "behaviour.capacity_cost demarches.")


class Stakeholder(Strict):
    """A non-state actor: no vote, but it moves the states it is tied to."""

    id: str = Field(min_length=1, description="Name of the stakeholder.")
    kind: StakeholderKind = Field(description="industry, research or civil_society.")
    position: dict[str, Unit] = Field(description="Its position on each dimension, in [0, 1].")
    influence: Unit = Field(0.05, description="Share of the gap closed per round in tied states.")
    salience_push: float = Field(0.0, ge=-1.0, le=1.0, description="Change of salience per round.")
    ties: list[str] = Field(description="ISO3 codes or groups it is tied to.")


class Scenario(Strict):
    """One negotiation scenario: the world, the texts, the forums, the behaviour, the strategies."""

    name: str = Field(min_length=1, description="Name of the scenario (in outputs).")
    description: str = Field("", description="What the scenario is about.")
    seed: int = Field(0, ge=0, description="Default seed (the CLI's --seed overrides it).")
    rounds: int = Field(100, ge=1, le=100_000, description="Rounds to simulate (0 to rounds-1).")
    world: World = Field(default_factory=World, description="Who takes part and how they start.")
    dimensions: list[Dimension] = Field(
        min_length=1, description="The policy dimensions (a name alone is enough)."
    )
    proposals: list[Proposal] = Field(min_length=1, description="The texts under negotiation.")
    forums: list[Forum] = Field(min_length=1, description="Where the texts are decided.")
    behaviour: Behaviour = Field(
        default_factory=Behaviour, description="Weights of the decision model."
    )
    strategies: list[Strategy] = Field(default_factory=list, description="Sponsors' strategies.")
    stakeholders: list[Stakeholder] = Field(
        default_factory=list, description="Non-state actors and the states they move."
    )

    _source: Path | None = PrivateAttr(None)
    _locations: Locations = PrivateAttr(default_factory=Locations)

    @field_validator("dimensions", mode="before")
    @classmethod
    def _names_as_dimensions(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from (None when built in Python)."""
        # (read from pydantic's dict of private attributes: ``self._source`` goes through
        # BaseModel.__getattr__, a few microseconds that a sweep pays several times a run)
        return self.__pydantic_private__["_source"]

    def dimension_names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def roster_path(self) -> Path:
        """The roster CSV: relative paths are taken from the scenario's folder, then the project."""
        return resolve_data_path(self.world.roster, self._source)

    def forum(self, forum_id: str) -> Forum:
        return next(f for f in self.forums if f.id == forum_id)

    def proposal(self, proposal_id: str) -> Proposal:
        return next(p for p in self.proposals if p.id == proposal_id)


def write_schema(path: str | Path | None = None) -> Path:
    """Write the JSON Schema of the format (``scenarios/scenario.schema.json`` by default)."""
    target = Path(path) if path else PROJECT_ROOT / "scenarios" / "scenario.schema.json"
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {
        "description": "Scenario file(s) this one inherits (deep merge).",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    target.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return target
