"""Compressing an input piece by piece (:mod:`tersify.pieces`), in order, in bounded memory.

Each piece goes through the whole pipeline (``compress``) on its own, so the output of the
pieces written one after another is a valid compressed text: markers are line-local blocks
and a piece ends at a line end, so ``expand`` of it is the input (after ``lossless``) or
the input with words dropped from prose lines (default), line for line. An input of one
piece is compressed exactly as a whole.

With ``jobs`` > 1, pieces are compressed by a pool of processes, at most ``2 * jobs`` of
them in flight, and come back in input order. Results carry per-piece statistics and,
on request, the kind of each output line, for passes that work over pieces afterwards.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields

from tersify.compress import CompressStats
from tersify.io import decode, encode
from tersify.pieces import Piece
from tersify.regions import Kind


@dataclass(frozen=True)
class Options:
    """What ``compress`` is called with for every piece (a scorer by name, so a worker
    process can load it)."""

    lossless: bool = False
    rate: float | None = None
    threshold: float = 0.5
    must_keep: bool | str | tuple[str, ...] = True
    scorer: str | None = None  # None: the default scorer
    budget: int | None = None  # each piece keeps its best output within this many tokens, as parts


@dataclass(frozen=True)
class CompressedPiece:
    """One piece's output: ``out`` (bytes) stands for input lines from ``first_line`` on,
    ``bytes_in`` bytes of input. ``stats`` is None for a raw piece (passed through);
    ``line_kinds``: the kind of each output line, when asked for; ``parts``: with a budget,
    what the piece shows and leaves out (:func:`tersify.budget.streamed.piece_parts`), and
    ``out`` is empty."""

    first_line: int
    bytes_in: int
    out: bytes
    stats: CompressStats | None
    line_kinds: tuple[Kind, ...] | None = None
    parts: list | None = None
    template_counts: dict[int, int] | None = None  # with a budget: the piece's lines per template key


_loaded: dict[Options, object] = {}


def _scorer_for(options: Options) -> object:
    """The scorer, loaded once per process (as the CLI does for one input)."""
    if options.lossless:
        return None
    if options not in _loaded:
        from tersify.scorers import default_scorer, get_scorer

        _loaded.clear()
        _loaded[options] = get_scorer(options.scorer) if options.scorer else default_scorer()
    return _loaded[options]


def compress_piece(piece: Piece, options: Options, keep_kinds: bool = False,
                   scorer: object | None = None) -> CompressedPiece:
    """Compress one piece (a raw piece is passed through as is)."""
    if piece.raw:
        if options.budget is not None:
            from tersify.budget.streamed import raw_parts

            return CompressedPiece(piece.first_line, len(piece.data), b"", None, parts=raw_parts(piece.first_line))
        return CompressedPiece(piece.first_line, len(piece.data), piece.data, None)
    from tersify.compress import compress

    must_keep = list(options.must_keep) if isinstance(options.must_keep, tuple) else options.must_keep
    result = compress(decode(piece.data), lossless=options.lossless, rate=options.rate,
                      threshold=options.threshold, must_keep=must_keep,
                      scorer=scorer if scorer is not None else _scorer_for(options))
    kinds = result.compacted.line_kinds if keep_kinds else None
    if options.budget is not None and result.pipeline is not None:
        from tersify.budget.streamed import piece_parts
        from tersify.tokens import count_tokens

        parts, counts = piece_parts(result.pipeline, options.budget, count_tokens, first_line=piece.first_line,
                                    final=piece.final, tokens=result.stats.tokens_out)
        return CompressedPiece(piece.first_line, len(piece.data), b"", result.stats, kinds, parts, counts)
    return CompressedPiece(piece.first_line, len(piece.data), encode(result.text), result.stats, kinds)


def compress_pieces(pieces: Iterable[Piece], options: Options, *, jobs: int = 1, keep_kinds: bool = False,
                    scorer: object | None = None) -> Iterator[CompressedPiece]:
    """Each piece compressed, in order. ``jobs`` > 1: by that many worker processes, with at
    most ``2 * jobs`` pieces read ahead; ``scorer``: an already loaded scorer to use in
    this process (``jobs`` 1 only)."""
    if jobs <= 1:
        for piece in pieces:
            yield compress_piece(piece, options, keep_kinds, scorer)
        return
    yield from _pooled(pieces, options, jobs, keep_kinds)


def _pooled(pieces: Iterable[Piece], options: Options, jobs: int, keep_kinds: bool) -> Iterator[CompressedPiece]:
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    # forkserver: workers start clean (no threads or loaded model copied from this process).
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(options,))
    inflight: deque[Future[CompressedPiece]] = deque()
    try:
        for piece in pieces:
            if piece.raw:  # no need to ship a raw piece to a worker and back
                inflight.append(_done(compress_piece(piece, options)))
            else:
                inflight.append(pool.submit(compress_piece, piece, options, keep_kinds))
            while len(inflight) >= 2 * jobs:
                yield inflight.popleft().result()
        while inflight:
            yield inflight.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _done(value: CompressedPiece):
    from concurrent.futures import Future

    future: Future[CompressedPiece] = Future()
    future.set_result(value)
    return future


def _init_worker(options: Options) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    from tersify.tokens import encoder

    encoder()  # the scorer loads with the first piece, so that an error in it reaches the caller


def default_jobs() -> int:
    """Worker processes for an input of several pieces: the cores this process may use, at most 2
    (each holds the model and a piece)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


_SUMMED = ("tokens_in", "tokens_out", "blocks", "noise_words", "tokens_saved_by_compaction", "words_in",
           "words_out", "words_scored", "chars_in", "chars_out", "lines_in", "lines_out", "must_keep_spans",
           "must_keep_spans_kept", "must_keep_words", "elapsed_ms")


def sum_stats(stats: Sequence[CompressStats]) -> CompressStats:
    """The statistics of several pieces as one: counts summed, the rate achieved weighted by
    the scored words."""
    if len(stats) == 1:
        return stats[0]
    first = stats[0]
    values = {f.name: getattr(first, f.name) for f in fields(CompressStats)}
    for name in _SUMMED:
        values[name] = sum(getattr(s, name) for s in stats)
    scored = values["words_scored"]
    values["rate_achieved"] = (sum(s.rate_achieved * s.words_scored for s in stats) / scored) if scored else 1.0
    return CompressStats(**values)
