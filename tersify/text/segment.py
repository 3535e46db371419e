"""Text segmentation: text -> words (maximal runs of non-whitespace) and lines.

Everything downstream works on character offsets into the original string, so the
output can be rebuilt from the input by slicing: every kept word is byte-identical.
Segmentation is vectorised with numpy (one pass over the code points), which keeps it
linear in the input size and fast enough for multi-megabyte tool outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

# The code points for which str.isspace() is true; words are maximal runs of the rest,
# exactly what str.split() and the regex \S+ produce.
_WHITESPACE_CODEPOINTS = [cp for cp in range(0x3001) if chr(cp).isspace()]
_WHITESPACE_TABLE = np.zeros(0x3002, dtype=bool)
_WHITESPACE_TABLE[_WHITESPACE_CODEPOINTS] = True  # index 0x3001 stands for "anything higher"


@dataclass(frozen=True)
class Words:
    """The words of a text, as parallel arrays of character offsets.

    ``starts[i]:ends[i]`` is word ``i``; ``lines[i]`` is the 0-based line it is on.
    ``line_starts[k]`` is the offset where line ``k`` begins (lines split on ``\\n``).
    """

    text: str
    starts: np.ndarray
    ends: np.ndarray
    lines: np.ndarray
    line_starts: np.ndarray

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def word(self, i: int) -> str:
        return self.text[int(self.starts[i]) : int(self.ends[i])]

    def strings(self) -> list[str]:
        """All words as Python strings (computed once, then shared by every caller)."""
        return self._strings

    @cached_property
    def _strings(self) -> list[str]:
        # str.split() splits on exactly the str.isspace() characters, as segment() does,
        # and is several times faster than slicing word by word.
        parts = self.text.split()
        if len(parts) == len(self):
            return parts
        text = self.text
        return [text[s:e] for s, e in zip(self.starts.tolist(), self.ends.tolist(), strict=True)]

    def subset(self, mask: np.ndarray) -> Words:
        """The words where ``mask`` is set, over the same text and lines (a stage's view of
        some lines only)."""
        return Words(self.text, self.starts[mask], self.ends[mask], self.lines[mask], self.line_starts)

    def line_bounds(self) -> list[int]:
        """Word index bounds of each line: line ``k`` holds words ``[b[k], b[k + 1])``."""
        return np.searchsorted(self.lines, np.arange(self.n_lines + 1), side="left").tolist()

    @property
    def n_lines(self) -> int:
        return int(self.line_starts.shape[0])


def codepoints(text: str) -> np.ndarray:
    """The text as an array of code points (lone surrogates from undecodable bytes pass)."""
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def segment(text: str) -> Words:
    """Split ``text`` into words with offsets and line numbers, in linear time."""
    cps = codepoints(text)
    n = cps.shape[0]
    is_space = _WHITESPACE_TABLE[np.minimum(cps, 0x3001)]
    newline_at = np.flatnonzero(cps == 10)
    line_starts = np.concatenate(([0], newline_at + 1)).astype(np.int64)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Words(text, empty, empty, empty, line_starts)
    # Word boundaries are where "is a word character" flips.
    in_word = ~is_space
    padded = np.concatenate(([False], in_word, [False]))
    flips = np.flatnonzero(padded[1:] != padded[:-1])
    starts = flips[0::2].astype(np.int64)
    ends = flips[1::2].astype(np.int64)
    lines = np.searchsorted(newline_at, starts, side="left").astype(np.int64)
    return Words(text, starts, ends, lines, line_starts)


def span_words(words: Words, span_starts: np.ndarray, span_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each character span ``[start, end)``, the first and last word it touches
    (``first > last`` when it touches none)."""
    first = np.searchsorted(words.ends, span_starts, side="right")
    last = np.searchsorted(words.starts, span_ends, side="left") - 1
    return first, last


def overlapping_words(words: Words, span_starts: np.ndarray, span_ends: np.ndarray) -> np.ndarray:
    """Boolean mask of the words that overlap any of the character spans ``[start, end)``.

    A span may cover several words (``key: value``) or part of one (``.toml`` in
    ``Cargo.toml``); either way every word it touches is marked, whole.
    """
    mask = np.zeros(len(words), dtype=bool)
    if len(words) == 0 or span_starts.shape[0] == 0:
        return mask
    first, last = span_words(words, span_starts, span_ends)
    valid = first <= last
    first, last = first[valid], last[valid]
    if first.shape[0] == 0:
        return mask
    # Mark [first, last] ranges with a difference array (spans may overlap).
    n = len(words)
    delta = np.bincount(first, minlength=n + 1) - np.bincount(last + 1, minlength=n + 1)
    return np.cumsum(delta[:-1]) > 0
