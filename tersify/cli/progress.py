"""A progress bar on standard error for big inputs, and nothing otherwise.

Shown only when standard error is a terminal and the input is over ``MIN_BYTES`` (of a
known size, or once that much of an input of unknown size has been done), so pipes, logs
and small inputs never see it. rich is imported only when a bar is shown.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

MIN_BYTES = 4 << 20


class Progress:
    """``advance(n)`` after each ``n`` bytes of input are done; a context manager."""

    def __init__(self, total: int | None, description: str, *, enabled: bool | None = None) -> None:
        self.total = total
        self.description = description
        self.done = 0
        if enabled is None:
            enabled = _is_terminal(sys.stderr) and (total is None or total > MIN_BYTES)
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is None:
            if self.total is None and self.done <= MIN_BYTES:
                return
            self._start()
        self._bar.update(self._task, completed=self.done)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import (
            Progress as Bar,
        )

        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                        TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True)
        self._task = self._bar.add_task(self.description, total=self.total)
        self._bar.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False
