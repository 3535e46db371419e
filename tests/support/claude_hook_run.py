"""The real Claude Code CLI, headless, with the tersify hook installed, against a scripted
fake Anthropic API on 127.0.0.1.

The fake asks for one Bash command (``cat`` of a ~400-line service log with a few error
lines, over Claude Code's 30,000-character inline limit), then answers with a final text.
It records every request the CLI sends, so a check can read what the model would have seen.
The fake is the scripted upstream of the proxy's real-client check
(``tests/support/scripted_upstream.py``).

Used by ``tests/test_claude_code_hook.py`` and ``benchmarks/claude_code_hook_check.py``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from support.scripted_upstream import Script, ScriptedUpstream, ToolCall
from tersify.proxy.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
FINAL_TEXT = "Done: I read the service log."
PROMPT = "Read the service log with Bash and tell me what failed."
INLINE_LIMIT = 30_000  # characters of a Bash output Claude Code sends inline


def service_log(lines: int = 400) -> tuple[str, list[str]]:
    """A service log of ``lines`` lines, over 30,000 characters, and its error lines."""
    errors = {
        57: "2026-11-28 10:14:03.512 ERROR [db.pool] connection refused to 10.0.0.7:5432 after 3 retries "
            "(pool=orders, waited 1500 ms)",
        211: "2026-11-28 10:17:41.090 ERROR [api.orders] OrderValidationError: quantity must be positive, "
             "got -2 (order_id=88213)",
        340: "2026-11-28 10:19:09.777 FATAL [worker.3] segmentation fault in libimage.so at 0x7f3a2c1d "
             "(exit code 139)",
    }
    out = []
    for i in range(lines):
        out.append(errors.get(i) or (
            f"2026-11-28 10:{10 + i // 60:02d}:{i % 60:02d}.{(i * 7919) % 1000:03d} INFO [worker.{i % 4}] "
            f"processed batch {i} of queue orders-{i % 3} in {(i * 37) % 90 + 10} ms, "
            f"{(i * 113) % 900 + 100} rows, lag {(i * 17) % 40} ms"))
    return "\n".join(out) + "\n", list(errors.values())


_MARKER = re.compile(r"run: tersify retrieve ([0-9a-f]+)((?: --db \S+)?) --lines (\d+)(?:-(\d+))?\]")


def lost_lines(out: str, text: str, env: dict[str, str]) -> list[str]:
    """What of ``text`` cannot be had back from ``out``: with budget markers, each range
    retrieved (``tersify retrieve``, under ``env``) must be the original lines exactly;
    without, ``tersify expand`` must give every line back. Empty: nothing lost."""
    from tersify.compaction import expand

    lines = text.splitlines(keepends=True)
    markers = _MARKER.findall(out)
    if not markers:
        back = expand(out).rstrip("\n").splitlines()
        return [] if back == text.rstrip("\n").splitlines() else ["tersify expand does not give the lines back"]
    lost = []
    for retrieve_id, where, first, last in markers:
        a, b = int(first), int(last or first)
        done = subprocess.run([sys.executable, "-m", "tersify", "retrieve", retrieve_id, *shlex.split(where),
                               "--lines", f"{a}-{b}"],
                              env=env, capture_output=True, timeout=60)
        if done.returncode != 0 or done.stdout.decode() != "".join(lines[a - 1:b]):
            lost.append(f"lines {a}-{b} of {retrieve_id}: {done.stderr.decode().strip() or 'different'}")
    return lost


def _first_seen(bodies: list[dict]) -> tuple[str, dict | None, list[str]]:
    """The first tool result's text as first received, the Bash call's input as the CLI sent
    it back in the history, and a line per request (what the CLI called)."""
    result, tool_input, calls = "", None, []
    for body in bodies:
        n_results = 0
        for message in body.get("messages") or []:
            content = message.get("content") if isinstance(message, dict) else None
            for block in content if isinstance(content, list) else []:
                if not isinstance(block, dict):
                    continue
                if block.get("type") == "tool_result":
                    n_results += 1
                    inner = block.get("content")
                    text = inner if isinstance(inner, str) else "".join(
                        p.get("text", "") for p in inner or [] if isinstance(p, dict))
                    result = result or text
                elif block.get("type") == "tool_use" and tool_input is None:
                    tool_input = block.get("input")
        calls.append(f"POST /v1/messages ({n_results} tool results)")
    return result, tool_input, calls


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    tool_result: str  # what the CLI sent back for the Bash call ("" if none)
    tool_input: dict | None  # the Bash call's input as the CLI sent it back in the history
    calls: list[str]
    settings: dict  # the settings file the hook was installed into
    log: str
    errors: list[str]
    env: dict[str, str]  # the session's environment (HOME: where tersify stored originals)


def run(claude: str, *, hook: bool = True, bypass: bool = True, allowed_tools: str | None = "Bash",
        permissions: dict | None = None, command: str = "cat {log}", timeout: float = 240.0,
        keep: Path | None = None) -> Run:
    """One headless ``claude -p`` session: HOME is a temporary directory where ``tersify hook
    install claude-code`` (the real command) wrote the hook when ``hook``. ``bypass``: as
    root, permissions are bypassed (``--dangerously-skip-permissions``, the only way the CLI
    runs as root with them off); otherwise the CLI's permission checks run, with
    ``allowed_tools`` (``--allowedTools``) and ``permissions`` (written into the settings
    before the hook is installed) deciding. ``command``: the Bash command the fake asks for
    (``{log}``: the log's path, ``{work}``: the session's directory)."""
    work = Path(keep or tempfile.mkdtemp(prefix="tersify-claude-hook-"))
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    text, errors = service_log()
    log = work / "service.log"
    log.write_text(text)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT),
           "ANTHROPIC_API_KEY": "sk-ant-dummy-for-the-fake", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
           "DISABLE_AUTOUPDATER": "1"}
    settings: dict = {}
    if permissions is not None:
        (home / ".claude").mkdir(exist_ok=True)
        (home / ".claude" / "settings.json").write_text(json.dumps({"permissions": permissions}))
    if hook:
        done = subprocess.run([sys.executable, "-m", "tersify", "hook", "install", "claude-code"], env=env,
                              capture_output=True, text=True, timeout=60, cwd=work)
        if done.returncode != 0:
            raise RuntimeError(f"tersify hook install failed: {done.stderr}")
        settings = json.loads((home / ".claude" / "settings.json").read_text())
    bash = ToolCall("Bash", {"command": command.format(log=shlex.quote(str(log)), work=shlex.quote(str(work))),
                             "description": "Read the service log"})
    fake = ScriptedUpstream(Script([bash], final_text=FINAL_TEXT))
    with serve_in_thread(fake.app) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        argv = [claude, "-p", PROMPT] + (["--allowedTools", allowed_tools] if allowed_tools else [])
        if bypass and hasattr(os, "geteuid") and os.geteuid() == 0:
            env["IS_SANDBOX"] = "1"
            argv.append("--dangerously-skip-permissions")
        done = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    result, tool_input, calls = _first_seen([r.json() for r in fake.bodies()])  # type: ignore[misc]
    return Run(done.returncode, done.stdout, done.stderr, result, tool_input, calls, settings, text, errors,
               {k: v for k, v in env.items() if k != "ANTHROPIC_BASE_URL"})
