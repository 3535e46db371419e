"""``tersify retrieve``: the original lines a budget left out, exactly; and the budget
options of ``tersify compress``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tersify.errors import TersifyError


def budget_tokens(value: str) -> int:
    from tersify.budget.stage import MIN_BUDGET

    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--budget must be a whole number of tokens, got {value!r}") from None
    if n < MIN_BUDGET:
        raise argparse.ArgumentTypeError(f"--budget must be at least {MIN_BUDGET} tokens (room for a marker), got {n}")
    return n


def mebibytes(value: str) -> int:
    try:
        mib = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of MiB, got {value!r}") from None
    if not mib > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 MiB, got {value}")
    return int(mib * (1 << 20))


STORE_HELP = ("originals are kept in the proxy's SQLite store ($TERSIFY_DB, else ~/.tersify/proxy.db; "
              "private file modes), capped at 1 GiB ($TERSIFY_ORIGINALS_MAX_MB or --originals-max-mb), "
              "least recently used first out, never expired by age")


def add_budget_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", type=budget_tokens, default=None, metavar="N",
                   help="the output fits N o200k tokens: after the steps above, whole lines and blocks are "
                   "left out by value (errors and warnings with context, first and last lines, one line of "
                   "each kind, rare lines first kept) and each left-out range becomes one marker line, "
                   "e.g. '[lines 120-480 omitted: 361 lines, 14 kinds; run: tersify retrieve 3f9a2c1d2e4f "
                   "--lines 120-480]'. The original is stored for `tersify retrieve`; " + STORE_HELP)
    p.add_argument("--no-store", action="store_true",
                   help="with --budget: do not store the original (markers then say the lines cannot be retrieved)")
    p.add_argument("--db", type=Path, default=None, help="the store (default $TERSIFY_DB, else ~/.tersify/proxy.db)")
    p.add_argument("--originals-max-mb", type=mebibytes, default=None, dest="originals_max_bytes", metavar="MIB",
                   help="size cap of the stored originals (default $TERSIFY_ORIGINALS_MAX_MB, else 1024)")


def _open(args: argparse.Namespace, *, create: bool):
    from tersify.proxy.store import PairStore, default_db_path

    return PairStore(args.db or default_db_path(), create=create, originals_max_bytes=args.originals_max_bytes)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "retrieve",
        help="print original lines a --budget output left out (the id and range its markers name)",
        description="Print the original lines behind a budget marker such as '[lines 120-480 omitted: ...; "
        "run: tersify retrieve 3f9a2c1d2e4f --lines 120-480]', byte for byte (line endings and a missing "
        "final newline included). The id is any unique prefix of 6 or more of its hex digits. "
        + STORE_HELP + ".",
    )
    p.add_argument("id", help="the original's id, as the marker names it")
    p.add_argument("--lines", default=None, metavar="A-B",
                   help="only lines A to B (1-based, inclusive; A alone for one line)")
    p.add_argument("--grep", default=None, metavar="PATTERN",
                   help="only lines matching this Python regular expression (within --lines if given)")
    p.add_argument("-n", "--line-number", action="store_true", help="prefix each line with its number and ':'")
    p.add_argument("--db", type=Path, default=None, help="the store (default $TERSIFY_DB, else ~/.tersify/proxy.db)")
    p.set_defaults(func=run, originals_max_bytes=None)


def run(args: argparse.Namespace) -> int:
    from tersify.proxy.originals import parse_range, split_lines
    from tersify.proxy.store import default_db_path

    path = args.db or default_db_path()
    if not path.exists():
        raise TersifyError(f"{path}: no originals are stored here (`tersify compress --budget N` and "
                           "`tersify proxy --budget N` store them; --db or $TERSIFY_DB name another store)")
    with _open(args, create=False) as store:
        original = store.originals.get(args.id)
    lines = split_lines(original.text)
    start, stop = parse_range(args.lines, len(lines)) if args.lines is not None else (0, len(lines))
    pattern = None
    if args.grep is not None:
        try:
            pattern = re.compile(args.grep)
        except re.error as exc:
            raise TersifyError(f"--grep {args.grep!r}: not a regular expression ({exc})") from None
    out: list[str] = []
    for number in range(start, stop):
        line = lines[number]
        if pattern is not None and pattern.search(line.rstrip("\n").rstrip("\r")) is None:
            continue
        out.append(f"{number + 1}:{line}" if args.line_number else line)
    data = "".join(out)
    try:
        sys.stdout.buffer.write(data.encode("utf-8", errors="surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape (proxy), not from input bytes
        sys.stdout.buffer.write(data.encode("utf-8", errors="surrogatepass"))
    sys.stdout.buffer.flush()
    if pattern is not None and not out:
        print(f"tersify: no line of {original.id} matches {args.grep!r}", file=sys.stderr)
        return 1
    return 0
