"""The shipped model at run time: onnxruntime + tokenizers + numpy, no torch, nothing lost."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tersify import compress, expand
from tersify.errors import TersifyError
from tersify.scorers import get_scorer
from tersify.scorers.baseline import BaselineScorer
from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer
from tersify.scorers.onnx.windows import stitch, window_owner, window_plan, window_starts
from tersify.text.segment import segment

SAMPLE = (Path(__file__).resolve().parent.parent / "samples" / "pytest_failures.txt").read_text()


@pytest.fixture(scope="module")
def scorer() -> ModelScorer:
    return ModelScorer()


def test_shipped_model_is_small_and_complete():
    for name in ("model.onnx", "tokenizer.json", "config.json", "MODEL_CARD.md"):
        assert (DEFAULT_MODEL_DIR / name).is_file(), name
    total = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir())
    assert total <= 20 * 1024 * 1024


@pytest.mark.parametrize(("n", "length", "context"), [(1, 128, 16), (128, 128, 16), (129, 128, 16),
                                                      (1000, 128, 16), (5000, 64, 8)])
def test_windows_cover_every_token_with_context(n, length, context):
    starts = window_starts(n, length, context)
    owner = window_owner(n, starts, length)
    pos = np.arange(n) - starts[owner]
    width = min(length, n)
    assert (pos >= 0).all() and (pos < width).all()
    # away from the text's ends, every token has `context` tokens on both sides in its window
    inner = (np.arange(n) >= context) & (np.arange(n) < n - context)
    assert (pos[inner] >= context).all() and (pos[inner] < width - context).all()
    scores = np.tile(np.arange(width, dtype=np.float32), (len(starts), 1)) + starts[:, None]
    assert np.array_equal(stitch(scores, starts, n), np.arange(n, dtype=np.float32))


@pytest.mark.parametrize("n", [1, 200, 256, 257, 300, 448, 449, 1000, 1314, 5000, 100_003])
def test_window_plan_is_minimal_and_keeps_the_context(n):
    length, context = 256, 32
    starts, width = window_plan(n, length, context)
    assert width <= length and len(starts) == len(window_starts(n, length, context))
    assert starts[0] == 0 and starts[-1] + width == n
    owner = window_owner(n, starts, width)
    pos = np.arange(n) - starts[owner]
    inner = (np.arange(n) >= context) & (np.arange(n) < n - context)
    assert (pos >= 0).all() and (pos < width).all()
    assert (pos[inner] >= context).all() and (pos[inner] < width - context).all()
    if len(starts) > 1:  # no wider than k windows overlapping by 2 * context need
        assert width * len(starts) - 2 * context * (len(starts) - 1) < n + len(starts)


def test_scores_every_word(scorer):
    words = segment(SAMPLE)
    s = scorer.score(words)
    assert s.shape == (len(words),) and s.dtype == np.float32
    assert np.isfinite(s).all() and (s >= 0).all() and (s <= 1).all()


def test_parallel_tokenization_equals_whole_text_encoding(scorer):
    text = (SAMPLE.replace("\n", "  \n", 20) + "\n\n\tindented line\n") * 30
    w = segment(text)
    whole = scorer.tokenizer.encode(w, chunk_chars=10**12)
    pieces = scorer.tokenizer.encode(w, chunk_chars=500)
    assert np.array_equal(whole.ids, pieces.ids)
    assert np.array_equal(whole.word_of_token, pieces.word_of_token)
    assert set(whole.word_of_token.tolist()) - {-1} == set(range(len(w)))  # every word has tokens


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*"ab_9./:=-( )\n\t", "\u00e9", "\u3000", "\u00a0", "\x1c", "\x85", "\u2028",
                                 "\U0001f600", "\udcff", "  ", "\n    ", "error", "Error:"]), max_size=40).map("".join))
def test_cached_tokenization_equals_whole_text_encoding(scorer, text):
    # Small texts are encoded pre-token by pre-token through a cache (cold and warm here);
    # the result must be exactly the whole-text encoding of the Rust tokenizer.
    w = segment(text)
    if len(w) == 0:
        assert scorer.tokenizer.encode(w).ids.shape == (0,)
        return
    whole = _whole_text_encoding(scorer, w)
    scorer.tokenizer.clear_cache()  # the first encode meets every pre-token new, the second none
    for _ in range(2):
        got = scorer.tokenizer.encode(w)
        assert np.array_equal(got.ids, whole.ids)
        assert np.array_equal(got.word_of_token, whole.word_of_token)


def test_a_full_tokenizer_cache_empties_and_still_encodes_exactly(scorer, monkeypatch):
    import tersify.scorers.onnx.tokenizer as tokenizer_module

    monkeypatch.setattr(tokenizer_module, "CACHE_ENTRIES_MAX", 8)
    scorer.tokenizer.clear_cache()
    for text in [SAMPLE[:300], SAMPLE[200:900], SAMPLE[:300], "a b c d e f g h i j k"]:
        w = segment(text)
        got, whole = scorer.tokenizer.encode(w), _whole_text_encoding(scorer, w)
        assert np.array_equal(got.ids, whole.ids) and np.array_equal(got.word_of_token, whole.word_of_token)
        assert len(scorer.tokenizer._cache) <= max(8, len(w) + 1)  # emptied, then this text alone
    scorer.tokenizer.clear_cache()


def _whole_text_encoding(scorer, words):
    from tersify.scorers.onnx.tokenizer import safe_text, token_words

    enc = scorer.tokenizer.tokenizer.encode(safe_text(words.text), add_special_tokens=False)
    ends = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)[:, 1]
    return type(scorer.tokenizer.encode(words))(np.asarray(enc.ids, dtype=np.int64), token_words(words, ends))


def test_deterministic(scorer):
    a = compress(SAMPLE, scorer=scorer)
    b = compress(SAMPLE, scorer=scorer)
    assert a.text == b.text and np.array_equal(a.scores, b.scores)


def test_must_keep_token_straddling_a_chunk_boundary_survives(scorer):
    path = "/var/lib/postgresql/data/pg_wal/000000010000000A0000003F.partial"
    filler = "the build finished and then the service was started again by the supervisor " * 20
    # shift the path until its tokens are scored by two different windows
    for pad in range(2 * scorer.length):
        text = "x " * pad + path + " was not found " + filler
        w = segment(text)
        enc = scorer.tokenizer.encode(w)
        tokens = np.flatnonzero(enc.word_of_token == pad)
        starts, width = window_plan(enc.ids.shape[0], scorer.length, scorer.context)
        owners = window_owner(enc.ids.shape[0], starts, width)[tokens]
        if len(set(owners.tolist())) == 2:
            break
    else:
        pytest.fail("could not place the path across a window boundary")
    assert tokens.shape[0] >= 2
    result = compress(text, scorer=scorer)
    assert path in result.text and "not found" in result.text


def test_hundred_thousand_lines_lose_no_line(scorer):
    text = "".join(f"row {i} ok\n" for i in range(100_000))
    scores = scorer.score(segment(text))  # the model over every window of a long text
    assert scores.shape == (300_000,) and np.isfinite(scores).all()
    result = compress(text, scorer=scorer)  # one template: compacted, nothing left to drop
    assert expand(result.text) == text


def test_runtime_imports_no_torch_nor_training_side_and_needs_no_network():
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('network disabled')\n"
        "socket.socket = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "import tersify\n"
        "r = tersify.compress('exit code 139 after SIGSEGV in /app/main.py, not retried')\n"
        "assert r.stats.scorer == 'model', r.stats.scorer  # the shipped model is the default\n"
        "assert '139' in r.text and 'SIGSEGV' in r.text and 'not' in r.text, r.text\n"
        "print(','.join(m for m in ('torch', 'transformers', 'peft', 'tersify_train') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def _copy_model(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    return d


def test_missing_model_file_names_the_path(tmp_path):
    d = _copy_model(tmp_path)
    (d / "model.onnx").unlink()
    with pytest.raises(TersifyError, match=str(d / "model.onnx")):
        ModelScorer(d)
    assert "139" in compress("exit 139", scorer=BaselineScorer()).text


def test_corrupt_model_file_names_the_path(tmp_path):
    d = _copy_model(tmp_path)
    (d / "model.onnx").write_bytes(b"this is not an onnx model")
    with pytest.raises(TersifyError, match=str(d / "model.onnx")):
        ModelScorer(d)
    (d / "model.onnx").write_bytes((DEFAULT_MODEL_DIR / "model.onnx").read_bytes())
    (d / "tokenizer.json").write_text("{not json")
    with pytest.raises(TersifyError, match=str(d / "tokenizer.json")):
        ModelScorer(d)
    assert "139" in compress("exit 139", scorer=get_scorer("baseline")).text


def test_default_scorer_falls_back_to_baseline_with_a_warning(tmp_path, monkeypatch):
    import tersify.scorers as scoring
    from tersify.scorers.onnx.scorer import ModelScorer

    monkeypatch.setitem(scoring.SCORERS, "broken", (lambda: ModelScorer(), "test"))
    monkeypatch.setattr(scoring, "DEFAULT_SCORER", "broken")
    monkeypatch.setattr("tersify.scorers.onnx.scorer.DEFAULT_MODEL_DIR", tmp_path / "nowhere")
    scoring._warn_fallback.cache_clear()
    with pytest.warns(RuntimeWarning, match="nowhere"):
        s = scoring.default_scorer()
    assert s.name == "baseline"
    assert "139" in compress("exit code 139").text


def test_cli_reports_a_broken_model_in_one_line(tmp_path, monkeypatch, capsys):
    from tersify.cli import main

    monkeypatch.setattr("tersify.scorers.onnx.scorer.DEFAULT_MODEL_DIR", tmp_path / "gone")
    get_scorer.cache_clear()
    try:
        f = tmp_path / "in.txt"
        f.write_text("exit 139\n")
        assert main(["compress", str(f), "--scorer", "model"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(tmp_path / "gone") in err[0]
    finally:
        get_scorer.cache_clear()


def test_model_version_names_the_model_file(tmp_path):
    import hashlib

    from tersify.scorers.onnx.scorer import ModelScorer

    scorer = ModelScorer()
    digest = hashlib.sha256((DEFAULT_MODEL_DIR / "model.onnx").read_bytes()).hexdigest()
    assert scorer.version == digest[:12]


def test_concurrent_calls_give_the_sequential_outputs(scorer, monkeypatch):
    # The proxy compresses in threads; the word and pre-token caches are shared and, with
    # small limits, emptied while other calls use them.
    from concurrent.futures import ThreadPoolExecutor

    import tersify.mustkeep.engine as mustkeep_module
    import tersify.scorers.onnx.tokenizer as tokenizer_module

    texts = [SAMPLE[i : i + 400 + 37 * (i % 5)] for i in range(0, 4000, 97)]
    expected = [compress(t, scorer=scorer).text for t in texts]
    monkeypatch.setattr(tokenizer_module, "CACHE_ENTRIES_MAX", 16)
    monkeypatch.setattr(mustkeep_module, "_WORD_CACHE_ENTRIES", 16)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: compress(t, scorer=scorer).text, texts * 3))
    assert got == expected * 3


def test_background_scoring_equals_scoring_in_place():
    # start() runs the model on an onnxruntime thread (for a text with new words); a pool
    # of one thread cannot, and falls back to running it in place. All give the same scores.
    background, single = ModelScorer(), ModelScorer(threads=1)
    texts = [SAMPLE, SAMPLE[:300], "one", "x = 1\n" * 4000]  # the last: 83 windows, two batches
    for text in texts:
        words = segment(text)
        expected = background.score(words)
        for s in (background, single):
            s.tokenizer.clear_cache()
            assert np.allclose(s.start(words)(), expected, atol=1e-5)
    assert background._background and not single._background
    # While a background run is in flight (the slot is taken), another call scores in place.
    words = segment(SAMPLE)
    background.tokenizer.clear_cache()
    assert background._background_slot.acquire(blocking=False)
    try:
        assert np.allclose(background.start(words)(), background.score(words), atol=1e-6)
    finally:
        background._background_slot.release()
    background.tokenizer.clear_cache()
    assert np.allclose(background.start(words)(), background.score(words), atol=1e-6)
    assert background._background_slot.acquire(blocking=False)  # freed when the run ended
    background._background_slot.release()


def test_only_texts_with_new_words_run_in_the_background():
    # A text whose pre-tokens were all seen before has little uncached work to overlap:
    # it runs in place on all threads.
    class CountingSession:
        def __init__(self, session):
            self.session, self.background_runs = session, 0

        def run_async(self, names, feeds, callback, user_data):
            self.background_runs += 1
            return self.session.run_async(names, feeds, callback, user_data)

        def run(self, names, feeds):
            return self.session.run(names, feeds)

    counting = ModelScorer()
    counting.session = CountingSession(counting.session)
    words = segment(SAMPLE)
    first = counting.start(words)()
    assert counting.session.background_runs == 1
    assert np.allclose(counting.start(words)(), first, atol=1e-6)
    assert counting.session.background_runs == 1


def test_a_failed_background_run_raises_a_clear_error(scorer, monkeypatch):
    class FailingSession:
        def __init__(self, session):
            self.session = session

        def run_async(self, names, feeds, callback, user_data):
            callback([], user_data, "out of memory")

        def run(self, names, feeds):
            return self.session.run(names, feeds)

    broken = ModelScorer()
    broken.session = FailingSession(broken.session)
    words = segment(SAMPLE[:500])
    assert np.allclose(broken.score(words), scorer.score(words), atol=1e-6)  # in place: unaffected
    broken.tokenizer.clear_cache()  # new words: start() runs in the background
    with pytest.raises(TersifyError, match="model inference failed: out of memory"):
        broken.start(words)()


def test_scorers_without_start_are_scored_when_asked():
    from tersify.scorers import start_scoring

    words = segment(SAMPLE)
    pending = start_scoring(BaselineScorer(), words)
    assert np.array_equal(pending(), BaselineScorer().score(words))
