"""Endorsement cascades: how the count of states endorsing a text grew after its launch.

``scenarios/data/cascades.csv`` (sources in ``SOURCES_cascades.md``) holds dated counts of states
for the US Political Declaration on military AI (2023), the calls for a ban on autonomous weapons
(2016-2021), the Oslo Process on cluster munitions (2007-2008), the Ottawa Process on
anti-personnel mines (1996-1997), the Paris Call (2018-2021), the Safe Schools Declaration
(2015-2023) and the Christchurch Call (2019-2021). They are the evidence the
campaign levers' sizes are fitted to (docs/levers.md, ``analysis/cascade_fit.py``);
``cascade_attributes.csv`` holds what was known of each at its launch (:func:`load_attributes`). Outcomes
stop at the end of 2023: :func:`load_cascades` refuses a later row.

Run ``python -m analysis.cascades [OUT.png]`` to draw them.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sim.batch.outputs import save_figure
from sim.errors import Problem, ScenarioError
from sim.paths import PROJECT_ROOT

CASCADES = PROJECT_ROOT / "scenarios" / "data" / "cascades.csv"
ATTRIBUTES = CASCADES.with_name("cascade_attributes.csv")
FORMS = ("declaration", "individual_calls", "treaty_process")
LAST_OUTCOME = dt.date(2023, 12, 31)  # outcomes after this are the out-of-sample period
KINDS = ("launch", "interim", "final")


@dataclass(frozen=True)
class Point:
    """One dated count of a cascade."""

    cascade: str
    date: dt.date
    count: int
    kind: str
    source: str
    note: str


def _dated_rows(path: Path, field: str, problems: list[Problem]) -> Iterator[tuple]:
    """Each row of a CSV file with its date (column ``field``) and a ``bad(field, message)`` that
    records a problem at the row's line; a row whose date does not parse is a problem and is
    skipped."""
    with open(path, newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            def bad(name: str, message: str, line: int = line) -> None:
                problems.append(Problem(str(path), line, name, message))
            try:
                day = dt.date.fromisoformat(row[field])
            except (TypeError, ValueError):
                bad(field, f"not a date (YYYY-MM-DD): {row[field]!r}")
                continue
            yield row, day, bad


def load_cascades(path: Path = CASCADES) -> dict[str, list[Point]]:
    """The cascades by id, each in date order.

    Raises:
        ScenarioError: a row with a bad date or count, no source, an unknown kind, or an outcome
            after 2023 (``FILE:LINE: field: message``).
    """
    problems: list[Problem] = []
    out: dict[str, list[Point]] = {}
    for row, date, bad in _dated_rows(path, "date", problems):
        if date > LAST_OUTCOME:
            bad("date", f"{date} is after {LAST_OUTCOME}: outcomes from 2024 on are the "
                        "out-of-sample period and stay out of the data")
        if not (row.get("count") or "").isdigit() or int(row["count"]) < 1:
            bad("count", f"not a positive whole number of states: {row.get('count')!r}")
            continue
        if row.get("kind") not in KINDS:
            bad("kind", f"{row.get('kind')!r} is not one of {', '.join(KINDS)}")
        if not (row.get("source") or "").strip():
            bad("source", "every count needs its source")
        out.setdefault(row["cascade"], []).append(
            Point(row["cascade"], date, int(row["count"]), row.get("kind") or "",
                  row.get("source") or "", row.get("note") or ""))
    if problems:
        raise ScenarioError(problems)
    return {k: sorted(v, key=lambda p: p.date) for k, v in out.items()}


@dataclass(frozen=True)
class Attributes:
    """What was known of a cascade at its launch (``cascade_attributes.csv``): its form and the
    number of conferences on its text announced at the launch. Never a later count."""

    cascade: str
    as_of: dt.date
    form: str
    conferences: int
    source: str
    note: str


def load_attributes(path: Path = ATTRIBUTES,
                    cascades: dict[str, list[Point]] | None = None) -> dict[str, Attributes]:
    """Each cascade's attributes at its launch, checked against its dated counts: an
    attribute dated after the cascade's first count would let the outcome in.

    Raises:
        ScenarioError: a bad date, form or number, no source, or an ``as_of`` date after the
            cascade's launch (``FILE:LINE: field: message``).
    """
    launches = {k: v[0].date for k, v in (load_cascades() if cascades is None
                                          else cascades).items()}
    problems: list[Problem] = []
    out: dict[str, Attributes] = {}
    for row, as_of, bad in _dated_rows(path, "as_of", problems):
        name = row["cascade"]
        if name not in launches:
            bad("cascade", f"{name!r} has no dated counts in {CASCADES.name}")
        elif as_of > launches[name]:
            bad("as_of", f"{as_of} is after the launch ({launches[name]}): only what was "
                         "known at the launch may explain the later counts")
        if row.get("form") not in FORMS:
            bad("form", f"{row.get('form')!r} is not one of {', '.join(FORMS)}")
        if not (row.get("conferences") or "").isdigit():
            bad("conferences", f"not a whole number: {row.get('conferences')!r}")
            continue
        if not (row.get("source") or "").strip():
            bad("source", "every attribute needs its source")
        out[name] = Attributes(name, as_of, row.get("form") or "", int(row["conferences"]),
                               row.get("source") or "", row.get("note") or "")
    if problems:
        raise ScenarioError(problems)
    return out


def plot_cascades(cascades: dict[str, list[Point]], path: Path) -> Path:
    """Each cascade's count of states against the months since its first dated point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, points in cascades.items():
        start = points[0].date
        months = [(p.date - start).days / 30.44 for p in points]
        ax.plot(months, [p.count for p in points], marker="o", label=f"{name} (from {start:%b %Y})")
    ax.set_xlabel("months since the first dated count")
    ax.set_ylabel("states endorsing (or signing)")
    ax.set_title("Endorsement cascades (scenarios/data/cascades.csv; sources beside it)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "docs" / "cascades.png"
    print(f"wrote {plot_cascades(load_cascades(), target)}")
