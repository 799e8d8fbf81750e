"""The interactive dashboard: Mesa's SolaraViz over a NegotiationModel (`plenary serve`).

Sliders set the behaviour weights and the sponsors' outreach budget; Mesa's controller steps,
plays and resets the model. Beside it: the stance counts of each forum, endorsements over rounds,
the network coloured by stance, and a table of states. Each browser session builds its own model
(``Page`` below): a model made at module level would be shared by every session.

The scenario comes from the environment variable ``PLENARY_SCENARIO`` (``plenary serve`` sets it).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from analysis.plots import COALITION_COLOURS, STANCE_COLOURS, network_layout
from sim.loading import load_scenario
from sim.model import NegotiationModel
from sim.stance import Stance


class DashboardModel(NegotiationModel):
    """A NegotiationModel built from a scenario file and the dashboard's sliders."""

    def __init__(self, scenario_path: str = "", seed: int | None = None,
                 social: float | None = None, bloc_cue: float | None = None,
                 noise: float | None = None, budget: int | None = None,
                 endorsement_turnout: float | None = None):
        """A weight left at None keeps the scenario's own value."""
        path = scenario_path or os.environ["PLENARY_SCENARIO"]
        base = load_scenario(path)
        overrides = [f"behaviour.{name}={value}" for name, value in
                     (("social", social), ("bloc_cue", bloc_cue), ("noise", noise),
                      ("endorsement_turnout", endorsement_turnout))
                     if value is not None]
        if budget is not None:
            overrides += [f"strategies.{i}.budget={int(budget)}" for i in range(len(base.strategies))]
        scenario = load_scenario(path, overrides) if overrides else base
        super().__init__(scenario, seed=None if seed is None else int(seed))


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
    lines = [f"**Round {model.round} of {model.rounds}**", ""]
    for f in model.forums:
        c = f.counts()
        status = f.status(max(model.round - 1, 0)) if model.round else "pending"
        verdict = "" if f.outcome is None else (" adopted" if f.outcome.adopted else " not adopted")
        lines.append(f"- `{f.id}` ({f.rule.name}, {status}{verdict}): "
                     f"endorsements {c.endorse} of {len(f.member_index)}, oppose {c.oppose}, "
                     f"abstain {c.abstain}, object {c.object}, "
                     f"absent {f.absent}")
    return solara.Markdown("\n".join(lines))


def endorsements_over_rounds(model: NegotiationModel):
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.add_subplot()
    rounds = np.arange(model.round)
    for k, f in enumerate(model.forums):
        counts = model.record.counts[k, : model.round, int(Stance.ENDORSE)]
        live = (rounds >= f.opens) & (rounds <= f.decides)
        if live.any():
            ax.plot(rounds[live], counts[live], label=f.id, lw=2)
    ax.set_xlim(0, model.rounds)
    ax.set_xlabel("round")
    ax.set_ylabel("endorsing")
    if model.round:
        ax.legend(fontsize="small", loc="upper left")
    ax.grid(alpha=0.3)
    return solara.FigureMatplotlib(fig)


_LAYOUTS: dict[int, np.ndarray] = {}


def _positions(model: NegotiationModel) -> np.ndarray:
    """The network layout of the model's world, computed once per world (worlds are shared)."""
    key = id(model.world)
    if key not in _LAYOUTS:
        pos = network_layout(model.world.graph(), model.world.iso3, seed=0)
        _LAYOUTS[key] = np.array([pos[c] for c in model.world.iso3])
    return _LAYOUTS[key]


def network_by_stance(model: NegotiationModel):
    """The network coloured by stance in the current forum, or by the text each state backs when
    the forum decides rival texts."""
    forum = _current_forum(model)
    group = model.tracks(forum.forum_id)
    xy = _positions(model)
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    if len(group) > 1:
        colours = np.array(["#bfc5cc"] * model.n, dtype=object)
        for k, track in enumerate(group):
            colour = COALITION_COLOURS[k % len(COALITION_COLOURS)]
            colours[track.stances == Stance.ENDORSE] = colour
            ax.scatter([], [], c=colour, label=track.proposal)
        ax.legend(fontsize="x-small", loc="lower left", frameon=False)
        title = f"coalitions in {forum.forum_id}"
    else:
        colours = [STANCE_COLOURS[Stance(int(s))] for s in forum.stances]
        title = f"stances in {forum.id}"
    ax.scatter(xy[:, 0], xy[:, 1], c=list(colours), s=15 + 60 * model.capability_share,
               edgecolors="white", linewidths=0.3)
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
    return solara.FigureMatplotlib(fig)


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


@solara.component
def Page():
    path = os.environ["PLENARY_SCENARIO"]
    params = solara.use_memo(lambda: model_params(path), [path])
    model = solara.use_memo(lambda: solara.reactive(DashboardModel(scenario_path=path)), [path])
    return SolaraViz(model, components=COMPONENTS, model_params=params, name="Plenary")
