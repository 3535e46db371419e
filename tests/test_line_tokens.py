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


@settings(max_examples=200, deadline=None)
@given(lines_strategy.map(lambda lines: lines * 3))
def test_compaction_chooses_as_with_whole_counts(lines):
    text = "\n".join(lines)
    assert compact(text) == compact(text, count=count_tokens)
