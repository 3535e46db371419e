"""The form protocol and the registry of forms compaction may use.

A form rewrites a stretch of lines as a block: a marker line first (plain words that a
model reads without instructions, ``[...]`` on a line of its own), then any rows the
marker announces. ``find`` proposes blocks; the engine keeps those that expand back to
their input exactly and save tokens, and never lets two overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tersify.regions import Region


@dataclass(frozen=True)
class Block:
    """A proposed rewrite of input lines ``[start, stop)`` as ``lines`` (marker first)."""

    form: str
    start: int
    stop: int
    lines: tuple[str, ...]
    # How many lines before ``start`` its expansion reads (an earlier copy); 0 for most forms.
    reach: int = 0


class Form(Protocol):
    name: str
    # Matches the whole marker line of this form's blocks, and nothing a form writes elsewhere.
    marker: re.Pattern[str]

    def find(self, lines: Sequence[str], regions: Sequence[Region]) -> Iterable[Block]:
        """Candidate blocks over ``lines`` (they may overlap; the engine chooses)."""
        ...

    def expand(self, match: re.Match[str], lines: Sequence[str], at: int, done: list[str]) -> int:
        """Append the original lines of the block whose marker matched to ``done``.

        ``lines[at:]`` follow the marker; ``done`` holds the lines expanded so far.
        Returns how many lines after the marker the block used. Raises ``ValueError``
        when the rows are not what the marker announces.
        """
        ...


def forms() -> tuple[Form, ...]:
    """Every registered form, in a fixed order (imported here so the registry is explicit)."""
    from tersify.compaction.grep import GrepForm
    from tersify.compaction.json_forms import JsonForm
    from tersify.compaction.patterns import PatternForm
    from tersify.compaction.repeat import RepeatForm
    from tersify.compaction.same import SameForm
    from tersify.compaction.sections import SectionForm
    from tersify.compaction.tables import TableForm
    from tersify.compaction.templates import TemplateForm

    return (
        RepeatForm(),
        TemplateForm(),
        PatternForm(),
        TableForm(),
        JsonForm(),
        GrepForm(),
        SectionForm(),
        SameForm(),
    )
