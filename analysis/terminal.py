"""Tables for the terminal: as wide as ``COLUMNS`` says, and never cutting a name.

Rich reads ``COLUMNS`` itself but, printing to a pipe, falls back to 80 columns; here a pipe gets a
fixed default instead (so logs of a command read the same everywhere), while ``COLUMNS`` always
wins. A name column (a forum, a text, a case, a strategy) is as wide as its longest name and never
wraps: the other columns give way first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table


def terminal_width(default: int = 120) -> int:
    """``COLUMNS`` when set to a number, else the terminal's width, else ``default`` (a pipe).

    Example:
        >>> terminal_width() > 0
        True
    """
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    if sys.stdout.isatty():
        return os.get_terminal_size(sys.stdout.fileno()).columns
    return default


def console(default: int = 120, **kwargs) -> Console:
    """A console as wide as :func:`terminal_width`."""
    return Console(width=terminal_width(default), **kwargs)


def name_column(table: Table, header: str, names: Iterable[str], **kwargs) -> None:
    """Add a column of names that is never wrapped nor cut (as wide as its longest name)."""
    width = max([len(header), *(len(str(n)) for n in names)])
    table.add_column(header, no_wrap=True, min_width=width, **kwargs)


def print_table(table: Table, out: Console | None = None, default: int = 120) -> None:
    """Print ``table`` on ``out`` (default: a :func:`console`), widened when its names need more
    than the console's width: a name is never cut.

    Example:
        >>> table = Table()
        >>> name_column(table, "forum", ["unga_first_committee/binding_instrument"])
        >>> print_table(table, Console(width=20))  # doctest: +NORMALIZE_WHITESPACE
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
        ┃ forum                                   ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
        └─────────────────────────────────────────┘
    """
    from rich.measure import Measurement

    out = out or console(default)
    needed = Measurement.get(out, out.options.update_width(100_000), table).minimum
    if needed > out.width:
        out = Console(width=needed, file=out.file)
    out.print(table)
