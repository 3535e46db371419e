"""Real-client check: the Claude Code CLI, headless, through ``tersify proxy``.

Installs the CLI when it is missing (``npm install --prefix <cache> @anthropic-ai/claude-code``;
the only download), then runs ``claude -p ... --allowedTools Bash`` against a scripted fake
Anthropic API on loopback (``tests/support/claude_code_run.py``): the fake asks for Bash
commands with big outputs for several turns, then answers. Prints what the CLI called and
sent (endpoints, headers, where ``cache_control`` sits) and checks:

* the loop completes (the final answer is printed);
* every earlier message arrives with the same bytes on every later turn, except where the
  CLI itself changed it (it moves ``cache_control``), and there only by that marker;
* tool results reach the upstream compressed (fewer o200k tokens), the newest one included.

    python benchmarks/claude_code_check.py [--turns 6] [--cache-dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.claude_code_run import COMMANDS, DEFAULT_CACHE, analyse, find_claude, install, run  # noqa: E402


def failures(report: dict) -> list[str]:
    """The checks that failed, in words (empty: all passed)."""
    failed = []
    if not report["completed"]:
        failed.append(f"the loop did not complete (exit {report['returncode']})")
    if report["proxy_changed_earlier"]:
        failed.append(f"the proxy changed earlier messages the CLI resent unchanged (apart from cache_control): {report['proxy_changed_earlier']}")
    if report["upstream_changed_beyond_marker"]:
        failed.append(f"earlier messages changed beyond cache_control: {report['upstream_changed_beyond_marker']}")
    if report["members_other_than_messages_changed"]:
        failed.append(f"members other than messages changed: {report['members_other_than_messages_changed']}")
    compression = report["compression"]
    if not any(c["tokens_upstream"] < c["tokens_sent"] for c in compression):
        failed.append("no tool result was compressed on its first trip upstream")
    marked = [c for c in compression if c["cache_control_on_it"] and c["tokens_upstream"] >= c["tokens_sent"]]
    if marked:
        failed.append(f"tool results carrying cache_control went up uncompressed on turns "
                      f"{[c['turn'] for c in marked]}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=len(COMMANDS), help=f"tool turns (default {len(COMMANDS)})")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help=f"npm prefix (default {DEFAULT_CACHE})")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the CLI (default 300)")
    parser.add_argument("--keep", type=Path, default=None, help="work folder to keep (proxy log, pair log)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()

    claude = find_claude(args.cache_dir) or install(args.cache_dir)
    version = subprocess.run([claude, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    result = run(claude, turns=args.turns, timeout=args.timeout, keep=args.keep)
    report = {"command": " ".join(sys.argv), "claude": version,
              "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
              **analyse(result)}
    failed = failures(report)
    report["failed"] = failed
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"$ {report['command']}\nClaude Code {version} on {report['machine']}")
        print(f"exit {report['returncode']}; final answer: {report['final_answer']!r}")
        print(f"calls by the CLI: {report['calls_by_client']}")
        print(f"calls at the upstream: {report['calls_at_upstream']}")
        print(f"models (side calls without tools): {report['models']}")
        print("headers of a main request: " + json.dumps(report["main_headers"]))
        for other in report["other_calls_headers"]:
            print(f"headers of {other['call']}: " + json.dumps(other["headers"]))
        for turn, paths in enumerate(report["cache_control_by_turn"]):
            print(f"turn {turn}: cache_control at {paths}")
        print(f"earlier messages the CLI changed itself: {report['client_changed_earlier']} "
              f"(beyond the marker: {report['client_changed_beyond_marker']})")
        print(f"upstream: {report['upstream_pairs']} (turn, earlier message) pairs, changed "
              f"{report['upstream_changed_earlier']}, beyond the marker {report['upstream_changed_beyond_marker']}")
        print(f"changed by the proxy: {report['proxy_changed_earlier']}")
        for c in report["compression"]:
            print(f"turn {c['turn']}: tool result {c['tool_use_id']} first sent: {c['tokens_sent']} -> "
                  f"{c['tokens_upstream']} o200k tokens{' (carries cache_control)' if c['cache_control_on_it'] else ''}")
        last = report["last_turn_tool_tokens"]
        print(f"last turn, all tool results: {last['sent']} -> {last['upstream']} o200k tokens")
        print("PASS" if not failed else "FAIL:\n  " + "\n  ".join(failed))
    if result.returncode and not args.json:
        print(f"stderr of the CLI: {result.stderr[-2000:]}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
