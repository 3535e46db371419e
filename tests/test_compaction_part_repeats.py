"""Slots whose values start (end) with another slot's value: the shared part written once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand
from tersify.compaction.engine import _expand_lines
from tersify.compaction.lines import build_template, fill, split
from tersify.compaction.patterns import PatternForm
from tersify.compaction.templates import TemplateForm
from tersify.regions import Kind, Region

HDFS = """\
081109 204815 653 INFO dfs.DataNode$DataXceiver: Receiving block blk_5792489080791696128 src: /10.251.30.6:33145 dest: /10.251.30.6:50010
081109 204842 663 INFO dfs.DataNode$DataXceiver: Receiving block blk_1724757848743533110 src: /10.251.111.130:49851 dest: /10.251.111.130:50010
081109 204925 673 INFO dfs.DataNode$DataXceiver: Receiving block blk_-5623176793330377570 src: /10.251.75.228:53725 dest: /10.251.75.228:50010
081109 205749 997 INFO dfs.DataNode$DataXceiver: Receiving block blk_-28342503914935090 src: /10.251.123.132:57542 dest: /10.251.123.132:50010
"""

BGL = """\
- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1117838573 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.53.276129 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1118809915 2005.06.14 R02-M1-N0-C:J12-U11 2005-06-14-21.31.55.295748 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1118810502 2005.06.14 R02-M1-N0-C:J12-U11 2005-06-14-21.41.42.351016 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
"""


def test_hdfs_source_address_holds_the_destination_once() -> None:
    out = compact(HDFS).text
    assert expand(out) == HDFS
    assert out == (
        '[the next 4 lines follow "081109 {0} {1} INFO dfs.DataNode$DataXceiver: Receiving block blk_{2}'
        ' src: /10.251.{3}:{4} dest: /10.251.{3}:50010"; each row below holds one line\'s {} values]\n'
        "204815 653 5792489080791696128 30.6 33145\n"
        "204842 663 1724757848743533110 111.130 49851\n"
        "204925 673 -5623176793330377570 75.228 53725\n"
        "205749 997 -28342503914935090 123.132 57542\n"
    )


def test_bgl_day_written_once_in_both_date_spellings() -> None:
    out = compact(BGL).text
    assert expand(out) == BGL
    assert out.split("\n")[:3] == [
        '[the next 4 lines follow "- {0} 2005.06.{1} R02-M1-N0-C:J12-U11 2005-06-{1}-{2} R02-M1-N0-C:J12-U11'
        " RAS KERNEL INFO instruction cache parity error corrected\"; each row below holds one line's {} values]",
        "1117838570 03 15.42.50.675872",
        "1117838573 03 15.42.53.276129",
    ]


def test_the_rest_is_cut_at_one_separator_only() -> None:
    def text(rows: list[tuple[str, str]]) -> str:
        return build_template([split(f"a {x} b {y}") for x, y in rows]).text

    assert text([("12", "12-7"), ("34", "34-9")]) == "a {0} b {0}-{1}"
    assert text([("7.12", "12"), ("9.34", "34")]) == "a {0}.{1} b {1}"
    assert text([("12", "127"), ("34", "349")]) == "a {} b {}"  # no separator: no cut
    assert text([("12", "12-7"), ("34", "34.9")]) == "a {} b {}"  # separators differ


_PART = st.sampled_from(["12", "3", "ab", "x1", "07", "{}", "{0}", "\\", '"', "-", ".", ""])
_SEP = st.sampled_from(["-", ".", ":", "/", "_", "{", "a"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(_PART, _PART, _PART), min_size=3, max_size=12),
    _SEP,
    st.sampled_from(["{a}-{b} x {a}", "{a} y {a}{s}{b}", "{b}{s}{a} {a} {c}", "{a}{s}{b} {a}{s}{c} {a}"]),
    st.sampled_from([Kind.LOG, Kind.PROSE]),
)
def test_proposed_blocks_expand_exactly(
    values: list[tuple[str, str, str]], sep: str, shape: str, kind: Kind
) -> None:
    lines = [shape.format(a=a + "1", b=b, c=c, s=sep) for a, b, c in values] + [""]
    regions = [Region(kind, 0, len(lines))]
    for form in (TemplateForm(), PatternForm()):
        for block in form.find(lines, regions):
            assert _expand_lines(block.lines) == lines[block.start : block.stop]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_PART, _PART), min_size=2, max_size=8), _SEP)
def test_templates_with_part_repeats_fill_back(values: list[tuple[str, str]], sep: str) -> None:
    lines = [f"at {a}9 and {a}9{sep}{b} end" for a, b in values]
    template = build_template([split(line) for line in lines])
    if template is None:
        return
    for line in lines:
        assert fill(template.text, template.row(split(line))) == line
