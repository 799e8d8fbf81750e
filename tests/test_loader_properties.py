"""Property: any scenario, valid or broken, is either accepted and runs, or refused cleanly."""

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import ScenarioError, load_scenario, run_scenario
from tests.conftest import five_state_scenario

BASE = five_state_scenario(rounds=3)
BASE["forums"] = [
    {"id": "f", "rule": "consensus", "proposal": "text", "decides": 1},
    {"id": "g", "rule": "vote", "proposal": "text", "opens": 2, "decides": 2, "after": "f"},
]
BASE["strategies"] = [{"sponsor": "AAA", "budget": 1, "outreach": "allies_first"}]
BASE["stakeholders"] = [{"id": "ngo", "kind": "civil_society", "position": {"stringency": 1.0},
                         "ties": ["AAA"]}]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(-2, 2, allow_nan=False),
    st.sampled_from(["AAA", "EEE", "ZZZ", "all", "PACT", "vote", "consensus", "majority", "text",
                     "f", "g", "swing", "stringency", "x", ""]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "id", "rule"]), inner,
                                                 max_size=2)), max_leaves=4)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


ALL_PATHS = [p for p in paths(BASE) if p]


@st.composite
def scenarios(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        node = data
        try:
            for part in path[:-1]:
                node = node[part]
            if draw(st.booleans()) and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_run_or_fail_cleanly(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            assert err.problems
            for problem in err.problems:
                assert problem.file == str(path) and problem.message
            return
        result = run_scenario(scenario, seed=0)
        assert len(result.summary["forums"]) == len(scenario.forums)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_is_refused_cleanly_or_loaded(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "text.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioError as err:
            assert all(str(p).startswith(str(path)) for p in err.problems)
