"""Country boundaries for the world map: Natural Earth's, from the npm registry's ``world-atlas``.

At set-up (``make demo``, ``make test``, or ``python -m analysis.boundaries``) :func:`install`
fetches the package with ``npm pack`` and keeps its 1:50m TopoJSON and licence in
``<venv>/share/plenary/world-atlas/``. Nothing is fetched at run time: :func:`boundaries_file`
finds the installed file (or ``$PLENARY_BOUNDARIES``), and :func:`topology_polygons` turns
TopoJSON into polygons (lists of longitude-latitude rings) in plain Python and NumPy, so no GIS
library is needed. Shapes are named by ISO 3166-1 numeric code; ``scenarios/data/iso_numeric.csv``
maps them to ISO3.

Natural Earth is in the public domain; world-atlas (Mike Bostock) is under the ISC licence.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from sim.paths import PROJECT_ROOT

PACKAGE = "world-atlas@2.0.2"
FILE = "countries-50m.json"
INSTALL_HINT = ("the world map needs Natural Earth's boundaries: run `make demo` (or "
                "`.venv/bin/python -m analysis.boundaries`) once, with the npm registry reachable")


def install_dir() -> Path:
    """Where set-up puts the boundaries: ``<venv>/share/plenary/world-atlas``."""
    return Path(sys.prefix) / "share" / "plenary" / "world-atlas"


def boundaries_file() -> Path | None:
    """The installed TopoJSON (``$PLENARY_BOUNDARIES`` first), or None when not installed."""
    for candidate in (os.environ.get("PLENARY_BOUNDARIES"), install_dir() / FILE):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def install(target: Path | None = None) -> Path:
    """``npm pack`` world-atlas and keep its countries file, licence and package.json in
    ``target`` (default :func:`install_dir`); nothing is done when the file is there."""
    target = Path(target or install_dir())
    if (target / FILE).is_file():
        return target / FILE
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True,
                             capture_output=True, text=True)
        tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tar:
            for name in (FILE, "LICENSE", "package.json"):
                member = tar.getmember(f"package/{name}")
                member.name = name
                tar.extract(member, target, filter="data")
    return target / FILE


def topology_polygons(topology: dict, name: str = "countries") -> dict[str, list[list[np.ndarray]]]:
    """The polygons of one object of a TopoJSON topology, by geometry id.

    Each polygon is a list of rings (the outer ring, then holes), each ring an (n, 2) array of
    longitude and latitude. Arcs are delta-encoded when the topology is quantized (it has a
    ``transform``); arc ``~i`` (negative) is arc ``i`` reversed.

    Example:
        >>> topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
        ...         "arcs": [[[0, 0], [2, 0], [0, 2], [-2, 0]], [[0, 2], [0, -2]]],
        ...         "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        ...             {"type": "Polygon", "id": "001", "arcs": [[0, 1]]}]}}}
        >>> topology_polygons(topo)["001"][0][0].tolist()
        [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=float)[:, :2]
        if transform:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)

    def ring(indices: list[int]) -> np.ndarray:
        parts = []
        for k, i in enumerate(indices):
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            parts.append(points if k == 0 else points[1:])  # arcs share their end points
        return np.concatenate(parts)

    shapes: dict[str, list[list[np.ndarray]]] = {}
    for geometry in topology["objects"][name]["geometries"]:
        kind, key = geometry.get("type"), geometry.get("id")
        if key is None:
            continue
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        shapes.setdefault(str(key), []).extend([ring(r) for r in rings] for rings in polygons)
    return shapes


def iso_numeric() -> dict[str, str]:
    """ISO 3166-1 numeric code -> ISO3, for the states of ``scenarios/data/states.csv``."""
    path = PROJECT_ROOT / "scenarios" / "data" / "iso_numeric.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {row["numeric"]: row["iso3"] for row in csv.DictReader(f)}


def country_polygons(path: Path | None = None) -> dict[str, list[list[np.ndarray]]]:
    """Polygons by ISO3 from the installed boundaries (or ``path``); shapes of territories that
    are not states of the roster (Greenland, Western Sahara, ...) under their numeric code.

    Raises:
        FileNotFoundError: when the boundaries are not installed (the message says how).
    """
    path = path or boundaries_file()
    if path is None:
        raise FileNotFoundError(INSTALL_HINT)
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    codes = iso_numeric()
    return {codes.get(key, key): shapes for key, shapes in topology_polygons(topology).items()}


if __name__ == "__main__":
    where = install(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"world boundaries are in place: {where}")
