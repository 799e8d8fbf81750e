"""Loading a scenario: YAML to a validated :class:`~sim.format.scenario.Scenario`, with located errors.

:func:`load_scenario` reads a scenario file safely, resolves ``extends:`` (deep merge, cycles
refused), applies ``--set dotted.key=value`` overrides, validates it against
:class:`~sim.format.scenario.Scenario`, and checks what a schema cannot (``sim/format/checks.py``): that every
ISO3 code and group exists in the roster, that forums name real proposals, and that ``after:``
chains have no cycle. Every problem is reported with its file, line and field, all at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import Problem, ScenarioError
from sim.format.scenario import Scenario
from sim.format.yamlio import Locations, PathKey, deep_merge, load_yaml, parse_value, shorten

#: a list index in a dotted key: ASCII digits, negative from the end
INDEX = re.compile(r"-?[0-9]+", re.ASCII)


def load_scenario(
    path: str | Path, overrides: list[str] | tuple[str, ...] = (), check_world: bool = True
) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Args:
        path: the scenario YAML.
        overrides: ``dotted.key=value`` strings, as given to ``--set``.
        check_world: also check ISO3 codes and groups against the roster.

    Returns:
        The validated :class:`Scenario`.

    Raises:
        ScenarioError: with one :class:`Problem` per mistake found.
    """
    data, locs = _load_with_extends(Path(path), str(path), chain=())
    for i, text in enumerate(overrides, start=1):
        data = apply_override(data, locs, text, i)
    return validate_scenario(data, locs, source=Path(path), check_world=check_world)


def scenario_from_dict(data: dict[str, Any], check_world: bool = True) -> Scenario:
    """Validate a scenario given as a Python dict (for notebooks and tests)."""
    locs = Locations()
    locs.set((), "<dict>", 0)
    return validate_scenario(data, locs, source=None, check_world=check_world)


def validate_scenario(
    data: Any, locs: Locations, source: Path | None, check_world: bool = True
) -> Scenario:
    """Validate loaded data; see :func:`load_scenario`."""
    if not isinstance(data, dict):
        raise ScenarioError([locs.problem((), "a scenario must be a mapping of keys to values")])
    with located_errors(locs, Scenario):
        scenario = Scenario.model_validate(data)
    scenario._source = source
    scenario._locations = locs
    return _checked(scenario, locs, check_world)


def _checked(scenario: Scenario, locs: Locations, check_world: bool,
             changed: set[str] | None = None) -> Scenario:
    from sim.format.checks import check_scenario  # the semantic checks need the roster

    problems = check_scenario(scenario, locs, check_world=check_world, changed=changed)
    if problems:
        raise ScenarioError(problems)
    return scenario


def revalidate(base: Scenario, data: dict[str, Any], sections: set[str], locs: Locations,
               check_world: bool = True) -> Scenario:
    """:func:`validate_scenario` of ``data`` when it differs from ``base.model_dump()`` only in
    the top-level ``sections``: those are validated again (with the same errors), the others are
    shared with ``base`` (nothing changes a validated scenario in place). A sweep's run costs a
    few sections' validation instead of the whole scenario's."""
    scenario = base.model_copy()
    with located_errors(locs, Scenario):
        for name in sorted(sections):
            Scenario.__pydantic_validator__.validate_assignment(scenario, name, data[name])
    scenario._locations = locs
    return _checked(scenario, locs, check_world, sections)


def _load_with_extends(path: Path, display: str, chain: tuple[Path, ...]) -> tuple[Any, Locations]:
    data, locs = load_yaml(path, display)
    if not isinstance(data, dict) or "extends" not in data:
        return data, locs
    parents = data.pop("extends")
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ScenarioError([locs.problem(("extends",), "must be a file name or a list of them")])
    merged: Any = {}
    merged_locs = Locations()
    merged_locs.set((), *locs.find(()))
    here = path.resolve()
    for i, parent in enumerate(parents):
        where = ("extends",) if len(parents) == 1 else ("extends", i)
        if "\x00" in parent:
            raise ScenarioError([locs.problem(where, "not a file name: it holds a NUL character")])
        parent_path = (path.parent / parent).resolve()
        if parent_path in chain + (here,):
            names = " -> ".join(p.name for p in chain + (here, parent_path))
            raise ScenarioError([locs.problem(where, f"extends forms a cycle: {names}")])
        if not parent_path.exists():
            raise ScenarioError([locs.problem(where, f"file not found: {parent}")])
        shown = str(Path(display).parent / parent)
        pdata, plocs = _load_with_extends(parent_path, shown, chain + (here,))
        if not isinstance(pdata, dict):
            raise ScenarioError([plocs.problem((), "a scenario must be a mapping of keys to values")])
        merged = deep_merge(merged, pdata, merged_locs, plocs)
    merged = deep_merge(merged, data, merged_locs, locs)
    return merged, merged_locs


def apply_override(data: Any, locs: Locations, text: str, index: int = 1) -> Any:
    """Apply one ``dotted.key=value`` override in place (the value is read as YAML).

    List items are addressed by index (``forums.0.decides=20``) or by id (``forums.unga.decides=20``).

    Example:
        >>> d = {"rounds": 10, "forums": [{"id": "f", "opens": 0}]}
        >>> apply_override(d, Locations(), "forums.f.opens=3")
        {'rounds': 10, 'forums': [{'id': 'f', 'opens': 3}]}
    """
    where = f"--set {text}"
    if "=" not in text:
        raise ScenarioError([Problem(where, 0, "", "expected dotted.key=value")])
    key, raw = text.split("=", 1)
    parts = [p for p in key.strip().split(".")]
    if not all(parts):
        raise ScenarioError([Problem(where, 0, key, "empty part in the dotted key")])
    value = parse_value(raw, where, key) if raw.strip() else ""
    node = data
    path: PathKey = ()
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if isinstance(node, list):
            idx = _list_index(node, part)
            if idx is None:
                raise ScenarioError([Problem(where, 0, key, f"no item {shorten(part)} in this list")])
            path += (idx,)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            path += (part,)
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise ScenarioError([Problem(where, 0, key, "cannot set a key inside a plain value")])
    locs.drop_under(path)
    locs.set(path, where, 0)
    return data


def _list_index(items: list[Any], part: str) -> int | None:
    if INDEX.fullmatch(part):  # ASCII digits only: str.isdigit() also takes '²', which int() refuses
        idx = int(part)
        return idx if -len(items) <= idx < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    return None


@contextmanager
def located_errors(locs: Locations, root: type[BaseModel]) -> Iterator[None]:
    """Pydantic's validation errors raised in the block, as one :class:`ScenarioError` of located
    problems (:func:`problem_from_pydantic`; ``root``: the model validated)."""
    try:
        yield
    except ValidationError as exc:
        raise ScenarioError([problem_from_pydantic(err, locs, root) for err in exc.errors()]) from None


def problem_from_pydantic(err: dict[str, Any], locs: Locations, root: type[BaseModel]) -> Problem:
    """One pydantic validation error as a located :class:`Problem`, in plain words.

    Args:
        err: an item of ``ValidationError.errors()``.
        locs: where each value of the validated document was written.
        root: the model that was validated (for "did you mean" hints on unknown keys).
    """
    path = tuple(p for p in err["loc"] if p != "tuple[float, float]")
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        known = _known_keys(path[:-1], root)
        hint = difflib.get_close_matches(str(path[-1]), known, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        msg = f"unknown key{extra}; known keys: {', '.join(known)}" if known else "unknown key"
        return locs.problem(path, msg)
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        options = expected.replace("'", "").replace(" or ", ", ")
        return locs.problem(path, f"{shorten(value)} is not one of {options}")
    if kind == "missing":
        return locs.problem(path, "required field is missing")
    msg = err["msg"].removeprefix("Value error, ")
    if kind not in ("value_error", "model_type", "dict_type", "list_type") and not isinstance(
            value, dict | list):
        msg = f"{msg}, got {shorten(value)}"
    return locs.problem(path, msg)


def _known_keys(path: PathKey, root: type[BaseModel]) -> list[str]:
    """The field names allowed at ``path`` (for 'did you mean' hints)."""
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}).keys())


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None
