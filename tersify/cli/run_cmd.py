"""``tersify run -- CMD ARGS...``: run a command, print its output compressed, keep its exit status."""

from __future__ import annotations

import argparse

from tersify.cli.args import non_negative_int
from tersify.errors import TersifyError
from tersify.run import DEFAULT_BUDGET, DEFAULT_MAX_CHARS, FAILED_MAX_CHARS, TINY_TOKENS, run


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run a command and print its output compressed, with the command's exit status",
        usage="tersify run [--budget N] [--max-chars N] [--lossless] -- CMD [ARGS...]",
        description="Run CMD (directly, no shell: write `sh -c '...'` for one) and print what it wrote "
        "compressed, standard output and standard error together in the order they were written. The exit "
        "status is the command's (128+N when a signal N ended it, 127 when it is not found). SIGINT and "
        "SIGTERM are passed on. Output of at most "
        f"{TINY_TOKENS} tokens, and output that is not text, is printed unchanged. For agents whose tools cut "
        "big outputs (Claude Code keeps 30,000 characters of a Bash output inline): see "
        "`tersify hook install claude-code`.",
    )
    p.add_argument("--budget", type=non_negative_int("budget"), default=DEFAULT_BUDGET,
                   help=f"the most tokens to print (default {DEFAULT_BUDGET}, sized for Claude Code's inline "
                   "limit; 0: no budget). Lines left out are stored for `tersify retrieve`")
    p.add_argument("--max-chars", type=non_negative_int("max-chars"), default=DEFAULT_MAX_CHARS,
                   help=f"with budget mode, the budget shrinks until the output has at most this many characters "
                   f"(default {DEFAULT_MAX_CHARS}, and {FAILED_MAX_CHARS} at most for a command that failed: "
                   "Claude Code cuts the middle out of a failed command's output over 10,000; 0: no limit)")
    p.add_argument("--lossless", action="store_true",
                   help="reversible compaction only, no word dropped: `tersify expand` restores the output, "
                   "except lines a budget left out (their markers say how to get them back; --budget 0 for "
                   "an output that expands to exactly what the command printed)")
    p.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]", help="the command to run")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    argv = list(args.argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise TersifyError("no command given: tersify run -- CMD [ARGS...]")
    return run(argv, budget=args.budget or None, lossless=args.lossless, max_chars=args.max_chars or None).returncode
