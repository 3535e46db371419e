"""The raw-span helper the prefix checks rely on: spans are the body's own bytes."""

from __future__ import annotations

import json

from support.raw_json import PrefixCheck, PrefixTracker, raw_items, raw_members, without_cache_control


def test_spans_are_the_bytes_as_sent():
    body = ('{ "model" : "m",\n "messages" : [ {"role":"user","content":"h\\u00e9 \\"]\\" 1E2"} ,\n'
            '{"role": "assistant", "content": [{"type":"text","text":"é ünïcode", "x": 0.10000000000000000555}]}'
            ' ], "z": [1,2] }').encode()
    items = raw_items(body)
    assert items == [b'{"role":"user","content":"h\\u00e9 \\"]\\" 1E2"}',
                     '{"role": "assistant", "content": [{"type":"text","text":"é ünïcode", "x": 0.10000000000000000555}]}'
                     .encode()]
    assert [json.loads(item) for item in items] == json.loads(body)["messages"]
    assert raw_members(body)["z"] == b"[1,2]"
    assert raw_items(b'{"messages": []}') == [] and raw_items(b'{"input": "text"}', "input") == []


def test_cache_control_is_cut_byte_wise():
    marked = b'{"type":"tool_result","content":"x","cache_control":{"type":"ephemeral"}}'
    assert without_cache_control(marked) == b'{"type":"tool_result","content":"x"}'
    assert without_cache_control(b'{"cache_control": {"type": "ephemeral"}, "a": 1}') == b'{"a": 1}'


def test_prefix_check_counts_pairs_and_changes():
    check = PrefixCheck()
    check.add([b"a", b'{"c":1,"cache_control":{"type":"ephemeral"}}'])
    check.add([b"a", b'{"c":1}', b"b"])
    check.add([b"a", b'{"c":2}', b"b", b"d"])
    assert check.pairs == 5
    assert check.changed == [(1, 1), (2, 1)]
    assert check.changed_beyond_marker == [(2, 1)]
    tracker = PrefixTracker()
    for body in (b'{"messages":[1]}', b'{"messages":[1,2]}', b'{"messages":[1,3,4]}'):
        tracker.add(body, "proxy-1")
    tracker.add(b'{"messages":[1]}', "direct-1")
    tracker.add(b'{"messages":[1,{"a":1,"cache_control":{"type":"ephemeral"}}]}', "direct-1")
    tracker.add(b'{"messages":[1,{"a":1}]}', "direct-1")
    assert tracker.snapshot() == {"conversations": 2, "turns": 6, "pairs": 6, "changed": 2, "by_group": {
        "direct": {"pairs": 3, "changed": 1}, "proxy": {"pairs": 3, "changed": 1}}}
    marker_blind = PrefixTracker(strip_marker=True)
    marker_blind.add(b'{"messages":[1,{"a":1,"cache_control":{"type":"ephemeral"}}]}', "c")
    marker_blind.add(b'{"messages":[1,{"a":1}]}', "c")
    assert marker_blind.snapshot()["changed"] == 0
