"""Strategy files: what sponsors do, as a YAML file that replaces a scenario's ``strategies``.

A strategy file (see ``scenarios/strategies/``) holds a ``name``, a ``description``, the
``strategies`` in the scenario format (:class:`sim.format.scenario.Strategy`: sponsor, proposal, budget,
outreach, concessions, invite_cosponsors) and, optionally, ``proposals``: changes to a text's
starting ``position`` or ``form`` (a deeper text to concede from). :func:`load_strategy_file`
validates the file alone; :func:`apply_strategy` puts it into a scenario and validates the result,
so a sponsor missing from the roster or an unknown proposal is reported at the strategy file's
line, like every other mistake: ``FILE:LINE: field: message``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import Field

from sim.errors import Problem, ScenarioError
from sim.format.loading import located_errors, validate_scenario
from sim.format.scenario import Form, Scenario, Strategy, Strict, Unit
from sim.format.yamlio import Locations, PathKey, load_yaml


class TextChange(Strict):
    """A change to a proposal before the first round."""

    position: dict[str, Unit] = Field(default_factory=dict, description="Dimensions to move.")
    form: Form | None = Field(None, description="A different form of the text.")


class StrategyFile(Strict):
    """One strategy to compare: it replaces every strategy of the scenario."""

    name: str = Field(min_length=1)
    description: str = ""
    strategies: list[Strategy] = Field(default_factory=list)
    proposals: dict[str, TextChange] = Field(
        default_factory=dict, description="proposal id -> changes to its starting text."
    )


class LoadedStrategy:
    """A validated strategy file with the locations of its values (for error lines)."""

    def __init__(self, spec: StrategyFile, data: dict[str, Any], locs: Locations, path: Path | None):
        self.spec = spec
        self.data = data
        self.locs = locs
        self.path = path

    @property
    def name(self) -> str:
        return self.spec.name


def load_strategy_file(path: str | Path) -> LoadedStrategy:
    """Read and validate a strategy file (alone; see :func:`apply_strategy` for the rest).

    Raises:
        ScenarioError: one ``FILE:LINE: field: message`` problem per mistake.
    """
    data, locs = load_yaml(path, str(path))
    return strategy_from_dict(data, locs, Path(path))


def strategy_from_dict(data: Any, locs: Locations | None = None, path: Path | None = None) -> LoadedStrategy:
    """Validate a strategy given as a dict (for tests and notebooks).

    Example:
        >>> strategy_from_dict({"name": "quiet", "strategies": []}).name
        'quiet'
    """
    if locs is None:
        locs = Locations()
        locs.set((), "<dict>", 0)
    if not isinstance(data, dict):
        raise ScenarioError([locs.problem((), "a strategy file must be a mapping of keys to values")])
    with located_errors(locs, StrategyFile):
        spec = StrategyFile.model_validate(data)
    return LoadedStrategy(spec, data, locs, path)


OWN = "own"  # ``--strategy own``: the scenario's own strategies, as a strategy file


def own_strategy(scenario: Scenario) -> LoadedStrategy:
    """The scenario's own strategies as a strategy file named ``own`` (what ``--strategy own``
    compares against), its lines those of the scenario file.

    Example:
        >>> from sim import load_scenario
        >>> from sim.paths import PROJECT_ROOT
        >>> s = load_scenario(PROJECT_ROOT / "scenarios/ccw_gge_laws.yaml")
        >>> [st.sponsor for st in own_strategy(s).spec.strategies]
        ['AUT', 'BRA']
    """
    data = {"name": OWN, "description": f"the strategies of {scenario.name} as written",
            "strategies": [st.model_dump(exclude_defaults=True) for st in scenario.strategies]}
    locs = Locations()
    locs.set((), str(scenario.source or "<scenario>"), 0)
    _copy_locations(scenario._locations, ("strategies",), locs, ("strategies",), data["strategies"])
    return strategy_from_dict(data, locs, scenario.source)


def load_strategy(name: str | Path, scenario: Scenario) -> LoadedStrategy:
    """A strategy file, or the scenario's own strategies for the name ``own``."""
    return own_strategy(scenario) if str(name) == OWN else load_strategy_file(name)


def apply_strategy(scenario: Scenario, strategy: LoadedStrategy) -> Scenario:
    """The scenario with its strategies replaced (and its texts changed) by ``strategy``.

    Problems found when the result is validated point at the strategy file's lines.

    Example:
        >>> from sim import load_scenario
        >>> from sim.paths import PROJECT_ROOT
        >>> s = load_scenario(PROJECT_ROOT / "tests/data/five_states.yaml")
        >>> quiet = strategy_from_dict({"name": "visit", "strategies": [{"sponsor": "AAA"}]})
        >>> [st.sponsor for st in apply_strategy(s, quiet).strategies]
        ['AAA']
    """
    data = scenario.model_dump()
    locs = copy.deepcopy(scenario._locations)
    locs.drop_under(("strategies",))
    data["strategies"] = copy.deepcopy(strategy.data.get("strategies", []))
    _copy_locations(strategy.locs, ("strategies",), locs, ("strategies",), data["strategies"])
    ids = [p["id"] for p in data["proposals"]]
    problems: list[Problem] = []
    for pid, change in strategy.data.get("proposals", {}).items():
        if pid not in ids:
            problems.append(strategy.locs.problem(("proposals", pid),
                                                  f"no proposal {pid!r} in the scenario; "
                                                  f"proposals: {', '.join(ids)}"))
            continue
        i = ids.index(pid)
        for key, value in change.items():
            target = data["proposals"][i]
            if key == "position":
                target["position"] = {**target["position"], **value}
            else:
                target[key] = value
            _copy_locations(strategy.locs, ("proposals", pid, key), locs, ("proposals", i, key), value)
    if problems:
        raise ScenarioError(problems)
    return validate_scenario(data, locs, source=scenario.source)


def with_sponsor(scenario: Scenario, proposal: str, iso3: str) -> Scenario:
    """The scenario with ``iso3`` added to the sponsors of ``proposal`` (sponsors always endorse):
    how "whom to court" wins a state over in every forum deciding that proposal."""
    data = scenario.model_dump()
    for p in data["proposals"]:
        if p["id"] == proposal and iso3 not in p["sponsors"]:
            p["sponsors"].append(iso3)
    return validate_scenario(data, copy.deepcopy(scenario._locations), source=scenario.source)


def _copy_locations(src: Locations, src_path: PathKey, dst: Locations, dst_path: PathKey,
                    value: Any) -> None:
    """Point every path under ``dst_path`` at where the same value is written in ``src``."""
    dst.drop_under(dst_path)
    dst.set(dst_path, *src.find(src_path))
    if isinstance(value, dict):
        for key, item in value.items():
            _copy_locations(src, src_path + (key,), dst, dst_path + (key,), item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _copy_locations(src, src_path + (i,), dst, dst_path + (i,), item)
