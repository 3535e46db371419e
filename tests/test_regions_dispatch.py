"""The first-character declarations of the line patterns, and the dispatch built on them."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.regions.firstchar import ANY, NONE, Dispatch, deciding_char
from tersify.regions.patterns import ALTERNATIVES, LINE_BY_FIRST
from tersify_train.sources.real import REAL_OUTPUTS, load_real_entries

_COMPILED = [(tag, re.compile(pat), flush, ind) for tag, pat, flush, ind in ALTERNATIVES]


def _violation(i: int, line: str) -> str | None:
    """Why ``line`` shows alternative ``i``'s declaration too narrow, or None."""
    tag, rx, flush, indented = _COMPILED[i]
    if rx.match(line) is None:
        return None
    indented_line, c = deciding_char(line)
    if c not in ANY or not c:
        return None  # outside printable ASCII: the full alternation decides these
    declared = indented if indented_line else flush
    if c in declared:
        return None
    return f"{tag} #{i} {'indented' if indented_line else 'flush'} {c!r} undeclared: {line!r}"


def _variants(line: str) -> list[str]:
    body = line.lstrip(" \t")
    return [line, body, "  " + body, "\t" + body, "        " + body]


@pytest.mark.parametrize("i", range(len(ALTERNATIVES)))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_declaration_admits_lines_generated_from_pattern(i: int, data: st.DataObject) -> None:
    pattern = re.compile(r"\A(?:" + ALTERNATIVES[i][1] + ")")
    line = data.draw(st.from_regex(pattern, alphabet=st.sampled_from(ANY + " \t✓✔✕✗×é\xa0")))
    for variant in _variants(line):
        assert _violation(i, variant) is None


def _real_lines() -> list[str]:
    lines: list[str] = []
    if REAL_OUTPUTS.exists():
        for entry in load_real_entries():
            lines += entry.text.split("\n")
    for f in sorted(glob.glob("/work/shared/data/loghub/*/*_2k.log"))[:12]:
        lines += Path(f).read_text(errors="surrogateescape").split("\n")[:200]
    for f in sorted(glob.glob(str(Path(__file__).parents[1] / "samples" / "*"))):
        lines += Path(f).read_text(errors="surrogateescape").split("\n")
    return [ln.rstrip("\r") for ln in lines if ln.strip()]


def test_declaration_admits_real_lines() -> None:
    lines = _real_lines()
    if not lines:
        pytest.skip("no real outputs present")
    bad = [
        why
        for line in dict.fromkeys(v for ln in lines for v in _variants(ln))
        for i in range(len(_COMPILED))
        if (why := _violation(i, line)) is not None
    ]
    assert not bad, bad[:10]


def test_dispatch_equals_full_alternation_on_real_lines() -> None:
    for line in _real_lines()[:3000]:
        for variant in _variants(line):
            got, want = LINE_BY_FIRST.match(variant), LINE_BY_FIRST.full.match(variant)
            assert (got and (got.lastgroup, got.end())) == (want and (want.lastgroup, want.end())), variant


def test_too_narrow_declaration_is_caught() -> None:
    # The check the tests above rely on: a declaration missing a real first character fails.
    assert _violation_with(("TABLE", r"\s*\d+ \S+", "1", NONE), "42 files") is not None
    assert _violation_with(("TABLE", r"\s*\d+ \S+", "1", NONE), "  12 files") is not None
    assert _violation_with(("TABLE", r"\s*\d+ \S+", "0123456789", "0123456789"), "  12 files") is None


def _violation_with(alt: tuple[str, str, str, str], line: str) -> str | None:
    _COMPILED.append((alt[0], re.compile(alt[1]), alt[2], alt[3]))
    try:
        return _violation(len(_COMPILED) - 1, line)
    finally:
        _COMPILED.pop()


def test_dispatch_falls_back_outside_printable_ascii() -> None:
    d = Dispatch([("TEST", r"\s*✓ ", NONE, NONE), ("PROSE", r"\S", ANY, NONE)])
    m = d.match("  ✓ passes")
    assert m is not None and m.lastgroup == "TEST__0"
    m = d.match("é")
    assert m is not None and m.lastgroup == "PROSE__1"
    assert d.match("   ") is None
