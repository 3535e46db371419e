"""A realistic stream of agent turns: coding-agent sessions as Anthropic Messages requests.

Each session is a tool loop as Claude Code sends it: a system prompt and tool list (marked
for caching), the user's task, then one turn per tool call: the assistant's ``tool_use``
block (a shell command, or a Grep search) and the user's ``tool_result`` with the
command's output. Every request resends the whole history; ``cache_control`` sits on the
newest tool result only (the one before is resent without it). Half the sessions stream.

The outputs come from the repository's sources, never from a benchmark set:

* harvested real command outputs (:mod:`.real`), their training share only (the outputs
  :func:`~tersify_train.sources.evalsets.is_real_eval_text` holds out are left out), with the
  command that produced them and its exit code (``is_error`` when it failed);
* the domain generators (:mod:`.generators`), one output or a few of one domain run
  together (a longer run), drawn with seeds of their own (:data:`TRAFFIC_SEED`);
* loghub windows (:mod:`.loghub`), 20 to 120 lines, as ``tail -n`` shows them;
* reruns: a command the session ran before, with the same output.

Every output whose text is in an eval set is left out (by hash, as the training recipe
does). Seeded and deterministic: the same arguments give the same sessions.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tersify.errors import TersifyError
from tersify_train.sources.evalsets import eval_texts, is_real_eval_text
from tersify_train.sources.generators import DOMAINS, generate
from tersify_train.sources.loghub import windows
from tersify_train.sources.real import load_real_entries

# Generator and loghub draws of the traffic use seeds from here on: apart from the training
# draws (the recipe's seed, 0 by default) and the eval draws (EVAL_SEED, 90_001).
TRAFFIC_SEED = 40_000
MODEL = "claude-sonnet-4-5-20250929"
SYSTEM_PROMPT = ("You are an interactive CLI coding agent. Use the tools to inspect the repository, run "
                 "commands and fix problems. Keep answers short. ") * 12
TOOLS: list[dict[str, Any]] = [
    {"name": "Bash", "description": "Run a shell command in the repository and return its output.",
     "input_schema": {"type": "object", "properties": {"command": {"type": "string"},
                                                       "description": {"type": "string"}},
                      "required": ["command"]}},
    {"name": "Grep", "description": "Search file contents with a regular expression.",
     "input_schema": {"type": "object", "properties": {"pattern": {"type": "string"}, "path": {"type": "string"},
                                                       "output_mode": {"type": "string"}},
                      "required": ["pattern"]}},
]
TASKS = (
    "CI is red on main. Find out why and make the tests pass.",
    "The build fails after the dependency upgrade; fix it.",
    "Users report 500 errors from the API since this morning. Investigate.",
    "Add a --json flag to the export command and cover it with a test.",
    "The nightly job is slow. Find where the time goes.",
    "Clean up the lint warnings in the package.",
    "Review the changes on this branch and summarise what is risky.",
    "The service keeps restarting in staging; look at the logs and find the cause.",
)
# What a generated output of each domain is the output of: (tool, input, what the model says first).
_GENERATED_CALLS: dict[str, tuple[str, dict[str, str], str]] = {
    "diff": ("Bash", {"command": "git diff HEAD~1", "description": "Show the last commit's changes"},
             "Let me look at what changed."),
    "build": ("Bash", {"command": "make -j4 2>&1", "description": "Build the project"}, "Building it."),
    "json": ("Bash", {"command": "curl -s http://localhost:8000/api/v1/items?limit=50",
                      "description": "Query the API"}, "Let me query the API."),
    "traceback": ("Bash", {"command": "python -m app.main --config config/dev.yaml",
                           "description": "Run the app"}, "Running the app to see the error."),
    "test": ("Bash", {"command": "make test", "description": "Run the test suite"}, "Running the tests."),
    "listing": ("Bash", {"command": "ls -la src/", "description": "List the source folder"},
                "Let me see the layout."),
    "search": ("Grep", {"pattern": "TODO|FIXME|raise ", "path": "src", "output_mode": "content"},
               "Searching the code."),
    "http": ("Bash", {"command": "curl -si http://localhost:8000/health", "description": "Check the service"},
             "Checking the service."),
}
# Shares of the kinds of turn (a rerun only once the session has run something).
_KINDS = (("real", 0.35), ("generated", 0.35), ("loghub", 0.15), ("rerun", 0.15))
_JOINED = 0.3  # share of generated turns that run several outputs of one domain together (2 to 4)
_LIST_CONTENT = 0.2  # share of tool results sent as a list of text blocks rather than a string


@dataclass(frozen=True)
class ToolTurn:
    """One tool call and its result."""

    tool: str
    input: dict[str, str]
    said: str  # what the model says before the call
    output: str
    is_error: bool
    source: str  # where the output comes from: real:<tool>, gen:<domain>, loghub:<system>
    as_list: bool = False  # the result's content as a list of text blocks


@dataclass(frozen=True)
class Session:
    id: str
    task: str
    stream: bool
    turns: list[ToolTurn] = field(default_factory=list)

    def tool_use_id(self, turn: int) -> str:
        return "toolu_01" + hashlib.sha256(f"{self.id}/{turn}".encode()).hexdigest()[:22]

    def outputs(self) -> list[str]:
        return [t.output for t in self.turns]


def _draw_kind(rng: random.Random, first: bool) -> str:
    while True:
        x, acc = rng.random(), 0.0
        kind = next((k for k, share in _KINDS if x < (acc := acc + share)), _KINDS[-1][0])
        if not (first and kind == "rerun"):
            return kind


def sessions(n_sessions: int, n_turns: int, *, seed: int = 0) -> list[Session]:
    """``n_sessions`` sessions of ``n_turns`` tool turns each, deterministic for ``seed``."""
    if n_sessions < 1 or n_turns < 1:
        raise TersifyError(f"sessions and turns must be >= 1, got {n_sessions} and {n_turns}")
    rng = random.Random(f"agent-turns-{seed}")
    # First the kind of every turn, then as many outputs of each kind as the plan needs.
    plan: list[list[tuple[str, str | None, int]]] = []
    for _ in range(n_sessions):
        row = []
        for t in range(n_turns):
            kind = _draw_kind(rng, t == 0)
            domain = rng.choice(DOMAINS) if kind == "generated" else None
            parts = rng.randint(2, 4) if kind == "generated" and rng.random() < _JOINED else 1
            row.append((kind, domain, parts))
        plan.append(row)
    held_out = eval_texts()
    real = [e for e in load_real_entries() if not is_real_eval_text(e.text) and e.text not in held_out]
    if not real:
        raise TersifyError("no harvested real output outside the eval share (data/corpus/real_outputs.jsonl)")
    need: dict[str, int] = {}
    for row in plan:
        for _, domain, parts in row:
            if domain is not None:
                need[domain] = need.get(domain, 0) + parts
    generated = {d: iter([r for r in generate(d, n + 8, seed=TRAFFIC_SEED + seed) if r.text not in held_out])
                 for d, n in need.items()}
    n_logs = sum(kind == "loghub" for row in plan for kind, _, _ in row)
    logs = iter([w for w in windows(n_logs + 8, seed=TRAFFIC_SEED + seed, lines_per_window=(20, 120))
                 if w.text not in held_out])
    out = []
    for s, row in enumerate(plan):
        session = Session(f"session-{seed}-{s}", TASKS[rng.randrange(len(TASKS))], stream=s % 2 == 1)
        for kind, domain, parts in row:
            if kind == "rerun":
                turn = session.turns[rng.randrange(len(session.turns))]
            elif kind == "real":
                e = real[rng.randrange(len(real))]
                turn = ToolTurn("Bash", {"command": e.command}, "Let me run that.", e.text, e.exit_code != 0,
                                e.source)
            elif kind == "loghub":
                w = next(logs)
                lines = w.text.count("\n") + 1
                system = w.source.split(":", 1)[-1]
                turn = ToolTurn("Bash", {"command": f"tail -n {lines} /var/log/{system.lower()}.log",
                                         "description": "Show the recent log"}, "Let me read the log.", w.text,
                                False, w.source)
            else:
                assert domain is not None
                text = "\n\n".join(next(generated[domain]).text for _ in range(parts))
                tool, tool_input, said = _GENERATED_CALLS[domain]
                turn = ToolTurn(tool, tool_input, said, text, domain == "traceback", f"gen:{domain}")
            if turn.output in held_out:  # a join of non-eval texts is never one, but the rule is absolute
                continue
            session.turns.append(ToolTurn(turn.tool, turn.input, turn.said, turn.output, turn.is_error,
                                          turn.source, rng.random() < _LIST_CONTENT))
        out.append(session)
    return out


def _tool_result(session: Session, t: int, *, marked: bool) -> dict[str, Any]:
    turn = session.turns[t]
    content: Any = [{"type": "text", "text": turn.output}] if turn.as_list else turn.output
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": session.tool_use_id(t), "content": content}
    if turn.is_error:
        block["is_error"] = True
    if marked:
        block["cache_control"] = {"type": "ephemeral"}
    return block


def request_bodies(session: Session) -> Iterator[dict[str, Any]]:
    """The session's requests in order: request ``t`` carries the first ``t`` tool results
    (the last request asks for the final answer), the newest one marked for caching."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": session.task}]}]
    for t in range(len(session.turns) + 1):
        if t:
            messages[-1] = {"role": "user", "content": [_tool_result(session, t - 1, marked=True)]}
        yield {"model": MODEL, "max_tokens": 32000, "stream": session.stream,
               "system": [{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
               "tools": TOOLS, "metadata": {"user_id": session.id}, "messages": list(messages)}
        if t < len(session.turns):
            turn = session.turns[t]
            if t:  # the marker moves on: the newest result so far is resent without it
                messages[-1] = {"role": "user", "content": [_tool_result(session, t - 1, marked=False)]}
            messages.append({"role": "assistant", "content": [
                {"type": "text", "text": turn.said},
                {"type": "tool_use", "id": session.tool_use_id(t), "name": turn.tool, "input": turn.input}]})
            messages.append({"role": "user", "content": []})  # filled with this turn's result next time


__all__ = ["MODEL", "TOOLS", "TRAFFIC_SEED", "Session", "ToolTurn", "request_bodies", "sessions"]
