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

Scenarios override any of this under ``world.groups`` and ``world.states``.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

INDICATORS_FILE = "indicators.csv"


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
