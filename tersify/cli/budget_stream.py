"""``tersify compress --budget N`` on an input of several pieces, in bounded memory.

The pieces are compressed (by worker processes) and each keeps its best output within
the budget; the best output so far is chosen down to the budget again after each piece
(:mod:`tersify.budget.streamed`), so memory holds a piece or two and about two budgets of
output, not the input. The original is spooled meanwhile to a private temporary file (as
the bytes the store keeps, its sha256 and lines counted on the way) and, when lines were
left out, copied into the store in chunks, so every marker's ``tersify retrieve ... --lines
A-B`` prints the input's lines A to B exactly. The output is written at the end.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from tersify.budget import ID_CHARS
from tersify.budget.markers import Omitted
from tersify.budget.stage import counter
from tersify.budget.streamed import Candidate
from tersify.cli.progress import Progress
from tersify.compress import CompressStats
from tersify.pieces import Piece
from tersify.stream import Options, compress_pieces, sum_stats
from tersify.tokens import count_tokens


class Spool:
    """The input as the store keeps it (UTF-8; bytes that are not UTF-8 as
    :func:`tersify.budget.original_id` encodes them), in a private temporary file that is
    gone once closed, with its sha256, size and lines."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # mode 0600, unlinked at once
        self._sha = hashlib.sha256()
        # Incremental: a UTF-8 sequence cut between pieces decodes as it would whole.
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.size = 0
        self.newlines = 0
        self._last = b""

    def write(self, data: bytes) -> None:
        if data.isascii() and not self._decoder.getstate()[0]:
            self._write(data)
        else:  # decoded and encoded again, as the id's encoding does
            self._write(self._decoder.decode(data).encode("utf-8", errors="surrogatepass"))

    def _write(self, data: bytes) -> None:
        if not data:
            return
        self.file.write(data)
        self._sha.update(data)
        self.size += len(data)
        self.newlines += data.count(b"\n")
        self._last = data[-1:]

    def finish(self) -> None:
        self._write(self._decoder.decode(b"", final=True).encode("utf-8", errors="surrogatepass"))
        self.file.flush()

    @property
    def digest(self) -> str:
        return self._sha.hexdigest()

    @property
    def lines(self) -> int:
        return self.newlines + (1 if self.size and self._last != b"\n" else 0)


@dataclass(frozen=True)
class BudgetedPieces:
    text: str
    omitted: list[Omitted]
    retrieve_id: str | None  # the id the markers name (None: not stored)
    lines_in: int
    stats: CompressStats | None


def compress_budget_pieces(pieces: Iterable[Piece], size: int | None, options: Options, *, jobs: int,
                           scorer: object | None, store: bool, db: Path | None,
                           max_bytes: int | None) -> BudgetedPieces:
    """The budgeted output of an input of several ``pieces`` (``options.budget`` tokens),
    its original stored when lines were left out (see the module docstring)."""
    from tersify.proxy.originals import default_max_bytes, retrieve_ref
    from tersify.proxy.store import PairStore, default_db_path

    assert options.budget is not None
    count = counter(count_tokens)
    candidate = Candidate(options.budget, count, stored=store)
    spool = Spool()
    lines_after: deque[int] = deque()  # per piece read: the input's lines up to its end

    def tee() -> Iterator[Piece]:
        for piece in pieces:
            spool.write(piece.data)
            data = piece.data
            lines_after.append(piece.first_line + data.count(b"\n") + (1 if data and data[-1:] != b"\n" else 0))
            yield piece

    stats: list[CompressStats] = []
    with spool.file, Progress(size, "tersify compress --budget") as bar:
        for done in compress_pieces(tee(), options, jobs=jobs, scorer=scorer):
            candidate.add(done.parts or [], lines_after.popleft(), done.template_counts)
            bar.advance(done.bytes_in)
            if done.stats is not None:
                stats.append(done.stats)
        spool.finish()
        cap = max_bytes if max_bytes is not None else default_max_bytes()
        storable = store and spool.size <= cap
        path = db or default_db_path()
        retrieve_id = retrieve_ref(spool.digest[:ID_CHARS], path) if storable else None
        text, omitted = candidate.output(retrieve_id, spool.lines)
        if omitted and storable:
            with PairStore(path, create=True, originals_max_bytes=max_bytes) as pairs:
                stored = pairs.originals.put_file(spool.file, spool.size, spool.digest)
            if stored is None:
                retrieve_id = None
                text, omitted = candidate.output(None, spool.lines)
    total = None
    if stats:
        total = replace(sum_stats(stats), tokens_out=count_tokens(text), chars_out=len(text),
                        lines_out=text.count("\n") + (1 if text and not text.endswith("\n") else 0))
    return BudgetedPieces(text, omitted, retrieve_id if omitted else None, spool.lines, total)
