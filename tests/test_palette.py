"""One colour meaning per stance across every plot; what network.png, the world plot and
compare.png tell a reader (issue 20)."""

import re

import numpy as np
from matplotlib.colors import to_hex

from analysis.palette import CATEGORY_COLOURS, NOT_MEMBER, STANCE_COLOURS, STANCE_TEXT_COLOURS
from sim import load_scenario, run_scenario
from sim.paths import PROJECT_ROOT
from sim.stance import Stance

HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def test_colours_are_defined_once_and_no_plot_uses_the_default_cycle():
    """No module but analysis/palette.py names a stance's colour, and no plot takes matplotlib's
    cycle ("C0", "C1", ...: orange, green and red there read as stances)."""
    stance_hexes = {c.lower() for c in STANCE_COLOURS.values()}
    found = []
    for folder in ("analysis", "sim", "agents"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if path.name == "palette.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.name}: {h}" for h in HEX.findall(text) if h.lower() in stance_hexes]
            found += [f"{path.name}: {m}" for m in re.findall(r"f\"C\{|\"C[0-9]\"", text)]
    assert found == []


def test_categories_never_take_a_stance_colour():
    stance_hexes = {c.lower() for c in STANCE_COLOURS.values()} | {NOT_MEMBER}
    assert not {c.lower() for c in CATEGORY_COLOURS} & stance_hexes
    from analysis.plots import UN_GROUP_COLOURS

    assert not {c.lower() for g, c in UN_GROUP_COLOURS.items() if g} & stance_hexes


def test_network_png_names_opponents_and_abstainers(monkeypatch, tmp_path):
    import analysis.plots as plots

    result = run_scenario(load_scenario(PROJECT_ROOT / "scenarios" / "unga_laws_2023.yaml"), seed=2023)
    forum = result.model.forum("first_committee")
    iso3 = result.model.world.iso3
    against = sorted(iso3[i] for i in forum.member_index if forum.stances[i] == Stance.OPPOSE)
    abstained = sorted(iso3[i] for i in forum.member_index if forum.stances[i] == Stance.ABSTAIN)
    assert against and abstained
    figures = []
    real = plots.network_figure
    monkeypatch.setattr(plots, "network_figure", lambda *a, **k: figures.append(real(*a, **k))
                        or figures[-1])
    plots.plot_network(result, tmp_path / "network.png", "first_committee")
    ax = figures[0].axes[0]
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts()).replace("\n", " ")
    assert f"oppose ({len(against)}): " + ", ".join(against) in legend
    assert f"abstain ({len(abstained)}): " in legend and all(c in legend for c in abstained)
    labels = {t.get_text(): t for t in ax.texts}
    for code in against:
        assert labels[code].get_fontweight() == "bold"
        assert to_hex(labels[code].get_color()) == STANCE_TEXT_COLOURS[Stance.OPPOSE]
    for code in abstained:
        assert to_hex(labels[code].get_color()) == STANCE_TEXT_COLOURS[Stance.ABSTAIN]


def test_world_plot_says_when_it_draws_only_the_strongest_ties(tmp_path):
    from analysis.plots import network_figure
    from sim.engine.setting import setting_of

    world = setting_of(load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")).world
    graph = world.graph()
    fig = network_figure(graph, list(world.iso3), [NOT_MEMBER] * world.n, np.ones(world.n), [],
                         "Ties among all", seed=1)
    title = fig.axes[0].get_title()
    assert graph.number_of_edges() > 6 * world.n
    assert f"only the strongest ties drawn: {6 * world.n} of {graph.number_of_edges()}" in title
    small = graph.subgraph(["USA", "CAN", "MEX"])
    fig = network_figure(small, ["USA", "CAN", "MEX"], [NOT_MEMBER] * 3, np.ones(3), [], "three")
    assert fig.axes[0].get_title() == "three"


def test_compare_png_shows_the_paired_differences_with_their_intervals():
    from analysis.compare import compare_strategies
    from analysis.compare_report import comparison_figure
    from analysis.strategies import strategy_from_dict

    scenario = load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml")
    strategies = [strategy_from_dict({"name": "as_is", "strategies": []}),
                  strategy_from_dict({"name": "visits", "strategies": [
                      {"sponsor": "AAA", "budget": 2, "outreach": "swing"}]})]
    c = compare_strategies(scenario, strategies, runs=12, seed=3, workers=1)
    fig = comparison_figure(c)
    row = c.table[(c.table["strategy"] == "visits")].iloc[0]
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert "Δ endorsements to as_is (paired, 95% CI)" in labels
    assert "Δ P(adopt) to as_is (paired, 95% CI)" in labels
    ax = fig.axes[labels.index("Δ endorsements to as_is (paired, 95% CI)")]
    texts = [t.get_text() for t in ax.texts]
    assert f"{row['diff_endorsements']:+.1f} [{row['diff_endorsements_lo']:+.1f}, " \
           f"{row['diff_endorsements_hi']:+.1f}]" in texts
