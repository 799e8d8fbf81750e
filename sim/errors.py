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
        where = f"{_cut(self.file, 160)}:{self.line}" if self.line else _cut(self.file, 160)
        message = _cut(self.message, MAX_MESSAGE)
        field = _cut(self.field, 120)
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"


#: the longest message of an error line, in characters (a longer one is cut in the middle; the
#: values quoted in it are cut shorter where they are quoted, see sim.format.yamlio.shorten)
MAX_MESSAGE = 600


def _cut(text: str, limit: int) -> str:
    """``text`` on one line, control characters shown as escapes, cut in the middle past
    ``limit`` characters.

    Example:
        >>> _cut("a\\nb\\x00" + "c" * 30, 20)
        'a b\\\\x00ccc ... ccccc'
    """
    text = str(text)
    if any(ord(c) < 32 or c == "\x7f" for c in text):
        text = "".join(" " if c in "\n\r\t\x0b\x0c" else (f"\\x{ord(c):02x}" if ord(c) < 32 or c == "\x7f"
                       else c) for c in text)
    if len(text) <= limit:
        return text
    keep = limit - 5
    return f"{text[: keep - keep // 3]} ... {text[-(keep // 3):]}"


class ScenarioError(Exception):
    """Raised when a scenario (or sweep) file cannot be used; holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
