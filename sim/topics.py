"""The topics of the record: what a decision is about, and which topics inform each other.

A roll call, an endorsement or a consensus decision in the record (``sim/world/record/``) carries a
topic; a forum that names its ``topic:`` draws its members' dispositions from the record of that
topic first, then of its family (judgement: a vote on cluster munitions says something about one
on autonomous weapons, both conventional arms and humanitarian disarmament; less about one on
nuclear testing).
"""

from __future__ import annotations

import re

FAMILIES: dict[str, str] = {
    "autonomous_weapons": "conventional", "ai_military": "conventional", "conventional": "conventional",
    "mines": "conventional", "cluster_munitions": "conventional", "att": "conventional",
    "small_arms": "conventional", "outer_space": "space_cyber", "ict": "space_cyber",
    "nuclear": "nuclear", "tpnw": "nuclear", "nuclear_testing": "nuclear", "nwfz": "nuclear",
    "missiles": "nuclear", "chemical": "wmd", "biological": "wmd",
    "disarmament_machinery": "machinery", "other": "other",
}
TOPICS: tuple[str, ...] = tuple(FAMILIES)

#: JUDGEMENT: pairs of topics closer than their family, for roll calls: a resolution on military
#: AI is nearer to one on autonomous weapons (the same states lead and resist both) than to one on
#: landmines. The weight is that of the related topic's votes relative to the topic's own.
RELATED: dict[frozenset[str], float] = {frozenset({"autonomous_weapons", "ai_military"}): 0.7}


def related(a: str, b: str) -> float:
    """How much decisions on topic ``b`` count for one on ``a`` beyond their family (0: not related).

    Example:
        >>> related("ai_military", "autonomous_weapons"), related("ai_military", "mines")
        (0.7, 0.0)
    """
    return RELATED.get(frozenset({a, b}), 0.0) if a != b else 1.0


def family(topic: str) -> str:
    """The family of a topic (a topic not listed is its own family).

    Example:
        >>> family("autonomous_weapons"), family("ict"), family("unknown")
        ('conventional', 'space_cyber', 'unknown')
    """
    return FAMILIES.get(topic, topic)


#: How a title names its topic: the first pattern that matches wins (the order puts the
#: narrow topics first). Used for the record's roll calls and for cases without a topic.
TITLE_PATTERNS: tuple[tuple[str, str], ...] = (
    # the CCW's business in Plenary's world is its expert group on lethal autonomous weapons
    ("autonomous_weapons", r"autonomous weapon|(?-i:\bLAWS\b)|killer robot|(?-i:\bCCW\b)"
                           r"|certain conventional weapons"),
    # "AI" only in capitals (not the letters in a word) and beside a military word; REAIM by name
    ("ai_military", r"artificial intelligence|\bmilitary ai\b|(?-i:\bREAIM\b)"
                    r"|(?-i:\bAI\b).*\b(military|defen[cs]e|weapon|armed forces|warfare)"
                    r"|\b(military|defen[cs]e|weapon|armed forces|warfare).*(?-i:\bAI\b)"),
    ("ict", r"information and telecommunication|cyber|information and communications tech"),
    ("outer_space", r"outer space|space threats|anti-satellite|space activit|first placement"),
    ("tpnw", r"prohibition of nuclear weapons|ethical imperatives|humanitarian consequences"
             r"|humanitarian pledge|multilateral nuclear disarmament negotiations"),
    ("nuclear_testing", r"test-ban|nuclear test|nuclear weapon tests"),
    ("nwfz", r"nuclear-weapon-free|nuclear weapon free|free zone|southern hemisphere|middle east"),
    ("mines", r"anti-personnel mines|landmine|ottawa"),
    ("cluster_munitions", r"cluster munition"),
    ("att", r"arms trade treaty"),
    ("small_arms", r"small arms|light weapons"),
    ("chemical", r"chemical weapon|geneva protocol|chemical and biological"),
    ("biological", r"biological|toxin"),
    ("missiles", r"missile|ballistic"),
    ("nuclear", r"nuclear"),
    ("conventional", r"conventional|armaments|depleted uranium|arms transfers|\barms\b"),
    ("disarmament_machinery", r"disarmament|conference|special session"),
)


def topic_of_title(title: str) -> str:
    """The topic a title names (``other`` if none).

    Example:
        >>> topic_of_title('General Assembly resolution 78/241 "Lethal autonomous weapons systems"')
        'autonomous_weapons'
        >>> topic_of_title("Political Declaration on Responsible Military Use of Artificial Intelligence")
        'ai_military'
        >>> topic_of_title("Blueprint for Action on responsible AI in the military domain")
        'ai_military'
        >>> topic_of_title("REAIM Blueprint for Action"), topic_of_title("Sustainable fishing")
        ('ai_military', 'other')
    """
    for topic, pattern in TITLE_PATTERNS:
        if re.search(pattern, title or "", re.I):
            return topic
    return "other"
