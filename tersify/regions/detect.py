"""``detect_regions``: label each line with a kind, then group runs of one kind.

One pass over the lines with a little state for multi-line structures: diff hunks (the
``@@`` counts say exactly which lines follow), JSON documents (``json_spans``), HTTP
headers and bodies, commit headers, Python frames and the source line after them,
compiler gutters, pytest failure excerpts. Everything else is decided by the line alone
(``patterns.LINE_BY_FIRST``). A last pass turns runs of column-aligned prose into tables and the
line above a caret line into code. Linear in the input; no per-line JSON parsing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tersify.regions.json_spans import ScanBudget, json_end, parses
from tersify.regions.kinds import Kind, Region
from tersify.regions.patterns import (
    COMBINED_HUNK,
    COMMIT_HEADER,
    DIFFSTAT,
    DOTS_RESULT,
    GAPPY,
    HTTP_HEADER,
    HUNK,
    JSON_CONTENT,
    KEY_VALUE,
    LINE_BY_FIRST,
    REQUEST_HEADER,
    TAGS,
)

PROSE, ERROR, STATUS, CODE = Kind.PROSE, Kind.ERROR, Kind.STATUS, Kind.CODE
DIFF, JSON, TABLE, BLANK, LOG, TEST = Kind.DIFF, Kind.JSON, Kind.TABLE, Kind.BLANK, Kind.LOG, Kind.TEST

_LOCALS = re.compile(r"[\w.]+ = \S")  # pytest argument/locals lines: "tmp_path = PosixPath(...)"
_GUTTER_EDIT = re.compile(r"\s*\d*\s+[-+](?:\s|$)")  # ruff/rustc suggestion lines inside a gutter
_PLAIN = frozenset((PROSE, TABLE, LOG))
# A line is classified on its first characters only: every kind shows itself early, and an
# anchored pattern's backtracking on a pathological megabyte line stays bounded.
CLASSIFY_CHARS = 1000


class _Labeler:
    """The per-output state; ``run`` fills ``kinds`` and the JSON document boundaries."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.n = len(lines)
        self.kinds: list[Kind] = [PROSE] * self.n
        self.breaks: set[int] = set()  # lines that start a region even after the same kind
        self.budget = ScanBudget(lines)
        self.old = self.new = 0  # lines a unified hunk still holds (old side, new side)
        self.parents = 0  # combined diff (git diff --cc): prefix columns; self.new counts result lines
        self.diff_header = False
        self.http = 0  # 1: response headers, 2: body expected next
        self.http_json = False
        self.request = False
        self.commit = False
        self.pytest_tb = False
        self.source_next = 0  # 1: after a Python frame (indented source), 2: after file:line
        self.gutter = False
        self.sql = False  # inside a multi-line SQL statement (no closing ";" yet)

    # --- diff hunks -----------------------------------------------------------------
    def _hunk_line(self, s: str) -> bool:
        """Consume ``s`` as a line of the open hunk; False ends the hunk."""
        if self.parents:
            prefix = s[: self.parents]
            if s.startswith("\\"):
                return True
            if len(prefix) < self.parents or prefix.strip(" +-"):
                return False
            if "-" in prefix:
                return True
            self.new -= 1
            return True
        c = s[:1]
        if c == " " or not s:
            if self.old > 0 and self.new > 0:
                self.old -= 1
                self.new -= 1
                return True
            return False
        if c == "-":
            if self.old > 0:
                self.old -= 1
                return True
            return False
        if c == "+":
            if self.new > 0:
                self.new -= 1
                return True
            return False
        return c == "\\"

    def _open_hunk(self, s: str) -> bool:
        m = HUNK.match(s)
        if m is not None:
            self.parents = 0
            self.old = int(m.group(1)) if m.group(1) is not None else 1
            self.new = int(m.group(2)) if m.group(2) is not None else 1
            return True
        m = COMBINED_HUNK.match(s)
        if m is not None:
            self.parents = len(m.group(1)) - 1
            self.old = 0
            self.new = int(m.group(2)) if m.group(2) is not None else 1
            return True
        return False

    # --- main pass ----------------------------------------------------------------------
    def run(self) -> None:
        lines, kinds = self.lines, self.kinds
        i = 0
        while i < self.n:
            line = lines[i]
            s = line[:-1] if line.endswith("\r") else line
            if self.new > 0 or self.old > 0:
                if self._hunk_line(s):
                    kinds[i] = DIFF
                    i += 1
                    continue
                self.old = self.new = 0
            if not s or s.isspace():
                kinds[i] = BLANK
                self._blank()
                i += 1
                continue
            head = s.lstrip()[:1]
            if head == "{" or head == "[":
                end = json_end(lines, i, self.budget)
                if end is not None:
                    self._json(i, end)
                    i = end + 1
                    continue
            elif self.http == 2 and self.http_json and parses(s):
                self._json(i, i)
                i += 1
                continue
            kinds[i] = self._classify(i, s[:CLASSIFY_CHARS])
            i += 1

    def _json(self, start: int, end: int) -> None:
        for j in range(start, end + 1):
            self.kinds[j] = JSON
        self.breaks.add(start)
        self.breaks.add(end + 1)
        self.http = 0
        self.source_next = 0

    def _blank(self) -> None:
        self.gutter = False
        self.sql = False
        self.source_next = 0
        self.request = False
        self.commit = False
        self.diff_header = False
        self.http = 2 if self.http == 1 else 0

    def _classify(self, i: int, s: str) -> Kind:
        # Header blocks first: their lines look like anything ("Date: Wed, 25 Nov ...").
        if self.http == 1:
            if HTTP_HEADER.match(s):
                if s[0] == "<" and not s[1:].strip():
                    self.http = 2  # curl -v: "< " ends the response headers
                elif JSON_CONTENT.match(s):
                    self.http_json = True
                return TABLE
            self.http = 0
        elif self.http == 2:
            self.http = 0
        if self.request:
            if REQUEST_HEADER.match(s):
                return TABLE
            self.request = False
        if self.commit:
            if COMMIT_HEADER.match(s):
                return STATUS
            self.commit = False
        if self.sql:
            if s[:1].isspace():  # an indented continuation of the statement
                self.sql = not s.rstrip().endswith(";")
                return CODE
            self.sql = False
        if " ... " in s and DOTS_RESULT.match(s):
            kind, action = TEST, ""
        elif "|" in s and DIFFSTAT.match(s):
            kind, action = TABLE, ""
        else:
            m = LINE_BY_FIRST.match(s)
            kind, action = TAGS[m.lastgroup] if m is not None and m.lastgroup else (PROSE, "")
        source_next, self.source_next = self.source_next, 0
        if action:
            kind = self._act(i, s, kind, action)
        if kind is not DIFF:
            self.diff_header = False
            if s.startswith("\\ ") and i and self.kinds[i - 1] is DIFF:
                return DIFF  # "\ No newline at end of file" right after a hunk's last line
        if source_next and kind is not ERROR and action != "frame" and kind is not STATUS:
            if source_next == 2 or s[:1].isspace():
                return CODE
        if self.gutter:
            if kind is CODE:
                pass
            elif _GUTTER_EDIT.match(s):
                return CODE
            else:
                self.gutter = False
        if kind is STATUS and s[:3] in ("===", "___"):
            self.pytest_tb = s[:1] == "_" or "FAILURES" in s or "ERRORS" in s
        elif self.pytest_tb and kind in _PLAIN and (s[:1].isspace() or _LOCALS.match(s)):
            return CODE
        return kind

    def _act(self, i: int, s: str, kind: Kind, action: str) -> Kind:
        if action == "frame":
            self.source_next = 1
        elif action == "location":
            self.source_next = 2
        elif action in ("git", "cmd"):
            self.diff_header = True
        elif action == "hunk":
            if not self._open_hunk(s):
                return PROSE
            self.diff_header = False
        elif action == "file":
            nxt = self.lines[i + 1] if i + 1 < self.n else ""
            if s.startswith("---") and nxt.startswith("+++ "):
                self.diff_header = True
            elif not self.diff_header:
                return PROSE
        elif action == "meta":
            if not self.diff_header:
                return PROSE
        elif action == "commit":
            self.commit = True
        elif action == "http":
            self.http = 1
            self.http_json = False
        elif action == "request":
            self.request = True
        elif action == "sql":
            self.sql = not s.rstrip().endswith(";")
        elif action == "gutter":
            self.gutter = True
        elif action == "caret":
            if i and self.kinds[i - 1] in _PLAIN and self.lines[i - 1].strip():
                self.kinds[i - 1] = CODE  # the source line a caret points into
        return kind


def _tables(kinds: list[Kind], lines: Sequence[str]) -> None:
    """Column-aligned prose (gaps of 2+ spaces or tabs) next to more of it, or to a table;
    runs of 3 or more ``Key: value`` prose lines (pip show, stat)."""
    n = len(kinds)
    run = 0
    for i in range(n + 1):
        if i < n and kinds[i] is PROSE and KEY_VALUE.match(lines[i], 0, CLASSIFY_CHARS):
            run += 1
            continue
        if run >= 3:
            for j in range(i - run, i):
                kinds[j] = TABLE
        run = 0
    gappy = [kinds[i] is PROSE and GAPPY.search(lines[i], 0, CLASSIFY_CHARS) is not None for i in range(n)]
    for i in range(n):
        if gappy[i] and (
            (i and (gappy[i - 1] or kinds[i - 1] is TABLE))
            or (i + 1 < n and (gappy[i + 1] or kinds[i + 1] is TABLE))
        ):
            kinds[i] = TABLE


def label_lines(lines: Sequence[str]) -> list[Kind]:
    """The kind of every line."""
    return _label(lines)[0]


def _label(lines: Sequence[str]) -> tuple[list[Kind], set[int]]:
    lab = _Labeler(lines)
    lab.run()
    _tables(lab.kinds, lines)
    return lab.kinds, lab.breaks


def detect_regions(lines: Sequence[str]) -> list[Region]:
    """Contiguous regions covering ``lines`` in order, one kind each.

    Each JSON document is its own region (JSON Lines give one region per line), so the
    lines of a JSON region joined with ``\\n`` always parse as one JSON value.
    """
    kinds, breaks = _label(lines)
    regions: list[Region] = []
    start = 0
    for i in range(1, len(kinds)):
        if kinds[i] is not kinds[start] or i in breaks:
            regions.append(Region(kinds[start], start, i))
            start = i
    if kinds:
        regions.append(Region(kinds[start], start, len(kinds)))
    return regions
