"""The scripted fake Anthropic/OpenAI API (:mod:`tersify_train.sources.scripted_upstream`),
re-exported for the tests, and run alone for the benchmarks:

    python tests/support/scripted_upstream.py --port 9999 --turns 50 --track
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `support` and the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from support.raw_json import PrefixTracker  # noqa: E402
from tersify_train.sources.scripted_upstream import Script, ScriptedUpstream, ToolCall  # noqa: E402


def main() -> None:
    from tersify.proxy.server import serve

    parser = argparse.ArgumentParser(description="A scripted fake Anthropic/OpenAI API driving a tool loop.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9999)
    parser.add_argument("--turns", type=int, default=5, help="tool calls before the final answer")
    parser.add_argument("--track", action="store_true",
                        help="keep only digests: prefix check (cache_control markers left out) and first-seen "
                             "tool texts (benchmarks)")
    args = parser.parse_args()
    script = Script([ToolCall("bash", {"command": f"step {i}"}) for i in range(args.turns)])
    upstream = ScriptedUpstream(script, keep_bodies=not args.track,
                                tracker=PrefixTracker(strip_marker=True) if args.track else None)
    serve(upstream.app, args.host, args.port)


__all__ = ["Script", "ScriptedUpstream", "ToolCall"]

if __name__ == "__main__":
    main()
