import numpy as np

from tersify import compress, expand
from tersify.scorers.baseline import BaselineScorer
from tersify.text.segment import segment


def scores_of(text: str) -> dict[str, float]:
    words = segment(text)
    return dict(zip(words.strings(), BaselineScorer().score(words).tolist(), strict=False))


def test_function_words_low_content_words_high():
    s = scores_of("the cache was rebuilt for the worker")
    assert s["the"] < 0.5 < s["cache"]
    assert s["rebuilt"] > 0.5


def test_decoration_dropped_operators_kept():
    s = scores_of("======== x == y -> z")
    assert s["========"] == 0.0
    assert s["=="] > 0.5 and s["->"] > 0.5


def test_repeated_template_constants_drop_after_first_line():
    text = "PacketResponder 1 for block blk_1 terminating\nPacketResponder 2 for block blk_2 terminating\n"
    words = segment(text)
    scores = BaselineScorer().score(words)
    first, second = scores[:6], scores[6:]
    assert (first[[0, 3, 5]] > 0.5).all()
    assert (second[[0, 3, 5]] < 0.5).all()
    assert second[1] > 0.5  # the variable part stays


def test_scores_are_in_unit_interval_and_one_per_word():
    text = "a b c\n\nd"
    scores = BaselineScorer().score(segment(text))
    assert scores.shape == (4,) and ((scores >= 0) & (scores <= 1)).all() and scores.dtype == np.float32


def test_baseline_compresses_a_real_pytest_run_and_keeps_failures():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "samples" / "pytest_failures.txt").read_text()
    result = compress(text, scorer=BaselineScorer())
    assert result.stats.tokens_out < result.stats.tokens_in and result.stats.noise_words > 0
    for needle in ("test_discount_rounding[5-50-3] FAILED", "assert 2 == 3", "ValueError", "SKIPPED"):
        assert needle in expand(result.text)
