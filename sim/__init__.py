"""Plenary's engine, by stage: the world and its record (sim.world), the scenario format
(sim.format), the Mesa model and its round (sim.engine), batch runs (sim.batch); the shared
vocabulary (sim.stance, sim.errors, sim.paths, sim.topics) below them all.

The names below are imported on first use (PEP 562), so that importing one engine module (say
``sim.stance`` from ``agents/``) does not pull in the whole engine and no import cycle arises.

Example:
    >>> from sim import load_scenario, run_scenario
    >>> from sim.paths import PROJECT_ROOT
    >>> result = run_scenario(load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml"), seed=1)
    >>> result.summary["forums"][0]["rule"]
    'consensus'
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Problem": "sim.errors",
    "ScenarioError": "sim.errors",
    "NegotiationModel": "sim.engine.model",
    "RunResult": "sim.batch.run",
    "run_scenario": "sim.batch.run",
    "write_run": "sim.batch.run",
    "Scenario": "sim.format.scenario",
    "load_scenario": "sim.format.loading",
    "scenario_from_dict": "sim.format.loading",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
