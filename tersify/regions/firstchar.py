"""Per-first-character dispatch over the line patterns, from declared first characters.

Each alternative declares which characters a line it matches can start with:

- ``flush``: the first character of a matching line that does not start with a blank;
- ``indented``: the first non-blank character of a matching line that starts with a space
  or tab (``NONE`` when the pattern never matches an indented line).

``Dispatch.match(s)`` tries only the alternatives whose declaration admits ``s``, in their
original order, so it returns what the full alternation returns whenever the declarations
hold. A declaration may be wider than needed (it only costs speed) but never narrower;
tests/test_regions.py checks every declaration against lines generated from its pattern
and against real outputs. Lines whose deciding character is outside printable ASCII go
through the full alternation, so the declarations only speak about printable ASCII.
"""

from __future__ import annotations

import re
import string
from functools import cached_property

# Character classes for the declarations (printable ASCII only, blanks excluded).
DIGIT = string.digits
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
LETTER = UPPER + LOWER
WORD = LETTER + DIGIT + "_"
PUNCT = string.punctuation
ANY = LETTER + DIGIT + PUNCT  # every printable ASCII character but space
NONE = ""
BLANKS = " \t"

Alternative = tuple[str, str, str, str]  # (tag, pattern, flush, indented)


def deciding_char(s: str) -> tuple[bool, str]:
    """(whether ``s`` is indented, the character its declarations are checked against)."""
    c = s[:1]
    if c == " " or c == "\t":
        return True, s.lstrip(BLANKS)[:1]
    return False, c


class Dispatch:
    """``match(s)`` == the full alternation's match, via the subset its first characters admit."""

    def __init__(self, alternatives: list[Alternative]) -> None:
        self._named = [f"(?P<{tag}__{i}>{pat})" for i, (tag, pat, _f, _i) in enumerate(alternatives)]
        self.names = [f"{tag}__{i}" for i, (tag, _p, _f, _i) in enumerate(alternatives)]
        self._flush = self._subsets([set(flush) for _t, _p, flush, _i in alternatives])
        self._indented = self._subsets([set(ind) for _t, _p, _f, ind in alternatives])
        self._compiled: dict[tuple[int, ...], re.Pattern[str]] = {}

    @cached_property
    def full(self) -> re.Pattern[str]:
        """The whole alternation (compiled on first use: `import tersify` stays light)."""
        return re.compile("|".join(self._named))

    @staticmethod
    def _subsets(declared: list[set[str]]) -> dict[str, tuple[int, ...]]:
        return {ch: tuple(i for i, chars in enumerate(declared) if ch in chars) for ch in ANY}

    def match(self, s: str) -> re.Match[str] | None:
        c = s[:1]
        if c == " " or c == "\t":
            subset = self._indented.get(s.lstrip(BLANKS)[:1])
        else:
            subset = self._flush.get(c)
        if subset is None:
            return self.full.match(s)
        rx = self._compiled.get(subset)
        if rx is None:
            rx = self._compiled[subset] = re.compile("|".join(self._named[i] for i in subset) or "(?!)")
        return rx.match(s)
