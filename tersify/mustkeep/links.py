"""Cross-word link rules: spans that a word's own pattern cannot see (a key's value in
the next word, an HTTP status code beside its version or reason phrase).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from tersify.mustkeep.categories import HTTP_REASONS

if TYPE_CHECKING:
    from tersify.mustkeep.engine import DistinctWords

_EMPTY = np.zeros(0, dtype=np.int64)

# Cross-word links: a key word and its separator, then the value in the next word.
_KEY_SEP = re.compile(
    r"[{\[(,]*+(?:\"?[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[A-Za-z_][\w.-]{0,63}+)="
    r"|[{\[(,]*+(?:\"?[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[a-z_][\w.-]{0,63}+|[A-Z][A-Za-z0-9]*+[_-][\w.-]{0,62}+):"
)
_EQ_KEY = re.compile(r"\"?[A-Za-z_][\w.-]{0,63}+\"?")
_COLON_KEY = re.compile(r"\"[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[a-z_][\w.-]{0,63}+|[A-Z][A-Za-z0-9]*+[_-][\w.-]{0,62}+")
_VALUE_PREFIX = re.compile(r"[^\s,;)\]}]++")
_STATUS_CODE = re.compile(r"[1-5][0-9]{2}")
_HTTP_VERSION = re.compile(r"HTTP/(?:1\.[01]|2(?:\.0)?)")
_REASON = re.compile(r"(?:" + HTTP_REASONS + r")(?![\w-])")
_REASON_FIRST_WORDS = re.compile(r"(?:" + "|".join(sorted({r.split()[0] for r in HTTP_REASONS.split("|")})) + r")")

# Whole-word facts the link rules read, as bits per distinct word (remembered with its spans).
KEY_SEP, STATUS_CODE, HTTP_VERSION, REASON_FIRST_WORD = 1, 2, 4, 8
# (bit, whole-word pattern, ``needs`` of a candidate word, its length when fixed)
LINK_FLAGS: tuple[tuple[int, re.Pattern[str], str, int | None], ...] = (
    (KEY_SEP, _KEY_SEP, "=:", None),  # a key and its separator: "rss_mb:", "x=", "\"code\":"
    (STATUS_CODE, _STATUS_CODE, "0", 3),
    (HTTP_VERSION, _HTTP_VERSION, "/", None),
    (REASON_FIRST_WORD, _REASON_FIRST_WORDS, "A", None),
)
# One pass for all flags: group k matched the whole word -> bit of LINK_FLAGS[k - 1].
LINK_FLAG_PATTERN = re.compile(
    r"(?m)^(?:" + "|".join(f"({flag[1].pattern})" for flag in LINK_FLAGS) + r")$"
)
LINK_FLAG_BITS = np.array([0] + [flag[0] for flag in LINK_FLAGS], dtype=np.int64)


def _value_span(text: str, start: int, end: int) -> tuple[int, int]:
    m = _VALUE_PREFIX.match(text, start, end)
    return (start, m.end()) if m else (start, start)


def _key_value_links(dw: DistinctWords, link_flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values of spaced pairs: ``rss_mb: 4218``, ``x = f(y)``, ``"exit code": 139``."""
    words, n = dw.words, len(dw.words)
    if n < 2:
        return _EMPTY, _EMPTY
    key_sep = dw.has_link_flag(link_flags, KEY_SEP)
    eq, colon = dw.is_word("="), dw.is_word(":")
    same_line_next = np.zeros(n, dtype=bool)
    same_line_next[:-1] = words.lines[1:] == words.lines[:-1]
    value_of = np.zeros(n, dtype=bool)  # word i+1 is a value
    value_of[:-1] = key_sep[:-1] & same_line_next[:-1]
    bare = np.flatnonzero((eq | colon) & same_line_next)
    bare = bare[bare > 0]
    text = words.text
    for i in bare.tolist():
        if words.lines[i - 1] != words.lines[i]:
            continue
        key = text[int(words.starts[i - 1]) : int(words.ends[i - 1])]
        if (_EQ_KEY if eq[i] else _COLON_KEY).fullmatch(key):
            value_of[i] = True
    targets = np.flatnonzero(value_of) + 1
    starts, ends = [], []
    for j in targets.tolist():
        s, e = _value_span(text, int(words.starts[j]), int(words.ends[j]))
        if e > s:
            starts.append(s)
            ends.append(e)
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def _http_status_links(dw: DistinctWords, link_flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Status codes after ``HTTP/x.y`` and codes followed by their reason phrase."""
    words, n = dw.words, len(dw.words)
    if n < 2:
        return _EMPTY, _EMPTY
    code = dw.has_link_flag(link_flags, STATUS_CODE)
    if not code.any():
        return _EMPTY, _EMPTY
    version = dw.has_link_flag(link_flags, HTTP_VERSION)
    reason_first = dw.has_link_flag(link_flags, REASON_FIRST_WORD)
    lines, text = words.lines, words.text
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = lines[1:] == lines[:-1]
    after_version = np.zeros(n, dtype=bool)
    after_version[1:] = version[:-1]
    before_reason = np.zeros(n, dtype=bool)
    before_reason[:-1] = reason_first[1:] & same_prev[1:]
    starts, ends = [], []
    for i in np.flatnonzero(code & ((after_version & same_prev) | before_reason)).tolist():
        s, e = int(words.starts[i]), int(words.ends[i])
        if before_reason[i]:
            line_end = text.find("\n", e)
            m = _REASON.match(text, int(words.starts[i + 1]), len(text) if line_end < 0 else line_end)
            if m and text[e : int(words.starts[i + 1])].strip(" \t") == "":
                e = m.end()
            elif not (after_version[i] and same_prev[i]):
                continue
        starts.append(s)
        ends.append(e)
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


LINKS = {"key_value": _key_value_links, "http_status": _http_status_links}
