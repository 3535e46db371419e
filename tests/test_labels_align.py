"""Silver labels: order-preserving alignment and label correction."""

from __future__ import annotations

import numpy as np
import pytest

from tersify.mustkeep import MustKeep
from tersify.text.segment import segment
from tersify_train.labels.align import align_labels
from tersify_train.labels.correct import DEFAULT_WEIGHT, correct_labels

HDFS = (
    "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 "
    "terminating\n"
    "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_-6952295868487656571 "
    "terminating"
)


def kept(result) -> list[str]:
    return [w for w, lab in zip(result.words.strings(), result.labels, strict=True) if lab]


def test_extractive_reference_aligns_exactly():
    ref = HDFS.splitlines()[0] + "\n081109 203807 222 INFO dfs.DataNode$PacketResponder: 0 blk_-6952295868487656571 terminating"
    r = align_labels(HDFS, ref)
    assert r.labels.dtype == np.int8
    assert r.variation_rate == 0.0 and r.alignment_gap == 0.0
    second = r.labels[11:].tolist()
    # PacketResponder, for and block of the second line are the dropped words
    assert second == [1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1]


def test_repeated_words_land_on_their_line():
    text = "ok a\nok b\nok c"
    r = align_labels(text, "ok c")
    assert r.labels.tolist() == [0, 0, 0, 0, 1, 1]


def test_case_insensitive_and_punctuation():
    r = align_labels("Error: Disk FULL.", "error disk full")
    assert r.labels.tolist() == [1, 1, 1]


def test_variation_and_gap():
    text = "alpha beta gamma delta"
    r = align_labels(text, "delta alpha omega")
    # delta aligns; alpha exists but only before delta (gap); omega absent (variation)
    assert kept(r) == ["delta"]
    assert r.variation_rate == pytest.approx(1 / 3)
    assert r.alignment_gap == pytest.approx(1 / 3)
    assert not r.passes()


def test_windowed_search_falls_back_beyond_window():
    text = " ".join(f"w{i}" for i in range(500)) + " target"
    r = align_labels(text, "target", window=10)
    assert r.labels[-1] == 1 and r.alignment_gap == 0.0


def test_correct_labels_forces_must_keep():
    words = segment("the process exited with code 139 after 3s")
    labels = np.zeros(len(words), dtype=np.int8)
    fixed, weights = correct_labels(words, labels)
    on = [w for w, lab in zip(words.strings(), fixed, strict=True) if lab]
    assert on == ["139", "3s"]
    assert weights.dtype == np.float32
    assert weights.tolist() == [1, 1, 1, 1, 1, DEFAULT_WEIGHT, 1, DEFAULT_WEIGHT]
    _, w3 = correct_labels(words, labels, weight=3.0)
    _, w10 = correct_labels(words, labels, must_keep=MustKeep(), weight=10.0)
    assert w3.max() == 3.0 and w10.max() == 10.0
    assert labels.sum() == 0  # input untouched


def test_correct_labels_accepts_mask_and_checks_shape():
    from tersify.errors import TersifyError

    words = segment("a b c")
    fixed, _ = correct_labels(words, np.zeros(3, dtype=np.int8), must_keep=np.array([False, True, False]))
    assert fixed.tolist() == [0, 1, 0]
    with pytest.raises(TersifyError):
        correct_labels(words, np.zeros(2, dtype=np.int8))
