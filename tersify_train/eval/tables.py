"""The one table output of the training side: the same cells as Markdown (for files and
BENCHMARKS.md) or printed with rich (for the terminal)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
                   right: Sequence[bool] | None = None) -> str:
    """A Markdown table (no trailing newline); ``right`` marks right-aligned columns."""
    marks = ["---:" if r else "---" for r in (right or [False] * len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "".join(f"{m}|" for m in marks)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None) -> None:
    """The table on the terminal: the first column left, the others right-aligned. Off a
    terminal (files, pipes) it is drawn wide so headers do not wrap."""
    table = Table(title=title)
    table.add_column(header[0])
    for h in header[1:]:
        table.add_column(h, justify="right")
    for row in rows:
        table.add_row(*row)
    console = Console() if Console().is_terminal else Console(width=220)
    console.print(table)


__all__ = ["markdown_table", "print_table"]
