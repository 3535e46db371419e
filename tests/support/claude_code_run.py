"""The real Claude Code CLI through ``tersify proxy`` to a scripted fake Anthropic API.

    claude -p  ->  recording relay  ->  tersify proxy  ->  scripted upstream

The scripted upstream asks for Bash commands with big, realistic outputs (files of this
repository, a directory listing, a log, pytest's collection, ``seq``, ``git log``) for
several turns, then answers with a final text. The relay keeps each request as the CLI
sent it, the upstream each one as it arrived, so the check can tell the CLI's own
changes between turns (it moves ``cache_control`` to the newest block) from the proxy's.
Used by ``tests/test_proxy_claude_code.py`` and ``benchmarks/claude_code_check.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.processes import ROOT, start_proxy, stop
from support.raw_json import PrefixCheck, raw_items, raw_members, without_cache_control
from support.recording_relay import RecordingRelay
from support.scripted_upstream import Script, ScriptedUpstream, ToolCall
from tersify.proxy.server import serve_in_thread
from tersify.tokens import count_tokens

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tersify" / "claude-code"
FINAL_TEXT = "Done: I read the files, the listing, the log and the test collection."
PROMPT = "Look around this repository with Bash and tell me what you find."
# Headers whose values are credentials: reported by name only.
SECRET_HEADERS = {"x-api-key", "authorization", "cookie"}

COMMANDS = [
    ("cat samples/pytest_failures.txt samples/gcc_build.txt samples/git_show.txt samples/hdfs_datanode.log "
     "samples/pip_list.json", "Show the sample outputs"),
    ("ls -la tersify tersify/proxy tersify/regions tersify/compaction tests", "List the source folders"),
    ("head -n 150 data/loghub/HDFS/HDFS_2k.log", "Read the start of the HDFS log"),
    ("python -m pytest --collect-only tests/test_proxy_providers.py tests/test_compaction_json.py "
     "tests/test_regions.py tests/test_dropping.py -p no:cacheprovider", "Collect the tests"),
    ("seq 1 2500", "Count"),
    ("git log --stat -n 12 --no-color", "Show recent commits"),
]


def find_claude(cache_dir: Path = DEFAULT_CACHE) -> str | None:
    """The CLI: ``$TERSIFY_CLAUDE``, else ``claude`` on PATH, else the benchmark's install."""
    for candidate in (os.environ.get("TERSIFY_CLAUDE"), shutil.which("claude"),
                      str(cache_dir / "node_modules" / ".bin" / "claude")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def install(cache_dir: Path = DEFAULT_CACHE) -> str:
    """Install the CLI with npm under ``cache_dir`` (the benchmarks' checks); its path."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(cache_dir),
                    "@anthropic-ai/claude-code"], check=True)
    found = find_claude(cache_dir)
    if found is None:
        raise SystemExit(f"npm install finished but no claude under {cache_dir}")
    return found


def script(turns: int = len(COMMANDS)) -> Script:
    calls = [ToolCall("Bash", {"command": command, "description": description}, text=f"{description}.")
             for command, description in COMMANDS[:turns]]
    return Script(calls, final_text=FINAL_TEXT)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    relay: RecordingRelay
    upstream: ScriptedUpstream


def run(claude: str, *, turns: int = len(COMMANDS), timeout: float = 300.0, keep: Path | None = None) -> Run:
    """One headless ``claude -p`` session through the proxy; everything on 127.0.0.1."""
    work = Path(keep or tempfile.mkdtemp(prefix="tersify-claude-"))
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    upstream = ScriptedUpstream(script(turns))
    with serve_in_thread(upstream.app) as fake:
        proxy, proxy_url = start_proxy(fake.url, work)
        try:
            relay = RecordingRelay(proxy_url)
            with serve_in_thread(relay.app) as front:
                env = {
                    "PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8",
                    "ANTHROPIC_BASE_URL": front.url, "ANTHROPIC_API_KEY": "sk-ant-dummy-for-the-fake",
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
                    "PYTHONPATH": str(ROOT),
                }
                command = [claude, "-p", PROMPT, "--allowedTools", "Bash"]
                if hasattr(os, "geteuid") and os.geteuid() == 0:
                    env["IS_SANDBOX"] = "1"
                    command.append("--dangerously-skip-permissions")
                done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                                      stdin=subprocess.DEVNULL)
        finally:
            stop(proxy)
            if keep is None:
                shutil.rmtree(work, ignore_errors=True)
    return Run(done.returncode, done.stdout, done.stderr, relay, upstream)


def tool_results(body: Any) -> dict[str, tuple[str, bool]]:
    """``{tool_use_id: (text, carries cache_control)}`` of every tool result in a Messages body."""
    found = {}
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                inner = block.get("content")
                parts = [p for p in inner or [] if isinstance(p, dict)] if not isinstance(inner, str) else []
                text = inner if isinstance(inner, str) else "".join(
                    p.get("text", "") for p in parts if p.get("type") == "text")
                marked = "cache_control" in block or any("cache_control" in p for p in parts)
                found[str(block.get("tool_use_id"))] = (text, marked)
    return found


def cache_control_paths(body: Any, path: str = "") -> list[str]:
    """Where ``cache_control`` sits in a request body, as ``messages[3].content[1]`` paths."""
    found = []
    if isinstance(body, dict):
        if "cache_control" in body:
            found.append(path or "(top level)")
        for key, value in body.items():
            found += cache_control_paths(value, f"{path}.{key}" if path else key)
    elif isinstance(body, list):
        for i, value in enumerate(body):
            found += cache_control_paths(value, f"{path}[{i}]")
    return found


def analyse(result: Run) -> dict:
    """What the CLI called and sent, and what the proxy did to it (see the module doc)."""
    sent = [r for r in result.relay.bodies() if "tools" in r.json()]  # type: ignore[operator]
    arrived = result.upstream.bodies()
    headers = {}
    if sent:
        headers = {k.lower(): ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in sent[0].headers}
    client, upstream = PrefixCheck(), PrefixCheck()
    proxy_changes: list[dict] = []  # earlier messages the proxy sent differently, the CLI not
    compression = []
    other_members_changed = []
    seen: set[str] = set()
    final_tokens = (0, 0)
    for turn, (a, b) in enumerate(zip(sent, arrived, strict=False)):
        mine, theirs = raw_items(a.body), raw_items(b.body)
        if turn:
            before_mine, before_theirs = raw_items(sent[turn - 1].body), raw_items(arrived[turn - 1].body)
            for i in range(min(len(before_mine), len(mine), len(theirs))):
                same_exact = before_mine[i] == mine[i]
                same_marker = without_cache_control(before_mine[i]) == without_cache_control(mine[i])
                if (same_exact and before_theirs[i] != theirs[i]) or (
                        same_marker and without_cache_control(before_theirs[i]) != without_cache_control(theirs[i])):
                    proxy_changes.append({"turn": turn, "message": i})
        client.add(mine)
        upstream.add(theirs)
        results_sent, results_arrived = tool_results(a.json()), tool_results(b.json())
        for tool_id, (text, marked) in results_sent.items():
            if tool_id not in seen:  # a tool result's first trip upstream
                seen.add(tool_id)
                compression.append({"turn": turn, "tool_use_id": tool_id, "tokens_sent": count_tokens(text),
                                    "tokens_upstream": count_tokens(results_arrived.get(tool_id, ("", False))[0]),
                                    "cache_control_on_it": marked})
        if turn == len(sent) - 1:
            final_tokens = (sum(count_tokens(t) for t, _ in results_sent.values()),
                            sum(count_tokens(t) for t, _ in results_arrived.values()))
        members_a, members_b = raw_members(a.body), raw_members(b.body)
        other_members_changed += [f"turn {turn}: {k}" for k in members_a
                                  if k != "messages" and members_a.get(k) != members_b.get(k)]
    return {
        "returncode": result.returncode,
        "final_answer": result.stdout.strip()[-500:],
        "completed": FINAL_TEXT in result.stdout,
        "calls_at_upstream": [f"{m} {p}" for m, p in result.upstream.calls],
        "calls_by_client": [f"{r.method} {r.path}{'?' + r.query if r.query else ''}" for r in result.relay.received],
        "main_headers": headers,
        "other_calls_headers": [
            {"call": f"{r.method} {r.path}", "headers": {k.lower(): ("<redacted>" if k.lower() in SECRET_HEADERS else v)
                                                         for k, v in r.headers}}
            for r in result.relay.received if r.path != "/v1/messages"],
        "turns_sent": len(sent),
        "turns_arrived": len(arrived),
        "cache_control_by_turn": [cache_control_paths(r.json()) for r in sent],
        "client_changed_earlier": client.changed,
        "client_changed_beyond_marker": client.changed_beyond_marker,
        "upstream_pairs": upstream.pairs,
        "upstream_changed_earlier": upstream.changed,
        "upstream_changed_beyond_marker": upstream.changed_beyond_marker,
        "proxy_changed_earlier": proxy_changes,
        "members_other_than_messages_changed": other_members_changed,
        "compression": compression,
        "last_turn_tool_tokens": {"sent": final_tokens[0], "upstream": final_tokens[1]},
        "models": sorted({str(r.json().get("model")) for r in result.upstream.bodies(with_tools=False)}),  # type: ignore[union-attr]
    }
