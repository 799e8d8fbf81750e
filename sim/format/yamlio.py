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
            key = _scalar(key_node, file, path)
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
    return _scalar(node, file, path)


#: what a tag reads, for the error of a scalar that cannot be read as one
_TAG_WORDS = {"timestamp": "date", "bool": "true or false", "int": "whole number",
              "float": "number", "binary": "base64 text", "null": "null"}


def _scalar(node: yaml.Node, file: str, path: PathKey) -> Any:
    """A key or a scalar as Python; one that its tag cannot read (a date 2023-02-30,
    ``!!bool maybe``, ``!!int x``) is a located problem, not a traceback."""
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return yaml.SafeLoader(b"").construct_object(node, deep=True)  # a key that is a mapping
    try:
        return yaml.SafeLoader(b"").construct_object(node, deep=True)
    except yaml.constructor.ConstructorError:
        raise
    except (ValueError, KeyError, TypeError, OverflowError, IndexError) as exc:
        tag = node.tag.rsplit(":", 1)[-1]
        word = _TAG_WORDS.get(tag, tag)
        why = f" ({exc})" if isinstance(exc, ValueError) and str(exc) else ""
        raise ScenarioError([Problem(file, node.start_mark.line + 1, format_path(path),
                                     f"{shorten(node.value)} is not a valid {word}{why}")]) from None


def shorten(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut in the middle past ``limit`` characters (error lines stay readable).

    Example:
        >>> shorten("x" * 100, 20)
        "'xxxxxxx...xxxxxxx' (100 characters)"
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value):,} characters)" if isinstance(value, str) else ""
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[-half:]}{size}"


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
    if "\x00" in str(path):
        raise ScenarioError([Problem(name, 0, "", "not a file name: it holds a NUL character")])
    try:
        if Path(path).stat().st_size > 4 * MAX_YAML_BYTES:  # refused unread (parse_yaml says why)
            raise ScenarioError([Problem(name, 0, "", f"the file holds {Path(path).stat().st_size:,} "
                                         f"bytes; the most a file may hold is {MAX_YAML_BYTES:,}")])
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, 0, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(name, 0, "", f"cannot read the file: {exc}")]) from None
    except ValueError:  # a NUL in the name: no file can have it
        raise ScenarioError([Problem(name, 0, "", "not a file name: it holds a NUL character")]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, Locations]:
    """Parse YAML text safely; see :func:`load_yaml`.

    Before anything is built, the text is checked against the bounds a scenario never comes near
    (:data:`MAX_YAML_BYTES`, :data:`MAX_DEPTH`, :data:`MAX_VALUES` once aliases are expanded, no
    alias inside its own anchor): odd input is refused in a line, not read for minutes.

    Example:
        >>> data, locs = parse_yaml("a:\\n  b: [1, 2]\\n", "x.yaml")
        >>> data, locs.find(("a", "b", 1))
        ({'a': {'b': [1, 2]}}, ('x.yaml', 2))
    """
    locs = Locations()
    if len(text) > MAX_YAML_BYTES:
        raise ScenarioError([Problem(name, 0, "", f"the file holds {len(text):,} characters; "
                                     f"the most a file may hold is {MAX_YAML_BYTES:,}")])
    try:
        check_bounds(text, name)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character or 0)
        raise ScenarioError([Problem(name, line, "", f"not valid YAML: {exc.reason} "
                                     f"(character U+{ord(char):04X})")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ScenarioError([Problem(name, line, "", f"not valid YAML: {exc.problem or exc.context}")]
                            ) from None
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


def parse_value(text: str, where: str, field: str) -> Any:
    """A ``--set`` value read as YAML, within the bounds of a file (:func:`check_bounds`); text that
    is not YAML stays text, as before. ``where`` and ``field`` name it in an error.

    Example:
        >>> parse_value("[1, {a: 2}]", "--set x=...", "x"), parse_value("a: b: c", "--set", "x")
        ([1, {'a': 2}], 'a: b: c')
    """
    def refuse(problems: list[Problem]) -> ScenarioError:
        return ScenarioError([Problem(where, 0, field, p.message) for p in problems])

    if len(text) > MAX_YAML_BYTES:
        raise refuse([Problem(where, 0, field, f"the value holds {len(text):,} characters; the most "
                                               f"a value may hold is {MAX_YAML_BYTES:,}")])
    try:
        check_bounds(text, where)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        return None if node is None else _to_python(node, where, (), Locations())
    except ScenarioError as exc:
        raise refuse(exc.problems) from None
    except yaml.YAMLError:
        return text


#: the most characters a YAML file (or a --set value) may hold; a scenario has a few thousand
MAX_YAML_BYTES = 2_000_000
#: the deepest nesting of mappings and lists; a scenario's deepest is 4 or 5
MAX_DEPTH = 50
#: the most values (scalars, mappings and lists) a document may hold once its aliases are expanded
MAX_VALUES = 200_000


def check_bounds(text: str, name: str) -> None:
    """Refuse YAML that nests deeper than :data:`MAX_DEPTH`, whose aliases expand it past
    :data:`MAX_VALUES` values (an "alias bomb") or that holds an alias inside its own anchor,
    from PyYAML's event stream (read in one pass without building anything).

    Example:
        >>> check_bounds("a: &x [1, 2]\\nb: *x", "x.yaml")
        >>> check_bounds("a: &x [*x]", "x.yaml")
        Traceback (most recent call last):
        ...
        sim.errors.ScenarioError: x.yaml:1: not valid YAML: the alias *x is inside its own anchor &x
    """
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # the mappings and lists open at this point
    total = 0

    def add(count: int, mark: yaml.Mark) -> None:
        nonlocal total
        total += count
        if stack:
            stack[-1][1] += count
        if total > MAX_VALUES:
            raise ScenarioError([Problem(name, mark.line + 1, "", (
                f"the aliases (*name) expand the document past {MAX_VALUES:,} values, the most "
                "allowed; write the values out or use fewer aliases"))])

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            add(1, event.start_mark)
            stack.append([event.anchor, 1])  # [its anchor, the values in it]
            if len(stack) > MAX_DEPTH:
                raise ScenarioError([Problem(name, event.start_mark.line + 1, "", (
                    f"mappings and lists nest more than {MAX_DEPTH} deep, the most allowed"))])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            if anchor is not None:
                sizes[anchor] = count
        elif isinstance(event, yaml.ScalarEvent):
            add(1, event.start_mark)
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(open_[0] == event.anchor for open_ in stack):
                raise ScenarioError([Problem(name, event.start_mark.line + 1, "",
                                             f"not valid YAML: the alias *{event.anchor} is inside "
                                             f"its own anchor &{event.anchor}")])
            # an undefined alias is left to the composer, which names it
            add(sizes.get(event.anchor, 1), event.start_mark)


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
