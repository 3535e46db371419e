"""Where tool results live in each provider's request body.

Pure functions over parsed JSON, no I/O. A finder returns every tool-result text of a
request as a :class:`ToolText`: the text, the tool's name and the text's path in the body
(keys and list indices), which :mod:`tersify.proxy.body` uses to replace that one string
literal in the raw body; nothing else in the body is ever touched. Finders never raise on
odd shapes: what they do not recognise is not a tool result and is left alone.

* Anthropic ``POST /v1/messages``: ``tool_result`` blocks in user messages, whose
  ``content`` is a string or a list of blocks (only ``text`` blocks are text).
* OpenAI ``POST /v1/chat/completions``: ``role: "tool"`` messages, content a string or
  a list of ``text`` parts.
* OpenAI ``POST /v1/responses``: ``function_call_output`` input items, output a string
  or a list of ``input_text`` parts.

``cache_control`` does not exempt a block: it marks where the provider caches the prefix,
and a block may change before it is first sent (the proxy then sends the same bytes on
every later turn).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ToolText:
    """One string inside a tool result, at ``path`` in the body."""

    path: tuple[str | int, ...]
    text: str
    tool: str | None


Finder = Callable[[Any], list[ToolText]]


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _indexed_dicts(value: Any) -> list[tuple[int, dict]]:
    """The dicts of a list with their indices (the path needs the index in the raw list)."""
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _texts_of(
    holder: dict, path: tuple[str | int, ...], key: str, part_type: str, part_key: str, tool: Any
) -> list[ToolText]:
    """The strings of a tool result whose payload ``holder[key]`` is a string or a list of parts."""
    name = tool if isinstance(tool, str) else None
    content = holder.get(key)
    if isinstance(content, str):
        return [ToolText(path + (key,), content, name)]
    return [
        ToolText(path + (key, j, part_key), part[part_key], name)
        for j, part in _indexed_dicts(content)
        if part.get("type") == part_type and isinstance(part.get(part_key), str)
    ]


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
    for i, message in _indexed_dicts(body.get("messages")):
        if message.get("role") != "user":
            continue
        for j, block in _indexed_dicts(message.get("content")):
            if block.get("type") == "tool_result":
                tool = names.get(block.get("tool_use_id"))
                found += _texts_of(block, ("messages", i, "content", j), "content", "text", "text", tool)
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
    for i, message in _indexed_dicts(body.get("messages")):
        if message.get("role") == "tool":
            tool = names.get(message.get("tool_call_id"))
            found += _texts_of(message, ("messages", i), "content", "text", "text", tool)
    return found


def openai_responses(body: Any) -> list[ToolText]:
    if not isinstance(body, dict):
        return []
    items = _dicts(body.get("input"))
    names = {item.get("call_id"): item.get("name") for item in items if item.get("type") == "function_call"}
    found = []
    for i, item in _indexed_dicts(body.get("input")):
        if item.get("type") == "function_call_output":
            tool = names.get(item.get("call_id"))
            found += _texts_of(item, ("input", i), "output", "input_text", "text", tool)
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

