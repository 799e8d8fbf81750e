"""The cascade fit's pieces: a cascade's scenario, its runs and the loss, checked by hand."""

from __future__ import annotations

import math

import numpy as np

from analysis.cascade_fit import Cascade, cascade_scenario, cascades, loss, run_cascade


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


def test_the_loss_is_the_mean_log_ratio_after_the_launch():
    c = by_name("ottawa_mbt")  # 50, 97, 122
    counts = np.array([[50, 97, 61], [50, 97, 61], [55, 97, 61]])
    assert math.isclose(loss(counts, c), (0.0 + abs(math.log(61 / 122))) / 2)
