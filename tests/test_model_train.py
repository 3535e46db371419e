"""Training side (torch): ONNX export agrees with torch; the trainer runs end to end; config errors."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tersify.errors import TersifyError  # noqa: E402
from tersify.scorers.onnx.features import REPEATED_LINE, SEEN, token_features  # noqa: E402
from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR, ModelScorer  # noqa: E402
from tersify.scorers.onnx.tokenizer import WordTokenizer, train_tokenizer  # noqa: E402
from tersify.text.segment import segment  # noqa: E402
from tersify_train.network.architecture import ModelConfig, build_model  # noqa: E402
from tersify_train.network.export import export_onnx  # noqa: E402
from tersify_train.network.scorer import TorchScorer  # noqa: E402
from tersify_train.train.config import TrainConfig, load_config  # noqa: E402
from tersify_train.train.trainer import lr_factor  # noqa: E402

TEXTS = [
    "FAILED tests/test_pricing.py::test_discount_rounding[5-50-3] - assert 2 == 3\n" * 3,
    '  File "/app/service.py", line 22, in load_settings\n    raw = _read(path)\n',
    "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_388 terminating\n" * 4,
    "Note: The process has been terminated because it exceeded the memory limit of 512 MB.\n",
]
TINY = {"model_type": "modernbert", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
        "num_attention_heads": 2, "layer_types": ["full_attention"]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.manual_seed(0)
    tok = WordTokenizer(train_tokenizer(TEXTS * 5, vocab_size=400))
    cfg = ModelConfig(encoder=dict(TINY), span_channels=8, max_length=32, features=True)
    model = build_model(cfg, tok.vocab_size).eval()
    torch.nn.init.normal_(model.feature_embedding.weight)  # trained models do not leave it at zero
    d = tmp_path_factory.mktemp("tiny")
    export_onnx(model, d / "model.onnx", 32)
    tok.save(d / "tokenizer.json")
    (d / "config.json").write_text(json.dumps({"max_length": 32, "context": 4}))
    return model, tok, d


def test_onnx_agrees_with_torch(tiny):
    model, tok, d = tiny
    onnx_scorer = ModelScorer(d, threads=1)
    torch_scorer = TorchScorer(model, tok, length=32, context=4)
    text = "".join(TEXTS) * 3  # long enough for many overlapping windows
    w = segment(text)
    enc = tok.encode(w)
    features = token_features(w, enc.word_of_token)
    assert {0, SEEN | REPEATED_LINE} <= set(features.tolist())
    a, b = onnx_scorer.token_scores(enc.ids, features), torch_scorer.token_scores(enc.ids, features)
    assert a.shape == b.shape == enc.ids.shape
    assert np.max(np.abs(a - b)) < 1e-4
    assert np.max(np.abs(a - onnx_scorer.token_scores(enc.ids))) > 1e-3  # the features matter
    assert np.array_equal(onnx_scorer.score(w) > 0.5, torch_scorer.score(w) > 0.5)


def test_lean_graph_is_smaller_and_other_encoders_export_their_own_forward(tiny, tmp_path):
    import onnx

    model, tok, d = tiny
    lean = onnx.load(str(d / "model.onnx"))
    assert [i.name for i in lean.graph.input] == ["input_ids", "features"]
    # Sliding-window attention has no lean graph: the Hugging Face forward is exported.
    torch.manual_seed(1)
    enc = dict(TINY, layer_types=["sliding_attention"], local_attention=8)
    sliding = build_model(ModelConfig(encoder=enc, span_channels=8, max_length=32, features=True),
                          tok.vocab_size).eval()
    export_onnx(sliding, tmp_path / "model.onnx", 32)
    for name in ("tokenizer.json", "config.json"):
        (tmp_path / name).write_bytes((d / name).read_bytes())
    full = onnx.load(str(tmp_path / "model.onnx"))
    assert [i.name for i in full.graph.input] == ["input_ids", "attention_mask", "features"]
    assert len(lean.graph.node) < 0.6 * len(full.graph.node)  # about half the nodes
    w = segment("".join(TEXTS) * 2)
    a = ModelScorer(tmp_path, threads=1).score(w)
    b = TorchScorer(sliding, tok, length=32, context=4).score(w)
    assert np.max(np.abs(a - b)) < 1e-4


def test_final_score_combines_the_heads(tiny):
    model, tok, _ = tiny
    ids = torch.from_numpy(tok.encode(segment(TEXTS[0])).ids[None, :32])
    with torch.no_grad():
        logits, span, final = model(ids, torch.ones_like(ids), torch.zeros_like(ids))
    p_keep = torch.softmax(logits, -1)[..., 1]
    assert torch.allclose(final, p_keep * (0.5 + 0.5 * span))
    assert ((span >= 0) & (span <= 1)).all()


def test_trainer_runs_end_to_end_and_is_deterministic(tmp_path, monkeypatch):
    from tersify_train.sources.records import PairRecord
    from tersify_train.train import trainer

    records = [PairRecord(t, None, "test", "unit") for t in TEXTS * 6]
    monkeypatch.setattr(trainer, "training_records", lambda cfg, report: records)
    monkeypatch.setattr(trainer, "eval_records", lambda names, log: {})

    def run(name):
        cfg = TrainConfig.from_dict({
            "run_dir": str(tmp_path / name), "model_dir": str(tmp_path / name / "model"), "vocab_size": 300,
            "context": 4, "data": {"holdout": 0.2}, "optim": {"epochs": 2, "batch_size": 4, "threads": 1},
            "model": {"encoder": dict(TINY), "max_length": 32, "span_channels": 8},
        })
        return trainer.train(cfg, log=lambda s: None)

    r1, r2 = run("a"), run("b")
    assert r1["final_eval"] == r2["final_eval"]
    assert (tmp_path / "a" / "epoch_2.pt").is_file()
    assert (tmp_path / "a" / "model" / "model.onnx").read_bytes() == (tmp_path / "b" / "model" / "model.onnx").read_bytes()
    scorer = ModelScorer(tmp_path / "a" / "model")
    assert scorer.score(segment(TEXTS[1])).shape == (len(segment(TEXTS[1])),)


def test_lr_schedule_warms_up_and_decays():
    f = [lr_factor(s, 100, 0.1) for s in range(100)]
    assert f[0] < f[9] == pytest.approx(1.0) and f[-1] < 0.01
    assert all(a >= b for a, b in zip(f[10:], f[11:], strict=False))


def test_config_errors_are_one_line(tmp_path):
    with pytest.raises(TersifyError, match="not found"):
        load_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"epochz": 3}')
    with pytest.raises(TersifyError, match="epochz"):
        load_config(bad)


def test_default_config_loads():
    from pathlib import Path

    cfg = load_config(Path(__file__).resolve().parent.parent / "configs" / "default.json")
    assert cfg.model.max_length == 256 and cfg.context == 32 and cfg.model.features
    assert cfg.optim.must_keep_weight == 6.0
    shipped = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text())
    assert shipped == {"max_length": cfg.model.max_length, "context": cfg.context}  # the shipped model is this one
    # Training writes to its run folder, never over the shipped model unless asked (--ship).
    assert cfg.model_path != DEFAULT_MODEL_DIR and not cfg.run_path.is_relative_to(DEFAULT_MODEL_DIR.parents[1])
