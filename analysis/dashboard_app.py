"""The module `solara run` serves for `plenary serve` (it only names the page)."""

from analysis.dashboard import Page

__all__ = ["Page"]
