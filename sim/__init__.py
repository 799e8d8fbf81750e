"""Plenary's engine: scenario loading, the Mesa model, decision rules, runs and the CLI.

Example:
    >>> from sim import load_scenario, run_scenario
    >>> from sim.paths import PROJECT_ROOT
    >>> result = run_scenario(load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml"), seed=1)
    >>> result.summary["forums"][0]["rule"]
    'consensus'
"""

from sim.errors import Problem, ScenarioError
from sim.run import RunResult, run_scenario, write_run
from sim.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = [
    "Problem",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run_scenario",
    "scenario_from_dict",
    "write_run",
]
