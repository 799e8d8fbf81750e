"""A researcher's own behaviour: a subclass overriding a phase of the round, as the modelling
guide's worked example does (run here as the guide has it)."""

import re

import numpy as np

from sim import load_scenario
from sim.engine import fastround
from sim.engine.model import NegotiationModel
from sim.paths import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "modelling_guide.md"


def guide_example() -> dict:
    """The guide's worked example, executed; its names."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Trying another behaviour"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    names: dict = {}
    exec(compile(code, str(GUIDE), "exec"), names)  # noqa: S102 - our own documentation
    return names


def test_the_guides_example_runs_on_the_general_path_and_changes_the_choice(monkeypatch, capsys):
    played = []
    monkeypatch.setattr(fastround, "play", lambda *a: played.append(a) or True)
    names = guide_example()
    assert "Outcome(" in capsys.readouterr().out
    assert played == []  # a phase overridden: no compiled round
    model = names["model"]
    scenario = load_scenario(PROJECT_ROOT / "scenarios" / "ccw_gge_laws.yaml")
    monkeypatch.undo()
    again = names["BestResponse"](scenario, seed=1)
    again.run()
    assert np.array_equal(again.record.counts, model.record.counts)  # same seed, same run
    usual = NegotiationModel(scenario, seed=1)
    usual.run()
    assert not np.array_equal(usual.record.counts, model.record.counts)  # another behaviour
    # a best response: every member taking part holds the option it values most
    track = model.forum("revcon_mandate")
    d = track.deliberation
    from agents.state import option_values
    values = option_values(track.utility[d.idx], track.rule.options,
                           np.zeros(len(d.idx), np.int8), model.behaviour, d.bias[d.idx])
    best = track.rule.option_codes[np.argmax(values, axis=1)]
    held = track.stances[d.idx]
    assert np.mean(best == held) > 0.9  # (inertia keeps a few where a tie of values was close)


def test_an_unchanged_model_still_runs_compiled(monkeypatch):
    played = []
    play = fastround.play
    monkeypatch.setattr(fastround, "play", lambda *a: played.append(a) or play(*a))
    NegotiationModel(load_scenario(PROJECT_ROOT / "scenarios" / "ccw_gge_laws.yaml"), seed=1).run()
    assert played


def test_a_phase_overridden_by_super_gives_the_compiled_run_exactly():
    class Same(NegotiationModel):
        def deliberate(self, track, t, size_pull=0.0):
            super().deliberate(track, t, size_pull)

    scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    a, b = NegotiationModel(scenario, seed=3), Same(scenario, seed=3)
    a.run()
    b.run()
    assert not b.compiled and a.compiled
    assert np.array_equal(a.record.counts, b.record.counts) and np.array_equal(a.ideal, b.ideal)
