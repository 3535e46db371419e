"""Proxy traffic: the stream of agent turns is deterministic and shaped as Claude Code sends
it, and driving it through the proxy exports the tool results it sent as pair records."""

import json
import stat

import pytest
from support.proxies import running_proxy

from tersify.proxy.server import serve_in_thread
from tersify_train.sources.agent_turns import request_bodies, sessions
from tersify_train.sources.evalsets import eval_texts, is_real_eval_text
from tersify_train.sources.proxy_logs import proxy_pairs
from tersify_train.sources.proxy_traffic import TrafficReport, drive, export_traffic
from tersify_train.sources.scripted_upstream import Script, ScriptedUpstream


def _tool_results(body):
    return [b for m in body["messages"] if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]


def _unmarked(message):
    return json.dumps({**message, "content": [{k: v for k, v in b.items() if k != "cache_control"}
                                              for b in message["content"]]}, sort_keys=True)


def test_agent_turns_are_deterministic_and_shaped_as_an_agent_sends_them():
    plan = sessions(3, 5, seed=0)
    assert plan == sessions(3, 5, seed=0)
    assert [s.outputs() for s in plan] != [s.outputs() for s in sessions(3, 5, seed=1)]
    held_out = eval_texts()
    for session in plan:
        assert len(session.turns) == 5
        assert not any(t.output in held_out for t in session.turns)
        assert not any(t.source.startswith("real:") and is_real_eval_text(t.output) for t in session.turns)
        bodies = list(request_bodies(session))
        assert len(bodies) == 6
        for t, body in enumerate(bodies):
            json.dumps(body)  # serialisable as sent
            roles = [m["role"] for m in body["messages"]]
            assert roles == ["user"] + ["assistant", "user"] * t
            results = _tool_results(body)
            assert [r["tool_use_id"] for r in results] == [session.tool_use_id(i) for i in range(t)]
            uses = [b for m in body["messages"] if m["role"] == "assistant" for b in m["content"]
                    if b["type"] == "tool_use"]
            assert [u["id"] for u in uses] == [r["tool_use_id"] for r in results]
            texts = [r["content"] if isinstance(r["content"], str) else r["content"][0]["text"] for r in results]
            assert texts == session.outputs()[:t]
            # the cache marker on the newest tool result only; the history is resent as it was
            assert [i for i, r in enumerate(results) if "cache_control" in r] == ([t - 1] if t else [])
            if t:
                before = bodies[t - 1]["messages"]
                assert [_unmarked(m) for m in body["messages"][:len(before)]] == [_unmarked(m) for m in before]
    kinds = {t.source.split(":")[0] for s in sessions(4, 10, seed=0) for t in s.turns}
    assert kinds == {"real", "gen", "loghub"}


def test_driving_the_proxy_exports_the_tool_results_sent(tmp_path):
    plan = sessions(2, 3, seed=0)
    sent = {text for s in plan for text in s.outputs()}
    upstream = ScriptedUpstream(Script([]))
    db, out = tmp_path / "proxy.db", tmp_path / "pairs.jsonl"
    with serve_in_thread(upstream.app) as fake:
        with running_proxy(fake.url, db, deadline_s=60.0) as (url, proxy):
            report = drive(plan, url, concurrency=2)
            options, min_tokens = proxy.compressor.options, proxy.config.min_tokens
    assert report.failed == [] and report.requests == 2 * 4 and report.tool_results_sent == 2 * (1 + 2 + 3)
    assert len(upstream.bodies()) == 8  # every turn reached the fake API
    records = export_traffic(db, plan, out, options=options, min_tokens=min_tokens,
                             report=TrafficReport(2, 3))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert records and {r.text for r in records} <= sent
    assert proxy_pairs(out) == records  # the training source reads it: extractive references
    first = [t for s in plan for t in s.outputs()]
    assert [r.text for r in records] == sorted((r.text for r in records), key=first.index)
    fates = TrafficReport(2, 3)
    export_traffic(db, plan, tmp_path / "again.jsonl", options=options, min_tokens=min_tokens, report=fates)
    assert fates.distinct == len(sent) and sum(fates.fates.values()) == len(sent)
    assert fates.fates["compressed"] == fates.pairs == len(records)
    assert "unchanged:undecided" not in fates.fates  # every text over the size gate was decided


def test_cli_rejects_empty_traffic(tmp_path, capsys):
    from tersify.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["data", "proxy-traffic", "--sessions", "0", "--out", str(tmp_path / "p.jsonl")])
    assert exit_.value.code == 2 and "sessions" in capsys.readouterr().err
    assert not (tmp_path / "p.jsonl").exists()
