"""Counting runs of lines line by line gives exactly the count of the run as one text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction import compact
from tersify.tokens import LineTokens, count_tokens

# Characters around which o200k's pre-tokenizer joins or splits pieces: whitespace of every
# kind, slashes, punctuation, contractions, letters of both cases, digits, undecodable bytes.
PARTS = list(" \t\r/.:-_'\"sdtreAbcZé😀19\x0b\x0c\x1c\x85\xa0\u2028\u3000\udcff,;{}[]()!?#") + [
    "'s", "'ll", "http://", "//", " /", "\r\r", "ERROR", "2024-01-01",
]
lines_strategy = st.lists(st.lists(st.sampled_from(PARTS), max_size=8).map("".join), min_size=1, max_size=10)


@settings(max_examples=3000, deadline=None)
@given(lines_strategy, st.data())
def test_a_run_counts_as_its_text(lines, data):
    runs = LineTokens(lines)
    start = data.draw(st.integers(0, len(lines) - 1))
    stop = data.draw(st.integers(start + 1, len(lines)))
    assert runs.run(start, stop) == count_tokens("\n".join(lines[start:stop]) + "\n")
    assert runs.run(start, stop) == count_tokens("\n".join(lines[start:stop]) + "\n")  # from memory too
    # The whole text, some lines counted before (by the run above), the others not yet.
    assert runs.total() == count_tokens("\n".join(lines)) == LineTokens(lines).total()


@settings(max_examples=200, deadline=None)
@given(lines_strategy.map(lambda lines: lines * 3))
def test_compaction_chooses_as_with_whole_counts(lines):
    text = "\n".join(lines)
    fast, whole = compact(text), compact(text, count=count_tokens)
    assert (fast.text, fast.blocks, fast.line_kinds, fast.tokens_saved) == (
        whole.text, whole.blocks, whole.line_kinds, whole.tokens_saved)


LINES = [
    "INFO dfs.DataNode: PacketResponder 1 for block blk_38865049064139660 terminating",
    "INFO dfs.DataNode: PacketResponder 2 for block blk_-6952295868487656571 terminating",
    "[previous line repeated 3 more times]",
    "  indented 12 line",
    "/usr/lib/x 14",
    "",
    "é 😀 done.",
]
texts = st.lists(
    st.one_of(st.sampled_from(LINES), st.lists(st.sampled_from(PARTS), max_size=6).map("".join),
              st.tuples(st.sampled_from(LINES), st.integers(2, 6)).map(lambda t: "\n".join([t[0]] * t[1]))),
    max_size=30,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.booleans())
def test_compress_counts_tokens_exactly(text, final_newline):
    from tersify import compress

    text += "\n" if final_newline else ""
    for result in (compress(text, lossless=True), compress(text, scorer="baseline")):
        assert result.stats.tokens_in == count_tokens(text)
        assert result.stats.tokens_out == count_tokens(result.text)
