"""The one progress display of the training side: a transient bar on stderr, nothing left
on the terminal when done, nothing drawn when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")


def progress_bar() -> Progress:
    """A transient bar: description, bar, done/total, the task's ``info`` field, time left.
    Add tasks with ``add_task(description, total=..., info="")``."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[info]}"), TimeRemainingColumn(), console=Console(stderr=True),
                    transient=True)


def track(items: Sequence[T] | Iterable[T], description: str, total: int | None = None) -> Iterable[T]:
    """``items``, one step of a transient bar each."""
    if total is None and isinstance(items, Sequence):
        total = len(items)
    with progress_bar() as bar:
        task = bar.add_task(description, total=total, info="")
        for item in items:
            yield item
            bar.advance(task)


__all__ = ["progress_bar", "track"]
