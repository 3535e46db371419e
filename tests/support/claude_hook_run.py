"""The real Claude Code CLI, headless, with the tersify hook installed, against a scripted
fake Anthropic API on 127.0.0.1.

The fake asks for one Bash command (``cat`` of a ~400-line service log with a few error
lines, over Claude Code's 30,000-character inline limit), then answers with a final text.
It records every tool result the CLI sends back, so a check can read what the model would
have seen. The fake is a minimal copy of the scripted upstream built for the proxy's
real-client check (``tests/support/scripted_upstream.py`` on the proxy branch): only the
Messages API, only what this check needs.

Used by ``tests/test_claude_code_hook.py`` and ``benchmarks/claude_code_hook_check.py``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tersify.proxy.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tersify" / "claude-code"
FINAL_TEXT = "Done: I read the service log."
PROMPT = "Read the service log with Bash and tell me what failed."
INLINE_LIMIT = 30_000  # characters of a Bash output Claude Code sends inline


def find_claude(cache_dir: Path = DEFAULT_CACHE) -> str | None:
    """The CLI: ``$TERSIFY_CLAUDE``, else ``claude`` on PATH, else the benchmark's install."""
    for candidate in (os.environ.get("TERSIFY_CLAUDE"), shutil.which("claude"),
                      str(cache_dir / "node_modules" / ".bin" / "claude")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


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


_MARKER = re.compile(r"run: tersify retrieve ([0-9a-f]+) --lines (\d+)(?:-(\d+))?\]")


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
    for retrieve_id, first, last in markers:
        a, b = int(first), int(last or first)
        done = subprocess.run([sys.executable, "-m", "tersify", "retrieve", retrieve_id, "--lines", f"{a}-{b}"],
                              env=env, capture_output=True, timeout=60)
        if done.returncode != 0 or done.stdout.decode() != "".join(lines[a - 1:b]):
            lost.append(f"lines {a}-{b} of {retrieve_id}: {done.stderr.decode().strip() or 'different'}")
    return lost


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


async def _chunks(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def _tool_results(body: dict) -> list[tuple[str, str]]:
    """``(tool_use_id, text)`` of every tool result in a Messages request."""
    found = []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                inner = block.get("content")
                text = inner if isinstance(inner, str) else "".join(
                    p.get("text", "") for p in inner or [] if isinstance(p, dict))
                found.append((str(block.get("tool_use_id")), text))
    return found


@dataclass
class FakeAnthropic:
    """Answers ``POST /v1/messages``: the next Bash call of ``commands``, then ``FINAL_TEXT``."""

    commands: list[str]
    tool_results: dict[str, str] = field(default_factory=dict)  # tool_use_id -> text, as first received
    tool_inputs: dict[str, dict] = field(default_factory=dict)  # tool_use_id -> input, as the CLI sent it back
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/v1/messages", self.messages, methods=["POST"]),
                                     Route("/{path:path}", self.other, methods=["GET", "POST", "HEAD"])])

    async def other(self, request: Request) -> Response:
        with self._lock:
            self.calls.append(f"{request.method} {request.url.path}")
        return JSONResponse({})

    async def messages(self, request: Request) -> Response:
        body = json.loads(await request.body())
        results = _tool_results(body)
        with self._lock:
            self.calls.append(f"POST /v1/messages ({len(results)} tool results)")
            for tool_id, text in results:
                self.tool_results.setdefault(tool_id, text)
            for message in body.get("messages") or []:
                for block in message.get("content") if isinstance(message.get("content"), list) else []:
                    if isinstance(block, dict) and block.get("type") == "tool_use":
                        self.tool_inputs.setdefault(str(block.get("id")), block.get("input"))
        turn = len(results)
        if not body.get("tools"):  # a side call (a title, a quota check)
            blocks, stop = [{"type": "text", "text": "Service log"}], "end_turn"
        elif turn < len(self.commands):
            blocks = [{"type": "tool_use", "id": f"toolu_{turn:03d}", "name": "Bash",
                       "input": {"command": self.commands[turn], "description": "Read the service log"}}]
            stop = "tool_use"
        else:
            blocks, stop = [{"type": "text", "text": FINAL_TEXT}], "end_turn"
        usage = {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0,
                 "cache_read_input_tokens": 0}
        message = {"id": f"msg_{turn:03d}", "type": "message", "role": "assistant", "model": body.get("model"),
                   "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": usage}
        if not body.get("stream"):
            return JSONResponse(message)
        events = [_sse("message_start", {"type": "message_start", "message": {
            **message, "content": [], "stop_reason": None}})]
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                start, delta = {"type": "text", "text": ""}, {"type": "text_delta", "text": block["text"]}
            else:
                start = {**block, "input": {}}
                delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            events += [_sse("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": start}),
                       _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
                       _sse("content_block_stop", {"type": "content_block_stop", "index": index})]
        events += [_sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop,
                                                                              "stop_sequence": None},
                                          "usage": {"output_tokens": 20}}),
                   _sse("message_stop", {"type": "message_stop"})]
        return StreamingResponse(_chunks(events), media_type="text/event-stream")


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
    fake = FakeAnthropic([command.format(log=shlex.quote(str(log)), work=shlex.quote(str(work)))])
    with serve_in_thread(fake.app) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        argv = [claude, "-p", PROMPT] + (["--allowedTools", allowed_tools] if allowed_tools else [])
        if bypass and hasattr(os, "geteuid") and os.geteuid() == 0:
            env["IS_SANDBOX"] = "1"
            argv.append("--dangerously-skip-permissions")
        done = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    result = next(iter(fake.tool_results.values()), "")
    tool_input = next(iter(fake.tool_inputs.values()), None)
    return Run(done.returncode, done.stdout, done.stderr, result, tool_input, list(fake.calls), settings, text, errors,
               {k: v for k, v in env.items() if k != "ANTHROPIC_BASE_URL"})
