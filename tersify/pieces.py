"""Reading a big input in pieces, cut between lines, and telling text from binary.

The CLI compresses a large input piece by piece so memory stays bounded by the piece size,
not the input. A piece always ends at a line end (``\\n``), so the pieces' lines are the
input's lines, a UTF-8 sequence is never split (``\\n`` is never inside one), and the
compressed pieces written one after another expand to the input. Near the size, the cut
moves to a line that opens at the left margin, so an indented stretch (a JSON document,
a traceback) stays in one piece up to ``long_line`` bytes, and back to where the line
shape changes, so a run of lines of one template usually stays in one piece and compacts
as one block.

A single line longer than ``long_line`` cannot be held whole: it is passed through as is,
in raw pieces (never compressed, so never changed). A line that begins like a marker
(``[`` or ``\\``) is the exception: it is read whole, as expansion must see it whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

PIECE_BYTES = 1 << 20  # an input up to this size is one piece: compressed exactly as a whole
READ_BYTES = 1 << 16
LONG_LINE_PIECES = 4  # a line (an indented stretch) longer than this many pieces is passed through raw (cut)
LOOKBACK_LINES = 256  # how far back from the size a cut may move to a change of line shape
SNIFF_BYTES = 1 << 16
# Binary: more than 1 byte in 20 of the first bytes is NUL or not UTF-8, and at least this many.
BINARY_MIN_BAD = 8


@dataclass(frozen=True)
class Piece:
    """``data``: bytes of the input; ``first_line``: the number (from 0) of its first line;
    ``final``: the input ends with it; ``raw``: part of an over-long line, to be written as is."""

    data: bytes
    first_line: int
    final: bool
    raw: bool = False


def read_pieces(stream: BinaryIO, piece_bytes: int = PIECE_BYTES, *, head: bytes = b"",
                read_bytes: int = READ_BYTES, long_line: int | None = None) -> Iterator[Piece]:
    """The input of ``stream`` (after ``head``, bytes already read from it) in pieces of about
    ``piece_bytes``, each ending at a line end but the last. An input of at most
    ``piece_bytes`` is one piece. The reader holds at most one piece and one read ahead,
    or ``long_line`` bytes while it looks for the end of an indented stretch, or a line
    that begins like a marker (see the module docstring)."""
    if piece_bytes < 1:
        raise ValueError("piece_bytes must be positive")
    long_line = long_line or LONG_LINE_PIECES * piece_bytes
    buf = bytearray(head)
    line = 0
    eof = False
    want = piece_bytes + 1  # one byte more than a piece: an input of exactly one piece is whole
    in_long = False  # inside an over-long line, passed through raw up to its end
    while True:
        while not eof and len(buf) < want:
            chunk = stream.read(read_bytes)
            if not chunk:
                eof = True
            buf += chunk
        want = piece_bytes + 1
        if in_long:
            end = buf.find(b"\n") + 1
            if end:
                in_long = False
                line += 1
                yield Piece(bytes(buf[:end]), line - 1, eof and end == len(buf), raw=True)
                del buf[:end]
                if eof and not buf:
                    return
                continue
            yield Piece(bytes(buf), line, eof, raw=True)
            buf.clear()
            if eof:
                return
            continue
        if eof and len(buf) <= piece_bytes:
            if buf or line == 0:  # an empty input is one empty piece, as compress("") is ""
                yield Piece(bytes(buf), line, True)
            return
        cut = _cut(buf, piece_bytes, long_line)
        if not cut:  # no line end to cut at yet
            if eof:
                yield Piece(bytes(buf), line, True)
                return
            if len(buf) >= long_line and b"\n" not in buf and buf[:1] not in (b"[", b"\\"):
                in_long = True
                yield Piece(bytes(buf), line, False, raw=True)
                buf.clear()
            else:  # read on, doubling, so that looking for the cut again stays linear
                want = max(len(buf) + read_bytes, min(2 * len(buf), long_line))
            continue
        piece = bytes(buf[:cut])
        del buf[:cut]
        yield Piece(piece, line, eof and not buf)
        line += piece.count(b"\n")
        if eof and not buf:
            return


def _cut(buf: bytearray, size: int, limit: int) -> int:
    """Where to end a piece of about ``size`` bytes (0: read on). After a line end, before a
    line that opens at the left margin (not indented, blank or closing a bracket), so an
    indented stretch (a JSON document, a traceback, code) stays whole up to ``limit`` bytes;
    by preference the last such place of the final ``LOOKBACK_LINES`` lines where the line's
    shape changes, so a run of one template stays whole."""
    end = buf.rfind(b"\n", 0, size) + 1
    if not end:
        return buf.find(b"\n", size) + 1
    from tersify.compaction.lines import shape_key

    bounds = [end]  # line starts, from the end back: line k is buf[bounds[k + 1]:bounds[k]]
    lo = max(0, end - size // 4)
    while len(bounds) <= LOOKBACK_LINES:
        nl = buf.rfind(b"\n", lo, bounds[-1] - 1)
        if nl < 0:
            if lo == 0 and bounds[-1] > 0:
                bounds.append(0)
            break
        bounds.append(nl + 1)
    after = buf.find(b"\n", end)
    key = shape_key(_decode(buf[end:after])) if after >= 0 else None
    for k in range(len(bounds) - 1):
        before = shape_key(_decode(buf[bounds[k + 1] : bounds[k] - 1]))
        if key is not None and before != key and _opens(buf, bounds[k]):
            return bounds[k]
        key = before
    for at in bounds:
        if at and _opens(buf, at):
            return at
    found = _OPENING.search(buf, end - 1)
    if found is not None:
        return found.start() + 1
    return end if len(buf) >= limit else 0


_OPENING = re.compile(rb"\n[^\s\]})]")


def _opens(buf: bytearray, at: int) -> bool:
    """The line at ``at`` opens at the left margin (known only once its first byte is read)."""
    return at < len(buf) and buf[at] not in b" \t\r\n\f\v]})"


def _decode(data: bytes | bytearray) -> str:
    return bytes(data).decode("utf-8", "surrogateescape")


def binary_reason(head: bytes) -> str | None:
    """Why the first bytes of an input look binary (NUL bytes, or bytes that are not UTF-8:
    more than 1 in 20 of them, and at least ``BINARY_MIN_BAD``), or None for text."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("ignore")
    valid = len(decoder.decode(head, final=False).encode("utf-8"))
    cut_short = len(decoder.getstate()[0])  # a sequence the sample cut is not held against it
    invalid = len(head) - valid - cut_short
    nul = head.count(b"\0")  # NUL is valid UTF-8, so not counted twice
    bad = nul + invalid
    if bad < BINARY_MIN_BAD or bad * 20 <= len(head):
        return None
    if nul:
        return f"NUL bytes in the first {len(head)} bytes"
    return f"{invalid / len(head):.0%} of the first {len(head)} bytes are not UTF-8"
