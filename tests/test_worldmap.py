"""The world map of stances (map.png), drawn from Natural Earth's boundaries installed at set-up,
with no network (issue 20)."""

import os
import socket

import numpy as np
import pytest

from analysis import boundaries
from analysis.cli import main
from analysis.palette import NOT_MEMBER, STANCE_COLOURS
from sim import load_scenario, run_scenario
from sim.paths import PROJECT_ROOT
from sim.stance import Stance

UNGA = PROJECT_ROOT / "scenarios" / "unga_laws_2023.yaml"


@pytest.fixture
def installed():
    path = boundaries.boundaries_file()
    if path is None:
        if os.environ.get("CI"):
            raise RuntimeError("the boundaries are missing: make test installs them")
        pytest.skip(boundaries.INSTALL_HINT)
    return path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the map tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_every_state_has_its_shape_but_tuvalu(installed, no_network):
    shapes = boundaries.country_polygons()
    states = set(boundaries.iso_numeric().values())
    assert states - set(shapes) == {"TUV"}  # too small for the 1:50m boundaries
    lon_lat = np.concatenate([ring for polygon in shapes["FRA"] for ring in polygon])
    assert ((lon_lat[:, 0] > -6) & (lon_lat[:, 0] < 10) & (lon_lat[:, 1] > 41)
            & (lon_lat[:, 1] < 52)).mean() > 0.5  # metropolitan France, where it belongs


def test_map_is_drawn_from_the_installed_boundaries_with_no_network(installed, no_network, tmp_path):
    from matplotlib.colors import to_hex

    from analysis.worldmap import map_figure

    result = run_scenario(load_scenario(UNGA), seed=2023)
    forum = result.model.forum("plenary")
    iso3 = list(result.model.world.iso3)
    colours = {iso3[i]: STANCE_COLOURS[Stance(int(forum.stances[i]))] for i in forum.member_index}
    fig = map_figure(iso3, colours, [("endorse", STANCE_COLOURS[Stance.ENDORSE])], "test")
    faces = {to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()}
    assert set(colours.values()) <= faces
    from analysis.worldmap import plot_map

    path = plot_map(result, tmp_path / "map.png", "plenary")
    assert path.stat().st_size > 20_000


def test_run_writes_map_png(installed, tmp_path, capsys):
    assert main(["run", str(UNGA), "--out", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "map.png").stat().st_size > 20_000


def test_run_without_boundaries_says_how_to_install_them(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(boundaries, "boundaries_file", lambda: None)
    assert main(["run", str(UNGA), "--out", str(tmp_path / "run")]) == 0
    assert not (tmp_path / "run" / "map.png").exists()
    err = capsys.readouterr().err
    assert "no map.png" in err and "make demo" in err and "analysis.boundaries" in err


def test_non_members_are_pale():
    from analysis.worldmap import map_figure

    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]])
    fig = map_figure(["AAA", "BBB"], {"AAA": STANCE_COLOURS[Stance.OPPOSE]}, [], "t",
                     polygons={"AAA": [[square]], "BBB": [[square + 20]]})
    from matplotlib.colors import to_hex

    faces = [to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()]
    assert faces == [STANCE_COLOURS[Stance.OPPOSE], NOT_MEMBER]
