"""Build ``scenarios/data/votes.csv`` and ``roll_calls.csv`` from their two sources (a maintainer's tool, not run by Plenary).

1. Sessions 68-74 (2013-2019), General Assembly plenary: Erik Voeten's "United Nations General
   Assembly Voting Data" (Harvard Dataverse, hdl:1902.1/12379) as packaged in the R package
   ``unvotes`` (github.com/dgrtwo/unvotes, data/un_votes.rda, un_roll_calls.rda,
   un_roll_call_issues.rda; read with ``pyreadr``). Every roll call tagged "Arms control and
   disarmament" or "Nuclear weapons and nuclear material", plus the untagged ones whose title
   names weapons, disarmament, outer space, information and telecommunications, cyberspace,
   mines, munitions or missiles; votes on separate paragraphs are left out. Members that the
   source does not list on a roll call were absent or not yet members: ``absent`` for members
   admitted before the vote.
2. Sessions 75-78 (2020-2023), plenary: a later release of the same Voeten data, as copied in
   github.com/Pigeon-Effect/Mapping-UNGA-Voting-Alliances (docs/static/ungaVoting_003.csv,
   commit 4a2353a5), extracted to a long CSV (``UNGA_2020_2023.csv``: resolution, date, title,
   iso3, vote Y/N/A/X, rcid) keeping the roll calls flagged "di"/"nu", or on the day the plenary
   acted on the First Committee's report, or (2020-2021) whose title names the cluster. Titles of
   2020-2021 come from a scrape of the UN Digital Library's voting records
   (github.com/navyanawal0310/un-votes-intelligence-platform, data/raw/downloads/UN DATA.csv.zip,
   commit b1a33e9f; every roll call matched on date and the whole vote vector). The 2022-2023
   roll calls carry no title there: a roll call whose date and tally match a press release below
   takes its title from it; otherwise it takes the title of the 2020-2021 resolution whose votes
   it matches best, if at least 90% of the states voted alike, marked "(inferred from the
   voting pattern)" in ``roll_calls.csv``; otherwise it stays "unidentified" (topic ``other``).
3. Sessions 75-78, First Committee: the UN's press releases of each meeting (GA/DIS/...) or, where
   the stored copy was cut short, reports quoting them, transcribed into
   ``sources/press_sNN.yaml`` (counts, the states named as voting no and abstaining, the
   address). Only votes whose named states match the counts are used. States not named voted yes
   or did not vote: ``yes_or_absent``.

Nothing dated 2024 or later is written (the period on which Plenary is tested out of sample).

Usage (with pyreadr, pycountry and pyyaml installed):
    python build_votes.py UNVOTES_DATA_DIR UNGA_2020_2023.csv
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
from sim.topics import topic_of_title  # noqa: E402  (the same table the cases use)

DATA = HERE.parent
CUTOFF = "2023-12-31"
VOETEN = "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379"

#: Names of states as press releases and the Voeten data write them, beyond states.csv's names.
ALIASES = {
    "russia": "RUS", "syria": "SYR", "iran": "IRN", "united states": "USA", "united kingdom": "GBR",
    "united kingdom of great britain and northern ireland": "GBR", "venezuela": "VEN",
    "bolivia": "BOL", "turkey": "TUR", "turkiye": "TUR", "micronesia": "FSM",
    "federated states of micronesia": "FSM", "micronesia (federated states of)": "FSM",
    "cote d'ivoire": "CIV", "ivory coast": "CIV", "moldova": "MDA", "tanzania": "TZA",
    "vietnam": "VNM", "laos": "LAO", "lao people's democratic republic": "LAO",
    "north korea": "PRK", "dprk": "PRK", "democratic people's republic of korea": "PRK",
    "south korea": "KOR", "korea": "KOR", "republic of korea": "KOR", "brunei": "BRN",
    "cape verde": "CPV", "swaziland": "SWZ", "the former yugoslav republic of macedonia": "MKD",
    "macedonia": "MKD", "czech republic": "CZE", "dr congo": "COD",
    "democratic republic of congo": "COD", "republic of the congo": "COG", "the gambia": "GMB",
    "st. kitts and nevis": "KNA", "st. lucia": "LCA", "st. vincent and the grenadines": "VCT",
    "saint vincent and grenadines": "VCT", "east timor": "TLS", "palestine": "PSE",
    "syrian arab republic": "SYR", "iran (islamic republic of)": "IRN",
    "venezuela (bolivarian republic of)": "VEN", "bolivia (plurinational state of)": "BOL",
    "united republic of tanzania": "TZA", "republic of moldova": "MDA", "sao tome and principe": "STP",
    "são tomé and príncipe": "STP", "guinea bissau": "GNB", "timor leste": "TLS",
    "us": "USA", "usa": "USA", "uk": "GBR", "north korea (dprk)": "PRK", "uae": "ARE",
    "cameron": "CMR",  # a source's misspelling of Cameroon (press_s77.yaml)
}


def _key(name: str) -> str:
    name = name.strip().strip(".").replace("’", "'").replace("ü", "u").replace("ô", "o")
    return re.sub(r"\s+", " ", name.lower())


def name_table() -> dict[str, str]:
    table = {}
    with open(DATA / "states.csv", newline="") as f:
        for row in csv.DictReader(f):
            table[_key(row["name"])] = row["iso3"]
    table.update({_key(k): v for k, v in ALIASES.items()})
    return table


def iso3_of(name: str, table: dict[str, str]) -> str:
    key = _key(name)
    if key in table:
        return table[key]
    key = re.sub(r"^the ", "", key)
    if key in table:
        return table[key]
    raise KeyError(f"no ISO3 code for the name {name!r}")


def topic_of(title: str) -> str:
    return topic_of_title(title)


def members_on(day: str) -> list[str]:
    with open(DATA / "states.csv", newline="") as f:
        return [r["iso3"] for r in csv.DictReader(f)
                if r["un_status"] == "member" and r["un_admission"] <= day]


def voeten_rows(folder: Path) -> list[dict]:
    import pycountry
    import pyreadr

    calls = pyreadr.read_r(str(folder / "un_roll_calls.rda"))["un_roll_calls"]
    issues = pyreadr.read_r(str(folder / "un_roll_call_issues.rda"))["un_roll_call_issues"]
    votes = pyreadr.read_r(str(folder / "un_votes.rda"))["un_votes"]
    calls = calls[(calls.session >= 68) & (calls.para.isna() | (calls.para != 1))]
    tagged = set(issues[issues.short_name.isin(["di", "nu"])].rcid)
    words = re.compile(r"weapon|disarm|outer space|telecommunication|cyber|\barms\b|mines|munition"
                       r"|nuclear|missile|non-proliferation|chemical|biological|autonomous weapon", re.I)
    keep = calls[(calls.rcid.isin(tagged) | calls.descr.fillna("").str.contains(words))
                 & ~calls.descr.fillna("").str.contains("Crimea|human rights", case=False)]
    rows = []
    for call in keep.itertuples():
        day = str(call.date)[:10]
        if day > CUTOFF:
            continue
        short = str(call.short or "")
        if " : resolution" in short:  # sessions 71-73: the title is in short, descr is the agenda item
            title = short.split(" : resolution")[0]
        else:
            title = re.split(r" : resolution| - [A-Z][A-Z ,\-]+$", str(call.descr or short))[0]
            title = re.sub(r"^A/\d+/\d+ \S+ - ", "", title)
        title = title.strip(" .")
        symbol = str(call.unres)
        symbol = symbol if symbol.startswith("A/") else "A/RES/" + symbol.split("/", 1)[1]
        cast = votes[votes.rcid == call.rcid]
        seen = {}
        for v in cast.itertuples():
            country = pycountry.countries.get(alpha_2=v.country_code) if v.country_code else None
            if country is not None:
                seen[country.alpha_3] = str(v.vote)
        base = dict(vote_id=f"s{int(call.session)}-pl-{symbol.split('/')[-1]}", session=int(call.session),
                    forum="plenary", date=day, symbol=symbol, draft="", title=title,
                    topic=topic_of(title or str(call.short).lower()), source=VOETEN)
        for iso3 in members_on(day):
            rows.append(dict(base, iso3=iso3, vote=seen.get(iso3, "absent")))
    return rows


VOETEN_2020 = "https://github.com/Pigeon-Effect/Mapping-UNGA-Voting-Alliances (Voeten data, hdl:1902.1/12379)"


def voeten_2020_rows(path: Path, press: list[dict]) -> list[dict]:
    """Plenary roll calls 2020-2023 (source 2 of the module docstring)."""
    by_call: dict[str, dict] = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            call = by_call.setdefault(r["rcid"], {"date": r["date"], "resolution": r["resolution"],
                                                  "title": r["title"], "votes": {},
                                                  "title_source": r["title_source"].split("(")[-1].strip(")")
                                                  if r["title"] else ""})
            call["votes"][r["iso3"]] = {"Y": "yes", "N": "no", "A": "abstain"}.get(r["vote"], "absent")
    titled = {k: c for k, c in by_call.items() if c["title"]}
    rows = []
    for rcid, call in sorted(by_call.items(), key=lambda kv: (kv[1]["date"], kv[0])):
        if call["date"] > CUTOFF or "Crimea" in call["title"]:
            continue
        title = re.split(r" :", call["title"])[0].strip(" .")
        source = VOETEN_2020 + (f" ; title: {call['title_source']}" if call.get("title_source") else "")
        if not title:
            tally = tuple(sum(v == w for v in call["votes"].values()) for w in ("yes", "no", "abstain"))
            # a tally within 5 yes and 2 no and abstentions of the release's (the data record later corrections
            # of votes: 78/241 is 151-4-10 there, 152-4-11 in the release)
            match = sorted((p for p in press if p["forum"] == "plenary" and str(p["date"]) == call["date"]
                            and None not in (p.get("yes"), p.get("no"), p.get("abstain"))
                            and abs(p["yes"] - tally[0]) <= 5
                            and max(abs(p["no"] - tally[1]), abs(p["abstain"] - tally[2])) <= 2),
                           key=lambda p: abs(p["yes"] - tally[0]) + abs(p["no"] - tally[1])
                           + abs(p["abstain"] - tally[2]))
            if match:
                title = str(match[0]["title"]).strip()
                source += " ; title: " + match[0]["source_url"]
            else:
                best, share = None, 0.0
                for other in titled.values():
                    common = [c for c in call["votes"] if c in other["votes"]
                              and call["votes"][c] != "absent" and other["votes"][c] != "absent"]
                    alike = sum(call["votes"][c] == other["votes"][c] for c in common) / max(len(common), 1)
                    if alike > share:
                        best, share = other, alike
                if best is not None and share >= 0.9:
                    title = (re.split(r" :", best["title"])[0].strip(" .")
                             + " (inferred from the voting pattern)")
                else:
                    title = f"unidentified roll call (Voeten rcid {rcid})"
        symbol = call["resolution"] or f"rcid-{rcid}"
        topic = topic_of(title) if not title.startswith("unidentified") else "other"
        base = dict(vote_id=f"s{_session(call['date'])}-pl-{symbol.split('/')[-1]}",
                    session=_session(call["date"]), forum="plenary", date=call["date"],
                    symbol=call["resolution"], draft="", title=title, topic=topic, source=source)
        for iso3 in members_on(call["date"]):
            rows.append(dict(base, iso3=iso3, vote=call["votes"].get(iso3, "absent")))
    return rows


def _session(day: str) -> int:
    year = int(day[:4])
    return year - 1945 if day[5:] >= "09-01" else year - 1946


def press_rows(path: Path, table: dict[str, str]) -> tuple[list[dict], list[str]]:
    data = yaml.safe_load(path.read_text())
    rows, problems = [], []
    for n, v in enumerate(data.get("votes") or []):
        if v["forum"] == "plenary":  # the plenary's roll calls come whole from source 2
            continue
        day = str(v["date"])[:10]
        if day > CUTOFF:
            problems.append(f"{path.name}: vote {n} is dated {day}, after the cut-off: left out")
            continue
        named: dict[str, str] = {}
        for word, key in (("no", "no_states"), ("abstain", "abstain_states"), ("yes", "yes_states"),
                          ("absent", "absent_states")):
            for name in v.get(key) or []:
                try:
                    named[iso3_of(name, table)] = word
                except KeyError as exc:
                    problems.append(f"{path.name}: vote {n}: {exc}")
        complete_no = v.get("no_states") is not None and len(v["no_states"]) == int(v.get("no") or 0)
        complete_ab = (v.get("abstain_states") is not None
                       and len(v["abstain_states"]) == int(v.get("abstain") or 0))
        if not (complete_no and complete_ab):
            problems.append(f"{path.name}: vote {n} ({v.get('title')!r}): the no/abstain names are "
                            "missing or do not match the counts: left out")
            continue
        forum = v["forum"]
        symbol = v.get("resolution") or v.get("draft") or ""
        vid = f"s{data['session']}-{'pl' if forum == 'plenary' else 'c1'}-{(symbol or str(n)).split('/')[-1]}"
        others = "yes" if v.get("yes_states") else "yes_or_absent"
        base = dict(vote_id=vid, session=int(data["session"]), forum=forum, date=day, symbol=symbol,
                    draft=v.get("draft") or "", title=str(v["title"]).strip(),
                    topic=v.get("topic") or topic_of(str(v["title"])),
                    source=v["source_url"])
        for iso3 in members_on(day):
            rows.append(dict(base, iso3=iso3, vote=named.get(iso3, others)))
    return rows, problems


CALL_FIELDS = ["vote_id", "session", "forum", "date", "symbol", "draft", "topic", "yes", "no",
               "abstain", "absent", "yes_or_absent", "title", "source"]
VOTE_FIELDS = ["vote_id", "date", "symbol", "topic", "iso3", "vote"]


def _write(path: Path, fields: list[str], rows) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", extrasaction="ignore",
                           restval=0)
        w.writeheader()
        w.writerows(rows)


def main(folder: str, recent: str) -> None:
    table = name_table()
    press = [v for p in sorted((HERE.parent / "sources").glob("press_s*.yaml"))
             for v in yaml.safe_load(p.read_text())["votes"]]
    rows = voeten_rows(Path(folder)) + voeten_2020_rows(Path(recent), press)
    problems: list[str] = []
    for path in sorted((HERE.parent / "sources").glob("press_s*.yaml")):
        more, bad = press_rows(path, table)
        rows += more
        problems += bad
    rows.sort(key=lambda r: (r["date"], r["vote_id"], r["iso3"]))
    calls: dict[str, dict] = {}
    for r in rows:
        call = calls.setdefault(r["vote_id"], {k: r[k] for k in CALL_FIELDS if k in r})
        call[r["vote"]] = call.get(r["vote"], 0) + 1
    _write(DATA / "roll_calls.csv", CALL_FIELDS, calls.values())
    _write(DATA / "votes.csv", VOTE_FIELDS, rows)
    print(f"{len({r['vote_id'] for r in rows})} votes, {len(rows)} rows")
    for p in problems:
        print("  ", p)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
