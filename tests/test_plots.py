"""What a reader of the plots relies on."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from analysis.plots import network_figure
from sim import load_scenario
from sim.engine.setting import setting_of
from sim.paths import PROJECT_ROOT


def test_network_labels_do_not_overlap():
    # in the UN world the USA and Canada, with the same ties, land on top of each other, and
    # the EU's large states crowd together: their labels must still be readable
    world = setting_of(load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")).world
    capability = np.ones(world.n)
    big = [world.index[c] for c in ("USA", "CAN", "DEU", "FRA", "ITA", "GBR", "ESP", "NLD", "POL")]
    capability[big] = 5.0
    fig = network_figure(world.graph(), list(world.iso3), ["#2a9d8f"] * world.n, capability,
                         [("endorse", "#2a9d8f")], "test", seed=2023)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    texts = fig.axes[0].texts
    assert {"USA", "CAN", "DEU", "ITA"} <= {t.get_text() for t in texts}
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in texts]
    overlaps = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(texts))
                for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert overlaps == []


def test_the_network_names_the_states_that_resisted(monkeypatch, tmp_path):
    import analysis.plots as plots
    from sim import run_scenario

    result = run_scenario(load_scenario(PROJECT_ROOT / "scenarios" / "unga_laws_2023.yaml"), seed=2023)
    forum = result.model.forum("plenary")
    world = result.model.world
    resisted = {world.iso3[i] for i in forum.member_index if forum.stances[i] in (2, 3)}
    assert {"QAT", "UZB"} & resisted, "the test needs a small state that abstained at this seed"
    seen = {}
    real = plots.draw_network
    monkeypatch.setattr(plots, "draw_network", lambda *a, **k: seen.update(k) or real(*a, **k))
    plots.plot_network(result, tmp_path / "network.png", "plenary")
    assert {world.iso3[i] for i in seen["labelled"]} == resisted  # plot_network passes them on
    fig = network_figure(world.graph(), list(world.iso3), ["#2a9d8f"] * world.n,
                         result.model.capability, [("endorse", "#2a9d8f")], "test", seed=2023,
                         labelled=seen["labelled"])
    assert resisted <= {t.get_text() for t in fig.axes[0].texts}  # and every one is named
