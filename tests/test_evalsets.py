"""The committed eval sets: sizes, contents, determinism, and separation from training data."""

from __future__ import annotations

import pytest

from tersify_train.eval.metrics import missing_by_category, protected_retention
from tersify_train.sources.evalsets import (
    EVAL_SEED,
    NAMES,
    build,
    drop_eval_texts,
    eval_texts,
    is_real_eval_text,
    load_evalset,
)


def test_sizes_and_fields():
    qa, dense, agent = (load_evalset(n) for n in ("qa", "dense", "agent"))
    assert len(qa) >= 40 and all(r.reference for r in qa)
    assert len(dense) >= 32 and all(r.reference is None for r in dense)
    assert len(agent) >= 200 and all(r.reference for r in agent)
    domains = {r.domain for r in agent}
    assert {"diff", "build", "json", "traceback", "test", "listing", "search", "http", "syslog"} <= domains
    assert len({r.domain for r in dense}) >= 6
    for name in NAMES:
        ids = [r.id for r in load_evalset(name)]
        assert len(set(ids)) == len(ids)


def test_qa_shows_the_seed_picture_and_agent_is_clean():
    qa = load_evalset("qa")
    report = missing_by_category([(r.text, r.reference) for r in qa])
    assert 0.6 <= report.mk_in_ref <= 0.8
    assert report.rows()[0][0] == "number"  # numbers are what Q&A references drop most
    agent = load_evalset("agent")
    assert missing_by_category([(r.text, r.reference) for r in agent]).mk_in_ref == 1.0
    assert all(protected_retention(r.text, r.reference) == 1.0 for r in agent)


def test_build_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    counts = build(first)
    assert build(second) == counts
    for name in counts:
        assert (first / f"{name}.jsonl").read_bytes() == (second / f"{name}.jsonl").read_bytes(), name


def test_eval_texts_never_in_training_sources():
    held_out = eval_texts()
    from tersify_train.sources.generators import DOMAINS, generate

    for domain in DOMAINS:
        assert not held_out & {r.text for r in generate(domain, 500, seed=0)}, domain
    from tersify_train.sources.loghub import windows

    assert not held_out & {r.text for r in windows(500, seed=0)}
    from tersify_train.sources.qa import qa_pairs

    assert not held_out & {r.text for r in qa_pairs(500, seed=0)}
    try:
        from tersify_train.sources.real import load_real_outputs
    except ImportError:
        pytest.skip("no harvested real outputs yet")
    real = load_real_outputs()
    training = [r for r in real if not is_real_eval_text(r.text)]
    assert not held_out & {r.text for r in training}


def test_drop_eval_texts():
    agent = load_evalset("agent")
    from tersify_train.sources.records import PairRecord

    fresh = PairRecord("a text no eval set has", None, "x", "y")
    assert drop_eval_texts([*agent[:3], fresh]) == [fresh]
    assert EVAL_SEED != 0
