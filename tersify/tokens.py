"""Real-token counting, offline: OpenAI's o200k_base and cl100k_base byte-pair encodings.

Savings are counted in the tokens a model is billed for, not in words or characters.
``tiktoken`` does the encoding; its rank files ship in ``tersify/assets/encodings`` (checked
against tiktoken's published hashes), so nothing is downloaded at run time. An encoder is
built once per process (about a second on a laptop CPU) and is thread-safe.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import NamedTuple

from tersify.errors import TersifyError

DEFAULT_ENCODING = "o200k_base"


class _Spec(NamedTuple):
    sha256: str  # of the uncompressed rank file, as tiktoken publishes it
    pat_str: str  # the pre-tokenizer, as in tiktoken_ext.openai_public
    special_tokens: dict[str, int]


_SPECS: dict[str, _Spec] = {
    "o200k_base": _Spec(
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "|".join([
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]),
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
    "cl100k_base": _Spec(
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
        {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260,
         "<|endofprompt|>": 100276},
    ),
}
ENCODINGS = tuple(_SPECS)
_LOCK = threading.Lock()  # concurrent first calls (the proxy) build the encoder once


def encoder(encoding: str = DEFAULT_ENCODING):
    """The ``tiktoken.Encoding`` for ``encoding``, built once per process."""
    if encoding not in _SPECS:
        raise TersifyError(f"unknown token encoding {encoding!r} (known: {', '.join(_SPECS)})")
    with _LOCK:
        return _build(encoding)


@cache
def _build(encoding: str):
    # Imported here: `import tersify` stays light, the encoding loads on first use.
    import binascii
    import gzip
    import hashlib
    import io
    from importlib import resources

    import tiktoken

    spec = _SPECS[encoding]
    packed = resources.files("tersify.assets").joinpath("encodings", f"{encoding}.tiktoken.gz").read_bytes()
    # Parsed line by line (no list of every line at once): the table is 200k entries, and
    # the proxy's peak memory counts every copy.
    digest = hashlib.sha256()
    ranks: dict[bytes, int] = {}
    with gzip.GzipFile(fileobj=io.BytesIO(packed)) as lines:
        for line in lines:
            digest.update(line)
            token, rank = line.split()
            ranks[binascii.a2b_base64(token)] = int(rank)
    if digest.hexdigest() != spec.sha256:
        raise TersifyError(f"the {encoding} rank file shipped with tersify is corrupt (hash mismatch); reinstall")
    return tiktoken.Encoding(encoding, pat_str=spec.pat_str, mergeable_ranks=ranks, special_tokens=spec.special_tokens)


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """How many tokens ``text`` is in ``encoding`` (special-token text counts as plain text)."""
    if not text:
        return 0
    return len(encoder(encoding).encode_ordinary(text))


def starts_piece(line: str) -> bool:
    """o200k's pre-tokenizer ends a piece right before ``line`` when a ``\\n`` precedes it,
    whatever came before: no piece runs from one line into a line that starts with neither
    whitespace (a run of it may reach back to the newline) nor ``/`` (a piece of punctuation
    takes the newlines and slashes after it). Conservative: ``str.isspace`` holds for every
    character the pre-tokenizer's ``\\s`` matches."""
    return bool(line) and not line[0].isspace() and line[0] != "/"


class LineTokens:
    """o200k tokens of runs of ``lines``, each run counted as ``"\\n".join(run) + "\\n"``,
    exactly, with each line counted once however many runs hold it: a run whose lines after
    the first all start a pre-tokenizer piece (:func:`starts_piece`) is the sum of its lines'
    counts, since token counts add up over pieces. Other runs are counted whole."""

    def __init__(self, lines: list[str] | tuple[str, ...]) -> None:
        self.lines = lines
        self._counts = [-1] * len(lines)
        # _joins[i]: how many of lines[1:i] do not start a piece; a run [a, b) adds up when none of
        # lines[a+1:b] does: _joins[b] == _joins[a + 1].
        joins = [0, 0]
        for line in lines[1:]:
            joins.append(joins[-1] + (not starts_piece(line)))
        self._joins = joins

    def starts_piece(self, i: int) -> bool:
        """A piece of o200k's pre-tokenizer starts at line ``i`` whatever precedes it."""
        return i == 0 or self._joins[i + 1] == self._joins[i]

    def total(self) -> int:
        """``count_tokens("\\n".join(lines))``: the text cut where a line starts a piece, each part
        counted; a line counted before is not counted again, the others in one call a stretch."""
        lines, n, counts = self.lines, len(self.lines), self._counts
        end = n - 1 if lines[n - 1] == "" else n  # a final newline ends the last run
        total, start, fresh = 0, 0, -1  # fresh: where a stretch of uncounted one-line parts began
        for i in range(1, end + 1):
            if i < end and not self.starts_piece(i):
                continue
            if i - start == 1 and counts[start] < 0 and i < n:
                fresh = start if fresh < 0 else fresh
            else:
                if fresh >= 0:
                    total += count_tokens("\n".join(lines[fresh:start]) + "\n")
                    fresh = -1
                total += self.run(start, i) if i < n else count_tokens("\n".join(lines[start:]))
            start = i
        if fresh >= 0:
            total += count_tokens("\n".join(lines[fresh:start]) + "\n")
        return total

    def run(self, start: int, stop: int) -> int:
        """``count_tokens("\\n".join(lines[start:stop]) + "\\n")``."""
        if stop <= start:
            return count_tokens("\n")
        if self._joins[stop] != self._joins[start + 1]:
            return count_tokens("\n".join(self.lines[start:stop]) + "\n")
        counts, total = self._counts, 0
        for i in range(start, stop):
            if counts[i] < 0:
                counts[i] = count_tokens(self.lines[i] + "\n")
            total += counts[i]
        return total
