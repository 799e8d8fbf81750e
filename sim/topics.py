"""The topics of the record: what a decision is about, and which topics inform each other.

A roll call, an endorsement or a consensus decision in the record (``sim/record.py``) carries a
topic; a forum that names its ``topic:`` draws its members' dispositions from the record of that
topic first, then of its family (judgement: a vote on cluster munitions says something about one
on autonomous weapons, both conventional arms and humanitarian disarmament; less about one on
nuclear testing).
"""

from __future__ import annotations

FAMILIES: dict[str, str] = {
    "autonomous_weapons": "conventional", "ai_military": "conventional", "conventional": "conventional",
    "mines": "conventional", "cluster_munitions": "conventional", "att": "conventional",
    "small_arms": "conventional", "outer_space": "space_cyber", "ict": "space_cyber",
    "nuclear": "nuclear", "tpnw": "nuclear", "nuclear_testing": "nuclear", "nwfz": "nuclear",
    "missiles": "nuclear", "chemical": "wmd", "biological": "wmd",
    "disarmament_machinery": "machinery", "other": "other",
}
TOPICS: tuple[str, ...] = tuple(FAMILIES)


def family(topic: str) -> str:
    """The family of a topic (a topic not listed is its own family).

    Example:
        >>> family("autonomous_weapons"), family("ict"), family("unknown")
        ('conventional', 'space_cyber', 'unknown')
    """
    return FAMILIES.get(topic, topic)
