"""Find JSON documents that start at a line: string-aware bracket matching, then one parse.

JSON strings cannot hold a raw newline, so every line boundary of a document lies outside
a string: each line is tokenised on its own (strings skipped whole, brackets counted).
A continuation line must start like a JSON token, so a scan that wanders into prose stops
at once. The caller bounds the total work of failed scans (``ScanBudget``); a successful
scan is parsed once and its lines are never scanned again, so detection stays linear.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

# A whole string, or a lone quote (an unterminated string: not JSON), or a bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|"|[\[\]{}]')
# What a line inside a pretty-printed document may start with (after indentation).
_CONTINUATION = frozenset('"{}[],:-0123456789tfn')
_VALUE_START = frozenset('"{[]-0123456789tfn')
_KEY_START = frozenset('"}')
_CLOSE = {"]": "[", "}": "{"}


class ScanBudget:
    """Characters that failed multi-line scans may still read (keeps the worst case linear)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.left = 4 * sum(len(line) for line in lines) + 4096


def _reject_constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity: Python's json accepts them, JSON does not


def parses(text: str) -> bool:
    """True when ``text`` is one JSON value (surrounding whitespace allowed)."""
    try:
        json.loads(text, parse_constant=_reject_constant)
        return True
    except (ValueError, RecursionError):
        return False


def json_end(lines: Sequence[str], start: int, budget: ScanBudget) -> int | None:
    """Index of the last line of a JSON document starting at ``lines[start]``, or None.

    ``lines[start]`` must start (after indentation) with ``{`` or ``[``; the document
    must end its line (trailing whitespace allowed) and parse.
    """
    first = lines[start].strip()
    after = first[1:].lstrip()[:1]
    if after and after not in (_VALUE_START if first[0] == "[" else _KEY_START):
        return None  # "[Sun Dec 04 ...]", "{ [63 bytes data]": not a document
    if first[-1:] in ("}", "]") and _TOKEN.search(first) is not None:
        # One-line document (JSON Lines, compact bodies): a single parse decides.
        if parses(first):
            return start
    stack: list[str] = []
    n = len(lines)
    spent = 0
    for j in range(start, n):
        line = lines[j]
        spent += len(line) + 1
        if j > start:
            head = line.lstrip()
            if head and head[0] not in _CONTINUATION:
                break
        for m in _TOKEN.finditer(line):
            tok = m.group()
            if tok[0] == '"':
                if len(tok) == 1:
                    budget.left -= spent
                    return None
                continue
            if tok in "[{":
                stack.append(tok)
                continue
            if not stack or stack.pop() != _CLOSE[tok]:
                budget.left -= spent
                return None
            if not stack:
                if line[m.end() :].strip() or j == start:
                    # j == start: a one-line candidate that did not parse above.
                    budget.left -= spent
                    return None
                if parses("\n".join(lines[start : j + 1])):
                    return j
                budget.left -= spent
                return None
        if spent > budget.left:
            break
    budget.left -= spent
    return None
