"""Where tool results live in each provider's request body.

Pure functions over parsed JSON, no I/O. A finder returns every tool-result text of a
request as a :class:`ToolText`, a handle that reads and replaces one string in place;
nothing else in the body is ever touched. Finders never raise on odd shapes: what they
do not recognise is not a tool result and is left alone.

* Anthropic ``POST /v1/messages``: ``tool_result`` blocks in user messages, whose
  ``content`` is a string or a list of blocks (only ``text`` blocks are text).
* OpenAI ``POST /v1/chat/completions``: ``role: "tool"`` messages, content a string or
  a list of ``text`` parts.
* OpenAI ``POST /v1/responses``: ``function_call_output`` input items, output a string
  or a list of ``input_text`` parts.

A block carrying ``cache_control`` (or inside one that does) is reported with
``skip="cache_control"``: the client asked for exactly that prefix to be cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class ToolText:
    """One string inside a tool result: ``holder[key]``."""

    holder: dict[str, Any]
    key: str
    tool: str | None
    skip: str | None = None

    @property
    def text(self) -> str:
        return self.holder[self.key]

    def replace(self, new: str) -> None:
        self.holder[self.key] = new


Finder = Callable[[Any], list[ToolText]]


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _texts_of(
    holder: dict, key: str, part_type: str, part_key: str, tool: str | None, skip: str | None
) -> list[ToolText]:
    """The strings of a tool result whose payload ``holder[key]`` is a string or a list of parts."""
    content = holder.get(key)
    if isinstance(content, str):
        return [ToolText(holder, key, tool, skip)]
    found = []
    for part in _dicts(content):
        if part.get("type") == part_type and isinstance(part.get(part_key), str):
            part_skip = skip or ("cache_control" if "cache_control" in part else None)
            found.append(ToolText(part, part_key, tool, part_skip))
    return found


def anthropic_messages(body: Any) -> list[ToolText]:
    if not isinstance(body, dict):
        return []
    messages = _dicts(body.get("messages"))
    names = {
        block.get("id"): block.get("name")
        for message in messages
        for block in _dicts(message.get("content"))
        if block.get("type") == "tool_use"
    }
    found = []
    for message in messages:
        if message.get("role") != "user":
            continue
        for block in _dicts(message.get("content")):
            if block.get("type") != "tool_result":
                continue
            skip = "cache_control" if "cache_control" in block else None
            tool = names.get(block.get("tool_use_id"))
            found += _texts_of(block, "content", "text", "text", tool if isinstance(tool, str) else None, skip)
    return found


def openai_chat(body: Any) -> list[ToolText]:
    if not isinstance(body, dict):
        return []
    messages = _dicts(body.get("messages"))
    names = {
        call.get("id"): (call.get("function") or {}).get("name")
        for message in messages
        if message.get("role") == "assistant"
        for call in _dicts(message.get("tool_calls"))
        if isinstance(call.get("function"), dict)
    }
    found = []
    for message in messages:
        if message.get("role") != "tool":
            continue
        skip = "cache_control" if "cache_control" in message else None
        tool = names.get(message.get("tool_call_id"))
        found += _texts_of(message, "content", "text", "text", tool if isinstance(tool, str) else None, skip)
    return found


def openai_responses(body: Any) -> list[ToolText]:
    if not isinstance(body, dict):
        return []
    items = _dicts(body.get("input"))
    names = {item.get("call_id"): item.get("name") for item in items if item.get("type") == "function_call"}
    found = []
    for item in items:
        if item.get("type") != "function_call_output":
            continue
        skip = "cache_control" if "cache_control" in item else None
        tool = names.get(item.get("call_id"))
        found += _texts_of(item, "output", "input_text", "text", tool if isinstance(tool, str) else None, skip)
    return found


@dataclass(frozen=True)
class Route:
    """A request kind whose tool results the proxy compresses."""

    provider: str  # "anthropic" or "openai": also picks the upstream
    find: Finder


# (method, path) -> route. Every other request is forwarded unchanged (to the upstream
# routing.provider_for picks).
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/v1/messages"): Route("anthropic", anthropic_messages),
    ("POST", "/v1/chat/completions"): Route("openai", openai_chat),
    ("POST", "/v1/responses"): Route("openai", openai_responses),
}

