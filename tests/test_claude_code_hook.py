"""The real Claude Code CLI with ``tersify hook install claude-code``: a Bash output over its
30,000-character inline limit reaches the model compressed and inline, every error line in
it, instead of a ``<persisted-output>`` preview. Skips without the CLI (``claude`` on PATH,
``$TERSIFY_CLAUDE``, or the install ``benchmarks/claude_code_hook_check.py`` makes)."""

from __future__ import annotations

import pytest
from support.claude_code_run import find_claude
from support.claude_hook_run import INLINE_LIMIT, lost_lines, run

CLAUDE = find_claude()
pytestmark = pytest.mark.skipif(CLAUDE is None, reason="the Claude Code CLI is not installed")


def test_a_big_bash_output_reaches_the_model_compressed_with_every_error_line(tmp_path):
    result = run(CLAUDE, hook=True, keep=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Done: I read the service log." in result.stdout
    entry = result.settings["hooks"]["PreToolUse"][0]
    assert entry["matcher"] == "Bash" and entry["hooks"][0]["command"].endswith("hook claude-code-pretooluse")
    seen = result.tool_result
    # The model's own call stays as it wrote it in the history; only what ran was rewritten.
    assert result.tool_input is not None and "tersify" not in result.tool_input["command"]
    assert len(result.log) > INLINE_LIMIT  # without the hook, the model would get a 2 KB preview
    assert "<persisted-output>" not in seen and "Output too large" not in seen
    assert 0 < len(seen) < INLINE_LIMIT and len(seen) < len(result.log) // 2
    for line in result.errors:  # from the level on: compaction writes the shared date once, above
        assert line[line.index(" ", 11) + 1:] in seen, line
    # Nothing was lost: compaction markers expand to the log's lines, budget markers retrieve them.
    assert lost_lines(seen, result.log, result.env) == []


def test_with_permission_checks_on_a_read_only_command_still_runs_without_asking(tmp_path):
    """No rule, no --allowedTools: Claude Code runs `cat` of a project file without asking,
    and must still do so rewritten (the hook allows a clearly read-only command)."""
    result = run(CLAUDE, hook=True, bypass=False, allowed_tools=None, permissions={}, keep=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "requires approval" not in result.tool_result and "<persisted-output>" not in result.tool_result
    assert all(line[line.index(" ", 11) + 1:] in result.tool_result for line in result.errors)


def test_exit_status_and_stderr_reach_the_model_with_a_leading_cd(tmp_path):
    script = "import sys; sys.stdout.write(open('service.log').read()); print('boom', file=sys.stderr); sys.exit(3)"
    result = run(CLAUDE, hook=True, command=f"cd {{work}} && python3 -c \"{script}\"", keep=tmp_path)
    seen = result.tool_result
    assert result.returncode == 0, result.stderr
    assert seen.startswith("Exit code 3") and seen.rstrip().endswith("boom")
    assert "<persisted-output>" not in seen and "characters truncated" not in seen
    assert all(line[line.index(" ", 11) + 1:] in seen for line in result.errors)


def test_a_deny_rule_still_denies_the_command_as_written(tmp_path):
    result = run(CLAUDE, hook=True, bypass=False, allowed_tools=None, permissions={"deny": ["Bash(cat:*)"]},
                 keep=tmp_path)
    assert "has been denied" in result.tool_result and "cat " in result.tool_result
    assert "tersify" not in result.tool_result
