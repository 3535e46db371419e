"""The engine keeps the non-overlapping blocks that save the most in all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tersify.compaction.engine import _best_set
from tersify.compaction.forms import Block


def _block(start: int, stop: int) -> Block:
    return Block("test", start, stop, ("[x]",))


def test_two_smaller_blocks_beat_one_that_covers_both() -> None:
    # A pytest -v listing: one pattern block over 130 lines saves 90 tokens; a sections block
    # over the first 90 lines and a template over the other 40 save 80 and 70.
    scored = [(90, 2, _block(0, 130)), (80, 6, _block(0, 90)), (70, 1, _block(90, 130))]
    assert [(b.start, b.stop, gain) for b, gain in _best_set(scored)] == [(0, 90, 80), (90, 130, 70)]


def test_one_large_block_beats_smaller_ones_that_save_less() -> None:
    scored = [(200, 2, _block(0, 130)), (80, 6, _block(0, 90)), (70, 1, _block(90, 130))]
    assert [(b.start, b.stop) for b, _ in _best_set(scored)] == [(0, 130)]


_SPAN = st.tuples(st.integers(0, 30), st.integers(1, 10), st.integers(1, 50))


@settings(max_examples=150, deadline=None)
@given(st.lists(_SPAN, max_size=9))
def test_best_set_is_optimal_and_disjoint(spans: list[tuple[int, int, int]]) -> None:
    scored = [(gain, i, _block(start, start + size)) for i, (start, size, gain) in enumerate(spans)]
    chosen = _best_set(scored)
    for (a, _), (b, _) in zip(chosen, chosen[1:], strict=False):
        assert a.stop <= b.start  # in text order, none overlapping
    best = 0
    for mask in range(1 << len(scored)):  # every subset, for a small list
        picked = sorted((scored[i] for i in range(len(scored)) if mask >> i & 1), key=lambda s: s[2].start)
        if all(x[2].stop <= y[2].start for x, y in zip(picked, picked[1:], strict=False)):
            best = max(best, sum(s[0] for s in picked))
    assert sum(gain for _, gain in chosen) == best
