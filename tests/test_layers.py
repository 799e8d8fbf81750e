"""The layers of the code look only down, and no modules import each other in a circle.

From the bottom: the shared vocabulary (sim.stance, sim.errors, sim.paths, sim.topics), the world
and its record (sim.world), the scenario format (sim.format), behaviour (agents), the engine
(sim.engine), batch runs (sim.batch and the package's own shortcuts), then analysis and the
command line. Every import counts: at the top of a module, inside a function, or for type
checking only.
"""

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [  # (module prefix, layer), the longest prefix decides
    ("sim.stance", 0), ("sim.errors", 0), ("sim.paths", 0), ("sim.topics", 0),
    ("sim.world", 1), ("sim.format", 2), ("agents", 3), ("sim.engine", 4), ("sim.batch", 5),
    ("sim", 5), ("analysis", 6),
]


def layer(module: str) -> int | None:
    for prefix, k in sorted(LAYERS, key=lambda p: -len(p[0])):
        if module == prefix or module.startswith(prefix + "."):
            return k
    return None


def modules() -> dict[str, Path]:
    found = {}
    for package in ("sim", "agents", "analysis"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project's modules a file imports (``from a import b`` counts b if it is a module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in known:
                out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names
                    if f"{node.module}.{a.name}" in known}
    return out


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    known = modules()
    g = nx.DiGraph()
    for name, path in known.items():
        g.add_node(name)
        for target in imports(path, known):
            if target != name and not name.startswith(target + "."):  # a package's own
                g.add_edge(name, target)
    return g


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if layer(m) is None] == []


def test_layers_import_only_downward(graph):
    assert ("sim.engine.model", "agents.strategy") in graph.edges  # the graph reads imports
    upward = [(a, b) for a, b in graph.edges if layer(b) > layer(a)]
    assert upward == [], "a layer imports one above it"


def test_no_modules_import_each_other_in_a_circle(graph):
    # packages import their own modules (sim/__init__ re-exports), so cycles through a package
    # node are left out: those are the package's lazy shortcuts, not modules leaning on each other
    modules_only = graph.subgraph([m for m in graph if not (ROOT / m.replace(".", "/")).is_dir()])
    assert list(nx.simple_cycles(modules_only)) == []


def test_the_check_sees_an_upward_import():
    # the test has teeth: an engine import from agents/ is caught
    assert layer("sim.engine.model") > layer("agents.strategy")
    assert layer("analysis.cli") > layer("sim.batch.run") > layer("sim.engine.model")
