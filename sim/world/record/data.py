"""The record as data: roll calls (``votes.csv``, ``roll_calls.csv``) and decisions by
endorsement or consensus (``decisions.csv``), read once per process (see ``sim/world/record/__init__.py``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

VOTES_FILE = "votes.csv"
CALLS_FILE = "roll_calls.csv"
DECISIONS_FILE = "decisions.csv"

#: The options of a roll call, in the model's order (the ordinal scale of the item-response model).
NO, ABSTAIN, YES = 0, 1, 2
VOTE_CODES = {"no": NO, "abstain": ABSTAIN, "yes": YES, "yes_or_absent": YES}


@dataclass(frozen=True)
class RollCalls:
    """Recorded votes as arrays: ``votes[i, j]`` is state i's vote on roll call j (-1: absent).

    Attributes:
        iso3: the states, rows of ``votes``.
        ids: the roll calls' ids, columns of ``votes``, in date order.
        dates: the roll calls' dates.
        topics: each roll call's topic.
        titles: each roll call's title.
        votes: int8 (states x roll calls): NO, ABSTAIN, YES or -1.
    """

    iso3: tuple[str, ...]
    ids: tuple[str, ...]
    dates: tuple[date, ...]
    topics: tuple[str, ...]
    titles: tuple[str, ...]
    votes: np.ndarray

    def before(self, day: date | None) -> RollCalls:
        """The roll calls held strictly before ``day`` (all of them if None)."""
        if day is None:
            return self
        keep = [j for j, d in enumerate(self.dates) if d < day]
        return RollCalls(self.iso3, tuple(self.ids[j] for j in keep),
                         tuple(self.dates[j] for j in keep), tuple(self.topics[j] for j in keep),
                         tuple(self.titles[j] for j in keep), self.votes[:, keep])

    def __len__(self) -> int:
        return len(self.ids)


def roll_calls_from_rows(rows, titles: dict[str, str] | None = None) -> RollCalls:
    """Roll calls from rows with ``vote_id``, ``date``, ``topic``, ``iso3`` and ``vote`` (a list of
    dicts or a pandas DataFrame of strings, as ``votes.csv`` holds them).

    Example:
        >>> rc = roll_calls_from_rows([
        ...     {"vote_id": "v1", "date": "2020-01-01", "topic": "ict", "iso3": "AAA", "vote": "yes"},
        ...     {"vote_id": "v1", "date": "2020-01-01", "topic": "ict", "iso3": "BBB", "vote": "no"},
        ...     {"vote_id": "v2", "date": "2021-01-01", "topic": "ict", "iso3": "BBB", "vote": "absent"}])
        >>> rc.iso3, rc.ids, rc.votes.tolist()
        (('AAA', 'BBB'), ('v1', 'v2'), [[2, -1], [0, -1]])
    """
    import pandas as pd  # vectorised: votes.csv has some 66,000 rows

    table = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    calls = table.drop_duplicates("vote_id")[["vote_id", "date", "topic"]]
    calls = calls.assign(day=pd.to_datetime(calls["date"]).dt.date).sort_values(["day", "vote_id"])
    ids = calls["vote_id"].tolist()
    iso3 = sorted(set(table["iso3"]))
    col = pd.Series(range(len(ids)), index=ids)
    row = pd.Series(range(len(iso3)), index=iso3)
    codes = table["vote"].map(VOTE_CODES)
    known = codes.notna().to_numpy()
    votes = np.full((len(iso3), len(ids)), -1, dtype=np.int8)
    votes[row[table["iso3"]].to_numpy()[known], col[table["vote_id"]].to_numpy()[known]] = \
        codes[known].astype(np.int8).to_numpy()
    titles = titles or {}
    return RollCalls(tuple(iso3), tuple(ids), tuple(calls["day"]), tuple(calls["topic"]),
                     tuple(titles.get(v, "") for v in ids), votes)


@lru_cache(maxsize=4)
def _read_roll_calls(folder: str, _stamp: int) -> RollCalls:
    import pandas as pd  # a C reader: the csv module takes a quarter of a second for this file

    titles: dict[str, str] = {}
    path = Path(folder) / CALLS_FILE
    if path.exists():
        meta = pd.read_csv(path, dtype=str, keep_default_na=False)
        titles = dict(zip(meta["vote_id"], meta["title"], strict=True))
    table = pd.read_csv(Path(folder) / VOTES_FILE, dtype=str, keep_default_na=False)
    return roll_calls_from_rows(table, titles)


def read_roll_calls(data_dir: Path) -> RollCalls | None:
    """The roll calls in ``data_dir/votes.csv`` (read once per process), or None without one."""
    path = Path(data_dir) / VOTES_FILE
    if not path.exists():
        return None
    return _read_roll_calls(str(Path(data_dir).resolve()), path.stat().st_mtime_ns)


@dataclass(frozen=True)
class Decision:
    """A recorded endorsement of a declaration or a decision by consensus (``decisions.csv``).

    ``stances``: ISO3 -> ``endorse`` / ``not_endorsed`` (endorsements) or ``joined`` / ``object``
    (consensus), for the states the sources say something of."""

    id: str
    kind: str
    date: date
    topic: str
    stances: dict[str, str]


@lru_cache(maxsize=4)
def _read_decisions(path: str, _stamp: int) -> tuple[Decision, ...]:
    found: dict[str, Decision] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            d = found.setdefault(r["decision_id"], Decision(
                r["decision_id"], r["kind"], date.fromisoformat(r["date"]), r["topic"], {}))
            d.stances[r["iso3"]] = r["stance"]
    return tuple(sorted(found.values(), key=lambda d: (d.date, d.id)))


def read_decisions(data_dir: Path) -> tuple[Decision, ...]:
    """The recorded endorsements and consensus decisions beside the roster (empty without a file)."""
    path = Path(data_dir) / DECISIONS_FILE
    if not path.exists():
        return ()
    return _read_decisions(str(path.resolve()), path.stat().st_mtime_ns)
