"""Real-token counting, offline: OpenAI's o200k_base and cl100k_base byte-pair encodings.

Savings are counted in the tokens a model is billed for, not in words or characters. The
``bpe-openai`` package carries its tables inside the wheel, so nothing is downloaded at
run time. Encoders are built once per process.
"""

from __future__ import annotations

from functools import cache

from tersify.errors import TersifyError

DEFAULT_ENCODING = "o200k_base"
ENCODINGS = ("o200k_base", "cl100k_base")


@cache
def _encoder(encoding: str):
    if encoding not in ENCODINGS:
        raise TersifyError(f"unknown token encoding {encoding!r} (known: {', '.join(ENCODINGS)})")
    try:
        import bpe_openai
    except ImportError as exc:  # a broken install; the package is a dependency
        raise TersifyError("token counting needs the 'bpe-openai' package: pip install bpe-openai") from exc
    return bpe_openai.get_encoding(encoding)


# The encoder refuses very long inputs; longer texts are counted in pieces cut after a
# newline (a piece boundary can shift the count by a token at most).
_PIECE_CHARS = 200_000


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """How many tokens ``text`` is in ``encoding`` (special-token text counts as plain text)."""
    if not text:
        return 0
    encode = _encoder(encoding).encode_ordinary
    if len(text) <= _PIECE_CHARS:
        return len(encode(text))
    total, at, n = 0, 0, len(text)
    while at < n:
        cut = text.rfind("\n", at, at + _PIECE_CHARS) + 1 if at + _PIECE_CHARS < n else n
        if cut <= at:  # no newline in reach: cut at a space, else anywhere
            cut = text.rfind(" ", at, at + _PIECE_CHARS) + 1
            cut = cut if cut > at else at + _PIECE_CHARS
        total += len(encode(text[at:cut]))
        at = cut
    return total
