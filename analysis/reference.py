"""The scenario reference (docs/scenario_reference.md), written from the pydantic models.

The models in ``sim/format/scenario.py`` are the single source of truth of the format: the same classes
validate the YAML, write the JSON Schema and, here, the reference a student reads. A test fails
when the file on disk differs from what this module writes (``make docs`` rewrites it).
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.format.scenario import Scenario
from sim.paths import PROJECT_ROOT

REFERENCE_PATH = PROJECT_ROOT / "docs" / "scenario_reference.md"

INTRO = """# Scenario reference

Every key a scenario file may hold, its type, its default and what it means. This page is written
from the pydantic models in `sim/format/scenario.py` by `make docs`; do not edit it by hand. Unknown keys
are errors. `extends: FILE` (or a list of files) inherits other scenarios by deep merge: mappings
merge key by key, lists are replaced whole. `--set dotted.key=value` overrides one value from the
command line (list items by index or by `id`: `forums.summit.decides=30`).
"""


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(_type_name(a) for a in args)
    if origin is typing.Annotated:
        base, *meta = args
        bounds = []
        for m in meta:
            for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
                for item in getattr(m, "metadata", [m]):
                    if hasattr(item, attr) and getattr(item, attr) is not None:
                        bounds.append(f"{sign} {getattr(item, attr)}")
        return _type_name(base) + (f" ({', '.join(bounds)})" if bounds else "")
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return f"`{getattr(annotation, '__name__', str(annotation))}`"


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "(defaults below)"
        return f"`{value}`" if value not in ({}, []) else "empty"
    if field.default is PydanticUndefined:
        return "**required**"
    return f"`{field.default}`" if field.default is not None else "none"


def _bounds(field: Any) -> str:
    out = []
    for item in field.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"),
                           ("min_length", "length >=")):
            if getattr(item, attr, None) is not None:
                out.append(f"{sign} {getattr(item, attr)}")
    return f" ({', '.join(out)})" if out else ""


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for field in model.model_fields.values():
            for inner in _nested(field.annotation):
                visit(inner)

    visit(root)
    return seen


def _nested(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _nested(a)]


def limits_text() -> str:
    """The bounds on what plenary reads, as Markdown (from the constants that enforce them)."""
    from sim.batch.outputs import MAX_PATH_BYTES
    from sim.batch.sweep import MAX_RUNS
    from sim.errors import MAX_MESSAGE
    from sim.format.scenario import MAX_CAPABILITY, MAX_COUNT, MAX_WEIGHT
    from sim.format.yamlio import MAX_DEPTH, MAX_VALUES, MAX_YAML_BYTES

    counts = ("a count: `rounds`, `opens`, `decides`, `budget`, `invite_cosponsors`, "
              "`min_endorsements`, `stall_rounds`")
    weights = ("a weight of the decision model (`behaviour`), a tie weight (`world.ties`, "
               "`extra_ties`), a dimension's `weight`, a forum's `pull`")
    return f"""## Limits

Input past these bounds is refused with one `FILE:LINE: field: message` line and exit status 2,
before any run and with nothing written; every bound is far past what a real scenario needs.

| what | the most accepted |
| --- | --- |
| a scenario, sweep, strategy or case file (or one `--set` value) | {MAX_YAML_BYTES:,} characters |
| nesting of mappings and lists | {MAX_DEPTH} levels (the bundled scenarios nest 4 or 5) |
| values in a document once its aliases (`*name`) are expanded | {MAX_VALUES:,} |
| an alias inside its own anchor (`a: &x [*x]`) | refused |
| runs in a sweep's design (points x replicates, counted before sampling) | {MAX_RUNS:,} |
| {counts} | {MAX_COUNT:,} |
| {weights} | {MAX_WEIGHT:g} in size |
| a state's `capability` | {MAX_CAPABILITY:g} |
| numbers | finite: `.nan`, `.inf` and `-.inf` are refused everywhere |
| the `--out` path | {MAX_PATH_BYTES:,} bytes, each name within the file system's limit (255 bytes) |
| the message of an error line | {MAX_MESSAGE} characters; a value quoted in it is cut to 60 |

`--set` list indexes are ASCII digits (`forums.0`, `forums.-1`) or an item's `id`. An `--out`
folder must be a real folder (not a symbolic link, not `..`); files are written beside their
place and renamed into it, so a link planted in the folder is replaced, never written through.
"""


def reference_text() -> str:
    """The reference page, as Markdown."""
    parts = [INTRO, limits_text()]
    for model in _models(Scenario):
        doc = " ".join((model.__doc__ or "").split("\n\n")[0].split())
        parts.append(f"## {model.__name__}\n\n{doc}\n")
        parts.append("| key | type | default | meaning |\n| --- | --- | --- | --- |")
        for name, field in model.model_fields.items():
            meaning = (field.description or "").replace("|", "\\|").replace("\n", " ")
            parts.append(f"| `{name}` | {_type_name(field.annotation)}{_bounds(field)} | "
                         f"{_default(field)} | {meaning} |")
        parts.append("")
    return "\n".join(parts)


def write_reference(path: Path | None = None) -> Path:
    """Write the reference page (docs/scenario_reference.md by default)."""
    target = path or REFERENCE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(reference_text(), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(f"wrote {write_reference()}")
