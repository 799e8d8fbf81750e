"""Fuzzing (issue 21): mutated bundled scenarios, --set overrides and sweep files give a run or a
clean user error (exit status 2, one line per problem, nothing written), within a time bound;
never a traceback, never a hang.

The default profile runs in `make test` in well under a minute; a longer search:
``HYPOTHESIS_PROFILE=nightly .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from sim import ScenarioError, load_scenario
from sim.batch.sweep import load_sweep
from sim.paths import PROJECT_ROOT

settings.register_profile("fuzz", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("nightly", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz"))

#: seconds one case may take (a run of the five-state scenario takes a fraction of one)
TIME_BOUND = 20.0
#: the longest error line accepted
LINE_BOUND = 1000

SCENARIOS = sorted((PROJECT_ROOT / "scenarios").glob("*.yaml"))
FIVE = PROJECT_ROOT / "tests" / "data" / "five_states.yaml"

#: values that were odd rather than mistaken in the issue's fuzzing, as YAML text
HOSTILE_TEXT = [
    "2023-02-30", "!!bool maybe", "&a [*a]", "[" * 300 + "]" * 300, ".nan", ".inf", "-.inf",
    "9223372036854775808", str(10**30), "1.0e+308", "-1", "0", "''", "~", "[]", "{}", "²", "--1",
    '"\\0"', "x" * 5000, "!!python/object:os.system", "*undefined", "{a: 1, a: 2}", "'\u202e'",
    "!!binary AAAA", "!!int x", "!!float y", "2023-13-01", "@x", "`x`", "%TAG", "a: b: c",
]

hostile_values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(lambda f: yaml.safe_dump(f).split("\n")[0]),
    st.text(max_size=40),
    st.integers(0, 400).map(lambda n: "[" * n + "]" * n),
)


def leaf_keys(node, prefix=()):
    """Every dotted key (list items by index) of a loaded scenario, as --set takes them."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaf_keys(v, prefix + (str(k),))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaf_keys(v, prefix + (str(i),))
    if prefix:
        yield ".".join(prefix)


def clean(call, argv=None):
    """Run ``call``; it must finish within TIME_BOUND and either succeed or raise a ScenarioError
    whose problems are each one short line."""
    started = time.perf_counter()
    try:
        call()
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            line = str(problem)
            assert "\n" not in line and "\r" not in line and len(line) <= LINE_BOUND, (argv, line)
    assert time.perf_counter() - started < TIME_BOUND, argv


def cli_clean(argv: list[str], out: Path) -> None:
    """``plenary ARGV``: exit status 0, or 2 with only one-line errors and nothing in ``out``."""
    err, sink = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(sink):
        status = main(argv)
    assert time.perf_counter() - started < TIME_BOUND, argv
    lines = err.getvalue().splitlines()
    if status == 2:
        assert lines and all(len(line) <= LINE_BOUND for line in lines), (argv, lines)
        assert not out.exists(), argv
    else:
        assert status == 0, (argv, status, lines)
        assert not any("Traceback" in line for line in lines)


@PROFILE
@given(scenario=st.sampled_from(SCENARIOS), line=st.integers(0, 400), snippet=hostile_values,
       how=st.sampled_from(["value", "insert", "replace"]))
def test_mutated_bundled_scenarios_load_or_are_refused_cleanly(scenario, line, snippet, how):
    # the one relative reference of the bundled scenarios (extends:) made absolute, so that the
    # copy in a temporary folder reads the same files
    text = scenario.read_text(encoding="utf-8").replace(
        "extends: reaim_2023.yaml", f"extends: {scenario.parent / 'reaim_2023.yaml'}")
    lines = text.splitlines()
    i = line % len(lines)
    if how == "value" and ":" in lines[i]:
        lines[i] = lines[i].split(":", 1)[0] + ": " + snippet
    elif how == "insert":
        lines.insert(i, snippet)
    else:
        lines[i] = snippet
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / scenario.name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        clean(lambda: load_scenario(path), [scenario.name, i, snippet[:80]])


FIVE_KEYS = sorted(set(leaf_keys(yaml.safe_load(FIVE.read_text(encoding="utf-8")))))


@PROFILE
@given(key=st.one_of(st.sampled_from(FIVE_KEYS), st.text(max_size=30)), value=hostile_values)
def test_odd_set_overrides_run_or_are_refused_cleanly(key, value):
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        cli_clean(["run", str(FIVE), "--no-plots", "--out", str(out), f"--set={key}={value}"], out)


SWEEP = {
    "name": "fuzz", "scenario": str(FIVE), "seed": 0, "replicates": 2, "method": "lhs", "samples": 4,
    "parameters": {"behaviour.noise": {"range": [0.1, 0.5]}},
}

sweep_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(), st.text(max_size=10),
    st.booleans(), st.none(), st.lists(st.one_of(st.integers(-3, 10**20), st.floats(), st.text(max_size=4),
                                                 st.booleans()), max_size=4),
)


@PROFILE
@given(field=st.sampled_from(["seed", "replicates", "method", "samples", "chunk_size", "morris_levels",
                              "scenario", "parameters", "outcomes", "forums"]),
       param=st.sampled_from(FIVE_KEYS + ["behaviour.noise", "seed", "x.y"]),
       kind=st.sampled_from(["values", "range", "levels", "integer"]),
       value=sweep_values, method=st.sampled_from(["grid", "random", "lhs", "sobol", "morris"]))
def test_odd_sweep_files_load_or_are_refused_cleanly(field, param, kind, value, method):
    spec = dict(SWEEP, method=method)
    if field == "parameters":
        spec["parameters"] = {param: {kind: value}}
    else:
        spec[field] = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        clean(lambda: load_sweep(path), [field, param, kind, repr(value)[:80]])
