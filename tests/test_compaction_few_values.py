"""Patterns split by a few-valued slot (each value gets its own pattern and is written once) or
by the stems of a slot's values (each test name its own pattern)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand
from tersify.compaction.engine import _expand_lines
from tersify.compaction.lines import stem as _stem
from tersify.compaction.patterns import PatternForm
from tersify.regions import Kind, Region

# Linux_2k.log (loghub), lines 1681-1700: two bursts of ftpd connections.
_A = "Jul 22 09:27:24 combo ftpd[{}]: connection from 211.42.188.206 () at Fri Jul 22 09:27:24 2005 "
_B = "Jul 22 19:29:09 combo ftpd[{}]: connection from 67.95.49.172 () at Fri Jul 22 19:29:09 2005 "
_A_PIDS = ["12281", "12283", "12287", "12298", "12299"]
_B_PIDS = [
    "13152",
    "13150",
    "13147",
    "13149",
    "13148",
    "13151",
    "13153",
    "13141",
    "13146",
    "13140",
    "13142",
    "13143",
    "13145",
    "13144",
    "13154",
]
FTPD = "".join(_A.format(p) + "\n" for p in _A_PIDS) + "".join(_B.format(p) + "\n" for p in _B_PIDS)


def _log(text: str) -> list[Region]:
    return [Region(Kind.LOG, 0, len(text.split("\n")))]


def test_real_ftpd_bursts_get_a_pattern_each() -> None:
    out = compact(FTPD, _log(FTPD)).text
    assert expand(out) == FTPD
    assert out == (
        "[the next 20 lines use 2 patterns; a row is a pattern's name, then its {} values]\n"
        f"A {json.dumps(_A)}\nB {json.dumps(_B)}\n"
        + "".join(f"A {p}\n" for p in _A_PIDS)
        + "".join(f"B {p}\n" for p in _B_PIDS)
    )


def test_rare_values_stay_slots() -> None:
    # Values seen three times or more get patterns of their own; the rarer ones share one.
    hosts = ["10.251.73.220", "10.251.26.177", "10.250.19.102"]
    picks = [0, 0, 0, 0, 1, 2, 0, 1, 2, 0, 0, 0]
    lines = [f"0811 {n:03d} INFO served block to /{hosts[h]}:50010 after 1 try" for n, h in enumerate(picks)]
    text = "\n".join(lines) + "\n"
    blocks = list(PatternForm().find(text.split("\n"), _log(text)))
    assert len(blocks) == 1
    block = blocks[0]
    assert block.lines[1:3] == (
        'A "0811 {} INFO served block to /10.251.73.220:50010 after 1 try"',
        'B "0811 {} INFO served block to /10.{}:50010 after 1 try"',
    )
    assert _expand_lines(block.lines) == text.split("\n")[block.start : block.stop]


_WORD = st.sampled_from(["ok", "1", "-1", "0", "x7", "node-3", "{}", "a b", "\\[x]", "\r", "", "é"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_WORD, _WORD, st.integers(0, 999)), min_size=3, max_size=40))
def test_find_round_trips(rows: list[tuple[str, str, int]]) -> None:
    text = "".join(f"t {n} status {a} then {b} done\n" for a, b, n in rows)
    lines = text.split("\n")
    for block in PatternForm().find(lines, _log(text)):
        assert _expand_lines(block.lines) == lines[block.start : block.stop]
    assert expand(compact(text, _log(text)).text) == text


# pytest -rA's summary (harvest-002): two parametrized tests in one shape.
PASSED = "".join(
    f"PASSED tests/test_cart.py::test_parse_price[{d}.{c:02d}-{d * 100 + c}]\n"
    for d in range(4)
    for c in (0, 5)
)
PASSED += "".join(f"PASSED tests/test_cart.py::test_cart_total[{n}]\n" for n in range(6))


def test_stems_split_a_pattern_by_test_name() -> None:
    regions = [Region(Kind.TEST, 0, len(PASSED.split("\n")))]
    out = compact(PASSED, regions).text
    assert expand(out) == PASSED
    assert '"PASSED tests/test_cart.py::test_parse_price[{}]"' in out
    assert '"PASSED tests/test_cart.py::test_cart_total[{}]"' in out
    assert "\n0.05-5\n" in out or "A 0.05-5\n" in out  # rows hold only the parameters


def test_stem_is_cut_at_punctuation_before_the_first_digit() -> None:
    assert _stem("parse_price[0.05-5]") == "parse_price["
    assert _stem("cart_total[12]") == "cart_total["
    assert _stem("node7") == ""
    assert _stem("site-packages/rich") == "site-packages/"


_STEM_WORD = st.sampled_from(["a[1]", "a[22]", "b_c[3-4]", "b_c[x]", "{}", "[", "7", "d-e.9", "\\[q]"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_STEM_WORD, st.integers(0, 99)), min_size=3, max_size=40))
def test_stem_parts_round_trip(rows: list[tuple[str, int]]) -> None:
    text = "".join(f"PASSED t.py::test_{w} {n}\n" for w, n in rows)
    lines = text.split("\n")
    for block in PatternForm().find(lines, _log(text)):
        assert _expand_lines(block.lines) == lines[block.start : block.stop]
    assert expand(compact(text, _log(text)).text) == text
