"""The case file of the seeds' other tracks: it loads, its tallies are the recorded ones, and the
BWC case's population is the states parties."""

from __future__ import annotations

from collections import Counter

from analysis.cases import load_cases
from sim.paths import PROJECT_ROOT
from sim.stance import Stance

CASES = PROJECT_ROOT / "scenarios" / "data" / "cases_other_tracks.yaml"


def test_the_other_tracks_cases_carry_the_recorded_votes():
    cases = {c.id: c for c in load_cases(CASES)}
    assert set(cases) == {"unga77_asat_testing_2022", "unga77_no_first_placement_2022",
                          "bwc_2022_ninth_review_conference", "armed_uav_declaration_2016",
                          "eu_council_copyright_dsm_2019"}
    for cid, (yes, no, abstain) in {"unga77_asat_testing_2022": (155, 9, 9),
                                    "unga77_no_first_placement_2022": (122, 50, 4),
                                    "eu_council_copyright_dsm_2019": (19, 6, 3)}.items():
        tally = Counter(cases[cid].listed.values())
        assert (tally[Stance.ENDORSE], tally[Stance.OPPOSE], tally[Stance.ABSTAIN]) == (yes, no, abstain)
    asat = cases["unga77_asat_testing_2022"].listed
    assert {c for c, s in asat.items() if s == Stance.OPPOSE} == {
        "BLR", "BOL", "CAF", "CHN", "CUB", "IRN", "NIC", "RUS", "SYR"}  # as the UN press release
    bwc = cases["bwc_2022_ninth_review_conference"]
    assert len(bwc.population) == 182 and "ISR" not in bwc.population
    drones = cases["armed_uav_declaration_2016"].listed
    assert sum(s == Stance.ENDORSE for s in drones.values()) == 43 and drones["FRA"] == Stance.UNDECIDED
