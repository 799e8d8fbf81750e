"""Sweeps: many runs of one scenario over a design of parameter values and seeds.

A sweep is one YAML file (see ``scenarios/sweeps/demo_sweep.yaml``): the scenario, the sweep's
seed, the replicates (seeds per point), a method (``grid``, or SALib's ``random``/``lhs``/
``sobol``/``morris`` samplers), the parameters as dotted paths into the scenario, and the outcomes
to keep. :func:`load_sweep` validates it with the same ``FILE:LINE: field: message`` problems as a
scenario; :func:`design` turns it into :class:`Run` s, each with an id from its point, parameters
and replicate, and a seed derived from the sweep's seed and that id (never from an unseeded RNG);
:func:`run_sweep` runs them in chunks on an executor (``sim.batch.executors``) into a Parquet store
(``sim.batch.store``) that a killed sweep resumes from.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from sim.errors import ScenarioError
from sim.format.loading import (
    _list_index,
    apply_override,
    load_scenario,
    located_errors,
    revalidate,
    validate_scenario,
)
from sim.format.scenario import Scenario
from sim.format.yamlio import Locations, load_yaml, shorten

Method = Literal["grid", "random", "lhs", "sobol", "morris"]
Outcome = Literal["adopted", "endorsements", "yes", "no", "abstain", "objectors", "decided_round",
                  "endorsements_by_round"]
ALL_OUTCOMES: tuple[str, ...] = Outcome.__args__
#: Streams of the sweep's seed: one for the sampler, one for the runs' seeds.
SAMPLER_STREAM, RUN_STREAM = 0, 1
#: the most runs a sweep's design may hold (points x replicates): 1,300 times the demo sweep's,
#: about a day on 64 cores; a larger one is almost always a typo in samples or replicates
MAX_RUNS = 1_000_000


class Parameter(BaseModel):
    """One swept value: a list of ``values`` (grid), or a ``range`` sampled by the method."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    values: list[float | int | str | bool] | None = Field(
        None, min_length=1, description="grid: the values taken, in order.")
    range: tuple[float, float] | None = Field(None, description="[low, high] for the samplers.")
    levels: int | None = Field(None, ge=2, description="grid over a range: evenly spaced values.")
    integer: bool = Field(False, description="Round sampled values down to whole numbers.")

    @field_validator("values", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        # one line for .nan in a list of values (the union's four members each gave one)
        if isinstance(value, list):
            for v in value:
                if isinstance(v, float) and not math.isfinite(v):
                    raise ValueError(f"values must be finite numbers, got {v}")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either values or range")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        if self.levels is not None and self.range is None:
            raise ValueError("levels needs a range")
        if self.values is not None:
            kinds = {_kind(v) for v in self.values}
            if len(kinds) > 1:
                raise ValueError(f"values mix {' and '.join(sorted(kinds))}: give one kind (a "
                                 "number in quotes is text)")
        return self

    def count(self) -> int:
        """The values a grid takes of this parameter."""
        return len(self.values) if self.values is not None else (self.levels or 0)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return "numbers" if isinstance(value, int | float) else "text"


class SweepSpec(BaseModel):
    """A sweep file. Only ``name``, ``scenario`` and ``parameters`` are required."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(min_length=1, description="Scenario YAML, relative to this file.")
    seed: int = Field(0, ge=0, description="Seed of the sampler and of every run's seed.")
    replicates: int = Field(1, ge=1, description="Runs (seeds) per point of the design.")
    method: Method = "grid"
    samples: int | None = Field(None, ge=1, description="random/lhs: points; sobol: base samples N "
                                "(a power of 2); morris: trajectories.")
    morris_levels: int = Field(4, ge=2, le=1000, description="morris: levels of the grid.")
    second_order: bool = Field(False, description="sobol: also sample second-order indices.")
    parameters: dict[str, Parameter] = Field(min_length=1, description="Dotted path -> values.")
    outcomes: list[Outcome] = Field(default_factory=lambda: list(ALL_OUTCOMES))
    forums: list[str] | None = Field(None, description="Forums whose outcomes are kept (default all).")
    chunk_size: int = Field(25, ge=1, le=10_000, description="Runs per task and per Parquet file.")

    @field_validator("outcomes", mode="before")
    @classmethod
    def _yes_no_as_words(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare yes/no as a boolean: take them back as the outcome names
        if isinstance(value, list):
            return [{True: "yes", False: "no"}[v] if isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="after")
    def _fits_method(self) -> SweepSpec:
        if self.method == "grid":
            if self.samples is not None:
                raise ValueError("samples is not used by method grid")
            if any(p.range is not None and p.levels is None for p in self.parameters.values()):
                raise ValueError("grid: give each parameter values, or a range with levels")
            return self
        if self.samples is None:
            raise ValueError(f"method {self.method} needs samples")
        if any(p.range is None or p.levels is not None for p in self.parameters.values()):
            raise ValueError(f"method {self.method}: give each parameter a range (and no levels)")
        return self

    @field_validator("samples")
    @classmethod
    def _sobol_power_of_two(cls, value: int | None, info: ValidationInfo) -> int | None:
        # a field's own check, so that the error points at the samples: line
        if value is not None and info.data.get("method") == "sobol" and value & (value - 1):
            lower = 1 << (value.bit_length() - 1)
            raise ValueError(f"sobol: samples must be a power of 2, got {value} (try {lower} "
                             f"or {lower * 2})")
        return value

    @model_validator(mode="after")
    def _within_bound(self) -> SweepSpec:
        runs = self.size()
        if runs > MAX_RUNS:
            raise ValueError(
                f"the design holds {runs:,} runs ({self.points():,} points x {self.replicates:,} "
                f"replicates), {runs / MAX_RUNS:,.1f} times the most a sweep accepts ({MAX_RUNS:,}): "
                "lower samples, levels, values or replicates, or split the sweep")
        return self

    def points(self) -> int:
        """How many points the design has (counted, not sampled)."""
        d = len(self.parameters)
        if self.method == "grid":
            return math.prod(p.count() for p in self.parameters.values())
        n = self.samples or 0
        if self.method == "sobol":
            return n * (2 * d + 2 if self.second_order else d + 2)
        if self.method == "morris":
            return n * (d + 1)
        return n

    def size(self) -> int:
        """How many runs the design has: points x replicates."""
        return self.points() * self.replicates

    def identity(self) -> dict[str, Any]:
        """What decides the rows: everything but the name, description, scenario path, chunking."""
        return self.model_dump(mode="json", exclude={"name", "description", "scenario", "chunk_size"})


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its id, where it sits in the design, its seed and parameter values."""

    run_id: str
    point: int
    replicate: int
    seed: int
    params: tuple[tuple[str, Any], ...]

    def overrides(self) -> list[str]:
        """The ``--set`` strings that reproduce this run with ``plenary run --seed SEED``."""
        return [f"{key}={_yaml_scalar(value)}" for key, value in self.params]


@dataclass
class Sweep:
    """A loaded sweep: its spec, its scenario, and the scenario's hash."""

    spec: SweepSpec
    scenario: Scenario
    scenario_hash: str
    path: Path
    runs: list[Run] = field(default_factory=list)


def load_sweep(path: str | Path) -> Sweep:
    """Load and check a sweep file, its scenario, and every parameter against the scenario.

    Raises:
        ScenarioError: one problem per mistake, each with the sweep file's line and field.
    """
    path = Path(path)
    data, locs = load_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError([locs.problem((), "a sweep must be a mapping of keys to values")])
    with located_errors(locs, SweepSpec):
        spec = SweepSpec.model_validate(data)
    scenario = load_scenario(path.parent / spec.scenario)
    _check_against(spec, scenario, locs)
    sweep = Sweep(spec, scenario, scenario_hash(scenario), path)
    sweep.runs = design(spec)
    return sweep


def _check_against(spec: SweepSpec, scenario: Scenario, locs: Locations) -> None:
    problems = []
    forum_ids = [f.id for f in scenario.forums]
    forum_ids += [f.track_id(t) for f in scenario.forums if len(f.texts) > 1 for t in f.texts]
    for i, forum in enumerate(spec.forums or []):
        if forum not in forum_ids:
            problems.append(locs.problem(("forums", i), f"no forum {forum!r}; the scenario has "
                                         f"{', '.join(forum_ids)}"))
    base = scenario.model_dump()
    for key, param in spec.parameters.items():
        if key.split(".")[0] == "seed":
            problems.append(locs.problem(("parameters", key), "the seed is set by the sweep"))
            continue
        for value in _extremes(param):
            try:
                read = _read_back(with_value(base, scenario.source, [(key, value)]).model_dump(), key)
            except ScenarioError as exc:
                p = exc.problems[0]
                problems.append(locs.problem(("parameters", key), f"{shorten(value)} does not fit the "
                                             f"scenario: {p.field + ': ' if p.field else ''}{p.message}"))
                break
            if isinstance(value, str) and not isinstance(read, str):
                # the scenario read text as a number (or a date): the Parquet column would hold
                # text beside numbers, and the run's row would not say what the run used
                problems.append(locs.problem(("parameters", key), (
                    f"{shorten(value)} is text, but {key} takes {type(read).__name__} values: "
                    "write it without quotes")))
                break
    if problems:
        raise ScenarioError(problems)


def _read_back(data: Any, key: str) -> Any:
    """The value at a dotted key of a scenario's ``model_dump()`` (None when not there)."""
    node = data
    for part in key.strip().split("."):
        node = _child(node, part)
    return node


def with_value(base: dict[str, Any], source: Path | None,
               params: list[tuple[str, Any]] | tuple[tuple[str, Any], ...],
               validated: Scenario | None = None) -> Scenario:
    """The scenario ``base`` (a ``Scenario.model_dump()``) with ``params`` set, validated.

    A number set at an existing key names no state, group or file, so when every value is one
    the checks of the world's codes against the roster (which the base passed) are skipped:
    ~0.5 ms a run. Numbers are set on copies of the dicts and lists along their keys only, the
    rest shared with ``base``, which is never changed (copying all of it cost ~0.3 ms a run).
    Given ``validated`` (``base`` validated), only the top-level sections the numbers are set in
    are validated again and the rest is shared with it (``sim.format.loading.revalidate``)."""
    data = dict(base)
    numbers_only = True
    sections = set()
    for key, value in params:
        if numbers_only and _set_number(data, key, value):
            sections.add(key.strip().split(".")[0])
            continue
        if numbers_only:  # from here on apply_override, which works on a whole copy
            numbers_only = False
            data = _plain_copy(data)
        if not _set_number(data, key, value):
            data = apply_override(data, Locations(), f"{key}={_yaml_scalar(value)}")
    if numbers_only and validated is not None and validated.source == source:
        return revalidate(validated, data, sections, Locations(), check_world=False)
    return validate_scenario(data, Locations(), source=source, check_world=not numbers_only)


def _set_number(data: dict[str, Any], key: str, value: Any) -> bool:
    """Set a number or boolean at an existing dotted key as ``apply_override`` would, without
    writing it as YAML and reading it back (for these values the round trip gives the value
    itself; it cost a sweep ~2 ms a run). The dicts and lists on the way below ``data`` are
    replaced by copies, so that what ``data`` shares with another dict stays as it was. False,
    setting nothing, when the value or the key needs ``apply_override`` (its errors, its new
    keys)."""
    if type(value) not in (int, float, bool):
        return False
    *parents, last = key.strip().split(".")
    node: Any = data
    for part in parents:
        child = _child(node, part)
        if not isinstance(child, dict | list):
            return False
        child = dict(child) if isinstance(child, dict) else list(child)
        if isinstance(node, dict):
            node[part] = child
        else:
            node[_list_index(node, part)] = child
        node = child
    if isinstance(node, dict) and last in node:
        node[last] = value
        return True
    if isinstance(node, list) and (index := _list_index(node, last)) is not None:
        node[index] = value
        return True
    return False


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list):
        index = _list_index(node, part)
        return None if index is None else node[index]
    return None


def _plain_copy(value: Any) -> Any:
    """A deep copy of plain data (a ``model_dump()``: dicts, lists and immutable scalars), as
    ``copy.deepcopy`` makes it, several times faster (a sweep copies its scenario once per run)."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    if value is None or isinstance(value, (str, int, float, date, Path)):
        return value
    return copy.deepcopy(value)


def _extremes(param: Parameter) -> list[Any]:
    if param.values is not None:
        return list(param.values)
    low, high = param.range
    return [math.floor(low), math.floor(high)] if param.integer else [low, high]


def _yaml_scalar(value: Any) -> str:
    """A value as YAML text that reads back as the same value (floats round-trip exactly)."""
    return yaml.safe_dump(value, default_flow_style=True).split("\n")[0]


# ---------------------------------------------------------------------------------------------
# the design


def problem_of(spec: SweepSpec) -> dict[str, Any]:
    """SALib's problem dict for the swept parameters (integers sampled over [low, high + 1))."""
    names = list(spec.parameters)
    bounds = [[p.range[0], p.range[1] + 1 if p.integer else p.range[1]]
              for p in spec.parameters.values()]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def sample_matrix(spec: SweepSpec) -> np.ndarray:
    """The method's raw sample (one row per point), as SALib returns it; not for ``grid``."""
    from SALib.sample import latin, morris, sobol
    from SALib.util import scale_samples

    problem = problem_of(spec)
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, SAMPLER_STREAM]))
    if spec.method == "random":  # SALib has no plain Monte Carlo sampler: uniform, then SALib's scaling
        return scale_samples(rng.random((spec.samples, problem["num_vars"])), problem)
    if spec.method == "lhs":
        return latin.sample(problem, spec.samples, seed=rng)
    if spec.method == "sobol":
        return sobol.sample(problem, spec.samples, calc_second_order=spec.second_order, seed=rng)
    if spec.method == "morris":
        return morris.sample(problem, spec.samples, num_levels=spec.morris_levels, seed=rng)
    raise ValueError(f"no sample matrix for method {spec.method}")


def points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The points of the design, in order: parameter -> value (ints for integer parameters)."""
    params = spec.parameters
    if spec.method == "grid":
        axes = [p.values if p.values is not None
                else np.linspace(p.range[0], p.range[1], p.levels).tolist() for p in params.values()]
        rows = itertools.product(*axes)
    else:
        rows = sample_matrix(spec).tolist()
    out = []
    for row in rows:
        point = {}
        for (key, p), value in zip(params.items(), row, strict=True):
            if p.integer and not isinstance(value, str):
                value = min(math.floor(value), math.floor(p.range[1]) if p.range else math.inf)
            point[key] = value
        out.append(point)
    return out


def design(spec: SweepSpec) -> list[Run]:
    """Every run of the sweep, point by point, replicates within a point (sorted by run id).

    Example:
        >>> spec = SweepSpec(name="s", scenario="x.yaml", seed=0, replicates=2,
        ...                  parameters={"behaviour.noise": {"values": [0.2, 0.4]}})
        >>> [r.run_id[:12] for r in design(spec)]
        ['p000000-r000', 'p000000-r001', 'p000001-r000', 'p000001-r001']
        >>> design(spec)[0].seed == design(spec)[0].seed != design(spec)[1].seed
        True
    """
    runs = []
    for i, point in enumerate(points(spec)):
        params = tuple(point.items())
        for r in range(spec.replicates):
            text = json.dumps([i, [[k, v] for k, v in params], r])
            digest = hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
            run_id = f"p{i:06d}-r{r:03d}-{digest}"
            runs.append(Run(run_id, i, r, run_seed(spec.seed, run_id), params))
    return runs


def run_seed(sweep_seed: int, run_id: str) -> int:
    """The seed of one run, from the sweep's seed and the run id (SeedSequence; any order, any
    machine).

    Example:
        >>> run_seed(0, "p000000-r000-ab") == run_seed(0, "p000000-r000-ab") != run_seed(1, "p000000-r000-ab")
        True
    """
    key = int.from_bytes(hashlib.blake2b(run_id.encode(), digest_size=8).digest(), "big")
    state = np.random.SeedSequence([sweep_seed, RUN_STREAM, key]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))  # < 2**63: fits Parquet's int64


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (after ``extends``) and of the roster's CSV files."""
    h = hashlib.sha256(json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode())
    for csv in sorted(scenario.roster_path().parent.glob("*.csv")):
        h.update(csv.name.encode())
        h.update(csv.read_bytes())
    return h.hexdigest()


