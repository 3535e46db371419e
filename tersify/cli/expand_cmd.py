"""``tersify expand``: the exact original of a compacted text."""

from __future__ import annotations

import argparse

from tersify.cli.streaming import expand_out, terminal_hint
from tersify.io import open_input


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "expand",
        help="give back the original of a compressed text (exact after --lossless)",
        description="Rewrite every compaction marker of a `tersify compress` output back into the lines "
        "it stands for. After `tersify compress --lossless` the result is the exact input, byte for "
        "byte; after a default compress it is the input with the dropped words missing. Text without "
        "markers comes back unchanged. The input is read and written as it goes, in bounded memory.",
    )
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input (default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if terminal_hint(args.file, "expand"):
        return 2
    stream, size = open_input(args.file)
    with stream:
        expand_out(stream, size, args.file)
    return 0
