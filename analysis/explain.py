"""Why does a state do what it does? Its utility at each forum decision, split into the model's terms.

:func:`explain_state` steps a :class:`~sim.engine.model.NegotiationModel` itself and, just before each
decision round of the chosen forums, reads the model's arrays and computes the state's utility of
endorsing with the same functions and the same equation as ``agents/state.py``
(``deliberate_numpy``; the module docstring there has the equation)::

    U_i = baseline
        - b_policy * s_i * (d(x_i, q_p) - lambda * d(x_i, q_0))     policy
        + b_social * S_i * h_i                                     social pull
        + b_bloc * B_i * h_i                                       bloc cue
        + b_forum * pull_F                                         forum pull
        - b_form * cost(form) * c_i / max(c)                       form cost

Each term is also split by source: the policy term by dimension (each distance is shared among
dimensions in proportion to its squared, weighted gap w_k (x_ik - q_k)^2, so the parts add up to
the term exactly), the social pull by tied member j (b_social h_i w_ij a_j / sum_j w_ij), the bloc
cue by leader. Beside U_i it shows the inertia bonus of the stance held, the logit probability of
each option, and the utility the model itself recorded in that round (they agree to rounding:
``tests/test_explain.py``). One approximation: a forum that opens in its own decision round after
another forum is read before it opens (its inherited stances and chain pull are not yet applied).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np

from agents import coalitions
from agents.state import choice_probabilities, neighbour_mean, option_values, policy_distance
from sim.engine.model import ForumState, NegotiationModel
from sim.errors import ScenarioError
from sim.format.scenario import BINDS_EVERY_MEMBER, Scenario
from sim.stance import STANCE_SIGN, Stance

TERMS = ("baseline", "policy", "social", "bloc", "forum_pull", "coalition", "form_cost")


@dataclass
class Decision:
    """A state's utility of endorsing at one forum decision, term by term."""

    forum: str
    rule: str
    round: int
    iso3: str
    before: str
    after: str
    terms: dict[str, float]
    policy_by_dimension: dict[str, float]
    social_from: list[tuple[str, str, float]] = field(default_factory=list)
    bloc_from: list[tuple[str, str, float]] = field(default_factory=list)
    inertia: float = 0.0
    probabilities: dict[str, float] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    reconsiders: float = 1.0
    recorded: float = float("nan")
    detail: dict[str, str] = field(default_factory=dict)
    #: what overrides the logit choice: a co-sponsor always endorses; with rival texts a state
    #: backs only the one it values most (agents/coalitions.py)
    note: str = ""

    @property
    def utility(self) -> float:
        """The sum of the terms: the utility of endorsing."""
        return float(sum(self.terms.values()))


def explain_state(scenario: Scenario, iso3: str, forum: str | None = None,
                  seed: int | None = None) -> list[Decision]:
    """Run ``scenario`` and explain ``iso3``'s stance at each decision of the forum(s) it sits in.

    Args:
        scenario: the scenario.
        iso3: the state.
        forum: one forum's id (default: every forum the state is a member of).
        seed: the run's seed (default: the scenario's).

    Returns:
        One :class:`Decision` per forum decision, in round order.

    Raises:
        ScenarioError: the state is not in the scenario's world, the forum does not exist, or the
            state is not a member of it (located at the scenario's lines).

    Example:
        >>> from sim import load_scenario
        >>> from sim.paths import PROJECT_ROOT
        >>> s = load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml")
        >>> [(d.forum, d.after) for d in explain_state(s, "EEE", seed=1)]
        [('ccw', 'object'), ('summit', 'undecided')]
    """
    model = NegotiationModel(scenario, seed=seed)
    i = _state_index(model, iso3.strip().upper())
    forums = _forums(model, forum, i)
    decisions = []
    while model.running and model.round < model.rounds:
        t = model.round
        pending = [(f, _decision(model, f, i, t)) for f in forums if f.decides == t]
        model.step()
        for f, d in pending:
            d.after = Stance(int(f.stances[i])).word if f.present[i] else "absent"
            d.note = _override(model, f, i)
            d.recorded = float(f.utility[i])
            decisions.append(d)
    return decisions


def _state_index(model: NegotiationModel, iso3: str) -> int:
    if iso3 in model.world.index:
        return model.world.index[iso3]
    hint = difflib.get_close_matches(iso3.upper(), list(model.world.iso3), n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise ScenarioError([model.scenario._locations.problem(
        ("world", "include"), f"--state {iso3!r} is not in this scenario's world of "
                              f"{model.n} states{extra}")])


def _forums(model: NegotiationModel, forum_id: str | None, i: int) -> list[ForumState]:
    locs = model.scenario._locations
    if forum_id is None:
        return [f for f in model.forums if f.members[i]]
    if forum_id not in {f.id for f in model.forums}:
        ids = [f.id for f in model.forums]
        hint = difflib.get_close_matches(forum_id, ids, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ScenarioError([locs.problem(("forums",), f"--forum {forum_id!r} is not a forum of this "
                                                       f"scenario{extra}; forums: {', '.join(ids)}")])
    k = next(k for k, f in enumerate(model.forums) if f.id == forum_id)
    f = model.forums[k]
    if not f.members[i]:
        raise ScenarioError([locs.problem(("forums", k, "members"),
                                          f"{model.world.iso3[i]} is not a member of {forum_id}")])
    return [f]


def _decision(model: NegotiationModel, forum: ForumState, i: int, t: int) -> Decision:
    """The terms of state i's utility in ``forum`` from the model's arrays as they stand now."""
    b = model.behaviour
    proposal = forum.proposal
    iso3 = model.world.iso3
    s = float(model.salience[i])
    x = model.ideal[i:i + 1]
    q = model.positions[proposal]
    w = model.dim_weights
    lam = b.status_quo_weight
    d_text = float(policy_distance(x, q, w)[0])
    d_sq = float(policy_distance(x, model.status_quo, w)[0])
    policy_dims = {}
    for k, dim in enumerate(model.dimensions):
        policy_dims[dim] = -b.policy * s * (d_text * _share(x[0], q, w, k)
                                            - lam * d_sq * _share(x[0], model.status_quo, w, k))

    sign = STANCE_SIGN[forum.stances]
    heed = 1.0 - b.cue_shield * s
    # the forum's own weights of the cues (scaled where the record sets the leaning)
    social_w, bloc_w = float(forum.params[2]), float(forum.params[3])
    social_mean = float(neighbour_mean(model.world.ties, sign, forum.members)[i])
    bloc_mean = float((model.bloc_leaders @ sign)[i])
    terms = {
        "baseline": b.baseline,
        "policy": -b.policy * s * (d_text - lam * d_sq),
        "social": social_w * social_mean * heed,
        "bloc": bloc_w * bloc_mean * heed,
        "forum_pull": b.forum_pull * forum.pull,
        "coalition": _size_pull(model, forum),
        "form_cost": -b.form_weight(model.forms[proposal], forum.spec.rule)
        * float(model.capability_share[i]),
    }

    row = model.world.ties.getrow(i)
    present = forum.members[row.indices]
    total = float(row.data[present].sum())
    social_from = sorted(
        ((iso3[j], Stance(int(forum.stances[j])).word, social_w * heed * wij * sign[j] / total)
         for j, wij in zip(row.indices[present], row.data[present], strict=True) if sign[j] != 0),
        key=lambda item: (-abs(item[2]), item[0]))
    lead = model.bloc_leaders.getrow(i)
    bloc_from = sorted(
        ((iso3[j], Stance(int(forum.stances[j])).word, bloc_w * heed * lij * sign[j])
         for j, lij in zip(lead.indices, lead.data, strict=True)),
        key=lambda item: (-abs(item[2]), item[0]))

    options = forum.rule.options
    current = int(forum.stances[i])
    bias = forum.deliberation.bias[[i]] if forum.deliberation is not None else None
    values = option_values(np.array([sum(terms.values())]), options, np.array([current]), b, bias)
    probs = choice_probabilities(values, b.noise)[0]
    forced = t == forum.decides and forum.rule.forced_decision
    held = Stance(current)
    tied = int((forum.members[row.indices]).sum())
    return Decision(
        forum=forum.id, rule=forum.rule.name, round=t, iso3=iso3[i], before=held.word, after="",
        terms=terms, policy_by_dimension=policy_dims, social_from=social_from, bloc_from=bloc_from,
        inertia=b.inertia if held in options and held != Stance.UNDECIDED else 0.0,
        probabilities={o.word: float(p) for o, p in zip(options, probs, strict=True)},
        values={o.word: float(v) for o, v in zip(options, values[0], strict=True)},
        reconsiders=1.0 if forced else min(1.0, 2.0 * b.attention * s),
        detail={
            "policy": ", ".join(f"{d} {v:+.2f}" for d, v in policy_dims.items())
            + f" (text {_point(q)}, ideal {_point(x[0])}, no agreement {_point(model.status_quo)};"
              f" salience {s:.2f})",
            "social": f"mean stance of {tied} tied members {social_mean:+.2f}, heeded "
                      f"{heed:.2f}; " + (", ".join(f"{c} {v:+.3f} ({st})" for c, st, v in social_from[:5])
                                         or "no tied member has a stance"),
            "bloc": ", ".join(f"{c} {v:+.3f} ({st})" for c, st, v in bloc_from) or "no bloc leader",
            "forum_pull": f"pull {forum.pull:+.2f} x weight {b.forum_pull:g}",
            "coalition": (f"bandwagon {b.bandwagon:g} x its backers' capability share + balancing "
                          f"{b.balancing:g} x its rivals'" if b.bandwagon or b.balancing else ""),
            "form_cost": (f"{model.forms[proposal]}, capability share "
                          f"{float(model.capability_share[i]):.2f}"
                          if forum.spec.rule not in BINDS_EVERY_MEMBER else
                          f"none: a {forum.spec.rule} decision binds every member whatever its vote"),
            "disposition": ("added to each option's value from the record on "
                            f"{forum.spec.topic} (agents/disposition.py): "
                            + ", ".join(f"{o.word} {bias[0, int(o)]:+.2f}" for o in options)
                            if bias is not None and np.any(bias[0]) else ""),
        },
    )


def _size_pull(model: NegotiationModel, forum: ForumState) -> float:
    """Bandwagoning and balancing: what the coalitions' sizes add (agents/coalitions.py)."""
    b = model.behaviour
    if not (b.bandwagon or b.balancing):
        return 0.0
    group = model.tracks(forum.forum_id)
    pull = coalitions.size_pull(group, model.capability, b)
    return float(pull[group.index(forum)])


def _override(model: NegotiationModel, forum: ForumState, i: int) -> str:
    if not forum.present[i]:
        return "did not take part (sim/engine/attendance.py): it holds no stance and decides nothing"
    if i in model.sponsors[forum.proposal]:
        return f"co-sponsor of {forum.proposal}: always endorses it"
    backed = [t.proposal for t in model.tracks(forum.forum_id)
              if t is not forum and t.stances[i] == Stance.ENDORSE]
    return f"backs {backed[0]} (one text per state per forum)" if backed else ""


def _share(x: np.ndarray, q: np.ndarray, w: np.ndarray, k: int) -> float:
    """Dimension k's share of the squared weighted distance of x to q (0 when they coincide)."""
    parts = w * (x - q) ** 2
    total = float(parts.sum())
    return float(parts[k]) / total if total > 0 else 0.0


def _point(v: np.ndarray) -> str:
    return "/".join(f"{float(c):.2f}" for c in v)


LABELS = {"baseline": "baseline", "policy": "policy", "social": "social pull", "bloc": "bloc cue",
          "forum_pull": "forum pull", "coalition": "coalition size", "form_cost": "form cost"}


def print_explanation(decisions: list[Decision], console) -> None:
    """One table per decision: the terms, their sources, the options' probabilities."""
    from rich.table import Table

    for d in decisions:
        if d.after == "absent":  # no stance, no utility recorded: nothing to split
            console.print(f"{d.iso3} in {d.forum} ({d.rule}), decision round {d.round}: {d.note}",
                          highlight=False)
            continue
        table = Table(title=f"{d.iso3} in {d.forum} ({d.rule}), decision round {d.round}: "
                            f"{d.before} -> {d.after}", title_justify="left")
        table.add_column("term")
        table.add_column("value", justify="right")
        table.add_column("from")
        for key in TERMS:  # + 0.0 turns a -0.0 (a zero term times a negative sign) into 0.0
            table.add_row(LABELS[key], f"{d.terms[key] + 0.0:+.3f}", d.detail.get(key, ""))
        table.add_section()
        table.add_row("= utility of endorsing", f"{d.utility:+.3f}",
                      f"the model recorded {d.recorded:+.3f}")
        if d.inertia:
            table.add_row("inertia", f"{d.inertia:+.3f}", f"bonus for keeping '{d.before}'")
        if d.detail.get("disposition"):
            table.add_row("disposition", "", d.detail["disposition"])
        gap = endorse_gap(d)
        options = ", ".join(f"{o} {p:.0%}" for o, p in d.probabilities.items())
        table.add_row("options", "", f"{options}; reconsiders with probability {d.reconsiders:.0%}")
        if gap is not None:
            table.add_row("to endorse", f"{gap:+.3f}",
                          "utility needed before endorsing becomes the most likely choice")
        if d.note:
            table.add_row("but", "", d.note)
        console.print(table)


def endorse_gap(d: Decision) -> float | None:
    """How much the utility of endorsing must rise before endorsing is the most likely option
    (None: it already is). Option values move with U: endorse by +1, oppose and object by -1,
    the others not at all, so against option k the gap is (V_k - V_endorse) / (1 - a_k).

    Example:
        >>> d = Decision("f", "vote", 0, "AAA", "oppose", "oppose", {}, {},
        ...              values={"endorse": -1.0, "oppose": 0.5, "abstain": 0.0})
        >>> endorse_gap(d)
        1.0
    """
    if "endorse" not in d.values:
        return None
    slope = {"endorse": 1.0, "oppose": -1.0, "object": -1.0}
    gaps = [(v - d.values["endorse"]) / (1.0 - slope.get(k, 0.0))
            for k, v in d.values.items() if k != "endorse"]
    gap = max(gaps, default=0.0)
    return gap if gap > 0 else None
