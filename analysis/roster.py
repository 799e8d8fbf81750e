"""What `plenary world` reports: the roster's groups, its missing data, and its tie network.

Example:
    >>> from sim.paths import DATA_DIR
    >>> report = world_report(DATA_DIR / "states.csv")
    >>> report.counts["UN"], report.counts["NATO"], report.counts["EU"]
    (193, 32, 27)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from sim.format.scenario import DEFAULT_TIE_WEIGHTS
from sim.world.profiles import (
    capability_from_indicators,
    profiles_from_positions,
    read_indicators,
    read_positions,
)
from sim.world.roster import SPECIAL_GROUPS, UN_GROUP_CODES, World, build_world, load_roster

INDICATOR_COLUMNS = ("milex_usd_m", "gdp_usd_m", "population", "ai_index")


@dataclass
class WorldReport:
    """The roster (or one group of it) as `plenary world` shows it."""

    iso3: list[str]
    names: dict[str, str]
    un_group: dict[str, str]
    counts: dict[str, int]
    missing: dict[str, list[str]]
    with_positions: list[str]
    capability: dict[str, float]
    world: World


def world_report(roster_path: Path, group: str | None = None, as_of: date | None = None
                 ) -> WorldReport:
    """Counts per group, missing data per indicator, and the tie network of the roster.

    Args:
        roster_path: the states CSV (memberships, indicators and positions are read beside it).
        group: keep only this group's members.
        as_of: memberships and statements as of this date.

    Raises:
        KeyError: ``group`` is not a group of the roster.
    """
    roster = load_roster(roster_path, as_of)
    codes = list(roster.expand([group])) if group else list(roster.iso3)
    chosen = set(codes)
    counts = {g: len(chosen.intersection(m)) for g, m in roster.groups.items()}
    counts = {g: n for g, n in counts.items() if n}
    indicators = read_indicators(roster_path) or {}
    missing = {col: [c for c in codes if np.isnan(indicators.get(c, {}).get(col, np.nan))]
               for col in INDICATOR_COLUMNS}
    statements = read_positions(roster_path) or ()
    points, _ = profiles_from_positions(codes, ["stringency"], statements, as_of)
    capability = (capability_from_indicators(codes, indicators) if indicators
                  else np.ones(len(codes)))
    un_names = {code: name for name, code in UN_GROUP_CODES.items()}
    un_group = {c: next((un_names[g] for g in UN_GROUP_CODES.values()
                         if c in roster.groups.get(g, ())), "") for c in codes}
    world = build_world(codes, roster.groups, DEFAULT_TIE_WEIGHTS)
    return WorldReport(
        iso3=codes, names={c: roster.names[c] for c in codes}, un_group=un_group, counts=counts,
        missing=missing, with_positions=[codes[i] for i in sorted(points)],
        capability={c: float(v) for c, v in zip(codes, capability, strict=True)}, world=world,
    )


def group_rows(report: WorldReport) -> list[tuple[str, int]]:
    """(group, members) rows: UN and the regional groups first, then organisations by size."""
    regional = [g for g in UN_GROUP_CODES.values() if g in report.counts]
    others = sorted((g for g in report.counts if g not in regional and g not in SPECIAL_GROUPS),
                    key=lambda g: (-report.counts[g], g))
    return [(g, report.counts[g]) for g in ["UN", "all", *regional, *others] if g in report.counts]
