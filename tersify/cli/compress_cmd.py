"""``tersify compress``: compress a file or standard input."""

from __future__ import annotations

import argparse
import json
import sys
import time

from tersify.cli.args import unit_interval
from tersify.compress import compress
from tersify.errors import TersifyError
from tersify.io import read_input, write_output
from tersify.mustkeep import CATEGORIES, SEED_PRESETS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compress",
        help="compress a tool output (file or stdin) and print the result",
        description="Drop filler words from a tool output. Kept words are copied byte for byte; lines, "
        "their order and indentation stay; every must-keep span (numbers, paths, flags, error names, "
        "negations, ...) survives. Bytes that are not UTF-8 pass through unchanged.",
    )
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input (default)")
    p.add_argument("--rate", type=unit_interval("rate"), default=None,
                   help="target share of words to keep over the whole text, 0-1 (default: use --threshold)")
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
    p.set_defaults(func=run)


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
    text = read_input(args.file)
    t0 = time.perf_counter()
    scorer = get_scorer(args.scorer) if args.scorer else default_scorer()
    load_ms = (time.perf_counter() - t0) * 1000.0
    result = compress(text, rate=args.rate, threshold=args.threshold, must_keep=must_keep, scorer=scorer)
    if args.json:
        write_output(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        write_output(result.text)
    if args.stats:
        print(format_stats(result.stats.to_dict(), load_ms), file=sys.stderr)
    return 0


def format_stats(s: dict, load_ms: float | None = None) -> str:
    """One line of statistics; ``load_ms``: how long loading the scorer took, shown apart
    from the compression time (a process loads the model once)."""
    saved = 1.0 - (s["chars_out"] / s["chars_in"]) if s["chars_in"] else 0.0
    loaded = f" (scorer loaded in {load_ms:.0f} ms)" if load_ms is not None else ""
    return (
        f"tersify: words {s['words_in']} -> {s['words_out']} (kept {s['rate_achieved']:.1%}), "
        f"chars {s['chars_in']} -> {s['chars_out']} (saved {saved:.1%}), "
        f"lines {s['lines_in']} -> {s['lines_out']}, "
        f"must-keep spans kept {s['must_keep_spans_kept']}/{s['must_keep_spans']}, "
        f"scorer {s['scorer']}, compressed in {s['elapsed_ms']:.1f} ms{loaded}"
    )
