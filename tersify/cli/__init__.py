"""The ``tersify`` command line. Each subcommand lives in its own module here and
registers itself through ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

from tersify import __version__
from tersify.errors import TersifyError

# Subcommand modules, imported lazily so `tersify compress` never pays for training imports.
COMMAND_MODULES = [
    "tersify.cli.compress_cmd",
    "tersify.cli.expand_cmd",
    "tersify.cli.retrieve_cmd",
    "tersify.cli.data_cmd",
    "tersify.cli.train_cmd",
    "tersify.cli.proxy_cmd",
    "tersify.cli.experiment_cmd",
    "tersify.cli.run_cmd",
    "tersify.cli.hook_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tersify",
        description="Compress AI-agent tool outputs: drop filler words, keep every number, path, "
        "flag, error name and negation, keep lines and their order.",
    )
    parser.add_argument("--version", action="version", version=f"tersify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except TersifyError as exc:
        print(f"tersify: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tersify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
