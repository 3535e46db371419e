"""Whole-text repeat features: first mentions and repeated line templates."""

import numpy as np

from tersify.scorers.onnx.features import REPEATED_LINE, SEEN, repeat_features, token_features
from tersify.text.segment import segment


def test_later_mentions_and_repeated_templates_are_flagged():
    text = "INFO start block 12 ok\n\nINFO start block 13 ok\nthe Block, failed\n"
    w = segment(text)
    got = dict(zip(range(len(w)), repeat_features(w).tolist(), strict=True))
    both = SEEN | REPEATED_LINE
    # line 1: everything new; line 2: same template (values masked), all words seen but 13
    assert [got[i] for i in range(5)] == [0] * 5
    assert [got[i] for i in range(5, 10)] == [both, both, both, REPEATED_LINE, both]
    # line 3: a new template; "Block," is "block" once case and punctuation are set aside
    assert [got[i] for i in range(10, 13)] == [0, SEEN, 0]


def test_mentions_on_the_same_line_do_not_count():
    w = segment("retry retry retry\nretry\n")
    assert repeat_features(w).tolist() == [0, 0, 0, SEEN]


def test_whitespace_tokens_take_no_features():
    w = segment("a\na b")  # features [0, SEEN, 0]
    assert token_features(w, np.array([-1, 0, 1, -1, 1, 2])).tolist() == [0, 0, SEEN, 0, SEEN, 0]
    assert repeat_features(segment("")).shape == (0,)
