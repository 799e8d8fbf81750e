"""The interactive dashboard over a NegotiationModel (`plenary serve`), built on Mesa's SolaraViz.

Sliders set the behaviour weights and the sponsors' outreach budget, each showing its value; a
campaign editor changes the lead sponsor's strategy (whom to court, targets, demarches, capacity
building, co-sponsors, concessions) and measures the edited campaign against the scenario's own
on the same seeds;
Mesa's controller steps, plays and resets the model (Reset applies the sliders). Beside it: the
stance counts of each forum, endorsements over rounds, the network coloured by stance (labelled,
with a legend) and a table of states, one fixed layout (no draggable tiles to overlap). Each
browser session builds its own model (``Page`` below): a model made at module level would be
shared by every session. The page loads nothing from the internet: its front-end files are
installed with Plenary (``analysis.dashboard_assets``) and it uses no component that fetches more
(Solara's Markdown asks a CDN for mermaid).

The scenario comes from the environment variable ``PLENARY_SCENARIO`` (``plenary serve`` sets it).
"""

from __future__ import annotations

import os
from html import escape

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from analysis.palette import NOT_MEMBER, STANCE_COLOURS, STANCE_TEXT_COLOURS, category_colour
from analysis.plots import network_layout
from sim.engine.model import NegotiationModel
from sim.engine.setting import setting_of
from sim.format.loading import load_scenario
from sim.format.scenario import Scenario
from sim.stance import Stance

#: the campaign editor's keys: they change the scenario's first strategy (its lead sponsor's)
CAMPAIGN = ("outreach", "targets", "demarches", "capacity", "invite_cosponsors", "concede")


def dashboard_scenario(scenario_path: str = "", social: float | None = None,
                       bloc_cue: float | None = None, noise: float | None = None,
                       budget: int | None = None, endorsement_turnout: float | None = None,
                       outreach: str | None = None, targets: list[str] | None = None,
                       demarches: int | None = None, capacity: list[str] | None = None,
                       invite_cosponsors: int | None = None, concede: float | None = None,
                       **_: object) -> Scenario:
    """The scenario with the dashboard's values: the behaviour sliders, every strategy's budget
    and the campaign editor's changes to the first strategy. A value left at None keeps the
    scenario's own.

    Example:
        >>> from sim.paths import PROJECT_ROOT
        >>> s = dashboard_scenario(str(PROJECT_ROOT / "scenarios/reaim_2023.yaml"),
        ...                        outreach="listed", targets=["BRA"], capacity=["KEN"], concede=0.0)
        >>> st = s.strategies[0]
        >>> (st.outreach, st.targets, st.capacity, st.concessions)
        ('listed', ['BRA'], ['KEN'], None)
    """
    path = scenario_path or os.environ["PLENARY_SCENARIO"]
    base = load_scenario(path)
    overrides = [f"behaviour.{name}={value}" for name, value in
                 (("social", social), ("bloc_cue", bloc_cue), ("noise", noise),
                  ("endorsement_turnout", endorsement_turnout))
                 if value is not None]
    if budget is not None:
        overrides += [f"strategies.{i}.budget={int(budget)}" for i in range(len(base.strategies))]
    if base.strategies:
        lead = "strategies.0."
        if outreach is not None:
            overrides.append(f"{lead}outreach={outreach}")
        for key, codes in (("targets", targets), ("capacity", capacity)):
            if codes is not None:
                overrides.append(f"{lead}{key}=[{', '.join(codes)}]")
        for key, value in (("demarches", demarches), ("invite_cosponsors", invite_cosponsors)):
            if value is not None:
                overrides.append(f"{lead}{key}={int(value)}")
        if concede is not None:
            if concede <= 0:
                overrides.append(f"{lead}concessions=null")
            else:
                own = base.strategies[0].concessions
                stall, cap = (own.stall_rounds, own.max_total) if own else (4, 0.15)
                overrides.append(f"{lead}concessions={{step: {float(concede)}, stall_rounds: {stall}, "
                                 f"max_total: {max(cap, float(concede))}}}")
    return load_scenario(path, overrides) if overrides else base


class DashboardModel(NegotiationModel):
    """A NegotiationModel built from a scenario file and the dashboard's values
    (:func:`dashboard_scenario`)."""

    def __init__(self, scenario_path: str = "", seed: int | None = None, **values):
        super().__init__(dashboard_scenario(scenario_path, **values),
                         seed=None if seed is None else int(seed))
        #: the arguments it was built with (the dashboard tells when the sliders differ)
        self.dashboard_params = {"scenario_path": scenario_path, "seed": seed, **values}


def campaign_effect(path: str, values: dict, runs: int = 20, seed: int | None = None) -> pd.DataFrame:
    """The edited campaign against the scenario's own on the same ``runs`` seeds (common random
    numbers; the behaviour sliders apply to both): per forum, mean endorsements of each, the
    paired difference with its 95% interval, and the change in P(adopt)."""
    from analysis.compare import mean_ci, run_ensembles, run_seeds

    plain = {k: v for k, v in values.items() if k not in CAMPAIGN and k != "seed"}
    edited = {k: v for k, v in values.items() if k != "seed"}
    own, mine = dashboard_scenario(**plain), dashboard_scenario(**edited)
    seeds = run_seeds(own.seed if seed is None else seed, runs)
    a, b = run_ensembles([("own", own), ("edited", mine)], seeds)
    ids = [f.id for f in NegotiationModel(own, seed=int(seeds[0])).forums]
    rows = []
    for k, forum in enumerate(ids):
        d, lo, hi = mean_ci(b.endorsements[:, k] - a.endorsements[:, k].astype(float))
        rows.append({"forum": forum, "own": round(float(a.endorsements[:, k].mean()), 1),
                     "edited": round(float(b.endorsements[:, k].mean()), 1),
                     "difference [95% CI]": f"{d:+.1f} [{lo:+.1f}, {hi:+.1f}]"
                     if not np.isnan(lo) else f"{d:+.1f}",
                     "P(adopt) own -> edited": f"{a.adopted[:, k].mean():.2f} -> "
                                               f"{b.adopted[:, k].mean():.2f}"})
    return pd.DataFrame(rows)


def model_params(scenario_path: str) -> dict:
    """The sliders, starting at the scenario's own values."""
    s = load_scenario(scenario_path)
    b = s.behaviour
    budget = s.strategies[0].budget if s.strategies else 0
    return {
        "scenario_path": scenario_path,
        "seed": {"type": "SliderInt", "value": s.seed, "label": "seed", "min": 0,
                 "max": max(1000, 2 * s.seed), "step": 1},
        "social": {"type": "SliderFloat", "value": b.social, "label": "social influence",
                   "min": 0.0, "max": 2.0, "step": 0.1},
        "bloc_cue": {"type": "SliderFloat", "value": b.bloc_cue, "label": "bloc cue",
                     "min": 0.0, "max": 2.0, "step": 0.1},
        "noise": {"type": "SliderFloat", "value": b.noise, "label": "noise", "min": 0.05,
                  "max": 1.5, "step": 0.05},
        "budget": {"type": "SliderInt", "value": budget, "label": "outreach budget", "min": 0,
                   "max": 10, "step": 1},
        "endorsement_turnout": {"type": "SliderFloat", "value": b.endorsement_turnout,
                                "label": "turnout (open endorsements)", "min": 0.05, "max": 1.0,
                                "step": 0.05},
        **campaign_params(s),
    }


def campaign_params(s: Scenario) -> dict:
    """The campaign editor's fields, starting at the first strategy's own values (none without
    a strategy)."""
    if not s.strategies:
        return {}
    st = s.strategies[0]
    world = setting_of(s).world
    states = list(world.iso3)
    step = st.concessions.step if st.concessions else 0.0
    return {
        "outreach": {"type": "Select", "value": st.outreach, "label": "whom to court",
                     "values": ["swing", "allies_first", "regional_hubs", "random", "listed"],
                     "campaign": True},
        "targets": {"type": "SelectMultiple", "value": list(st.targets),
                    "label": "targets (listed; demarches first)", "values": states, "campaign": True},
        "demarches": {"type": "SliderInt", "value": st.demarches, "label": "demarches before a forum",
                      "min": 0, "max": 30, "step": 1, "campaign": True},
        "capacity": {"type": "SelectMultiple", "value": list(st.capacity),
                     "label": "capacity building for", "values": states, "campaign": True},
        "invite_cosponsors": {"type": "SliderInt", "value": st.invite_cosponsors,
                              "label": "co-sponsors invited a round", "min": 0, "max": 5, "step": 1,
                              "campaign": True},
        "concede": {"type": "SliderFloat", "value": step, "label": "concession step (0: none)",
                    "min": 0.0, "max": 0.1, "step": 0.01, "campaign": True},
    }


def _current_forum(model: NegotiationModel):
    t = max(model.round - 1, 0)
    open_now = [f for f in model.forums if f.opens <= t <= f.decides]
    if open_now:
        return open_now[-1]
    started = [f for f in model.forums if f.opens <= t]
    return started[-1] if started else model.forums[0]


def stance_counts(model: NegotiationModel):
    """One line per forum: its status and how many members endorse (what the browser test reads)."""
    items = []
    for f in model.forums:
        c = f.counts()
        status = f.status(max(model.round - 1, 0)) if model.round else "pending"
        verdict = "" if f.outcome is None else (" adopted" if f.outcome.adopted else " not adopted")
        items.append(f"<li><code>{escape(f.id)}</code> ({f.rule.name}, {status}{verdict}): "
                     f"endorsements {c.endorse} of {len(f.member_index)}, oppose {c.oppose}, "
                     f"abstain {c.abstain}, object {c.object}, absent {f.absent}</li>")
    return solara.HTML(tag="div", unsafe_innerHTML=(
        f"<p><b>Round {model.round} of {model.rounds}</b></p>"
        f"<ul style='margin:0;padding-left:1.2em'>{''.join(items)}</ul>"))


def endorsements_over_rounds(model: NegotiationModel):
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.add_subplot()
    rounds = np.arange(model.round)
    for k, f in enumerate(model.forums):
        counts = model.record.counts[k, : model.round, int(Stance.ENDORSE)]
        live = (rounds >= f.opens) & (rounds <= f.decides)
        ax.plot(rounds[live], counts[live], label=f.id, lw=2, color=category_colour(k))
    ax.set_xlim(0, model.rounds)
    ax.set_ylim(0, max(len(f.member_index) for f in model.forums) * 1.05)
    ax.set_xlabel("round")
    ax.set_ylabel("states endorsing")
    ax.set_title("endorsements over rounds", fontsize=10, loc="left")
    # outside the axes: at round 0 (no lines yet) nothing is drawn over it, and later no line is
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    return solara.FigureMatplotlib(fig, format="png")


_LAYOUTS: dict[int, np.ndarray] = {}


def _positions(model: NegotiationModel) -> np.ndarray:
    """The network layout of the model's world, computed once per world (worlds are shared)."""
    key = id(model.world)
    if key not in _LAYOUTS:
        pos = network_layout(model.world.graph(), model.world.iso3, seed=0)
        _LAYOUTS[key] = np.array([pos[c] for c in model.world.iso3])
    return _LAYOUTS[key]


#: labels on the dashboard's network: the most capable states and, up to a bound, those resisting
LABEL_TOP = 15
LABEL_MAX = 45


def network_figure(model: NegotiationModel) -> Figure:
    """The network coloured by stance in the current forum, or by the text each state backs when
    the forum decides rival texts; the most capable states and those opposing, abstaining or
    objecting labelled (in their stance's colour), a legend with each stance's count."""
    forum = _current_forum(model)
    group = model.tracks(forum.forum_id)
    xy = _positions(model)
    fig = Figure(figsize=(10, 5.2), layout="constrained")
    ax = fig.add_subplot()
    member = np.zeros(model.n, dtype=bool)
    member[forum.member_index] = True
    handles = []
    label_colour = {}
    if len(group) > 1:
        colours = np.where(member, STANCE_COLOURS[Stance.UNDECIDED], NOT_MEMBER).astype(object)
        backs_any = np.zeros(model.n, dtype=bool)
        for k, track in enumerate(group):
            colour = category_colour(k)
            backing = member & (track.stances == Stance.ENDORSE)
            colours[backing] = colour
            backs_any |= backing
            handles.append((f"backs {track.proposal} ({int(backing.sum())})", colour))
        handles.append((f"backs none ({int((member & ~backs_any).sum())})",
                        STANCE_COLOURS[Stance.UNDECIDED]))
        title = f"coalitions in {forum.forum_id}"
    else:
        stances = forum.stances
        colours = np.array([STANCE_COLOURS[Stance(int(s))] if m else NOT_MEMBER
                            for s, m in zip(stances, member, strict=True)], dtype=object)
        for stance in (Stance.ENDORSE, Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT, Stance.UNDECIDED):
            count = int((member & (stances == stance)).sum())
            if count or stance == Stance.UNDECIDED:
                handles.append((f"{stance.word} ({count})", STANCE_COLOURS[stance]))
            if stance in (Stance.OPPOSE, Stance.ABSTAIN, Stance.OBJECT):
                for i in np.flatnonzero(member & (stances == stance)):
                    label_colour[int(i)] = STANCE_TEXT_COLOURS[stance]
        title = f"stances in {forum.id} (round {model.round})"
    if not member.all():
        handles.append((f"not a member ({int((~member).sum())})", NOT_MEMBER))
    ax.scatter(xy[:, 0], xy[:, 1], c=list(colours), s=12 + 60 * model.capability_share,
               edgecolors="#6c757d", linewidths=0.3)
    resisting = sorted(label_colour)[:LABEL_MAX]
    top = np.argsort(-model.capability, kind="stable")[:LABEL_TOP].tolist()
    for i in sorted(set(top) | set(resisting)):
        resists = i in label_colour
        ax.annotate(model.world.iso3[i], xy[i], xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7.5 if resists else 7,
                    fontweight="bold" if resists else "normal",
                    color=label_colour.get(i, "#343a40"))
    legend = [Line2D([], [], marker="o", ls="", color=c, markeredgecolor="#6c757d",
                     markeredgewidth=0.3, label=name) for name, c in handles]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small",
              frameon=False, title="labelled: the most capable,\nin bold: against, abstaining,\nobjecting"
              if label_colour or len(group) == 1 else None, title_fontsize="x-small")
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_axis_off()
    return fig


def network_by_stance(model: NegotiationModel):
    return solara.FigureMatplotlib(network_figure(model), format="png")


def state_table(model: NegotiationModel):
    forum = _current_forum(model)
    frame = pd.DataFrame({
        "state": model.world.iso3,
        f"stance in {forum.id}": ["absent" if m and not p else Stance(int(s)).word
                                   for s, m, p in zip(forum.stances, forum.members, forum.present,
                                                      strict=True)],
        **{f"ideal {d}": model.ideal[:, k].round(3) for k, d in enumerate(model.dimensions)},
        "salience": model.salience.round(3),
    })
    return solara.DataFrame(frame, items_per_page=15)


COMPONENTS = [stance_counts, endorsements_over_rounds, network_by_stance, state_table]


def _shown(spec: dict, value) -> str:
    """A slider's value as its label shows it."""
    return f"{int(value)}" if spec["type"] == "SliderInt" else f"{float(value):.2f}"


@solara.component
def Field(name: str, spec: dict, values: solara.Reactive[dict]):
    """One of the dashboard's values: a slider whose label shows its value (Mesa's show it only
    while dragged; a value bubble shown always would cover the slider above), or a choice."""
    value = values.value.get(name, spec["value"])

    def on_value(new):
        values.set({**values.value, name: new})

    if spec["type"] == "Select":
        solara.Select(spec["label"], values=spec["values"], value=value, on_value=on_value)
    elif spec["type"] == "SelectMultiple":
        solara.SelectMultiple(spec["label"], all_values=spec["values"], values=list(value),
                              on_value=on_value)
    else:
        slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
        slider(f"{spec['label']}: {_shown(spec, value)}", value=value, on_value=on_value,
               min=spec["min"], max=spec["max"], step=spec["step"])


@solara.component
def Parameters(params: dict, values: solara.Reactive[dict], model: solara.Reactive):
    """The model's sliders (the campaign's fields are the editor's, :func:`Campaign`)."""
    for name, spec in params.items():
        if isinstance(spec, dict) and not spec.get("campaign"):
            Field(name, spec, values)
    built = getattr(model.value, "dashboard_params", {})
    changed = any(built.get(k) != v for k, v in values.value.items() if k in built)
    solara.Text("Reset starts a run with these values." + (" (changed since the last reset)"
                                                           if changed else ""),
                style={"font-size": "0.8em", "color": "#6c757d"})


@solara.component
def Campaign(params: dict, values: solara.Reactive[dict], path: str):
    """The campaign editor (the first strategy: its lead sponsor's) and its measured effect."""
    effect = solara.use_reactive(None)
    for name, spec in params.items():
        if isinstance(spec, dict) and spec.get("campaign"):
            Field(name, spec, values)

    def measure():
        effect.set(campaign_effect(path, {**values.value, "scenario_path": path}))

    solara.Button("Measure against the scenario's own (20 seeds)", on_click=measure)
    if effect.value is not None:
        solara.Text("edited campaign - own, same seeds (common random numbers):",
                    style={"font-size": "0.8em"})
        solara.DataFrame(effect.value, items_per_page=10)


@solara.component
def Main(model: NegotiationModel):
    """The main view: one fixed layout of the components, redrawn at each step."""
    update_counter.get()
    with solara.Columns([5, 6]):
        stance_counts(model)
        endorsements_over_rounds(model)
    network_by_stance(model)
    state_table(model)


@solara.component
def Dashboard(path: str, seat=None):
    """The start page; ``seat()``, if given, draws the offer to take a seat
    (``analysis/play_dashboard.py``)."""
    params = solara.use_memo(lambda: model_params(path), [path])
    scenario = solara.use_memo(lambda: load_scenario(path), [path])
    name = scenario.name
    defaults = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    values = solara.use_reactive(defaults)
    model = solara.use_memo(lambda: solara.reactive(DashboardModel(**defaults)), [path])
    play_interval = solara.use_reactive(100)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)

    solara.Title(f"Plenary: {name}")
    with solara.AppBar():
        solara.AppBarTitle(f"Plenary: {name}")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            solara.SliderInt(f"play interval: {play_interval.value} ms", value=play_interval,
                             min=0, max=500, step=10)
            solara.SliderInt(f"rounds per redraw: {render_interval.value}", value=render_interval,
                             min=1, max=20, step=1)
            ModelController(model, model_parameters=values, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
        with solara.Card("Model parameters"):
            Parameters(params, values, model)
        if any(isinstance(v, dict) and v.get("campaign") for v in params.values()):
            with solara.Card(f"Campaign of {scenario.strategies[0].sponsor}"):
                Campaign(params, values, path)
        if seat is not None:
            with solara.Card("Play a delegation"):
                seat()
    Main(model.value)


@solara.component
def Page():
    """The start page alone (``analysis.play_dashboard.Page`` adds play mode)."""
    return Dashboard(os.environ["PLENARY_SCENARIO"])
