"""``plenary plan``: search the campaigns of a text's lead sponsor for the one that does best in a
forum, and report it on fresh seeds beside the scenario's own.

The search space (:func:`campaign`), for the lead sponsor of the text the forum decides (the first
strategy on that text, else its first sponsor):

- whom to court each round: one of the outreach rules, or ``listed`` with targets chosen from a
  pool of candidates (the members that resist the text under the scenario's own strategies,
  blockers first, then the non-endorsers closest to endorsing: :func:`candidates`), in the pool's
  order; the visits per round stay the scenario's (its delegation's staff);
- demarches before each forum on the text opens (to the targets first) and capacity building for
  the members of the pool with less capability than the sponsor (capacity building flows to
  states that lack it; its value is scaled by the sponsor's weight,
  :func:`agents.strategy.leverage`), within ``budget`` (in demarches; a capacity package costs
  ``behaviour.capacity_cost``: :func:`agents.strategy.cost`);
- how many endorsers to invite to co-sponsor each round (0-3);
- how far to concede (none, or a step, the stalled rounds before it, and a cap of at most
  ``max_concession``: a diplomat who may not water the text down sets it to 0).

Candidates are proposed by Optuna's TPE sampler (Bergstra et al. 2011), seeded, in batches of a
fixed size told back in order, so the search does not depend on the number of workers. Every
candidate runs on the same search seeds (common random numbers). The best candidate (or the
scenario's own strategies, when none beats them on the search seeds) is then run with the own
strategies on fresh seeds the search never saw, and the paired differences are reported with 95%
t intervals: the search's best score is biased upward (the winner's curse), the fresh one is not.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from agents.strategy import cost
from analysis.compare import Ensemble, mean_ci, process_pool, resisters, run_ensembles, run_seeds, wilson
from analysis.strategies import LoadedStrategy, apply_strategy, own_strategy, strategy_from_dict
from sim.engine.model import NegotiationModel
from sim.errors import Problem, ScenarioError
from sim.format.scenario import Scenario, Strategy
from sim.stance import Stance

Objective = Literal["endorsements", "adoption"]
RULES = ("swing", "allies_first", "regional_hubs", "random", "listed")
CONCEDE_STEPS = (0.0, 0.02, 0.05, 0.1)
MAX_COSPONSORS = 3
MAX_CONCESSION = 0.3  # the most a plan concedes in all, by default (``--max-concession``)
POOL = 8  # candidates to court or offer capacity building
BATCH = 8  # candidates asked of the sampler at a time (fixed: the search must not depend on workers)


@dataclass(frozen=True)
class Target:
    """What the plan is for: a text, the forum (track) that decides it, and its lead sponsor."""

    forum: str
    proposal: str
    track: int  # position among the model's forum tracks
    sponsor: str
    members: np.ndarray  # positions of the forum's members in the state arrays
    rounds: tuple[int, int]  # first and last round in which some forum deliberates the text


@dataclass
class Candidate:
    """One campaign tried on the search seeds."""

    number: int
    strategy: Strategy
    endorsements: float
    adoption: float
    score: float


@dataclass
class Plan:
    """What :func:`plan_campaign` found; ``analysis/plan_report.py`` shows and writes it."""

    scenario: Scenario
    target: Target
    objective: Objective
    budget: float
    seed: int
    search_seeds: np.ndarray
    fresh_seeds: np.ndarray
    pool: list[str]
    aid_pool: list[str]
    own: LoadedStrategy
    own_search: Candidate
    candidates: list[Candidate]
    best: Candidate
    strategy: LoadedStrategy  # the winner as a strategy file
    fresh: dict[str, Any] = field(default_factory=dict)

    @property
    def beats_own(self) -> bool:
        """Whether the winner's paired interval on fresh seeds lies above zero."""
        d = self.fresh["diff_" + self.objective]
        return bool(d["ci95"][0] is not None and d["ci95"][0] > 0)


def find_target(scenario: Scenario, forum: str, text: str | None = None,
                model: NegotiationModel | None = None) -> Target:
    """The track of ``forum`` deciding ``text`` (its first text by default) and its lead sponsor
    (``model``: one already built of ``scenario``, else one is built).

    Raises:
        ScenarioError: ``--forum`` or ``--text`` names nothing in the scenario.
    """
    ids = [f.id for f in scenario.forums]
    if forum not in ids:
        raise ScenarioError([Problem("--forum", 0, "forum",
                                     f"no forum {forum!r} in {scenario.name}; forums: {', '.join(ids)}")])
    spec = scenario.forums[ids.index(forum)]
    proposal = text or spec.texts[0]
    if proposal not in spec.texts:
        raise ScenarioError([Problem("--text", 0, "text", f"forum {forum!r} decides "
                                     f"{', '.join(spec.texts)}, not {proposal!r}")])
    model = model or NegotiationModel(scenario, seed=scenario.seed)
    track = next(k for k, f in enumerate(model.forums)
                 if f.forum_id == forum and f.proposal == proposal)
    own = [st.sponsor for st in scenario.strategies if _applies(st, proposal, scenario)]
    sponsors = next(p.sponsors for p in scenario.proposals if p.id == proposal)
    if not own and not sponsors:
        raise ScenarioError([Problem("--text", 0, "text", f"{proposal!r} has no sponsor to "
                                     "campaign for it")])
    deciding = [f for f in model.forums if f.proposal == proposal]
    rounds = (min(f.opens for f in deciding), max(f.decides for f in deciding))
    return Target(forum, proposal, track, (own or sponsors)[0],
                  model.forums[track].member_index, rounds)


def candidates(ensemble: Ensemble, target: Target, sponsors: set[int], iso3: list[str],
               size: int = POOL) -> list[str]:
    """The members worth courting or offering capacity building: those that resist the text
    (object, vote no or abstain: :func:`analysis.compare.resisters`, blockers first), then the
    other non-endorsers, the closest to endorsing (highest mean utility of the text) first."""
    k, members = target.track, target.members
    order = resisters(ensemble, k, members, sponsors, iso3)
    stances = ensemble.stances[:, k, members]
    against = np.isin(stances, (Stance.OBJECT, Stance.OPPOSE, Stance.ABSTAIN)).any(axis=0)
    utility = np.nan_to_num(ensemble.utility[:, k, members].astype(float), nan=-np.inf).mean(axis=0)
    resisting = [j for j in order if against[j]]
    rest = sorted((j for j in order if not against[j]), key=lambda j: (-utility[j], iso3[members[j]]))
    return [iso3[members[j]] for j in (resisting + rest)[:size]]


def campaign(params: dict[str, Any], base: Strategy, pool: list[str], aid_pool: list[str],
             budget: float, capacity_cost: float, max_concession: float = MAX_CONCESSION) -> Strategy:
    """The lead sponsor's strategy for a set of sampled ``params``, within ``budget``: capacity
    packages in ``aid_pool``'s order while they fit, then as many of the demarches as still fit.

    Example:
        >>> base = Strategy(sponsor="NLD", proposal="t", budget=4)
        >>> p = {"outreach": "listed", "court_0": 1, "court_1": 0, "aid_0": 1, "aid_1": 1,
        ...      "demarches": 5, "cosponsors": 1, "concede": 0.0, "stall": 2, "concede_share": 1.0}
        >>> s = campaign(p, base, ["KEN", "NGA"], ["KEN", "NGA"], budget=7, capacity_cost=3)
        >>> (s.outreach, s.targets, s.capacity, s.demarches, s.budget, s.concessions)
        ('listed', ['KEN'], ['KEN', 'NGA'], 1, 4, None)
    """
    targets = [c for i, c in enumerate(pool) if params.get(f"court_{i}")]
    outreach = params["outreach"] if params["outreach"] != "listed" or targets else "swing"
    capacity: list[str] = []
    for i, c in enumerate(aid_pool):
        if params.get(f"aid_{i}") and cost(0, len(capacity) + 1, capacity_cost) <= budget:
            capacity.append(c)
    left = budget - cost(0, len(capacity), capacity_cost)
    demarches = int(min(params["demarches"], math.floor(left + 1e-9)))
    concessions = None
    if params["concede"] > 0:
        concessions = {"step": params["concede"], "stall_rounds": params["stall"],
                       "max_total": round(params["concede_share"] * max_concession, 6)}
    return Strategy.model_validate({
        "sponsor": base.sponsor, "proposal": base.proposal, "budget": base.budget,
        "outreach": outreach, "targets": targets, "demarches": demarches, "capacity": capacity,
        "invite_cosponsors": params["cosponsors"], "concessions": concessions})


def _distributions(pool: list[str], aid_pool: list[str], budget: float,
                   max_concession: float) -> dict[str, Any]:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    space: dict[str, Any] = {"outreach": CategoricalDistribution(RULES)}
    for i in range(len(pool)):
        space[f"court_{i}"] = CategoricalDistribution((0, 1))
    for i in range(len(aid_pool)):
        space[f"aid_{i}"] = CategoricalDistribution((0, 1))
    space["demarches"] = IntDistribution(0, max(0, int(budget)))
    space["cosponsors"] = IntDistribution(0, MAX_COSPONSORS)
    space["concede"] = CategoricalDistribution(tuple(c for c in CONCEDE_STEPS
                                                     if c <= max_concession))
    space["stall"] = IntDistribution(2, 8)
    space["concede_share"] = FloatDistribution(0.1, 1.0, step=0.1)  # of max_concession
    return space


def score(ensemble: Ensemble, target: Target, objective: Objective) -> tuple[float, float, float]:
    """(mean endorsements, P(adopt), score) of ``ensemble`` in the target's forum. The score of
    ``adoption`` breaks ties between equal probabilities by endorsements (a term below one run's
    share of adoption)."""
    k = target.track
    endorsements = float(ensemble.endorsements[:, k].mean())
    adoption = float(ensemble.adopted[:, k].mean())
    if objective == "endorsements":
        return endorsements, adoption, endorsements
    runs = len(ensemble.adopted)
    return endorsements, adoption, adoption + endorsements / len(target.members) / (runs + 1)


def _applies(st: Strategy, proposal: str, scenario: Scenario) -> bool:
    """Whether a strategy campaigns for ``proposal`` (no ``proposal:``: the sponsor's own text)."""
    if st.proposal is not None:
        return st.proposal == proposal
    return any(p.id == proposal and st.sponsor in p.sponsors for p in scenario.proposals)


def with_campaign(own: LoadedStrategy, strategy: Strategy, scenario: Scenario, name: str,
                  description: str) -> LoadedStrategy:
    """``own`` (a strategy file) with the lead sponsor's strategy on the text replaced (in its
    place; added at the end when it had none)."""
    old = own.spec.strategies
    mine = [i for i, st in enumerate(old) if st.sponsor == strategy.sponsor
            and _applies(st, str(strategy.proposal), scenario)]
    rows = [st.model_dump(exclude_defaults=True) for i, st in enumerate(old) if i not in mine]
    at = mine[0] if mine else len(rows)
    rows.insert(at, strategy.model_dump(exclude_defaults=True))
    return strategy_from_dict({"name": name, "description": description, "strategies": rows})


def _own_lead(own: LoadedStrategy, target: Target, scenario: Scenario) -> Strategy:
    """The lead sponsor's own strategy on the text (a quiet one when it has none)."""
    for st in own.spec.strategies:
        if st.sponsor == target.sponsor and _applies(st, target.proposal, scenario):
            return st.model_copy(update={"proposal": target.proposal})
    return Strategy(sponsor=target.sponsor, proposal=target.proposal, budget=0)


@contextlib.contextmanager
def _maybe_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    if workers <= 1:
        yield None
        return
    pool = process_pool(workers)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def plan_campaign(scenario: Scenario, forum: str, text: str | None = None,
                  objective: Objective = "endorsements", budget: float = 10.0, runs: int = 20,
                  trials: int = 100, fresh: int = 200, seed: int | None = None, workers: int = 1,
                  max_concession: float = MAX_CONCESSION,
                  advance: Callable[[int], None] | None = None) -> Plan:
    """Search ``trials`` campaigns on ``runs`` search seeds; report the best on ``fresh`` seeds.

    Args:
        scenario: the scenario; its own strategies are the reference.
        forum, text: the forum whose decision on the text is the objective.
        objective: ``endorsements`` (the mean count) or ``adoption`` (P(adopt), ties broken by
            endorsements).
        budget: demarches and capacity packages before the forums open, in demarches.
        runs, trials, fresh: search seeds per candidate, candidates, fresh seeds.
        seed: search seeds ``seed .. seed + runs - 1``, fresh ones the ``fresh`` after them.
        workers: processes (the result does not depend on them).
        max_concession: the most the text may move in all (0: no concessions).
        advance: called with the number of runs finished.
    """
    import optuna

    seed = scenario.seed if seed is None else seed
    reference = NegotiationModel(scenario, seed=seed)
    target = find_target(scenario, forum, text, reference)
    search_seeds, fresh_seeds = run_seeds(seed, runs), run_seeds(seed + runs, fresh)
    own = own_strategy(scenario)
    base = _own_lead(own, target, scenario)
    capacity_cost = scenario.behaviour.capacity_cost
    sponsors = set(reference.sponsors[target.proposal].tolist())
    iso3 = list(reference.world.iso3)
    with _maybe_pool(workers) as pool:
        def run(variants: list[tuple[str, Scenario]], seeds: np.ndarray) -> list[Ensemble]:
            return run_ensembles(variants, seeds, workers, advance, pool)

        [own_ensemble] = run([("own", apply_strategy(scenario, own))], search_seeds)
        e, a, s = score(own_ensemble, target, objective)
        own_search = Candidate(-1, base, e, a, s)
        ranked = candidates(own_ensemble, target, sponsors, iso3, size=len(iso3))
        pool_states = ranked[:POOL]
        # capacity building goes to states with less capability than the sponsor
        weaker = reference.capability < reference.capability[reference.world.index[target.sponsor]]
        aid_pool = [c for c in ranked if weaker[reference.world.index[c]]][:POOL]
        space = _distributions(pool_states, aid_pool, budget, max_concession)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="maximize",
                                    sampler=optuna.samplers.TPESampler(seed=seed))
        tried: list[Candidate] = []
        while len(tried) < trials:
            asked = [study.ask(space) for _ in range(min(BATCH, trials - len(tried)))]
            strategies = [campaign(t.params, base, pool_states, aid_pool, budget, capacity_cost,
                                   max_concession) for t in asked]
            variants = [(f"candidate {len(tried) + i}",
                         apply_strategy(scenario, with_campaign(own, st, scenario, "candidate", "")))
                        for i, st in enumerate(strategies)]
            for trial, st, ensemble in zip(asked, strategies, run(variants, search_seeds), strict=True):
                e, a, s = score(ensemble, target, objective)
                study.tell(trial, s)
                tried.append(Candidate(len(tried), st, e, a, s))
        best = max(tried, key=lambda c: (c.score, -c.number))
        if best.score <= own_search.score:
            best = own_search
        words = describe(best.strategy, target, scenario)
        winner = with_campaign(own, best.strategy, scenario, "plan",
                               f"plenary plan for {target.sponsor} on {target.proposal} in "
                               f"{target.forum} (objective: {objective}, budget {budget:g}): "
                               + "; ".join(words))
        fresh_own, fresh_plan = run([("own", apply_strategy(scenario, own)),
                                     ("plan", apply_strategy(scenario, winner))], fresh_seeds)
    result = Plan(scenario, target, objective, budget, seed, search_seeds, fresh_seeds,
                  pool_states, aid_pool, own, own_search, tried, best, winner)
    result.fresh = fresh_comparison(fresh_own, fresh_plan, target)
    return result


def fresh_comparison(own: Ensemble, plan: Ensemble, target: Target) -> dict[str, Any]:
    """The plan beside the own strategies on the fresh seeds: means and paired differences of
    endorsements and adoption in the target forum, with 95% intervals (t; Wilson for the
    probabilities of adoption)."""
    k = target.track
    out: dict[str, Any] = {"runs": len(own.adopted)}
    for key, a, b in (("endorsements", own.endorsements[:, k], plan.endorsements[:, k]),
                      ("adoption", own.adopted[:, k], plan.adopted[:, k])):
        a, b = a.astype(float), b.astype(float)
        if key == "adoption":  # a probability: Wilson intervals, which stay within [0, 1]
            out["own_adoption"] = _interval(*wilson(int(a.sum()), len(a)))
            out["plan_adoption"] = _interval(*wilson(int(b.sum()), len(b)))
        else:
            out[f"own_{key}"] = _interval(*mean_ci(a))
            out[f"plan_{key}"] = _interval(*mean_ci(b))
        out[f"diff_{key}"] = _interval(*mean_ci(b - a))
    return out


def _interval(mean: float, lo: float, hi: float) -> dict[str, Any]:
    def num(v: float) -> float | None:
        return None if math.isnan(v) else round(float(v), 6)
    return {"mean": num(mean), "ci95": [num(lo), num(hi)]}


def describe(st: Strategy, target: Target, scenario: Scenario) -> list[str]:
    """The campaign in a diplomat's words, one line per lever."""
    first, last = target.rounds
    lines = []
    if st.budget == 0:
        lines.append("no outreach visits during the talks")
    elif st.outreach == "listed":
        lines.append(f"court {', '.join(st.targets)} (in that order, while they hold out), up to "
                     f"{st.budget} visits a round, in rounds {first}-{last}")
    else:
        how = {"swing": "the members closest to tipping", "allies_first": "the best-tied allies",
               "regional_hubs": "the best-connected regional hubs",
               "random": "hold-outs at random"}[st.outreach]
        lines.append(f"court {how} first, up to {st.budget} visits a round, in rounds {first}-{last}")
    if st.demarches:
        named = st.targets[:st.demarches]
        more = st.demarches - len(named)
        who = [", ".join(named)] if named else []
        if more:
            who.append(f"{more} more of the members closest to the text" if named
                       else f"the {more} members closest to the text")
        lines.append(f"demarches in the capitals of {' and '.join(who)} before each forum on "
                     f"{target.proposal} opens")
    if st.capacity:
        lines.append(f"offer capacity building to {', '.join(st.capacity)} "
                     f"({scenario.behaviour.capacity_cost:g} demarches each)")
    if st.invite_cosponsors:
        lines.append(f"invite {st.invite_cosponsors} endorser{'s' if st.invite_cosponsors > 1 else ''} "
                     "a round to co-sponsor")
    if st.concessions is not None:
        c = st.concessions
        dims = ", ".join(scenario.dimension_names())
        lines.append(f"concede {c.step:g} toward the hold-outs (on {dims}) after {c.stall_rounds} "
                     f"rounds without a new endorsement, at most {c.max_total:g} in all")
    else:
        lines.append("concede nothing")
    return lines
