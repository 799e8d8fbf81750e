"""The cascade fit's pieces: a cascade's scenario, its runs and the loss, checked by hand."""

from __future__ import annotations

import math

import numpy as np

from analysis.cascade_fit import (
    ACCEPT,
    MAX_TURNOUT,
    Cascade,
    accepted,
    attributes,
    cascade_scenario,
    cascades,
    engagement,
    loss,
    marginals,
    points_of,
    pooled,
    run_cascade,
    within,
    world_size,
)


def by_name(name: str) -> Cascade:
    return next(c for c in cascades() if c.name == name)


def test_a_cascade_is_launched_by_as_many_states_as_its_first_count():
    c = by_name("us_pd_2023")
    assert c.weeks == [0, 2]  # 1 Nov 2023 and 13 Nov 2023, a round a week
    s = cascade_scenario(c, {"outreach": 0.03, "endorsement_turnout": 0.5, "attention": 0.1})
    text = s.proposals[0]
    assert len(text.sponsors) == c.points[0].count == 32 and text.sponsors[0] == "USA"
    assert s.rounds == 3 and s.forums[0].decides == 2
    counts = run_cascade((s, (1, 2), tuple(c.weeks)))
    assert counts.shape == (2, 2) and (counts >= 32).all()  # sponsors always endorse
    assert (counts[:, 1] >= counts[:, 0]).all()  # nobody withdraws in an open endorsement here


def test_week_0_is_the_launch_alone_and_the_others_come_from_week_1():
    c = by_name("oslo_ccm")  # 46 launched the Oslo Declaration
    s = cascade_scenario(c, {"outreach": 0.0, "endorsement_turnout": 0.5, "attention": 0.5})
    assert s.forums[0].opens == 1
    counts = run_cascade((s, (1, 2, 3), (0, 1, 13)))
    assert (counts[:, 0] == 46).all()  # the launch count, whatever the setting
    assert (counts[:, 1] > 46).all()  # at turnout 0.5 states that prefer the text join in week 1


def test_structural_engagement_follows_the_launch_and_the_announced_conferences():
    oslo, pd = by_name("oslo_ccm"), by_name("us_pd_2023")
    setting = {"outreach": 0.0, "reach": 2.0, "attention": 0.5, "conference_arrival": 0.004}
    turnout, arrival = engagement(oslo, setting)
    assert math.isclose(turnout, 2.0 * 46 / world_size())
    assert attributes()["oslo_ccm"].conferences == 3 and math.isclose(arrival, 3 * 0.004)
    assert engagement(pd, setting) == (2.0 * 32 / world_size(), 0.0)  # no conference announced
    assert engagement(pd, {**setting, "reach": 100.0})[0] == MAX_TURNOUT
    # a base arrival reaches every text, a declaration too
    assert engagement(pd, {**setting, "base_arrival": 0.001})[1] == 0.001
    assert math.isclose(engagement(oslo, {**setting, "base_arrival": 0.001})[1], 0.001 + 3 * 0.004)
    # a shared setting gives the same turnout and arrival to every cascade
    shared = {"outreach": 0.0, "endorsement_turnout": 0.3, "attention": 0.5, "arrival": 0.01}
    assert engagement(oslo, shared) == engagement(pd, shared) == (0.3, 0.01)


def test_the_announced_conferences_make_a_treaty_process_grow_after_its_first_weeks():
    c = by_name("oslo_ccm")
    base = {"outreach": 0.0, "reach": 1.0, "attention": 0.5}
    seeds, weeks = (1, 2, 3, 4), tuple(c.weeks)
    without = run_cascade((cascade_scenario(c, {**base, "conference_arrival": 0.0}), seeds, weeks))
    with_ = run_cascade((cascade_scenario(c, {**base, "conference_arrival": 0.004}), seeds, weeks))
    # without arrivals the count stops once those engaged at week 1 have decided
    assert np.median(without[:, -1]) - np.median(without[:, 1]) <= 3
    assert np.median(with_[:, -1]) > np.median(without[:, -1]) + 15


def test_the_loss_is_the_mean_log_ratio_after_the_launch():
    c = by_name("ottawa_mbt")  # 50, 97, 122
    counts = np.array([[50, 97, 61], [50, 97, 61], [55, 97, 61]])
    assert math.isclose(loss(counts, c), (0.0 + abs(math.log(61 / 122))) / 2)


def test_abc_keeps_the_settings_with_the_smallest_mean_loss_and_pools_their_runs():
    # 20 settings x 2 cascades: mean losses 0.0, 0.1, ..., 1.9, each setting's row in reverse
    losses = np.array([[i / 10, i / 10] for i in range(20)])[::-1]
    kept = accepted(losses)
    assert len(kept) == max(1, math.ceil(ACCEPT * 20)) == 2
    assert kept.tolist() == [19, 18]  # the two smallest mean losses, best first
    assert accepted(losses[:3]).tolist() == [2]  # at least one
    table = np.empty((20, 1), dtype=object)
    for i in range(20):
        table[i, 0] = np.full((3, 2), i)  # 3 runs, 2 dated points, every count = the setting
    runs = pooled(table, kept, 0)
    assert runs.shape == (6, 2) and sorted(set(runs[:, 0])) == [18, 19]


def test_the_band_is_the_5_95_range_of_the_runs_and_within_counts_points_and_cascades():
    c = by_name("ottawa_mbt")  # 50, 97, 122
    counts = np.array([[50, 90, 120]] * 10 + [[50, 100, 130]] * 10)
    points = points_of(c, counts)
    assert [p["real"] for p in points] == [50, 97, 122]
    assert [p["median"] for p in points] == [50.0, 95.0, 125.0]
    assert points[1]["band"] == [90.0, 100.0] and points[1]["within"]
    assert points[2]["within"]
    high = points_of(c, counts + np.array([0, 0, 5]))  # 125-135: the 122 falls outside
    assert not high[2]["within"]
    items = [{"points": points}, {"points": high}]
    assert within(items, "points") == (3, 1)  # the launch is not counted


def test_the_posterior_marginals_are_the_accepted_settings_shares_at_each_value():
    kept = [{"outreach": 0.0, "reach": 1.0}, {"outreach": 0.1, "reach": 1.0},
            {"outreach": 0.0, "reach": 0.5}, {"outreach": 0.0, "reach": 1.0}]
    m = marginals(kept, {"outreach": (0.0, 0.03, 0.1), "reach": (0.5, 1.0)})
    assert m == {"outreach": {"0.0": 0.75, "0.03": 0.0, "0.1": 0.25},
                 "reach": {"0.5": 0.25, "1.0": 0.75}}


def test_the_fit_s_runs_are_the_same_on_any_number_of_workers_and_report_progress(monkeypatch):
    from analysis import cascade_fit

    monkeypatch.setitem(cascade_fit.MODELS, "one", {"outreach": (0.0,), "endorsement_turnout": (0.2,),
                                                    "attention": (0.5,), "arrival": (0.0,)})
    done = []
    cs, _, pooled_table = cascade_fit.simulate_all(2, 1, 2, "one", lambda: done.append(1))
    _, _, serial = cascade_fit.simulate_all(2, 1, 1, "one")
    assert len(done) == len(cs) == pooled_table.shape[1]
    for a, b in zip(pooled_table.ravel(), serial.ravel(), strict=True):
        np.testing.assert_array_equal(a, b)
