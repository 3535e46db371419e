"""``tersify compress``: compress a file or standard input."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from itertools import chain

from tersify.budget.keeping import compress_keeping_original
from tersify.cli.args import positive_int, unit_interval
from tersify.cli.retrieve_cmd import add_budget_arguments
from tersify.cli.streaming import compress_out, sniff, terminal_hint
from tersify.compress import compress
from tersify.errors import TersifyError
from tersify.io import decode, open_input, read_all, write_output
from tersify.mustkeep import CATEGORIES, SEED_PRESETS
from tersify.pieces import PIECE_BYTES, Piece, read_pieces
from tersify.stream import Options, default_jobs, sum_stats
from tersify.tokens import encoder


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compress",
        help="compress a tool output (file or stdin) and print the result",
        description="Compress a tool output in two steps. First, repetition is rewritten reversibly "
        "(runs of identical lines, lines of one template, aligned tables, JSON) under plain-word markers "
        "such as '[previous line repeated 12 more times]', where that saves tokens; `tersify expand` gives "
        "back the exact input. Then, unless --lossless, filler words are dropped from prose lines only: "
        "JSON, diffs, code, logs, tables and status lines are never cut into, error lines lose at most "
        "articles, and every must-keep span (numbers, paths, flags, error names, negations, ...) survives. "
        "Kept words are copied byte for byte; lines keep their order and indentation. Bytes that are not "
        "UTF-8 pass through unchanged. Token counts are o200k_base.",
    )
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input (default)")
    p.add_argument("--lossless", action="store_true",
                   help="reversible compaction only: `tersify expand` gives back the exact input")
    p.add_argument("--show", action="store_true",
                   help="show what happened instead of printing the result: compacted blocks and dropped "
                   "words marked (for a person deciding whether to trust it)")
    p.add_argument("--rate", type=unit_interval("rate"), default=None,
                   help="target share of prose words to keep, 0-1 (default: use --threshold)")
    p.add_argument("--threshold", type=unit_interval("threshold"), default=0.5,
                   help="keep words whose score is above this (default 0.5)")
    p.add_argument("--categories", default=None,
                   help="comma-separated must-keep categories, or a seed preset (seed, seed-tight); "
                   f"default: all. Known: {', '.join([*CATEGORIES, *SEED_PRESETS])}")
    p.add_argument("--no-must-keep", action="store_true", help="turn the must-keep guarantee off")
    p.add_argument("--scorer", default=None, help="scorer name (see `tersify compress --list-scorers`)")
    p.add_argument("--list-scorers", action="store_true", help="list the available scorers and exit")
    p.add_argument("--json", action="store_true", help="print {text, stats} as JSON instead of the text")
    p.add_argument("--stats", action="store_true", help="print statistics to standard error")
    add_budget_arguments(p)
    add_stream_arguments(p)
    p.set_defaults(func=run)


def add_stream_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--binary", choices=("pass", "error"), default="pass",
                   help="input that looks binary (NUL bytes, or much that is not UTF-8): pass it through "
                   "unchanged with a note on standard error (default), or refuse it with an error")
    p.add_argument("--piece-size", type=positive_int("--piece-size"), default=PIECE_BYTES, metavar="BYTES",
                   help="an input over this size is read, compressed and written in pieces of about this "
                   "size, cut between lines, so memory stays bounded (default 1 MiB); smaller inputs are "
                   "compressed whole. Not with --show or --json, which take the input whole")
    p.add_argument("--jobs", type=positive_int("--jobs"), default=None,
                   help="processes compressing the pieces of a big input (default: the cores, at most 2)")


def run(args: argparse.Namespace) -> int:
    from tersify.scorers import available_scorers, default_scorer, get_scorer

    if args.list_scorers:
        for name, description in available_scorers().items():
            print(f"{name:12s} {description}")
        return 0
    if args.no_must_keep and args.categories:
        raise TersifyError("--no-must-keep and --categories contradict each other")
    if args.no_must_keep:
        must_keep: object = False
    elif args.categories:
        must_keep = [c.strip() for c in args.categories.split(",") if c.strip()]
        if not must_keep:
            raise TersifyError("--categories is empty")
    else:
        must_keep = True
    if terminal_hint(args.file, "compress"):
        return 2
    stream, size = open_input(args.file)
    with stream:
        # --json and --show describe a compression: binary input has none to describe
        describing = "--json" if args.json else "--show" if args.show else None
        head = sniff(stream, "error" if describing else args.binary, args.file,
                     f"{describing} describes a compression" if describing else "--binary=error")
        if head is None:
            return 0

        def load() -> tuple[object, float]:
            t0 = time.perf_counter()
            scorer = None if args.lossless else get_scorer(args.scorer) if args.scorer else default_scorer()
            encoder()  # the token encoding loads once per process, like the scorer
            return scorer, (time.perf_counter() - t0) * 1000.0

        # --show and --json describe the input whole; a budget over pieces is chosen piece by piece.
        if not (args.show or args.json or args.budget is not None):
            options = Options(args.lossless, args.rate, args.threshold,
                              tuple(must_keep) if isinstance(must_keep, list) else must_keep, args.scorer)
            pieces, load_ms = compress_out(stream, size, head, options, jobs=args.jobs or default_jobs(),
                                           piece_bytes=args.piece_size, load=load)
            if args.stats and pieces:
                print(format_stats(sum_stats(pieces).to_dict(), load_ms), file=sys.stderr)
            return 0
        if args.budget is not None and not (args.show or args.json):
            pieces = read_pieces(stream, args.piece_size, head=head)
            first = next(pieces)
            if not first.final:  # several pieces: chosen piece by piece, in bounded memory
                return _budget_in_pieces(args, chain([first], pieces), size, must_keep, load)
            text = decode(first.data)
        else:
            text = decode(head + read_all(stream, args.file))
    scorer, load_ms = load()
    result = compress_keeping_original(
        text,
        lambda retrieve_id: compress(
            text, lossless=args.lossless, rate=args.rate, threshold=args.threshold, must_keep=must_keep,
            scorer=scorer, budget=args.budget, retrieve_id=retrieve_id),
        budget=args.budget, store=not args.no_store, db=args.db, max_bytes=args.originals_max_bytes,
    )
    if args.show:
        from tersify.cli.show import show

        show(result)
    elif args.json:
        write_output(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        write_output(result.text)
    if args.stats:
        print(format_stats(result.stats.to_dict(), load_ms), file=sys.stderr)
        if result.elision is not None:
            e = result.elision
            print(_budget_line(e.budget, e.lines_omitted, e.lines_in, len(e.omitted), e.retrieve_id), file=sys.stderr)
    return 0


def _budget_line(budget: int, omitted: int, lines_in: int, ranges: int, retrieve_id: str | None) -> str:
    where = f"original stored as {retrieve_id}" if retrieve_id else "original not stored"
    return (f"tersify: budget {budget}: {omitted} of {lines_in} lines left out in {ranges} "
            f"range{'' if ranges == 1 else 's'}; {where}")


def _budget_in_pieces(args: argparse.Namespace, pieces: Iterator[Piece], size: int | None, must_keep: object,
                      load: Callable[[], tuple[object, float]]) -> int:
    from tersify.cli.budget_stream import compress_budget_pieces

    options = Options(args.lossless, args.rate, args.threshold,
                      tuple(must_keep) if isinstance(must_keep, list) else must_keep, args.scorer, args.budget)
    jobs = args.jobs or default_jobs()
    scorer, load_ms = (None, None) if jobs > 1 else load()
    done = compress_budget_pieces(pieces, size, options, jobs=jobs, scorer=scorer, store=not args.no_store,
                                  db=args.db, max_bytes=args.originals_max_bytes)
    write_output(done.text)
    if args.stats:
        if done.stats is not None:
            print(format_stats(done.stats.to_dict(), load_ms), file=sys.stderr)
        if done.omitted:
            left_out = sum(o.lines for o in done.omitted)
            print(_budget_line(args.budget, left_out, done.lines_in, len(done.omitted), done.retrieve_id),
                  file=sys.stderr)
    return 0


def format_stats(s: dict, load_ms: float | None = None) -> str:
    """One line of statistics; ``load_ms``: how long loading the scorer took, shown apart
    from the compression time (a process loads the model once)."""
    ratio = s["tokens_out"] / s["tokens_in"] if s["tokens_in"] else 1.0
    loaded = f" (scorer and token encoding loaded in {load_ms:.0f} ms)" if load_ms is not None else ""
    words = (
        "lossless"
        if s["lossless"]
        else f"prose words {s['words_scored']} scored, {s['words_in'] - s['words_out']} dropped, "
        f"must-keep spans kept {s['must_keep_spans_kept']}/{s['must_keep_spans']}, scorer {s['scorer']}"
    )
    return (
        f"tersify: tokens {s['tokens_in']} -> {s['tokens_out']} ({ratio:.1%} of input, {s['encoding']}), "
        f"{s['blocks']} compacted block{'' if s['blocks'] == 1 else 's'} saving "
        f"{s['tokens_saved_by_compaction']} tokens, "
        f"{s['noise_words']} noise words removed, {words}, "
        f"lines {s['lines_in']} -> {s['lines_out']}, compressed in {s['elapsed_ms']:.1f} ms{loaded}"
    )
