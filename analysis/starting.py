"""A scenario's resolved starting state, member by member (``plenary start``).

What the model starts from and where each value came from: the ideal point (``default``, a
``group``'s setting, the ``record``'s roll-call ideal points, a stated position, or the
scenario's own ``state`` setting: ``sim/engine/setting.py``), salience and capability, and, for every
forum that names a topic, what the record says the state will do there (``sim/world/record/``) and
any pinned stance. Nothing is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine.forums import RULES
from sim.engine.setting import setting_of
from sim.format.scenario import Scenario
from sim.stance import Stance

LABEL = {Stance.ENDORSE: "yes", Stance.OPPOSE: "no", Stance.ABSTAIN: "abst", Stance.OBJECT: "object"}


@dataclass
class StartingState:
    """One state's starting point: its profile and, per forum with a topic, its leaning."""

    iso3: str
    ideal: dict[str, float]
    salience: float
    capability: float
    source: str
    leaning: dict[str, str] = field(default_factory=dict)


def starting_states(scenario: Scenario, states: list[str] | None = None) -> list[StartingState]:
    """The starting state of every state of the scenario's world (or of ``states``), in ISO3 order.

    Example:
        >>> from sim.format.loading import load_scenario
        >>> from sim.paths import PROJECT_ROOT
        >>> rows = starting_states(load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml"))
        >>> [(r.iso3, r.source) for r in rows][-2:]
        [('DDD', 'default'), ('EEE', 'state')]
    """
    setting = setting_of(scenario)
    world = setting.world
    chosen = sorted(states) if states else list(world.iso3)
    forums = [f for f in scenario.forums if f.topic is not None or f.pin]
    probs = {f.id: setting.dispositions(f.topic, f.rule, scenario.proposal(f.texts[0]).title)
             for f in forums if f.topic is not None}
    out = []
    for code in chosen:
        i = world.index[code]
        row = StartingState(code, {d: float(v) for d, v in zip(scenario.dimension_names(),
                                                                  setting.ideal[i], strict=True)},
                            float(setting.salience[i]), float(setting.capability[i]),
                            setting.profile_source[i] if setting.profile_source else "default")
        for f in forums:
            if code in f.pin:
                row.leaning[f.id] = f"pinned: {f.pin[code]}"
            elif f.id in probs and not np.isnan(probs[f.id][i, 0]):
                row.leaning[f.id] = " ".join(f"{LABEL[s]} {probs[f.id][i, int(s)]:.2f}"
                                             for s in RULES[f.rule].options
                                             if s != Stance.UNDECIDED)
            else:
                row.leaning[f.id] = "no record"
        out.append(row)
    return out
