"""Where the proxy finds tool results in each provider's request body."""

from tersify.proxy.providers import ROUTES, anthropic_messages, openai_chat, openai_responses


def test_anthropic_string_and_list_contents_with_tool_names():
    body = {
        "system": "you are helpful",
        "messages": [
            {"role": "user", "content": "run the tests"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "bash", "input": {}},
                                              {"type": "tool_use", "id": "t2", "name": "read", "input": {}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "OUT-1"},
                {"type": "tool_result", "tool_use_id": "t2", "content": [
                    {"type": "text", "text": "OUT-2a"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
                    {"type": "text", "text": "OUT-2b", "cache_control": {"type": "ephemeral"}},
                ]},
                {"type": "tool_result", "tool_use_id": "t9", "content": "OUT-3",
                 "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "user text is never a tool result"},
            ]},
        ],
    }
    found = anthropic_messages(body)
    assert [(t.text, t.tool, t.path) for t in found] == [
        ("OUT-1", "bash", ("messages", 2, "content", 0, "content")),
        ("OUT-2a", "read", ("messages", 2, "content", 1, "content", 0, "text")),
        ("OUT-2b", "read", ("messages", 2, "content", 1, "content", 2, "text")),  # cache_control: found too
        ("OUT-3", None, ("messages", 2, "content", 2, "content")),
    ]


def test_anthropic_tool_results_only_in_user_messages():
    body = {"messages": [{"role": "assistant", "content": [{"type": "tool_result", "content": "x"}]}]}
    assert anthropic_messages(body) == []


def test_openai_chat_tool_messages():
    body = {"messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "grep", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "RESULT"},
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "PART"}, {"type": "other"}]},
    ]}
    assert [(t.text, t.tool) for t in openai_chat(body)] == [("RESULT", "grep"), ("PART", None)]


def test_openai_responses_function_call_outputs():
    body = {"input": [
        {"role": "user", "content": "hi"},
        {"type": "function_call", "call_id": "c1", "name": "ls", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "a.txt b.txt"},
        {"type": "function_call_output", "call_id": "c1", "output": [{"type": "input_text", "text": "T"},
                                                                   {"type": "input_image", "image_url": "x"}]},
    ]}
    assert [(t.text, t.tool) for t in openai_responses(body)] == [("a.txt b.txt", "ls"), ("T", "ls")]
    assert openai_responses({"input": "just a prompt"}) == []


def test_odd_shapes_are_not_tool_results():
    for finder in (anthropic_messages, openai_chat, openai_responses):
        for body in (None, [], "text", 3, {"messages": "x", "input": 5}, {"messages": [1, None, "x"]},
                     {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": 7}]}]}):
            assert finder(body) == []


def test_routes_and_upstream_choice():
    assert ROUTES[("POST", "/v1/messages")].provider == "anthropic"
    assert ROUTES[("POST", "/v1/chat/completions")].provider == "openai"
    assert ROUTES[("POST", "/v1/responses")].provider == "openai"
    assert ("GET", "/v1/messages") not in ROUTES
