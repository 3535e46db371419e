"""Agent hooks that route shell commands through ``tersify run``.

* :mod:`tersify.hooks.shell`: which Bash commands are rewritten and into what.
* :mod:`tersify.hooks.claude_code`: Claude Code's PreToolUse protocol, its permission
  rules, and installing the hook into its settings files.
"""
