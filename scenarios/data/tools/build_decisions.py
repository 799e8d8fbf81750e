"""Build ``scenarios/data/decisions.csv``: endorsements of declarations and decisions by consensus,
before 2024 (a maintainer's tool, not run by Plenary).

Sources: the non-vote cases of the project's case file (``scenarios/cases/cases.yaml``, a copy of
the team's file: each case's sources are copied into the ``source`` column) and
``sources/consensus.yaml`` (decisions by consensus transcribed from the sources it names). A row
per state and decision: ``endorse`` / ``not_endorsed`` for open endorsements, ``joined`` /
``object`` / ``weakened`` (forced a weaker text that was then adopted) for consensus. Members that a source does not name get a row only where the source
says what they did (``others`` in the case file); a state that was not invited gets none.

Usage: python build_decisions.py CASES.yaml
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
CUTOFF = "2023-12-31"
TOPIC = {"reaim_2023_call_to_action": "ai_military", "us_political_declaration_2023_11": "ai_military",
         "nato_ai_principles_2021": "ai_military", "belen_communique_2023": "autonomous_weapons",
         "ccw_2019_guiding_principles": "autonomous_weapons",
         "ccw_2021_no_negotiating_mandate": "autonomous_weapons"}
STANCE = {"endorse": "endorse", "not_endorsed": "not_endorsed", "yes": "endorse", "object": "object"}


def members(population, day: str) -> list[str]:
    if isinstance(population, list):
        return list(population)
    if population == "un_members":
        with open(DATA / "states.csv", newline="") as f:
            return [r["iso3"] for r in csv.DictReader(f) if r["un_status"] == "member"
                    and r["un_admission"] <= day]
    if population == "ccw_parties":
        with open(DATA / "memberships.csv", newline="") as f:
            return [r["iso3"] for r in csv.DictReader(f) if r["group"] == "CCW"
                    and r["joined"][:10] <= day and not r["left"]]
    raise ValueError(population)


def case_rows(path: Path) -> list[dict]:
    rows = []
    for case in yaml.safe_load(path.read_text())["cases"]:
        if case["rule"] == "vote" or case["id"] not in TOPIC:
            continue
        day = str(case["date"])[:10]
        if day > CUTOFF:
            continue
        kind = "endorsement" if case["rule"] == "open_endorsement" else "consensus"
        source = " ; ".join(s["url"] for s in case.get("sources", []))
        listed = {}
        for word, codes in (case.get("stances") or {}).items():
            word = {True: "yes", False: "no"}.get(word, word)
            for c in codes:
                listed[c] = STANCE.get(word, word)
        others = case.get("others", "unknown")
        fill = {"not_endorsed": "not_endorsed", "endorse": "endorse" if kind == "endorsement" else "joined",
                "yes_or_absent": "endorse"}.get(others)
        if kind == "consensus" and case.get("outcome") == "adopted" and others in ("endorse", "none"):
            fill = "joined"
        for c in members(case["population"], day):
            stance = listed.get(c, fill)
            if kind == "consensus" and stance == "endorse":
                stance = "joined"
            if stance:
                rows.append(dict(decision_id=case["id"], kind=kind, date=day, topic=TOPIC[case["id"]],
                                 iso3=c, stance=stance, source=source))
    return rows


def consensus_rows(path: Path) -> list[dict]:
    """Objectors of each decision; where it was adopted, the other participants joined. Decisions
    the case file holds already (the same event) are skipped."""
    from build_votes import iso3_of, name_table

    table = name_table()
    rows = []
    if not path.exists():
        return rows
    duplicates = {"ccw_2019_mhcp_guiding_principles": "ccw_2019_guiding_principles",
                  "ccw_2021_revcon_mandate": "ccw_2021_no_negotiating_mandate"}
    for d in yaml.safe_load(path.read_text())["decisions"]:
        day = str(d["date"])[:10]
        if day > CUTOFF or d["id"] in duplicates:
            continue
        source = " ; ".join(s["url"] for s in d.get("sources", []))
        objectors = [iso3_of(name, table) for name in d.get("objectors") or []]
        # who forced a weaker text that was then adopted resisted, but did not block
        act = "weakened" if d["outcome"] == "adopted_weakened" else "object"
        for c in objectors:
            rows.append(dict(decision_id=d["id"], kind="consensus", date=day, topic=d["topic"], iso3=c,
                             stance=act, source=source))
        if d["outcome"] in ("adopted", "adopted_weakened") and d.get("population"):
            for c in members(d["population"], day):
                if c not in objectors:
                    rows.append(dict(decision_id=d["id"], kind="consensus", date=day,
                                     topic=d["topic"], iso3=c, stance="joined", source=source))
    return rows


def main(cases: str) -> None:
    rows = case_rows(Path(cases)) + consensus_rows(HERE.parent / "sources" / "consensus.yaml")
    rows.sort(key=lambda r: (r["date"], r["decision_id"], r["iso3"]))
    with open(DATA / "decisions.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["decision_id", "kind", "date", "topic", "iso3", "stance",
                                          "source"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(len({r["decision_id"] for r in rows}), "decisions,", len(rows), "rows")


if __name__ == "__main__":
    main(sys.argv[1])
