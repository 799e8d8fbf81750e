"""The endorsement cascades: sourced, dated, and nothing from the out-of-sample period."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from analysis.cascades import CASCADES, LAST_OUTCOME, load_cascades
from sim.errors import ScenarioError


def test_the_bundled_cascades_load_with_a_source_for_every_count():
    cascades = load_cascades()
    assert {"us_pd_2023", "laws_ban_calls", "oslo_ccm"} <= set(cascades)
    for points in cascades.values():
        assert len(points) >= 2
        assert all(p.source.startswith("http") and p.date <= LAST_OUTCOME for p in points)
    # the figures the issue names, as verified against their sources
    pd = {p.date: p.count for p in cascades["us_pd_2023"]}
    assert pd[dt.date(2023, 11, 13)] == 46
    oslo = cascades["oslo_ccm"]
    assert (oslo[0].count, oslo[-1].count) == (46, 94)


def test_the_members_lists_stop_at_the_end_of_2023():
    with open(CASCADES.with_name("cascade_members.csv"), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(dt.date.fromisoformat(r["date"]) <= LAST_OUTCOME for r in rows)
    assert all(r["source"].strip() for r in rows)


def test_an_outcome_from_2024_is_refused_with_its_line(tmp_path):
    path = tmp_path / "cascades.csv"
    path.write_text("cascade,date,count,kind,source,note\n"
                    "x,2023-11-01,31,launch,https://example.org,\n"
                    "x,2024-01-15,51,interim,https://example.org,\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_cascades(path)
    assert str(err.value).startswith(f"{path}:3: date: 2024-01-15 is after 2023-12-31")


def test_a_cascade_attribute_dated_after_its_launch_is_refused(tmp_path):
    from analysis.cascades import ATTRIBUTES, load_attributes

    assert load_attributes()["ottawa_mbt"].conferences == 2
    path = tmp_path / "cascade_attributes.csv"
    path.write_text(ATTRIBUTES.read_text(encoding="utf-8").replace(
        "oslo_ccm,2007-02-23,", "oslo_ccm,2007-06-01,"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="after the launch"):
        load_attributes(path)
