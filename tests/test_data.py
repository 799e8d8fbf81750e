"""Integrity of the bundled world data: the real roster, its memberships, every column sourced."""

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from sim.world.roster import UN_GROUP_CODES, load_roster

DATA = Path(__file__).resolve().parent.parent / "scenarios" / "data"


def rows(name):
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_roster_has_193_members_and_two_observers():
    states = rows("states.csv")
    members = [r for r in states if r["un_status"] == "member"]
    observers = sorted(r["iso3"] for r in states if r["un_status"] == "observer")
    assert len(members) == 193
    assert observers == ["PSE", "VAT"]


def test_iso3_codes_are_unique_and_well_formed():
    codes = [r["iso3"] for r in rows("states.csv")]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)


def test_every_member_has_a_known_un_group_or_none():
    for r in rows("states.csv"):
        assert r["un_group"] in set(UN_GROUP_CODES) | {""}, r
    groups = [r["un_group"] for r in rows("states.csv") if r["un_status"] == "member"]
    assert groups.count("African") == 54 and groups.count("Eastern European") == 23
    assert groups.count("Latin American and Caribbean") == 33


def test_current_nato_and_eu_membership():
    roster = load_roster(DATA / "states.csv")
    assert len(roster.groups["NATO"]) == 32
    assert len(roster.groups["EU"]) == 27
    assert "GBR" not in roster.groups["EU"]


def test_memberships_as_of_a_date():
    nato_2021 = load_roster(DATA / "states.csv", as_of=date(2021, 10, 22)).groups["NATO"]
    assert len(nato_2021) == 30 and "FIN" not in nato_2021 and "SWE" not in nato_2021
    assert "GBR" in load_roster(DATA / "states.csv", as_of=date(2019, 1, 1)).groups["EU"]


def test_membership_rows_are_unique_refer_to_roster_states_and_cite_a_defined_source():
    codes = {r["iso3"] for r in rows("states.csv")}
    defined = set(re.findall(r"^\| `?([a-z0-9_]+)`? \|", (DATA / "SOURCES_roster.md").read_text(),
                             flags=re.M))
    seen = set()
    for r in rows("memberships.csv"):
        key = (r["iso3"], r["group"], r["joined"])
        assert key not in seen, key
        seen.add(key)
        assert r["iso3"] in codes, r
        assert r["source"] in defined, r


def test_indicators_cover_the_roster_with_years_and_sources_and_no_zero_for_missing():
    codes = {r["iso3"] for r in rows("states.csv")}
    indicators = rows("indicators.csv")
    assert {r["iso3"] for r in indicators} == codes and len(indicators) == len(codes)
    for r in indicators:
        for col in ("milex_usd_m", "gdp_usd_m", "population", "ai_index"):
            stem = col.removesuffix("_usd_m")
            if r[col]:
                assert float(r[col]) > 0, (r["iso3"], col)
                assert r[f"{stem}_year"] and r[f"{stem}_source"], (r["iso3"], col)


@pytest.mark.parametrize("name,doc", [("states.csv", "SOURCES_roster.md"),
                                      ("memberships.csv", "SOURCES_roster.md"),
                                      ("indicators.csv", "SOURCES_indicators.md"),
                                      ("positions.csv", "SOURCES_positions.md")])
def test_every_column_is_documented_with_its_source(name, doc):
    text = (DATA / doc).read_text()
    with (DATA / name).open(encoding="utf-8") as fh:
        columns = next(csv.reader(fh))
    missing = [c for c in columns if f"`{c}`" not in text]
    assert not missing, f"{doc} does not document {missing}"
    assert name in (DATA / "SOURCES.md").read_text()


def test_positions_refer_to_roster_states_known_codes_full_dates_and_defined_sources():
    from sim.world.profiles import POSITION_EFFECTS

    codes = {r["iso3"] for r in rows("states.csv")}
    doc = (DATA / "SOURCES_positions.md").read_text()
    defined = set(re.findall(r"^\| `?([a-z0-9_]+)`? \|", doc, flags=re.M))
    positions = rows("positions.csv")
    assert len({r["iso3"] for r in positions}) >= 100
    for r in positions:
        assert r["iso3"] in codes, r
        assert r["position"] in POSITION_EFFECTS, r
        assert date.fromisoformat(r["date"]) <= date(2026, 11, 23), r
        assert r["source"] in defined, r


def test_no_stated_position_repeats_an_answer_of_the_validation_cases():
    # The recorded outcomes of cases.yaml are what the model is tested against; a statement of
    # the same event as input would leak the answer (Belén is a case: it has no position code).
    assert not [r for r in rows("positions.csv") if r["position"] == "belen_communique_2023"]
