"""Stretches seen before after the same line (same form): exact, readable, safe in default mode."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.extractive import assert_extractive

import tersify
from tersify.compaction import compact, expand
from tersify.compaction.engine import _expand_lines
from tersify.compaction.same import SameForm
from tersify.errors import TersifyError
from tersify.regions import Kind, Region

# ruff's full output format: one code excerpt per diagnostic, two diagnostics at one place.
RUFF = """\
D205 1 blank line required between summary line and description
 --> site-packages/requests/auth.py:1:1
  |
1 | / \"\"\"
2 | | requests.auth
3 | | ~~~~~~~~~~~~~
4 | |
5 | | This module contains the authentication handlers for Requests.
6 | | \"\"\"
  | |___^
7 |
8 |   from __future__ import annotations
  |
help: Insert single blank line

D400 First line should end with period
 --> site-packages/requests/auth.py:1:1
  |
1 | / \"\"\"
2 | | requests.auth
3 | | ~~~~~~~~~~~~~
4 | |
5 | | This module contains the authentication handlers for Requests.
6 | | \"\"\"
  | |___^
7 |
8 |   from __future__ import annotations
  |
help: Add period
"""

MARKER = "[the same 11 lines as followed the line above where it last appeared]"


def test_real_ruff_excerpt_is_said_once() -> None:
    out = compact(RUFF).text
    assert expand(out) == RUFF
    assert "D400 First line should end with period\n --> site-packages/requests/auth.py:1:1\n" + MARKER in out
    assert out.count("requests.auth") == 1


def test_block_is_checked_against_the_lines_before_it() -> None:
    lines = RUFF.split("\n")
    block = next(iter(SameForm().find(lines, [Region(Kind.CODE, 0, len(lines) - 1)])))
    assert block.lines == (" --> site-packages/requests/auth.py:1:1", MARKER)
    assert block.reach == 15  # the line's earlier appearance is 15 lines up
    before = list(lines[: block.start])
    assert _expand_lines(block.lines, before)[block.start :] == lines[block.start : block.stop]
    with pytest.raises(TersifyError):
        _expand_lines(block.lines)  # alone, the line above never appeared before


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("\nx\ny\nz\n\nx\ny\nz\n", "a blank line names nothing"),
        ("frame one\na\nb\n", "no earlier appearance"),
        ("frame one\na\nb\nc\nframe one\na\nb\nd\n", "only two lines match"),
    ],
)
def test_no_block(text: str, why: str) -> None:
    lines = text.split("\n")
    assert not list(SameForm().find(lines, [Region(Kind.CODE, 0, len(lines))])), why


def test_diffs_and_json_are_never_sources_or_copies() -> None:
    text = (
        "@@ -1,4 +1,4 @@\n-a = 1\n-b = 2\n-c = 3\n-d = 4\n@@ -9,4 +9,4 @@\n-a = 1\n-b = 2\n-c = 3\n-d = 4\n"
    )
    lines = text.split("\n")
    assert not list(SameForm().find(lines, [Region(Kind.DIFF, 0, len(lines) - 1)]))
    code_then_diff = [Region(Kind.CODE, 0, 5), Region(Kind.DIFF, 5, len(lines) - 1)]
    assert not list(SameForm().find(lines, code_then_diff))


def test_prose_that_could_shrink_into_the_line_blocks_the_reference() -> None:
    # In the default mode a prose line may lose words; "open the frame one now" could become
    # "frame one", a nearer appearance than the real one.
    text = "frame one\na = 1\nb = 2\nc = 3\nopen the frame one now\nframe one\na = 1\nb = 2\nc = 3\n"
    lines = text.split("\n")
    regions = [Region(Kind.CODE, 0, 4), Region(Kind.PROSE, 4, 5), Region(Kind.CODE, 5, len(lines))]
    assert not list(SameForm().find(lines, regions))
    regions[1] = Region(Kind.CODE, 4, 5)
    assert len(list(SameForm().find(lines, regions))) == 1


def test_marker_like_input_is_escaped() -> None:
    text = f"frame one\n{MARKER}\n\\{MARKER}\nb\nframe one\n{MARKER}\n\\{MARKER}\nb\n"
    out = tersify.compress(text, lossless=True).text
    assert tersify.expand(out) == text


def test_dangling_marker_does_not_expand() -> None:
    with pytest.raises(TersifyError):
        expand("only line\n[the same 3 lines as followed the line above where it last appeared]\n")


_FRAMES = [
    '  File "/app/service/handlers/payments.py", line 311, in settle_invoice',
    "    return self.gateway.capture(invoice.total_cents, currency=invoice.currency)",
    "E   KeyError: 'BR'",
    "",
    "  |",
    MARKER,
    "note: the settlement of the invoice is retried three times before it fails",
]


@st.composite
def _with_copies(draw: st.DrawFn) -> str:
    """Lines with stretches copied from earlier on (the shape this form looks for)."""
    lines = draw(st.lists(st.sampled_from(_FRAMES), min_size=1, max_size=10))
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(lines) - 1))
        stop = draw(st.integers(start, len(lines)))
        if draw(st.booleans()):
            start, stop = 0, len(lines)
        lines += lines[start:stop] + draw(st.lists(st.sampled_from(_FRAMES), max_size=2))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_with_copies())
def test_round_trip_and_default_mode(text: str) -> None:
    assert tersify.expand(tersify.compress(text, lossless=True).text) == text
    assert_extractive(text, tersify.expand(tersify.compress(text, scorer="baseline").text))
