"""Named noise: parts of a line that are pure decoration and may go whole (LABELING.md).

``noise_spans(line)`` returns character spans ``(start, stop)`` of a line. Each span covers
whole whitespace-separated words plus the whitespace before them, so removing the spans
leaves the other words untouched. The categories are listed in ``NOISE_CATEGORIES``; each
is a single anchored regex, so a line costs a few C-level matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Glyphs that progress bars are drawn with (tqdm, rich/pip, docker pull).
_BAR_GLYPHS = "█▉▊▋▌▍▎▏░▒▓━╸╺╾╼■□▰▱"
_BAR_WORD = rf"[{_BAR_GLYPHS}]+"
# Progress statistics that may follow a bar: 45%, 1.2/3.4 MB, 5.6 MB/s, eta 0:00:01, 45/100,
# [00:01<00:02, 30.0it/s]. Only ever taken together with a bar.
_STAT = (
    r"(?:\d+(?:\.\d+)?%|\d+(?:\.\d+)?/\d+(?:\.\d+)?(?:\s?[kMGT]?i?B)?|\d+(?:\.\d+)?\s?[kMGT]?i?B/s"
    r"|\d+(?:\.\d+)?\s?(?:it|s)/(?:s|it)|eta|ETA|\d+:\d{2}(?::\d{2})?|\[[\d:]+<[\d:?]+,?|\d+(?:\.\d+)?it/s\]"
    r"|[kMGT]?i?B(?:/s)?|\|)"
)


@dataclass(frozen=True)
class NoiseCategory:
    name: str
    description: str
    pattern: re.Pattern[str]  # group "noise" (possibly repeated via finditer) is the span


NOISE_CATEGORIES: tuple[NoiseCategory, ...] = (
    NoiseCategory(
        "progress_percent",
        "test-runner progress percentage with the padding before it: '... FAILED     [ 38%]'"
        " (also after an xdist worker tag '[gw0] [ 38%] PASSED ...')",
        re.compile(r"(?:^(?:\[gw\d+\])|\S)(?P<noise>\s+\[\s*\d{1,3}%\])(?=\s*$|\s+\S)"),
    ),
    NoiseCategory(
        "progress_bar",
        "a progress bar line: glyph bars '━━━━ 1.2/3.4 MB 5.6 MB/s eta 0:00:01', '|████    | 45%',"
        " tqdm '45%|████▌    | 45/100 [00:01<00:02, 30.0it/s]', ASCII '[=====>    ] 45%'",
        re.compile(
            rf"^(?P<noise>\s*(?:{_STAT}\s*)*"
            rf"(?:\|?{_BAR_WORD}[\s{_BAR_GLYPHS}]*\|?|\[[=#]{{2,}}[>=#]*[ .\-]*\])"
            rf"(?:\s*{_STAT})*\s*)$"
        ),
    ),
    NoiseCategory(
        "spinner",
        "a spinner frame at the start of a line: '⠋ Resolving dependencies', '| Building'"
        " (only a braille frame, or a lone |/-\\ frame followed by a capitalised word)",
        re.compile(r"^(?P<noise>\s*(?:[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏⣾⣽⣻⢿⡿⣟⣯⣷]|[|/\\](?= [A-Z][a-z])))(?=\s|$)"),
    ),
    NoiseCategory(
        "rule",
        "a rule line made only of one of = - * _ ~ # (4 or more, or spaced '_ _ _');"
        " titled rules like '==== FAILURES ====' are status lines, not noise; a bare '---' is"
        " a separator with a meaning (git format-patch's message/diffstat, YAML documents)",
        re.compile(r"^(?P<noise>[ \t]*(?:([=*_~#-])\2{3,}|([=*_~#-])(?: \3){2,})[ \t]*)\r?$"),
    ),
    NoiseCategory(
        "curl_progress",
        "curl's progress meter: its two header lines '  % Total    % Received % Xferd  Average Speed ...',"
        " '   Dload  Upload   Total   Spent    Left  Speed' and its rows"
        " '100    58  100    58    0     0  35780      0 --:--:-- --:--:-- --:--:-- 58000'",
        re.compile(
            r"^(?P<noise>\s*% Total\s+% Received % Xferd\s+Average Speed\s+Time\s+Time\s+Time\s+Current\s*"
            r"|\s*Dload\s+Upload\s+Total\s+Spent\s+Left\s+Speed\s*"
            r"|(?:\r?[ \t]*(?:\d+(?:\.\d+)?[kMG]?[ \t]+){6,8}(?:(?:--:--:--|\d+:\d\d:\d\d)[ \t]+){3}"
            r"\d+(?:\.\d+)?[kMG]?[ \t]*)+)\r?$"
        ),
    ),
    NoiseCategory(
        "diffstat_bar",
        "the +/- bar of a diffstat line ' BENCHMARKS.md | 63 +++++++++-----' (the count stays)",
        re.compile(r"^\s*\S.*?\s\|\s+\d+(?P<noise>\s+[+-]+)\s*\r?$"),
    ),
)


def noise_spans(line: str) -> list[tuple[int, int]]:
    """Spans of ``line`` that are noise, sorted and non-overlapping."""
    spans: list[tuple[int, int]] = []
    for cat in NOISE_CATEGORIES:
        m = cat.pattern.search(line)
        if m is not None and m.end("noise") > m.start("noise"):
            spans.append((m.start("noise"), m.end("noise")))
    if len(spans) > 1:
        spans.sort()
        merged = [spans[0]]
        for a, b in spans[1:]:
            if a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        spans = merged
    return spans


def noise_category(line: str) -> list[str]:
    """Names of the categories that match ``line`` (for tests and reports)."""
    return [cat.name for cat in NOISE_CATEGORIES if cat.pattern.search(line)]


def text_noise_spans(text: str, skip_line: Callable[[int], bool] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Character spans ``(starts, ends)`` of named noise over a whole text, line by line;
    lines for which ``skip_line(index)`` is true are not looked at."""
    starts: list[int] = []
    ends: list[int] = []
    offset = 0
    for i, line in enumerate(text.split("\n")):
        if skip_line is None or not skip_line(i):
            for s, e in noise_spans(line):
                starts.append(offset + s)
                ends.append(offset + e)
        offset += len(line) + 1
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def inside(starts: np.ndarray, ends: np.ndarray, span_start: int, span_end: int) -> bool:
    """Whether ``[span_start, span_end)`` lies inside one of the disjoint, sorted spans."""
    at = int(np.searchsorted(starts, span_start, side="right")) - 1
    return at >= 0 and span_end <= int(ends[at])
