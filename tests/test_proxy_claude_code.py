"""The real Claude Code CLI through ``tersify proxy`` (a subprocess) to a scripted fake
Anthropic API, for several Bash tool turns (``support/claude_code_run.py``). Skipped when
the CLI is absent: ``benchmarks/claude_code_check.py`` installs it (npm) and runs the same
check with a printed report; ``TERSIFY_CLAUDE`` names a CLI elsewhere."""

from __future__ import annotations

import pytest
from support.claude_code_run import FINAL_TEXT, analyse, find_claude, run

CLAUDE = find_claude()
pytestmark = pytest.mark.skipif(CLAUDE is None, reason="the claude CLI is not installed "
                                "(python benchmarks/claude_code_check.py installs it)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    assert CLAUDE is not None
    return analyse(run(CLAUDE, keep=tmp_path_factory.mktemp("claude")))


def test_the_tool_loop_completes(report):
    assert report["returncode"] == 0
    assert FINAL_TEXT in report["final_answer"]
    assert report["turns_arrived"] == report["turns_sent"] >= 5  # 4+ tool turns and the answer


def test_nothing_but_messages_changes_on_the_way(report):
    """system, tools, model, metadata...: the bytes the CLI sent."""
    assert report["members_other_than_messages_changed"] == []


def test_every_earlier_message_keeps_its_bytes(report):
    """The CLI moves cache_control to the newest tool result each turn (its own change, the
    marker only); the proxy must send every earlier message as it sent it the turn before,
    apart from that marker."""
    assert report["client_changed_beyond_marker"] == []
    assert report["proxy_changed_earlier"] == []
    assert report["upstream_changed_beyond_marker"] == []


def test_tool_results_compressed_on_their_first_trip(report):
    """The newest tool result carries cache_control when it first goes upstream; it is
    compressed then, not a turn later (which would change the prefix)."""
    first_trips = report["compression"]
    assert len(first_trips) >= 4
    assert any(c["tokens_upstream"] < c["tokens_sent"] for c in first_trips)
    assert report["last_turn_tool_tokens"]["upstream"] < report["last_turn_tool_tokens"]["sent"]
