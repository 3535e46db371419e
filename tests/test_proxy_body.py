"""Editing a request body in place: only the chosen strings change, every other byte stays."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.proxy.body import NotEditable, decode_body, locate_strings, splice, string_literal
from tersify.proxy.providers import anthropic_messages

# Bytes a re-serialising proxy would change: number spellings, escapes, spacing, key order.
RAW = (
    '{ "model" : "claude-x", "temperature": 1E2, "top_p": 0.10000000000000000555,\n'
    '  "metadata": {"note": "caf\\u00e9 \\/ slash", "dup": 1, "dup": 2},\n'
    '  "messages": [\n'
    '    {"role": "user", "content": "run it"},\n'
    '    {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "bash", "input": {}}]},\n'
    '    {"role": "user", "content": [ {"type": "tool_result", "tool_use_id": "t1",\n'
    '       "content": "line one\\nline \\"two\\"\\t\\u00e9", "cache_control": {"type": "ephemeral"}} ]}\n'
    '  ]\n}'
)


def test_only_the_tool_result_literal_changes():
    body = json.loads(RAW)
    [tool_text] = anthropic_messages(body)
    edited = splice(RAW, {tool_text.path: "NEW\ntext é"}, {tool_text.path: tool_text.text})
    start, stop = locate_strings(RAW, [tool_text.path])[tool_text.path]
    assert edited == RAW[:start] + '"NEW\\ntext é"' + RAW[stop:]
    assert "1E2" in edited and "0.10000000000000000555" in edited and '"dup": 1, "dup": 2' in edited
    reparsed = json.loads(edited)
    assert reparsed["messages"][2]["content"][0]["content"] == "NEW\ntext é"
    assert reparsed["messages"][2]["content"][0]["cache_control"] == {"type": "ephemeral"}


def test_lone_surrogates_are_escaped_and_utf8_stays_utf8():
    assert string_literal("a\udc80b") == '"a\\udc80b"'
    assert string_literal("é") == '"é"'
    doc = '{"messages": [{"role": "tool", "content": "x"}]}'
    edited = splice(doc, {("messages", 0, "content"): "\ud800 é"}, {("messages", 0, "content"): "x"})
    edited.encode("utf-8")  # a body that goes upstream must encode
    assert json.loads(edited)["messages"][0]["content"] == "\ud800 é"


def test_disagreement_with_the_parser_refuses_the_edit():
    doc = '{"messages": [{"content": "a"}], "messages": [{"content": "b"}]}'
    with pytest.raises(NotEditable, match="duplicate key"):
        splice(doc, {("messages", 0, "content"): "c"}, {("messages", 0, "content"): "b"})
    with pytest.raises(NotEditable, match="not a string"):
        locate_strings('{"a": 1}', [("a",)])
    with pytest.raises(NotEditable, match="no string"):
        locate_strings('{"a": "x"}', [("b",)])
    with pytest.raises(NotEditable, match="not the one"):
        splice('{"a": "x"}', {("a",): "y"}, {("a",): "z"})


def test_bodies_that_are_not_utf8_are_not_edited():
    with pytest.raises(NotEditable):
        decode_body('{"a": "é"}'.encode("utf-16"))
    with pytest.raises(NotEditable):
        decode_body(b'\xef\xbb\xbf{"a": 1}')
    assert decode_body('{"a": "é"}'.encode()) == '{"a": "é"}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    before=json_values, after=json_values, old=st.text(), new=st.text(),
    indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans(),
)
def test_splice_changes_exactly_one_value(before, after, old, new, indent, ascii_only):
    body = {"before": before, "messages": [{"role": "tool", "content": old}], "after": after}
    doc = json.dumps(body, indent=indent, ensure_ascii=ascii_only)
    path = ("messages", 0, "content")
    edited = splice(doc, {path: new}, {path: old})
    start, stop = locate_strings(doc, [path])[path]
    assert edited[:start] == doc[:start] and edited[len(edited) - (len(doc) - stop):] == doc[stop:]
    assert json.loads(edited) == {**body, "messages": [{"role": "tool", "content": new}]}
