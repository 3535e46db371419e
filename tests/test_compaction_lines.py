"""Line-shape forms: templates (runs of one shape), patterns (interleaved shapes), tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand, patterns, tables, templates
from tersify.compaction.engine import _expand_lines
from tersify.compaction.lines import build_template, split
from tersify.compaction.patterns import PatternForm
from tersify.compaction.tables import TableForm
from tersify.compaction.templates import TemplateForm
from tersify.errors import TersifyError
from tersify.regions import Kind, Region

APACHE = (
    "[Sun Dec 04 04:51:08 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10\n"
    "[Sun Dec 04 04:51:09 2005] [notice] jk2_init() Found child 6726 in scoreboard slot 8\n"
    "[Sun Dec 04 04:51:09 2005] [notice] jk2_init() Found child 6728 in scoreboard slot 6\n"
)

HDFS = """\
081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating
081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_-6952295868487656571 terminating
081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864
081109 204015 308 INFO dfs.DataNode$PacketResponder: PacketResponder 2 for block blk_8229193803249955061 terminating
081109 204106 329 INFO dfs.DataNode$PacketResponder: PacketResponder 2 for block blk_-6670958622368987959 terminating
081109 204132 26 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.43.115:50010 is added to blk_3050920587428079149 size 67108864
081109 204324 34 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.203.80:50010 is added to blk_7888946331804732825 size 67108864
081109 204453 34 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.250.11.85:50010 is added to blk_2377150260128098806 size 67108864
081109 204525 512 INFO dfs.DataNode$PacketResponder: PacketResponder 2 for block blk_572492839287299681 terminating
081109 204655 556 INFO dfs.DataNode$PacketResponder: Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84
"""

PS = """\
USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root         2  0.0  0.0      0     0 ?        S    07:58   0:00 [kthreadd]
root         3  0.0  0.0      0     0 ?        S    07:58   0:00 [pool_workqueue_release]
root         4  0.0  0.0      0     0 ?        I<   07:58   0:00 [kworker/R-rcu_gp]
root         5  0.0  0.0      0     0 ?        I<   07:58   0:00 [kworker/R-sync_wq]
root         6  0.0  0.0      0     0 ?        I<   07:58   0:00 [kworker/R-kvfree_rcu_reclaim]
root         7  0.0  0.0      0     0 ?        I<   07:58   0:00 [kworker/R-slub_flushwq]
root         8  0.0  0.0      0     0 ?        I<   07:58   0:00 [kworker/R-netns]
"""


def _round(text: str, regions: list[Region] | None = None) -> str:
    out = compact(text, regions).text
    assert expand(out) == text
    return out


def _forms(text: str, regions: list[Region] | None = None) -> set[str]:
    return {block.form for block in compact(text, regions).blocks}


def test_template_run_on_a_real_apache_snippet() -> None:
    assert _round(APACHE) == (
        '[the next 3 lines follow "[Sun Dec 04 04:51:{} 2005] [notice] jk2_init() Found child {} in '
        "scoreboard slot {}\"; each row below holds one line's {} values]\n"
        "08 6725 10\n09 6726 8\n09 6728 6\n"
    )


def test_patterns_on_interleaved_hdfs_lines() -> None:
    assert _round(HDFS) == (
        "[the next 9 lines use 2 patterns; a row is a pattern's name, then its {} values]\n"
        'A "081109 {} {} INFO dfs.DataNode$PacketResponder: PacketResponder {} for block blk_{} terminating"\n'
        'B "081109 {} {} INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: '
        '{}:50010 is added to blk_{} size 67108864"\n'
        "A 203615 148 1 38865049064139660\n"
        "A 203807 222 0 -6952295868487656571\n"
        "B 204005 35 10.251.73.220 7128370237687728475\n"
        "A 204015 308 2 8229193803249955061\n"
        "A 204106 329 2 -6670958622368987959\n"
        "B 204132 26 10.251.43.115 3050920587428079149\n"
        "B 204324 34 10.251.203.80 7888946331804732825\n"
        "B 204453 34 10.250.11.85 2377150260128098806\n"
        "A 204525 512 2 572492839287299681\n" + HDFS.split("\n")[9] + "\n"
    )


def test_patterns_write_unmatched_lines_as_is() -> None:
    lines = HDFS.split("\n")
    odd = "something else entirely, with no digits"
    text = "\n".join(lines[:4] + [odd] + lines[4:9]) + "\n"
    out = _round(text)
    assert '; "=" rows are lines as is]' in out.split("\n")[0]
    assert f"= {odd}" in out.split("\n")


def test_table_on_a_real_ps_listing() -> None:
    lines = PS.split("\n")
    (table,) = TableForm().find(lines, [Region(Kind.TABLE, 0, len(lines))])
    assert "\n".join(table.lines) + "\n" == (
        "[next 8 lines: table rows, padding removed; column edges L0 R14 R19 R24 R31 R37 L38 L47 L52 L60 L65]\n"
        "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
        "root 2 0.0 0.0 0 0 ? S 07:58 0:00 [kthreadd]\n"
        "root 3 0.0 0.0 0 0 ? S 07:58 0:00 [pool_workqueue_release]\n"
        "root 4 0.0 0.0 0 0 ? I< 07:58 0:00 [kworker/R-rcu_gp]\n"
        "root 5 0.0 0.0 0 0 ? I< 07:58 0:00 [kworker/R-sync_wq]\n"
        "root 6 0.0 0.0 0 0 ? I< 07:58 0:00 [kworker/R-kvfree_rcu_reclaim]\n"
        "root 7 0.0 0.0 0 0 ? I< 07:58 0:00 [kworker/R-slub_flushwq]\n"
        "root 8 0.0 0.0 0 0 ? I< 07:58 0:00 [kworker/R-netns]\n"
    )
    # Here the kworker rows share more than padding: one template for them says it shorter.
    assert _round(PS).split("\n")[3] == (
        '[the next 5 lines follow "root         {}  0.0  0.0      0     0 ?        I<   07:58   0:00 '
        "[kworker/R-{}]\"; each row below holds one line's {} values]"
    )


def test_no_fire_where_it_would_not_pay() -> None:
    assert _round("".join(APACHE.splitlines(keepends=True)[:2])) == "".join(
        APACHE.splitlines(keepends=True)[:2]
    )
    small_df = (
        "Filesystem      Size  Used Avail Use% Mounted on\n"
        "/dev/vda        252G   24G   79G  23% /\n"
        "tmpfs            12G     0   12G   0% /sys/fs/cgroup\n"
    )
    assert _round(small_df) == small_df
    prose = "a b c\nd e f\ng h i\n"
    assert _round(prose) == prose


@pytest.mark.parametrize("kind", [Kind.CODE, Kind.DIFF, Kind.JSON])
def test_never_in_code_diff_or_json(kind: Kind) -> None:
    for text in (APACHE, HDFS, PS):
        n = len(text.split("\n"))
        assert not _forms(text, [Region(kind, 0, n)]) & {"template", "patterns", "table"}


@pytest.mark.parametrize("kind", [Kind.LOG, Kind.TABLE, Kind.PROSE, Kind.STATUS])
def test_in_plain_kinds(kind: Kind) -> None:
    n = len(HDFS.split("\n"))
    assert "patterns" in _forms(HDFS, [Region(kind, 0, n)])


def test_template_keeps_odd_whitespace_and_cr_exactly() -> None:
    text = "".join(f"\t  item {i}:  value_{i * 7}  done \r\n" for i in range(6))
    out = _round(text)
    assert out.startswith('[the next 6 lines follow "\\t  item {}:  value_{}  done \\r"')


def test_constants_holding_the_placeholder_are_refused() -> None:
    assert build_template([split(f"got {{}} for key {i} here") for i in range(3)]) is None
    text = "".join(f"a long constant prefix {{}} then {i} and more constant words\n" for i in range(8))
    assert "template" not in _forms(text)
    _round(text)


def test_partial_slots_cut_only_at_punctuation() -> None:
    template = build_template([split(w) for w in ("blk_123:50010", "blk_-9:50010", "blk_77:50010")])
    assert template is not None and template.text == "blk_{}:50010"
    template = build_template([split(w) for w in ("1234", "1299", "1200")])
    assert template is not None and template.text == "{}"


def test_marker_like_input_round_trips() -> None:
    lines = [
        '[the next 3 lines follow "x {}"; each row below holds one line\'s {} values]',
        "[the next 2 lines use 1 pattern; a row is a pattern's name, then its {} values]",
        "[next 3 lines: table rows, padding removed; column edges L0 R5]",
        "\\[next 3 lines: table rows, padding removed; column edges L0 R5]",
        "a",
        "b",
    ]
    text = "\n".join(lines * 3) + "\n" + APACHE
    _round(text)


def test_bad_blocks_do_not_expand() -> None:
    with pytest.raises(TersifyError):
        expand('[the next 3 lines follow "a {}"; each row below holds one line\'s {} values]\n1\n2')
    with pytest.raises(TersifyError):
        expand("[next 1 lines: table rows, padding removed; column edges L0 R3]\nabcdef x")


_ALPHABET = st.sampled_from(
    ["a", "b", "7", "42", " ", "  ", "\t", "\r", "{}", "{", "}", "[", "]", "\\", "é", "\ud800", "="]
)
_NOISE = st.lists(_ALPHABET, max_size=12).map("".join)
_WORD = st.one_of(
    st.text(st.sampled_from("ab7_:{}[]\\é="), min_size=1, max_size=5),
    st.sampled_from(["a_long_constant_word{é}\\", "another:constant[word]", "blk_7", "=", "{}"]),
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    shapes = draw(
        st.lists(
            st.tuples(st.lists(_WORD, min_size=1, max_size=4), st.sampled_from([" ", "  ", "\t", " \r"])),
            min_size=1,
            max_size=3,
        )
    )
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        what = draw(st.integers(0, 3))
        if what == 0:
            lines.append("".join(draw(st.lists(_NOISE, max_size=3))))
        elif what == 3:  # an aligned table, some columns right-aligned
            widths = draw(st.lists(st.integers(1, 9), min_size=2, max_size=4))
            for _ in range(draw(st.integers(1, 6))):
                cells = [draw(_WORD)[:w] for w in widths]
                line = " ".join(
                    c.rjust(w) if k % 2 else c.ljust(w)
                    for k, (c, w) in enumerate(zip(cells, widths, strict=True))
                )
                lines.append(line + draw(st.sampled_from(["", "\r", " x y"])))
        else:  # a run of one shape
            words, gap = shapes[draw(st.integers(0, len(shapes) - 1))]
            for _ in range(draw(st.integers(1, 6))):
                picked = [w if draw(st.integers(0, 3)) else draw(_WORD) + "9" for w in words]
                lines.append(gap.join(picked) + draw(st.sampled_from(["", "\r", " "])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=150, deadline=None)
@given(_texts())
def test_round_trip_random_shapes(text: str) -> None:
    assert expand(compact(text).text) == text


@settings(max_examples=150, deadline=None)
@given(_texts())
def test_every_proposed_block_expands_exactly(text: str) -> None:
    # The engine drops blocks that do not expand exactly, so check the forms themselves.
    # Thresholds off, so that small random runs are proposed too.
    lines = text.split("\n")
    regions = [Region(Kind.LOG, 0, len(lines))]
    saved = templates.MARKER_CHARS, patterns.MARKER_CHARS, tables.MIN_PADDED
    templates.MARKER_CHARS = patterns.MARKER_CHARS = tables.MIN_PADDED = -100
    try:
        for form in (TemplateForm(), PatternForm(), TableForm()):
            for block in form.find(lines, regions):
                assert _expand_lines(block.lines) == lines[block.start : block.stop]
    finally:
        templates.MARKER_CHARS, patterns.MARKER_CHARS, tables.MIN_PADDED = saved


@settings(max_examples=60, deadline=None)
@given(_texts(), st.sampled_from(list(Kind)))
def test_round_trip_with_region_kinds(text: str, kind: Kind) -> None:
    n = len(text.split("\n"))
    half = n // 2
    regions = [Region(kind, 0, half), Region(Kind.LOG, half, n)] if half else [Region(Kind.LOG, 0, n)]
    assert expand(compact(text, regions).text) == text


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["-rw-r--r--", "drwxr-xr-x"]),
            st.integers(0, 99999),
            st.text(st.sampled_from("ab .\r"), min_size=1, max_size=8),
        ),
        min_size=3,
        max_size=12,
    )
)
def test_round_trip_tables(rows: list[tuple[str, int, str]]) -> None:
    text = "".join(f"{mode}  1 root root {size:>8} Jan  1  2024 {name}\n" for mode, size, name in rows)
    assert expand(compact(text).text) == text
