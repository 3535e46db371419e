"""Q&A-style pairs: extractive references that drop intermediate numbers (mk_in_ref ~0.7)."""

from __future__ import annotations

from tersify.mustkeep import MustKeep
from tersify_train.eval.metrics import missing_by_category, mk_in_ref
from tersify_train.sources.pairs import is_extractive
from tersify_train.sources.qa import SEED_TEXT, qa_pairs, render


def test_seed_pair_first():
    seed = qa_pairs(5, seed=0)[0]
    assert seed.text == SEED_TEXT
    words = seed.reference.split()
    for kept in ("512-token", "22", "~3ms", "O(n²)"):
        assert kept in words
    for dropped in ("262,144", "5,767,168"):
        assert dropped not in seed.reference


def test_records_shape_and_determinism():
    a = qa_pairs(120, seed=4)
    assert a == qa_pairs(120, seed=4)
    assert [r.text for r in qa_pairs(120, seed=5)] != [r.text for r in a]
    assert all(r.domain == "qa" and r.source == "qa:synthetic" and r.reference for r in a)
    assert len({r.id for r in a}) == 120
    assert len({r.text for r in a}) >= 110


def test_references_are_extractive_word_subsequences():
    for r in qa_pairs(200, seed=0):
        assert is_extractive(r.text, r.reference)
        ref = r.reference.split()
        it = iter(r.text.split())
        assert all(w in it for w in ref)  # subsequence of the text's words
        assert len(ref) < len(r.text.split())


def test_mk_in_ref_reproduces_the_seed_picture():
    pairs = [(r.text, r.reference) for r in qa_pairs(300, seed=0)]
    value = mk_in_ref(pairs, must_keep=MustKeep())
    assert 0.6 <= value <= 0.8
    report = missing_by_category(pairs)
    # Numbers are what a Q&A reference drops most.
    assert report.rows()[0][0] == "number"


def test_topics_vary():
    texts = " ".join(r.text for r in qa_pairs(200, seed=0))
    for word in ("PostgreSQL", "TCP", "GPU", "Linux", "Raft", "SSD", "register", "HTTP/2"):
        assert word in texts


def test_render_markup():
    text, ref = render("The cache holds ^512 entries. !This is a side remark with 7 items.")
    assert text == "The cache holds 512 entries. This is a side remark with 7 items."
    assert ref == "cache holds entries."
    text, ref = render("!Aside has 7 items.", drop_asides=False)
    assert ref == "Aside 7 items."
