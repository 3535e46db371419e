"""``tersify expand``: the exact original of a compacted text."""

from __future__ import annotations

import argparse

from tersify.compaction import expand
from tersify.io import read_input, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "expand",
        help="give back the original of a compressed text (exact after --lossless)",
        description="Rewrite every compaction marker of a `tersify compress` output back into the lines "
        "it stands for. After `tersify compress --lossless` the result is the exact input, byte for "
        "byte; after a default compress it is the input with the dropped words missing. Text without "
        "markers comes back unchanged.",
    )
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input (default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    write_output(expand(read_input(args.file)))
    return 0
