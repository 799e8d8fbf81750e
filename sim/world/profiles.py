"""From sourced facts to each state's starting attributes (the data-to-agents mapping).

Capability — how much a state's word moves others — is read from ``indicators.csv`` beside the
roster (sources in ``scenarios/data/SOURCES.md``). The reasoning:

* Military expenditure (SIPRI) is the most direct published measure of the military weight a
  state brings to talks on military AI; it spans five orders of magnitude (US$ 10 m to 1 trillion),
  while influence at the table does not, so we compress it with a cube root relative to the median:
  ``capability_i = (milex_i / median(milex)) ** (1/3)``, which maps the median state to 1, the
  largest spender to about 10 and the smallest to about 0.2.
* Missing values are filled explicitly, never read as zero: a state without a SIPRI figure gets
  the median military share of GDP times its own GDP; a state with neither figure gets the
  smallest capability observed (it is a small state in every such case: Holy See, micro-states).

Ideal points and salience come from stated positions on autonomous weapons in
``positions.csv`` (one row per state and statement, each with its date and source). Each kind
of statement stands for a point on the two standard dimensions (:data:`POSITION_EFFECTS`, a
judgement written out in the table below) and raises salience: a state that has spoken cares.
A state with several kinds of statement sits at their mean; its salience gains add up (capped
at 1). Only statements made before ``world.as_of`` count, and a date given as a year or a month
counts from the end of that year or month, so that no statement can leak in from after the
date of the event being simulated. States with no statement keep the scenario's values.

Order of precedence (later wins): ``world.defaults``, ``world.groups``, the stated positions,
``world.states``. Facts about a state beat judgements about its group; an explicit per-state
override beats everything.

Scenarios override any of this under ``world.groups`` and ``world.states``.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

INDICATORS_FILE = "indicators.csv"
POSITIONS_FILE = "positions.csv"


@dataclass(frozen=True)
class PositionEffect:
    """Where a kind of statement puts a state (None: no information on that dimension)."""

    stringency: float | None
    human_control: float | None
    salience_gain: float


#: Judgement, stated once: what each kind of statement in positions.csv says about a state.
#: stringency: 0 = no new rules, 1 = a legally binding prohibition; human_control: 0 = no
#: requirement, 1 = meaningful human control over every use of force.
POSITION_EFFECTS: dict[str, PositionEffect] = {
    "calls_binding_instrument": PositionEffect(0.85, 0.85, 0.3),
    "belen_communique_2023": PositionEffect(0.8, 0.8, 0.2),
    "caricom_declaration_2023": PositionEffect(0.8, 0.8, 0.2),
    "freetown_communique_2024": PositionEffect(0.8, 0.8, 0.2),
    "joint_statement_unga77_2022": PositionEffect(0.7, 0.75, 0.15),
    "supports_two_tier": PositionEffect(0.6, 0.75, 0.15),
    "berlin_declaration_2020": PositionEffect(0.45, 0.7, 0.2),
    "supports_political_declaration": PositionEffect(0.3, 0.55, 0.2),
    "proposes_nonbinding_measures": PositionEffect(0.3, 0.55, 0.2),
    "opposes_new_law": PositionEffect(0.1, 0.4, 0.3),
}


@dataclass(frozen=True)
class Statement:
    """One row of positions.csv: a state's statement and the last day it may have been made."""

    iso3: str
    position: str
    made_by: date


def _end_of(text: str) -> date:
    """The last day a date written as YYYY, YYYY-MM or YYYY-MM-DD may stand for.

    Example:
        >>> _end_of("2022"), _end_of("2023-02"), _end_of("2024-04-17")
        (datetime.date(2022, 12, 31), datetime.date(2023, 2, 28), datetime.date(2024, 4, 17))
    """
    parts = [int(p) for p in text.strip().split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], parts[1], parts[2])


@lru_cache(maxsize=8)
def _read_positions(path: str, _stamp: int) -> tuple[Statement, ...]:
    with open(path, newline="", encoding="utf-8") as fh:
        return tuple(Statement(r["iso3"].strip(), r["position"].strip(), _end_of(r["date"]))
                     for r in csv.DictReader(fh) if r.get("date", "").strip())


def read_positions(roster_path: Path) -> tuple[Statement, ...] | None:
    """The stated positions beside a roster file, or None when there are none."""
    path = Path(roster_path).resolve().parent / POSITIONS_FILE
    if not path.exists():
        return None
    return _read_positions(str(path), path.stat().st_mtime_ns)


def profiles_from_positions(
    iso3: list[str], dimensions: list[str], statements: tuple[Statement, ...],
    as_of: date | None,
) -> tuple[dict[int, dict[str, float]], dict[int, float]]:
    """Ideal points and salience gains implied by statements made before ``as_of``.

    Args:
        iso3: the states, in array order.
        dimensions: the scenario's dimensions (only ``stringency`` and ``human_control`` are set).
        statements: from :func:`read_positions`.
        as_of: count statements made strictly before this date (None: all of them).

    Returns:
        (position -> {dimension: value}, position -> salience gain) for states with statements.

    Example:
        >>> s = (Statement("AAA", "opposes_new_law", date(2019, 3, 25)),
        ...      Statement("BBB", "calls_binding_instrument", date(2018, 12, 31)),
        ...      Statement("BBB", "supports_two_tier", date(2023, 12, 31)))
        >>> profiles_from_positions(["AAA", "BBB"], ["stringency"], s, date(2020, 1, 1))
        ({0: {'stringency': 0.1}, 1: {'stringency': 0.85}}, {0: 0.3, 1: 0.3})
    """
    index = {c: i for i, c in enumerate(iso3)}
    kinds: dict[int, set[str]] = {}
    for st in statements:
        if st.iso3 in index and st.position in POSITION_EFFECTS and (
                as_of is None or st.made_by < as_of):
            kinds.setdefault(index[st.iso3], set()).add(st.position)
    ideals: dict[int, dict[str, float]] = {}
    gains: dict[int, float] = {}
    for i, codes in sorted(kinds.items()):
        effects = [POSITION_EFFECTS[c] for c in sorted(codes)]
        point = {}
        for dim in ("stringency", "human_control"):
            values = [getattr(e, dim) for e in effects if getattr(e, dim) is not None]
            if dim in dimensions and values:
                point[dim] = round(sum(values) / len(values), 6)
        ideals[i] = point
        gains[i] = round(min(1.0, sum(e.salience_gain for e in effects)), 6)
    return ideals, gains


def _number(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else np.nan
    except ValueError:
        return np.nan


@lru_cache(maxsize=8)
def _read_indicators(path: str, _stamp: int) -> dict[str, dict[str, float]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["iso3"]: {k: _number(v) for k, v in row.items() if k != "iso3"}
                for row in csv.DictReader(fh)}


def read_indicators(roster_path: Path) -> dict[str, dict[str, float]] | None:
    """The indicators beside a roster file, or None when there are none."""
    path = Path(roster_path).resolve().parent / INDICATORS_FILE
    if not path.exists():
        return None
    return _read_indicators(str(path), path.stat().st_mtime_ns)


def capability_from_indicators(iso3: list[str], indicators: dict[str, dict[str, float]]
                               ) -> np.ndarray:
    """Capability of each state from military expenditure, filled from GDP where missing.

    Args:
        iso3: the states, in array order.
        indicators: ISO3 -> {"milex_usd_m": ..., "gdp_usd_m": ...} (NaN where missing).

    Returns:
        An array of capabilities, the median spender at 1.

    Example:
        >>> data = {"A": {"milex_usd_m": 1000.0, "gdp_usd_m": 1e5},
        ...         "B": {"milex_usd_m": 8000.0, "gdp_usd_m": 4e5},
        ...         "C": {"milex_usd_m": 125.0, "gdp_usd_m": 1e4},
        ...         "D": {"milex_usd_m": float("nan"), "gdp_usd_m": 1e5}}  # median share 1.25%
        >>> capability_from_indicators(["A", "B", "C", "D"], data).round(3).tolist()
        [1.0, 2.0, 0.5, 1.077]
    """
    every = list(indicators.values())
    milex_all = np.array([r.get("milex_usd_m", np.nan) for r in every])
    gdp_all = np.array([r.get("gdp_usd_m", np.nan) for r in every])
    both = ~np.isnan(milex_all) & ~np.isnan(gdp_all)
    median_share = float(np.median(milex_all[both] / gdp_all[both])) if both.any() else np.nan
    median_milex = float(np.nanmedian(milex_all))

    rows = [indicators.get(c, {}) for c in iso3]
    milex = np.array([r.get("milex_usd_m", np.nan) for r in rows])
    gdp = np.array([r.get("gdp_usd_m", np.nan) for r in rows])
    filled = np.where(np.isnan(milex), gdp * median_share, milex)
    capability = np.cbrt(filled / median_milex)
    floor = np.nanmin(np.cbrt(milex_all / median_milex))
    return np.where(np.isnan(capability), floor, capability)
