"""Safe YAML loading that remembers where every value came from.

Scenario errors must name the file and the line of the offending field, also after ``extends:``
merges several files and ``--set`` overrides values from the command line. This module loads YAML
with PyYAML's safe loader only, and returns the plain data beside a :class:`Locations` map from
each path (a tuple of keys and list indices) to the ``(file, line)`` it was written at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.errors import Problem, ScenarioError

PathKey = tuple[str | int, ...]


class Locations:
    """Where each value of a loaded document was written: path -> (file, line)."""

    def __init__(self) -> None:
        self._at: dict[PathKey, tuple[str, int]] = {}

    def set(self, path: PathKey, file: str, line: int) -> None:
        self._at[path] = (file, line)

    def update(self, other: Locations) -> None:
        self._at.update(other._at)

    def drop_under(self, path: PathKey) -> None:
        """Forget every location at or below ``path`` (a value was replaced whole)."""
        n = len(path)
        for key in [k for k in self._at if k[:n] == path]:
            del self._at[key]

    def find(self, path: PathKey) -> tuple[str, int]:
        """The location of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self._at:
                return self._at[path]
            path = path[:-1]
        return self._at.get((), ("?", 0))

    def problem(self, path: PathKey, message: str) -> Problem:
        file, line = self.find(path)
        return Problem(file, line, format_path(path), message)


def format_path(path: PathKey) -> str:
    """Format a path as users write it.

    Example:
        >>> format_path(("forums", 0, "rule"))
        'forums[0].rule'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _to_python(node: yaml.Node, file: str, path: PathKey, locs: Locations) -> Any:
    locs.set(path, file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise ScenarioError([Problem(file, node.start_mark.line + 1, format_path(path),
                                     f"not valid YAML: tag {node.tag} is not allowed")])
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(b"").construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise ScenarioError(
                    [Problem(file, key_node.start_mark.line + 1, format_path(path),
                             f"a key must be a plain name, not {key!r}")]
                )
            key = str(key)
            if key in out:
                raise ScenarioError(
                    [Problem(file, key_node.start_mark.line + 1, format_path(path + (key,)),
                             "this key is given twice")]
                )
            locs.set(path + (key,), file, key_node.start_mark.line + 1)
            out[key] = _to_python(value_node, file, path + (key,), locs)
            # a key's line is where the key is written, even when its value starts below it
            locs.set(path + (key,), file, key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, file, path + (i,), locs) for i, item in enumerate(node.value)]
    return yaml.SafeLoader(b"").construct_object(node, deep=True)


def load_yaml(path: str | Path, display: str | None = None) -> tuple[Any, Locations]:
    """Load one YAML file safely, with the location of every value.

    Args:
        path: the file to read.
        display: the name to use for the file in error messages (default: ``path`` as given).

    Returns:
        The data (dicts, lists, scalars) and its :class:`Locations`.

    Raises:
        ScenarioError: the file is missing, unreadable or not valid YAML.
    """
    name = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, 0, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(name, 0, "", f"cannot read the file: {exc}")]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, Locations]:
    """Parse YAML text safely; see :func:`load_yaml`.

    Example:
        >>> data, locs = parse_yaml("a:\\n  b: [1, 2]\\n", "x.yaml")
        >>> data, locs.find(("a", "b", 1))
        ({'a': {'b': [1, 2]}}, ('x.yaml', 2))
    """
    locs = Locations()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ScenarioError([Problem(name, line, "", f"not valid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, 0, "", f"not valid YAML: {exc}")]) from None
    if node is None:
        locs.set((), name, 1)
        return {}, locs
    try:
        data = _to_python(node, name, (), locs)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise ScenarioError([Problem(name, line, "", f"not valid YAML: {exc.problem}")]) from None
    return data, locs


def deep_merge(base: Any, over: Any, base_locs: Locations, over_locs: Locations,
               path: PathKey = ()) -> Any:
    """Merge ``over`` onto ``base``: mappings merge key by key, anything else is replaced whole.

    Lists are replaced, not appended: a child scenario that lists ``forums`` states them all.
    ``base_locs`` is updated in place to point at whichever file each value now comes from.

    Example:
        >>> a, la = parse_yaml("x: {p: 1, q: 2}\\nl: [1]", "a.yaml")
        >>> b, lb = parse_yaml("x: {q: 3}\\nl: [2, 3]", "b.yaml")
        >>> deep_merge(a, b, la, lb)
        {'x': {'p': 1, 'q': 3}, 'l': [2, 3]}
    """
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            sub = path + (key,)
            if key in merged:
                merged[key] = deep_merge(merged[key], value, base_locs, over_locs, sub)
            else:
                merged[key] = value
                _copy_locs(over_locs, base_locs, sub)
            base_locs.set(sub, *over_locs.find(sub))
        return merged
    base_locs.drop_under(path)
    _copy_locs(over_locs, base_locs, path)
    return over


def _copy_locs(src: Locations, dst: Locations, path: PathKey) -> None:
    n = len(path)
    for key, where in src._at.items():
        if key[:n] == path:
            dst._at[key] = where
