"""Structure checks: does the expanded output still work? (the savings benchmark and the
ladder's structure column both use them.)

Each check takes the original text and the expanded output (``expand(compress(text))``)
and returns ``True`` (holds), ``False`` (broken) or ``None`` (does not apply to this
record). All are linear in the size of the text, except ``git_apply_check`` which runs
``git apply --check`` twice in a temporary repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_HEADER_PREFIXES = ("diff ", "index ", "--- ", "+++ ", "new file mode", "deleted file mode", "old mode", "new mode")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b\s*", re.IGNORECASE)
_PAIRS = {")": "(", "]": "[", "}": "{"}


def round_trip(text: str, expanded: str) -> bool:
    return text == expanded


def json_check(text: str, expanded: str) -> bool | None:
    """For a text that is one JSON document: the expanded output parses to an equal value."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    try:
        return json.loads(expanded) == value
    except ValueError:
        return False


def _in_order(needed: Iterable[str], lines: Sequence[str]) -> bool:
    """Every needed line is a whole line of ``lines``, in order (a subsequence)."""
    it = iter(lines)
    return all(any(line == want for line in it) for want in needed)


def diff_lines(text: str) -> list[str]:
    """The lines a diff consists of: file headers, hunk headers and every hunk line."""
    lines = text.split("\n")
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        match = _HUNK.match(line)
        if match:
            out.append(line)
            old = int(match.group(2) or "1")
            new = int(match.group(4) or "1")
            i += 1
            while i < n and (old > 0 or new > 0 or lines[i].startswith("\\")):
                body = lines[i]
                tag = body[:1]
                if tag == " " or body == "":
                    old, new = old - 1, new - 1
                elif tag == "-":
                    old -= 1
                elif tag == "+":
                    new -= 1
                elif tag != "\\":
                    break
                out.append(body)
                i += 1
            continue
        if line.startswith(_HEADER_PREFIXES) and (not line.startswith("--- ") or i + 1 < n
                                                  and lines[i + 1].startswith("+++ ")):
            out.append(line)
        i += 1
    return out


def diff_check(text: str, expanded: str) -> bool | None:
    """For a text holding a diff: every diff line of the original is in the output, whole, in order."""
    if "\n@@ " not in text and not text.startswith("@@ "):
        return None
    needed = diff_lines(text)
    if not needed:
        return None
    return _in_order(needed, expanded.split("\n"))


def _preimages(text: str) -> dict[str, str] | None:
    """Files a diff applies to, built from its hunks (filler lines between them), or None."""
    files: dict[str, list[str]] = {}
    no_eol: set[str] = set()
    lines = text.split("\n")
    path: str | None = None
    last_old = False
    for i, line in enumerate(lines):
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            name = line[4:].split("\t")[0]
            if name == "/dev/null":
                path = None
                continue
            path = name.split("/", 1)[1] if "/" in name else name  # git apply strips one component
            if path in files:
                return None  # the same file twice (several commits): no single pre-image
            files[path] = []
        elif line.startswith(("rename from", "copy from", "Binary files", "GIT binary patch")):
            return None
        elif path is not None and (m := _HUNK.match(line)):
            body = files[path]
            start = int(m.group(1))
            if start - 1 < len(body):
                return None
            body.extend(f"filler line {k}" for k in range(len(body) + 1, start))
            old = int(m.group(2) or "1")
            j = i + 1
            while old > 0 and j < len(lines):
                tag, rest = lines[j][:1], lines[j][1:]
                if tag in (" ", "-"):
                    body.append(rest)
                    old -= 1
                    last_old = True
                elif tag == "+":
                    last_old = False
                elif tag != "\\":
                    return None
                j += 1
            if j < len(lines) and lines[j].startswith("\\") and last_old:
                no_eol.add(path)
    return {p: "\n".join(b) + ("" if p in no_eol else "\n") for p, b in files.items()} or None


def git_apply_check(text: str, expanded: str) -> bool | None:
    """``git apply --check`` of the expanded output in a repository where the original applies."""
    if "\n@@ " not in text:
        return None
    files = _preimages(text)
    if files is None:
        return None
    with tempfile.TemporaryDirectory(prefix="tersify-apply-") as tmp:
        root = Path(tmp)
        for rel, content in files.items():
            target = root / rel
            if ".." in Path(rel).parts or rel.startswith("/"):
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8", errors="surrogateescape")

        def applies(patch: str) -> bool:
            proc = subprocess.run(["git", "apply", "--check", "-"], cwd=root, input=patch.encode("utf-8", "replace"),
                                  capture_output=True)
            return proc.returncode == 0

        if not applies(text if text.endswith("\n") else text + "\n"):
            return None  # the pre-image could not be rebuilt from this diff
        return applies(expanded if expanded.endswith("\n") else expanded + "\n")


def _kind_lines(text: str, kinds: set) -> list[tuple[str, object]]:
    from tersify.regions import detect_regions

    lines = text.split("\n")
    out = []
    for region in detect_regions(lines):
        if region.kind in kinds:
            out.extend((lines[i], region.kind) for i in range(region.start, region.stop))
    return out


def whole_lines_check(text: str, expanded: str, *, articles_may_go: bool = False) -> bool | None:
    """Lines that ``detect_regions`` calls CODE or ERROR are whole in the output, in order.

    With ``articles_may_go`` (default mode) an ERROR line may have lost articles.
    """
    from tersify.regions import Kind

    found = _kind_lines(text, {Kind.CODE, Kind.ERROR})
    if not found:
        return None
    out_lines = expanded.split("\n")
    if not articles_may_go:
        return _in_order([line for line, _ in found], out_lines)

    def norm(line: str) -> str:
        return " ".join(_ARTICLES.sub("", line).split())

    needed = [norm(line) if kind is Kind.ERROR else line for line, kind in found]
    normed = [norm(line) for line in out_lines]
    it = iter(range(len(out_lines)))
    for want, (_, kind) in zip(needed, found, strict=True):
        pool = normed if kind is Kind.ERROR else out_lines
        if not any(pool[k] == want for k in it):
            return False
    return True


def balanced(line: str) -> bool | None:
    """Whether the brackets of a line pair up (None: the line has none)."""
    stack: list[str] = []
    seen = False
    for ch in line:
        if ch in "([{":
            stack.append(ch)
            seen = True
        elif ch in _PAIRS:
            seen = True
            if not stack or stack.pop() != _PAIRS[ch]:
                return False
    return (not stack) if seen else None


def align_lines(text: str, expanded: str) -> list[tuple[int, str]] | None:
    """Pairs (input line number, output line): each output line is matched to the next input
    line whose words it holds in order (word dropping removes words, never lines' order).
    Blank output lines are left out: they hold nothing to match (removing a rule or a line's
    every word may leave one). ``None`` when some output line matches no input line."""
    source = text.split("\n")
    pairs: list[tuple[int, str]] = []
    at = 0
    for line in expanded.split("\n"):
        words = line.split()
        if not words:
            continue
        while at < len(source) and not _holds_in_order(source[at].split(), words):
            at += 1
        if at == len(source):
            return None
        pairs.append((at, line))
        at += 1
    return pairs


def align(text: str, expanded: str) -> list[tuple[str, str]] | None:
    """:func:`align_lines` with the input lines themselves instead of their numbers."""
    pairs = align_lines(text, expanded)
    if pairs is None:
        return None
    source = text.split("\n")
    return [(source[i], out) for i, out in pairs]


def _holds_in_order(long: list[str], short: list[str]) -> bool:
    it = iter(long)
    return all(any(word == other for other in it) for word in short)


def brackets_check(text: str, expanded: str) -> bool | None:
    """Every output line whose input line had balanced brackets is balanced too."""
    if not any(c in text for c in "([{"):
        return None
    pairs = align(text, expanded)
    if pairs is None:
        return False
    want = [(src, out) for src, out in pairs if balanced(src)]
    if not want:
        return None
    return all(balanced(out) is not False for _, out in want)
