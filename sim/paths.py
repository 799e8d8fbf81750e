"""Where the project's bundled files are, and how relative paths in scenarios are resolved."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "scenarios" / "data"


def resolve_data_path(name: str, source: Path | None) -> Path:
    """Resolve a path written in a scenario.

    Absolute paths stay; a relative path is looked up beside the scenario file first, then from
    the project's root (so ``scenarios/data/states.csv`` works from any scenario).
    """
    path = Path(name)
    if path.is_absolute():
        return path
    if source is not None:
        beside = source.resolve().parent / path
        if beside.exists():
            return beside
    return PROJECT_ROOT / path
