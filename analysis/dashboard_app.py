"""The module `solara run` serves for `plenary serve` and `plenary play` (it only names the page:
the start page, or play mode when ``PLENARY_PLAY`` names a delegation)."""

from analysis.play_dashboard import Page

__all__ = ["Page"]
