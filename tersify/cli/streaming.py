"""How ``tersify compress`` and ``tersify expand`` take their input: as a stream, written as
it goes, in memory bounded by the piece size; binary input passed through untouched (or
refused); a terminal with nothing piped in answered with a hint instead of a silent wait."""

from __future__ import annotations

import codecs
import shutil
import sys
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

from tersify.cli.progress import Progress
from tersify.compaction import expand_stream
from tersify.compress import CompressStats
from tersify.errors import TersifyError
from tersify.io import encode, read_all
from tersify.pieces import LONG_LINE_PIECES, READ_BYTES, SNIFF_BYTES, binary_reason, read_pieces
from tersify.stream import Options, compress_pieces

HINTS = {
    "compress": "tersify compress: standard input is a terminal, so there is nothing to compress. "
    "Pipe an output in or name a file, e.g.\n  pytest 2>&1 | tersify compress\n  tersify compress build.log\n"
    "(tersify compress --help for the options)",
    "expand": "tersify expand: standard input is a terminal, so there is nothing to expand. "
    "Pipe a compressed text in or name a file, e.g.\n  tersify compress --lossless build.log | tersify expand\n"
    "(tersify expand --help for the options)",
}


def terminal_hint(source: str, command: str) -> bool:
    """Print a usage hint and say True when the input would be a terminal nobody types into."""
    if source != "-" or not _is_terminal(sys.stdin):
        return False
    print(HINTS[command], file=sys.stderr)
    return True


def sniff(stream: BinaryIO, policy: str, source: str, refused_by: str = "--binary=error") -> bytes | None:
    """The first bytes of a text input; for a binary one, None once it is passed through to
    standard output unchanged (``policy`` "pass", with a note) or an error ("error", saying
    that ``refused_by`` refused it)."""
    head = read_all(stream, source, SNIFF_BYTES)
    reason = binary_reason(head)
    if reason is None:
        return head
    if policy == "error":
        raise TersifyError(f"input looks binary ({reason}); refused ({refused_by}); "
                           "tersify compresses text tool outputs")
    print(f"tersify: input looks binary ({reason}); passed through unchanged", file=sys.stderr)
    out = sys.stdout.buffer
    out.write(head)
    shutil.copyfileobj(stream, out, READ_BYTES)
    out.flush()
    return None


def compress_out(stream: BinaryIO, size: int | None, head: bytes, options: Options, *, jobs: int,
                 piece_bytes: int, load: object) -> tuple[list[CompressStats], float | None]:
    """Compress ``head`` and the rest of ``stream`` to standard output piece by piece.
    ``load()``: loads the scorer in this process and returns (scorer, milliseconds); it is
    called unless pieces go to worker processes. Returns the pieces' statistics and the
    load time (None when workers loaded)."""
    pieces = read_pieces(stream, piece_bytes, head=head)
    first = next(pieces)
    pooled = jobs > 1 and not first.final
    scorer, load_ms = (None, None) if pooled else load()  # type: ignore[operator]
    out = sys.stdout.buffer
    stats: list[CompressStats] = []
    raw_bytes = 0
    with Progress(size, "tersify compress") as bar:
        for done in compress_pieces(chain([first], pieces), options, jobs=jobs if pooled else 1, scorer=scorer):
            out.write(done.out)
            out.flush()
            bar.advance(done.bytes_in)
            if done.stats is not None:
                stats.append(done.stats)
            else:
                raw_bytes += done.bytes_in
    if raw_bytes:  # said, so that nobody takes an unchanged line for a compressed one
        print(f"tersify: {raw_bytes:,} bytes in lines longer than {LONG_LINE_PIECES} pieces "
              f"({LONG_LINE_PIECES * piece_bytes:,} bytes) passed through unchanged", file=sys.stderr)
    return stats, load_ms


def expand_out(stream: BinaryIO, size: int | None, source: str) -> None:
    """Expand ``stream`` to standard output as it is read (only the block being read is held)."""
    out = sys.stdout.buffer
    with Progress(size, "tersify expand") as bar:
        for text in expand_stream(_decoded(stream, source, bar)):
            out.write(encode(text))
        out.flush()


def _decoded(stream: BinaryIO, source: str, bar: Progress) -> Iterator[str]:
    # Incremental: a UTF-8 sequence cut between two reads decodes as it would whole.
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    while data := read_all(stream, source, 16 * READ_BYTES):
        yield decoder.decode(data)
        bar.advance(len(data))
    yield decoder.decode(b"", final=True)


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False
