"""LoRA on a tiny, randomly initialised ModernBERT (offline): which modules are adapted,
a clear error for a target that matches nothing, merging, and the trainer's LoRA option."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from tersify.errors import TersifyError  # noqa: E402
from tersify_train.network.architecture import ModelConfig, build_encoder  # noqa: E402
from tersify_train.train.lora import (  # noqa: E402
    MODERNBERT_TARGETS,
    LoraSettings,
    apply_lora,
    check_targets,
    merge_lora,
    trainable_parameters,
)

TINY = {"model_type": "modernbert", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 2, "layer_types": ["full_attention", "full_attention"]}


def tiny_encoder():
    torch.manual_seed(0)
    return build_encoder(ModelConfig(encoder=dict(TINY), max_length=32), vocab_size=100, pad_id=0).eval()


def test_modernbert_defaults_adapt_wqkv_and_wo():
    assert MODERNBERT_TARGETS == ("Wqkv", "Wo")
    wrapped, adapted = apply_lora(tiny_encoder(), LoraSettings())
    # Wqkv: the attention's fused projection; Wo: the attention output *and* the MLP output.
    for layer in (0, 1):
        assert f"layers.{layer}.attn.Wqkv" in adapted
        assert f"layers.{layer}.attn.Wo" in adapted
        assert f"layers.{layer}.mlp.Wo" in adapted
        assert f"layers.{layer}.mlp.Wi" not in adapted
    assert len(adapted) == 6
    trainable, total = trainable_parameters(wrapped)
    assert 0 < trainable < total
    assert all("lora_" in n for n, p in wrapped.named_parameters() if p.requires_grad)


def test_target_matching_nothing_is_a_clear_error():
    enc = tiny_encoder()
    with pytest.raises(TersifyError) as err:
        apply_lora(enc, LoraSettings(target_modules=["Wqkv", "q_proj"]))
    msg = str(err.value)
    assert "'q_proj'" in msg and "match nothing" in msg
    assert "Wqkv" in msg.split("adaptable module names:")[1]  # names what would have matched
    with pytest.raises(TersifyError):
        LoraSettings.from_dict({"target_modules": []})
    with pytest.raises(TersifyError):
        LoraSettings.from_dict({"rank": 4})


def test_check_targets_lists_the_matches():
    found = check_targets(tiny_encoder(), ["Wi"])
    assert found == {"Wi": ["layers.0.mlp.Wi", "layers.1.mlp.Wi"]}


def test_merge_gives_the_same_outputs_and_a_plain_encoder():
    wrapped, _ = apply_lora(tiny_encoder(), LoraSettings(r=4))
    with torch.no_grad():  # make the adapters do something
        for n, p in wrapped.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.1)
    ids = torch.randint(2, 100, (2, 12))
    mask = torch.ones_like(ids)
    with torch.no_grad():
        before = wrapped(input_ids=ids, attention_mask=mask).last_hidden_state
    plain = merge_lora(wrapped)
    assert not any("lora" in n for n, _ in plain.named_parameters())
    with torch.no_grad():
        after = plain(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(before, after, atol=1e-5)


def test_trainer_lora_option_reports_adapted_modules(tmp_path, monkeypatch):
    from tersify_train.sources.records import PairRecord
    from tersify_train.train import trainer
    from tersify_train.train.config import TrainConfig

    texts = ["FAILED tests/test_a.py::test_x - assert 2 == 3\n", "error: cannot open /etc/app.conf (errno 13)\n",
             "Note: the build has been skipped because it was not needed.\n"]
    records = [PairRecord(t * 2, None, "test", "unit") for t in texts * 4]
    monkeypatch.setattr(trainer, "eval_records", lambda names, log: {})
    base = {"vocab_size": 300, "context": 4, "quantize": False, "data": {"holdout": 0.2},
            "optim": {"epochs": 1, "batch_size": 4, "threads": 1},
            "model": {"encoder": dict(TINY), "max_length": 32, "span_channels": 8}}
    first = TrainConfig.from_dict({**base, "run_dir": str(tmp_path / "a"), "model_dir": str(tmp_path / "a/m")})
    trainer.train(first, log=lambda s: None, records=records)
    assert (tmp_path / "a" / "model.pt").is_file()
    logs: list[str] = []
    second = TrainConfig.from_dict({**base, "run_dir": str(tmp_path / "b"), "model_dir": str(tmp_path / "b/m"),
                                    "init_from": str(tmp_path / "a"), "lora": {"r": 2}})
    result = trainer.train(second, log=logs.append, records=records)
    assert sorted({n.rsplit(".", 2)[-2] + "." + n.rsplit(".", 1)[-1] for n in result["lora_adapted"]}) == [
        "attn.Wo", "attn.Wqkv", "mlp.Wo"]
    assert any("LoRA adapted" in line for line in logs)
    assert any("starting from" in line for line in logs)
    state = torch.load(tmp_path / "b" / "model.pt", weights_only=True)["model"]
    assert not any("lora" in k for k in state)  # merged: loadable as a plain model
    assert (tmp_path / "b" / "m" / "model.onnx").is_file()
