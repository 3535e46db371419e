"""``tersify hook install|uninstall claude-code`` and the hook itself (``claude-code-pretooluse``)."""

from __future__ import annotations

import argparse

AGENTS = ["claude-code"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "hook",
        help="route an agent's shell commands through `tersify run` (install, uninstall)",
        description="Install a Claude Code PreToolUse hook that rewrites Bash commands to run through "
        "`tersify run`, so a big output reaches the model compressed and inline instead of as a 2 KB preview "
        "of a saved file. Interactive commands, commands already through tersify, heredocs, background jobs, "
        "commands that change the shell (cd, export) and small known ones are left alone, and so is any "
        "command a deny or ask permission rule might match.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("install", "add the hook to the agent's settings (idempotent, the file is backed up)"),
                       ("uninstall", "remove the hook's entry, and nothing else, from the agent's settings")):
        a = actions.add_parser(name, help=text, description=text)
        a.add_argument("agent", choices=AGENTS)
        a.add_argument("--scope", choices=["user", "project"], default="user",
                       help="user: ~/.claude/settings.json (default); project: .claude/settings.json here")
        a.set_defaults(func=_install if name == "install" else _uninstall)
    h = actions.add_parser("claude-code-pretooluse",
                           help="the hook Claude Code runs: reads its PreToolUse JSON on stdin, prints the answer")
    h.set_defaults(func=_pretooluse)


def _install(args: argparse.Namespace) -> int:
    from tersify.hooks.claude_code import hook_command, install, settings_path

    path = settings_path(args.scope)
    what, backup = install(path, hook_command(args.scope))
    _say(what, path, backup)
    if what != "already installed":
        print("Bash commands now run through `tersify run` in new Claude Code sessions; "
              "`tersify hook uninstall claude-code` removes the hook.")
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    from tersify.hooks.claude_code import settings_path, uninstall

    path = settings_path(args.scope)
    what, backup = uninstall(path)
    _say(what, path, backup)
    return 0


def _say(what: str, path, backup) -> None:
    print(f"tersify hook: {what}: {path}" + (f" (previous file kept as {backup})" if backup else ""))


def _pretooluse(args: argparse.Namespace) -> int:
    from tersify.hooks.claude_code import run_hook

    return run_hook()
