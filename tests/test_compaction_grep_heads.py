"""Search-hit runs (grep form), head patterns and numbered back-references in templates."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact, expand, grep, sections
from tersify.compaction.engine import _expand_lines
from tersify.compaction.grep import GrepForm
from tersify.compaction.lines import build_template, fill, split
from tersify.compaction.patterns import PatternForm
from tersify.compaction.sections import SectionForm
from tersify.regions import Kind, Region

GREP = """\
site-packages/urllib3/util/ssltransport.py:200:    def settimeout(self, value: float | None) -> None:
site-packages/urllib3/util/ssltransport.py:201:        self.socket.settimeout(value)
site-packages/urllib3/util/ssltransport.py:203:    def gettimeout(self) -> float | None:
site-packages/urllib3/util/ssltransport.py:204:        return self.socket.gettimeout()
site-packages/urllib3/util/__init__.py:18:from .timeout import Timeout
"""

BGL = """\
- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1117838573 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.53.276129 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1117842440 2005.06.03 R23-M0-NE-C:J05-U01 2005-06-03-16.47.20.730545 R23-M0-NE-C:J05-U01 RAS KERNEL INFO instruction cache parity error corrected
"""

MAC = """\
Jul  1 09:01:06 calvisitor-10-105-160-95 QQ[10018]: FA||Url||taskID[2019352994] dealloc
Jul  1 09:02:26 calvisitor-10-105-160-95 kernel[0]: ARPT: 620701.011328: AirPort_Brcm43xx::syncPowerState: WWEN[enabled]
Jul  1 09:03:11 calvisitor-10-105-160-95 mDNSResponder[91]: mDNS_DeregisterInterface: Frequent transitions for interface awdl0
Jul  1 09:18:16 calvisitor-10-105-160-95 kernel[0]: ARPT: 620896.311264: wl0: MDNS: 0 SRV Recs, 0 TXT Recs
Jul  1 09:24:13 calvisitor-10-105-160-95 kernel[0]: PM response took 2010 ms (54, powerd)
Jul  1 09:33:13 calvisitor-10-105-160-95 kernel[0]: AirPort: Link Up on awdl0
"""


def _code(text: str) -> list[Region]:
    return [Region(Kind.CODE, 0, len(text.split("\n")))]


def test_grep_run_on_real_hits() -> None:
    out = compact(GREP, _code(GREP)).text
    assert expand(out) == GREP
    assert out == (
        "[4 matches in site-packages/urllib3/util/ssltransport.py, as line number:text]\n"
        "200:    def settimeout(self, value: float | None) -> None:\n"
        "201:        self.socket.settimeout(value)\n"
        "203:    def gettimeout(self) -> float | None:\n"
        "204:        return self.socket.gettimeout()\n"
        "site-packages/urllib3/util/__init__.py:18:from .timeout import Timeout\n"
    )


def test_grep_with_context_lines() -> None:
    path = "src/tersify/compaction/engine.py"
    text = f"{path}-96-    if count is None:\n{path}:97:        from x import y\n{path}-98-    lines = 1\n"
    lines = text.split("\n")
    blocks = list(GrepForm().find(lines, _code(text)))
    assert blocks[0].lines[0] == f"[3 lines of {path}, as line number:text (line number-text for context)]"
    assert _expand_lines(blocks[0].lines) == lines[:3]


GREP_GROUPS = """\
proj/tersify/model/architecture.py-59-        except OSError as exc:
proj/tersify/model/architecture.py:60:            raise TersifyError(f"cannot load encoder from {path}: {exc}") from exc
proj/tersify/model/architecture.py-61-    model_type = enc.pop("model_type", "modernbert")
--
proj/tersify/model/architecture.py-100-            if features is None:
proj/tersify/model/architecture.py:101:                raise TersifyError("this model needs per-token features (tersify.features)")
proj/tersify/model/architecture.py-102-            embeds = self.encoder.get_input_embeddings()(input_ids) + self.feature_embedding(features)
--
proj/tersify/tokenizer.py-115-        if not path.is_file():
proj/tersify/tokenizer.py:116:            raise TersifyError(f"tokenizer file not found: {path}")
"""


def test_grep_context_groups_of_one_file_stay_in_one_run() -> None:
    out = compact(GREP_GROUPS, _code(GREP_GROUPS)).text
    assert expand(out) == GREP_GROUPS
    assert out.split("\n")[:9] == [
        "[7 lines of proj/tersify/model/architecture.py, as line number:text "
        "(line number-text for context, -- between groups)]",
        "59-        except OSError as exc:",
        '60:            raise TersifyError(f"cannot load encoder from {path}: {exc}") from exc',
        '61-    model_type = enc.pop("model_type", "modernbert")',
        "--",
        "100-            if features is None:",
        '101:                raise TersifyError("this model needs per-token features (tersify.features)")',
        "102-            embeds = self.encoder.get_input_embeddings()(input_ids) + self.feature_embedding(features)",
        "--",
    ]


def test_grep_leaves_other_code_alone() -> None:
    text = "x = {'a:1:b': 2}\nfoo:1:bar\nbaz:2:qux\n"
    assert list(GrepForm().find(text.split("\n"), _code(text))) == []


def test_back_reference_on_real_bgl_lines() -> None:
    out = compact(BGL).text
    assert expand(out) == BGL
    assert out.split("\n")[0] == (
        '[the next 3 lines follow "- {0} 2005.06.03 {1} 2005-06-03-{2} {1} RAS KERNEL INFO instruction cache'
        " parity error corrected\"; each row below holds one line's {} values]"
    )
    assert out.split("\n")[1] == "1117838570 R02-M1-N0-C:J12-U11 15.42.50.675872"


def test_dot_and_dash_cut_compounds_never_numbers() -> None:
    def text(words: list[str]) -> str:
        return build_template([split(f"at {w} done") for w in words]).text

    assert text(["2005-06-03-15.42.50", "2005-06-03-16.47.20"]) == "at 2005-06-03-{} done"
    assert text(["10.251.73.220", "10.251.43.115"]) == "at 10.251.{} done"
    assert text(["10.251.73.220", "10.250.43.115"]) == "at {} done"  # not "10.{}"
    assert text(["0.2870619", "0.2505140"]) == "at {} done"  # not "0.{}"
    assert text(["-6952295868487656571", "-4741127506068309449"]) == "at {} done"
    assert text(["1.0", "2.0"]) == "at {} done"  # not "{}.0"


def test_head_pattern_on_real_mac_lines() -> None:
    lines = MAC.split("\n")
    blocks = [b for b in PatternForm().find(lines, [Region(Kind.LOG, 0, len(lines))])]
    assert blocks
    block = blocks[0]
    assert block.lines[:3] == (
        "[the next 6 lines use 1 pattern; a row is a pattern's name, then its {} values;"
        " a last {} takes the rest of the row]",
        'A "Jul  1 09:{} calvisitor-10-105-160-95 {}"',
        "A 01:06 QQ[10018]: FA||Url||taskID[2019352994] dealloc",
    )
    assert _expand_lines(block.lines) == lines[block.start : block.stop]


_WORD = st.sampled_from(["a", "b", "x1", "x2", "{}", "{0}", "7", "-", "q:1", "\\", "[z]"])
_LINE = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, min_size=3, max_size=30), st.sampled_from([Kind.LOG, Kind.CODE, Kind.PROSE]))
def test_every_proposed_block_expands_exactly(rows: list[str], kind: Kind) -> None:
    text = "\n".join(rows) + "\n"
    lines = text.split("\n")
    regions = [Region(kind, 0, len(lines))]
    for form in (PatternForm(), GrepForm()):
        for block in form.find(lines, regions):
            assert _expand_lines(block.lines) == lines[block.start : block.stop]


_PATH = st.sampled_from(["src/a.py", "a-1-b.c", "lib/x y.txt", "p"])
_HIT = st.tuples(_PATH, st.integers(0, 999), st.sampled_from([":", "-"]), _LINE).map(
    lambda t: f"{t[0]}{t[2]}{t[1]}{t[2]}{t[3]}"
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_HIT | st.sampled_from(["--", "--\r", "-"]), min_size=1, max_size=20))
def test_grep_blocks_expand_exactly(rows: list[str]) -> None:
    text = "\n".join(rows) + "\n"
    lines = text.split("\n")
    with patch.object(grep, "MIN_SAVED_CHARS", 0):
        blocks = list(GrepForm().find(lines, _code(text)))
    for block in blocks:
        assert _expand_lines(block.lines) == lines[block.start : block.stop]
    assert expand(compact(text, _code(text)).text) == text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_WORD, min_size=4, max_size=4), min_size=2, max_size=8), st.booleans())
def test_templates_with_back_references_fill_back(rows: list[list[str]], tail: bool) -> None:
    splits = [split(" ".join(r)) for r in rows]
    if tail:
        splits = [[*s[:5], "".join(s[5:]), ""] for s in splits]
    template = build_template(splits, tail=tail)
    if template is None:
        return
    for r, s in zip(rows, splits, strict=True):
        assert fill(template.text, template.row(s)) == " ".join(r)


FAILURES = """\
E   AssertionError: assert 98 == 99
     +  where 98 = parse_price('0.99')
/tmp/work/shop/tests/test_cart.py:8: AssertionError: assert 98 == 99
E   AssertionError: assert 198 == 199
     +  where 198 = parse_price('1.99')
/tmp/work/shop/tests/test_cart.py:8: AssertionError: assert 198 == 199
E   AssertionError: assert 298 == 299
     +  where 298 = parse_price('2.99')
/tmp/work/shop/tests/test_cart.py:8: AssertionError: assert 298 == 299
E   AssertionError: assert 398 == 399
     +  where 398 = parse_price('3.99')
/tmp/work/shop/tests/test_cart.py:8: AssertionError: assert 398 == 399
"""


def test_sections_on_real_pytest_failures() -> None:
    regions = [Region(Kind.ERROR, 0, 12), Region(Kind.BLANK, 12, 13)]
    out = compact(FAILURES, regions).text
    assert expand(out) == FAILURES
    assert out == (
        "[the next 4 sections of 3 lines follow the 3 templates below; each row after them holds one"
        " section's {} values]\n"
        '"E   AssertionError: assert {0} == {1}"\n'
        "\"     +  where {0} = parse_price('{2}.99')\"\n"
        '"/tmp/work/shop/tests/test_cart.py:8: AssertionError: assert {0} == {1}"\n'
        "98 99 0\n198 199 1\n298 299 2\n398 399 3\n"
    )


def test_sections_leave_logs_and_diffs_to_others() -> None:
    lines = FAILURES.split("\n")
    for kind in (Kind.LOG, Kind.DIFF, Kind.JSON):
        assert list(SectionForm().find(lines, [Region(kind, 0, len(lines))])) == []


_VALUE = st.sampled_from(["1", "22", "x3", "4:5", "0.5", "-1", "10.2.3", "{1}"])
_BASE = st.lists(st.tuples(_LINE | st.just(""), st.sampled_from(["", "\r"])).map("".join), min_size=2, max_size=4)


@settings(max_examples=150, deadline=None)
@given(_BASE, st.integers(3, 8), st.data())
def test_sections_expand_exactly(base: list[str], count: int, data: st.DataObject) -> None:
    # Sections of one shape whose lines open with varying values; every proposed block
    # (the saving threshold off, so small ones are proposed too) expands exactly.
    rows = [f"{data.draw(_VALUE)} {line}" for _ in range(count) for line in base]
    text = "\n".join(rows) + "\n"
    lines = text.split("\n")
    with patch.object(sections, "MARKER_CHARS", -(10**9)):
        blocks = list(SectionForm().find(lines, [Region(Kind.TEST, 0, len(lines))]))
    for block in blocks:
        assert _expand_lines(block.lines) == lines[block.start : block.stop]
    assert expand(compact(text).text) == text
