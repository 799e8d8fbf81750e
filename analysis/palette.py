"""The colours of every plot, defined once: a colour means one stance everywhere.

``STANCE_COLOURS`` are used for stances only (network, map, validation, dashboard); things that
are not stances (forums, texts, strategies, UN regional groups) take ``CATEGORY_COLOURS``, hues
no stance uses, so that teal always reads "endorse" and orange always "oppose".

Example:
    >>> from sim.stance import Stance
    >>> stance_colour(Stance.ENDORSE) == STANCE_COLOURS[Stance.ENDORSE]
    True
    >>> set(CATEGORY_COLOURS) & set(STANCE_COLOURS.values())
    set()
"""

from __future__ import annotations

from sim.stance import Stance

STANCE_COLOURS = {
    Stance.ENDORSE: "#2a9d8f",    # teal
    Stance.OPPOSE: "#e76f51",     # orange
    Stance.OBJECT: "#9b2226",     # dark red: blocks a consensus
    Stance.ABSTAIN: "#e9c46a",    # sand
    Stance.UNDECIDED: "#adb5bd",  # grey
}

#: a state outside the forum (or outside the scenario's world, on the map)
NOT_MEMBER = "#e9ecef"
#: text in a stance's colour where the colour itself is too light to read (labels)
STANCE_TEXT_COLOURS = {
    Stance.ENDORSE: "#1d6f65",
    Stance.OPPOSE: "#c4431f",
    Stance.OBJECT: "#9b2226",
    Stance.ABSTAIN: "#8a6d0b",
    Stance.UNDECIDED: "#495057",
}

#: forums, texts, strategies, groups: hues that no stance uses
CATEGORY_COLOURS = ["#3a5a98", "#8e5ea2", "#5fa8d3", "#b5838d", "#4a4e69", "#c77dff", "#7f6a5b",
                    "#22577a", "#d291bc", "#6c757d"]


def stance_colour(stance) -> str:
    """The colour of a stance (a Stance or its integer code)."""
    return STANCE_COLOURS[Stance(int(stance))]


def category_colour(k: int) -> str:
    """The k-th colour for things that are not stances (cycles)."""
    return CATEGORY_COLOURS[k % len(CATEGORY_COLOURS)]
