"""User-facing errors: one exception type that carries problems with a file, a line and a field.

Every mistake a user can make in a scenario or sweep file becomes a :class:`Problem`; a
:class:`ScenarioError` holds one or more of them. They are raised anywhere in the library and
caught once, at the CLI edge, which prints one line per problem and exits with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a user's file.

    Attributes:
        file: the file the mistake is in (or ``--set`` for a command-line override).
        line: the 1-based line number, 0 when unknown.
        field: the dotted path of the field, e.g. ``forums[0].rule``.
        message: what is wrong, in plain words.

    Example:
        >>> str(Problem("x.yaml", 14, "forums[0].rule", "'majority' is not a rule"))
        "x.yaml:14: forums[0].rule: 'majority' is not a rule"
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ScenarioError(Exception):
    """Raised when a scenario (or sweep) file cannot be used; holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
