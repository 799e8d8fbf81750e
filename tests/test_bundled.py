"""The bundled scenarios load and run, and the editor schema matches the pydantic models."""

import json
from pathlib import Path

import pytest

from sim import load_scenario, run_scenario
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_loads_and_runs(path):
    result = run_scenario(load_scenario(path), seed=1)
    assert result.summary["forums"]
    assert all(f["decided_round"] is not None for f in result.summary["forums"])


def test_schema_file_is_up_to_date():
    on_disk = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    fresh = Scenario.model_json_schema()
    on_disk["properties"].pop("extends", None)
    assert on_disk == fresh, "run `make schema` to regenerate scenarios/scenario.schema.json"


def test_the_loading_functions_are_still_importable_from_sim_scenario():
    from sim import loading, scenario

    for name in ("load_scenario", "scenario_from_dict", "validate_scenario", "apply_override",
                 "problem_from_pydantic"):
        assert getattr(scenario, name) is getattr(loading, name)
