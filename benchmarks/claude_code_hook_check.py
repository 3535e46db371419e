"""Real-client check: the Claude Code CLI, headless, with ``tersify hook install claude-code``.

Installs the CLI when it is missing (``npm install --prefix <cache> @anthropic-ai/claude-code``;
the only download), then runs ``claude -p ... --allowedTools Bash`` twice against a scripted
fake Anthropic API on loopback (``tests/support/claude_hook_run.py``), which asks for
``cat`` of a 400-line service log (over 30,000 characters, three error lines):

* without the hook: what the model gets (a ``<persisted-output>`` preview, expected);
* with the hook installed in a temporary HOME by the real ``tersify hook install``: the
  tool result must be the ``tersify run`` output, inline, with every error line;
* with the hook, the same log from a command that fails (exit 3, after ``cd``): Claude Code
  keeps only the first and last 5,000 characters of a failed command's output, so this
  must arrive whole where budget mode is present (reported only, without it).

Prints both tool results' sizes and starts, and which checks failed; exit 1 if any did.

    python benchmarks/claude_code_hook_check.py [--cache-dir DIR] [--show N]
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from support.claude_code_run import DEFAULT_CACHE, find_claude, install  # noqa: E402
from support.claude_hook_run import INLINE_LIMIT, lost_lines, run  # noqa: E402

from tersify.tokens import count_tokens  # noqa: E402


def describe(label: str, text: str, show: int) -> None:
    print(f"--- {label}: {len(text)} characters, {count_tokens(text)} o200k tokens; first {show} lines:")
    for line in text.splitlines()[:show]:
        print(f"    {line[:150]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--show", type=int, default=8, help="lines of each tool result to print")
    args = parser.parse_args()
    claude = find_claude(args.cache_dir) or install(args.cache_dir)
    version = subprocess.run([claude, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"claude: {claude} ({version}); python {platform.python_version()}; {platform.platform()}")

    t0 = time.perf_counter()
    plain = run(claude, hook=False)
    t1 = time.perf_counter()
    hooked = run(claude, hook=True)
    t2 = time.perf_counter()
    print(f"log: {len(plain.log)} characters, {count_tokens(plain.log)} o200k tokens, "
          f"{plain.log.count(chr(10))} lines; Claude Code's inline limit: {INLINE_LIMIT} characters")
    print(f"hook entry written by `tersify hook install claude-code`: {hooked.settings['hooks']['PreToolUse']}")
    describe(f"without the hook (session {t1 - t0:.1f} s, exit {plain.returncode})", plain.tool_result, args.show)
    describe(f"with the hook (session {t2 - t1:.1f} s, exit {hooked.returncode})", hooked.tool_result, args.show)
    seen = hooked.tool_result
    failed = []
    if hooked.returncode != 0 or "Done" not in hooked.stdout:
        failed.append(f"the session with the hook did not complete (exit {hooked.returncode}): {hooked.stderr[-500:]}")
    if "<persisted-output>" in seen:
        failed.append("the model got a <persisted-output> preview with the hook installed")
    if not 0 < len(seen) < INLINE_LIMIT:
        failed.append(f"the tool result with the hook has {len(seen)} characters")
    for line in hooked.errors:
        message = line[line.index(" ", 11) + 1:]
        found = message in seen
        print(f"error line {'present' if found else 'MISSING'}: {message}")
        if not found:
            failed.append(f"error line missing: {message}")
    lost = lost_lines(seen, hooked.log, hooked.env)
    markers = "budget markers (tersify retrieve)" if "tersify retrieve" in seen else "compaction markers (tersify expand)"
    print(f"every line of the log can be had back through the {markers}: {not lost}")
    failed += lost
    print("without the hook the model got a preview:", "<persisted-output>" in plain.tool_result)

    # A command that fails: Claude Code keeps the first and last 5,000 characters of its output.
    script = "import sys; sys.stdout.write(open('service.log').read()); print('boom', file=sys.stderr); sys.exit(3)"
    t3 = time.perf_counter()
    failing = run(claude, hook=True, command=f"cd {{work}} && python3 -c \"{script}\"")
    out = failing.tool_result
    describe(f"a failing command with the hook (session {time.perf_counter() - t3:.1f} s)", out, 2)
    missing = [line for line in failing.errors if line[line.index(" ", 11) + 1:] not in out]
    cut = "characters truncated" in out
    print(f"Claude Code cut its middle: {cut}; error lines missing: {len(missing)}")
    if cut or missing or not out.startswith("Exit code 3"):
        failed.append("the failing command's output did not reach the model whole")
    print("FAILED:\n  " + "\n  ".join(failed) if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
