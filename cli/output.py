"""Console helpers of the CLI."""

from __future__ import annotations


def table_console():  # -> rich.console.Console
    """A console for result tables: as wide as the terminal, and 160 columns when the
    output goes to a file or pipe (rich would cut tables to 80 there)."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)
