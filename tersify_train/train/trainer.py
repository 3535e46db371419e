"""The training run: config -> data -> tokenizer -> model -> checkpoints -> ONNX -> shipped files.

Deterministic for a config: seeded data, seeded initialisation and batch order, torch's
deterministic algorithms, a fixed number of threads. Each epoch writes a checkpoint to
``run_dir`` and evaluates on the eval sets (``agent``, ``dense``) with and without the
must-keep override. The last epoch is exported (the schedule decays to 0, so the last
epoch is the trained model; no selection on eval data).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from tersify.errors import TersifyError
from tersify.mustkeep import MustKeep
from tersify.scorers.onnx.tokenizer import PAD_ID, WordTokenizer, train_tokenizer
from tersify.text.segment import segment
from tersify_train.eval.progress import progress_bar
from tersify_train.network.architecture import DualHeadTokenClassifier, build_model
from tersify_train.network.export import export_onnx, quantize_if_faithful
from tersify_train.network.scorer import TorchScorer
from tersify_train.sources.evalsets import drop_eval_texts
from tersify_train.sources.records import PairRecord
from tersify_train.train.config import TrainConfig
from tersify_train.train.data import Windows, eval_records, label_record, split_holdout, to_windows
from tersify_train.train.recipe import training_records


def seed_everything(seed: int, threads: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, threads))
    torch.use_deterministic_algorithms(True)


def lr_factor(step: int, total: int, warmup: float) -> float:
    """Linear warm-up over ``warmup`` of the steps, then cosine decay to 0."""
    w = max(1, int(total * warmup))
    if step < w:
        return (step + 1) / w
    return 0.5 * (1.0 + math.cos(math.pi * (step - w) / max(1, total - w)))


def loss_fn(model: DualHeadTokenClassifier, batch: dict[str, torch.Tensor], span_weight: float) -> torch.Tensor:
    """Weighted token cross-entropy + weighted span BCE (weights: label correction; 0 on padding)."""
    logits, span, _ = model(batch["ids"], batch["mask"], batch["features"] if model.uses_features else None)
    w = batch["weights"]
    denom = w.sum().clamp_min(1e-6)
    tok = (F.cross_entropy(logits.transpose(1, 2), batch["labels"], reduction="none") * w).sum() / denom
    span_loss = (F.binary_cross_entropy(span.clamp(1e-6, 1 - 1e-6), batch["labels"].float(), reduction="none")
                 * w).sum() / denom
    return tok + span_weight * span_loss


def evaluate(scorer, sets: dict[str, list[PairRecord]]) -> dict[str, dict[str, float]]:
    """Metrics per eval set, with (``<set>``) and without (``<set>/no-override``) the override."""
    from tersify_train.eval.evaluate import evaluate_scorer

    out: dict[str, dict[str, float]] = {}
    for name, records in sets.items():
        out[name] = evaluate_scorer(scorer, records, override=True)
        out[f"{name}/no-override"] = evaluate_scorer(scorer, records, override=False)
    return out


def train(cfg: TrainConfig, log: Callable[[str], None] = print, epochs: int | None = None,
          records: list[PairRecord] | None = None) -> dict[str, Any]:
    """Run the whole pipeline for ``cfg``; returns the metrics written to ``run_dir/metrics.json``.
    ``records``: train on these instead of the config's data sources."""
    t_start = time.time()
    oc = cfg.optim
    seed_everything(cfg.seed, oc.threads)
    run_dir = cfg.run_path
    run_dir.mkdir(parents=True, exist_ok=True)
    length, context = cfg.model.max_length, cfg.context

    # Data: sources, minus anything that is also an eval text.
    records = training_records(cfg.data, report=log) if records is None else drop_eval_texts(records)
    sets = eval_records(cfg.eval_sets, log)
    if not records:
        raise TersifyError("no training records: the data sources are empty or unavailable")
    train_recs, held_recs = split_holdout(records, cfg.data.holdout, cfg.data.seed)
    if not sets:
        sets = {"holdout": held_recs}
    log(f"training on {len(train_recs)} records, {len(held_recs)} held out")

    from tersify.scorers.teacher import TeacherScorer

    teacher, mk = TeacherScorer(), MustKeep()
    with progress_bar() as prog:
        task = prog.add_task("labelling", total=len(train_recs), info="")
        labelled = []
        for r in train_recs:
            labelled.append(label_record(r, teacher, mk, oc.must_keep_weight, force=oc.force_must_keep,
                                             first_mention_weight=oc.first_mention_weight))
            prog.advance(task)
    keep_share = float(np.mean(np.concatenate([x.labels for x in labelled])))
    log(f"labelled {sum(len(x.labels) for x in labelled)} words, keep share {keep_share:.3f}")

    if cfg.init_from:  # continue an earlier run: its tokenizer, its weights below
        if not (Path(cfg.init_from) / "model.pt").is_file():
            raise TersifyError(f"init_from {cfg.init_from}: no model.pt there (train that run first)")
        tokenizer = WordTokenizer.load(Path(cfg.init_from) / "tokenizer.json")
    else:
        tokenizer = WordTokenizer(train_tokenizer((x.text for x in labelled), vocab_size=cfg.vocab_size))
    tokenizer.save(run_dir / "tokenizer.json")
    data = to_windows(labelled, tokenizer, length, context)
    n_tokens = int(data.mask.sum())
    log(f"tokenizer: {tokenizer.vocab_size} pieces; {len(data)} windows, {n_tokens} tokens")

    model = build_model(cfg.model, tokenizer.vocab_size, PAD_ID)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params:,} parameters")
    if cfg.init_from:
        model.load_state_dict(torch.load(Path(cfg.init_from) / "model.pt", weights_only=True)["model"])
        log(f"starting from {cfg.init_from}")
    adapted: list[str] = []
    if cfg.lora is not None:
        from tersify_train.train.lora import LoraSettings, adapted_summary, apply_lora, trainable_parameters

        model.encoder, adapted = apply_lora(model.encoder, LoraSettings.from_dict(cfg.lora))
        log(f"LoRA adapted {adapted_summary(adapted)}; trainable {trainable_parameters(model)[0]:,} parameters")
    optim = torch.optim.AdamW(model.parameters(), lr=oc.lr, weight_decay=oc.weight_decay)
    n_epochs = epochs if epochs is not None else oc.epochs
    steps_per_epoch = math.ceil(len(data) / oc.batch_size)
    total = steps_per_epoch * n_epochs
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lambda s: lr_factor(s, total, oc.warmup))
    gen = torch.Generator().manual_seed(cfg.seed)
    scorer = TorchScorer(model, tokenizer, length, context)
    history = []
    with progress_bar() as prog:
        for epoch in range(1, n_epochs + 1):
            task = prog.add_task(f"epoch {epoch}/{n_epochs}", total=steps_per_epoch, info="")
            model.train()
            order = torch.randperm(len(data), generator=gen).numpy()
            running = 0.0
            for k, b in enumerate(range(0, len(data), oc.batch_size)):
                loss = loss_fn(model, _batch(data, order[b : b + oc.batch_size]), oc.span_loss_weight)
                optim.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optim.step()
                sched.step()
                running = 0.98 * running + 0.02 * loss.item() if k else loss.item()
                prog.update(task, advance=1, info=f"loss {running:.4f}")
            prog.remove_task(task)
            torch.save({"model": model.state_dict(), "epoch": epoch, "config": cfg.to_dict()},
                       run_dir / f"epoch_{epoch}.pt")
            metrics = evaluate(scorer, sets)
            history.append({"epoch": epoch, "loss": running, "eval": metrics})
            log(f"epoch {epoch}: loss {running:.4f} " + _summary(metrics))

    model.eval()
    if adapted:
        from tersify_train.train.lora import merge_lora

        model.encoder = merge_lora(model.encoder)
    torch.save({"model": model.state_dict(), "config": cfg.to_dict()}, run_dir / "model.pt")  # plain weights
    result = export(model, tokenizer, cfg, held_recs, log)
    result.update({
        "parameters": n_params, "train_records": len(train_recs), "train_tokens": n_tokens,
        "label_keep_share": keep_share, "history": history, "final_eval": history[-1]["eval"] if history else {},
        "seconds": round(time.time() - t_start, 1), "lora_adapted": adapted,
    })
    (run_dir / "metrics.json").write_text(json.dumps(result, indent=2))
    return result


def _batch(data: Windows, idx: np.ndarray) -> dict[str, torch.Tensor]:
    return {
        "ids": torch.from_numpy(data.ids[idx]),
        "mask": torch.from_numpy(data.mask[idx]),
        "labels": torch.from_numpy(data.labels[idx]),
        "weights": torch.from_numpy(data.weights[idx]),
        "features": torch.from_numpy(data.features[idx]),
    }


def _summary(metrics: dict[str, dict[str, float]]) -> str:
    parts = []
    for name, m in metrics.items():
        parts.append(f"{name}: keep {m.get('keep_rate', float('nan')):.3f} "
                     f"mk {m.get('exact_keep_pct', float('nan')):.4f}")
    return " | ".join(parts)


def export(model: DualHeadTokenClassifier, tokenizer: WordTokenizer, cfg: TrainConfig,
           held: list[PairRecord], log: Callable[[str], None]) -> dict[str, Any]:
    """ONNX export to ``run_dir``, int8 if it agrees with fp32, then the shipped files to ``model_dir``."""
    from tersify.scorers.onnx.scorer import ModelScorer

    run_dir, model_dir = cfg.run_path, cfg.model_path
    staging = run_dir / "export"
    staging.mkdir(parents=True, exist_ok=True)
    fp32 = export_onnx(model, staging / "model.fp32.onnx", cfg.model.max_length)
    tokenizer.save(staging / "tokenizer.json")
    (staging / "config.json").write_text(json.dumps({"max_length": cfg.model.max_length, "context": cfg.context}))
    texts = [r.text for r in held]

    def decide(path: Path) -> np.ndarray:
        target = staging / "model.onnx"
        if Path(path) != target:
            target.write_bytes(Path(path).read_bytes())
        scorer = ModelScorer(staging, threads=1)
        return np.concatenate([scorer.score(segment(t)) > 0.5 for t in texts]) if texts else np.zeros(0, bool)

    if texts:
        int8, agreement = quantize_if_faithful(fp32, staging / "model.chosen.onnx", decide, cfg.min_int8_agreement,
                                               use=cfg.quantize)
    else:
        int8, agreement = False, float("nan")
        (staging / "model.chosen.onnx").write_bytes(fp32.read_bytes())
    if int8:
        reason = ""
    elif not cfg.quantize:
        reason = " (quantize is off in the config)"
    elif not texts:
        reason = " (no held-out texts to check int8 on)"
    else:
        reason = " (int8 agrees too little)"
    log(f"int8 keep decisions agree with fp32 on {agreement:.4%} of held-out words: "
        f"shipping {'int8' if int8 else 'fp32'}{reason}")
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "model.onnx").write_bytes((staging / "model.chosen.onnx").read_bytes())
    (model_dir / "tokenizer.json").write_bytes((staging / "tokenizer.json").read_bytes())
    (model_dir / "config.json").write_bytes((staging / "config.json").read_bytes())
    return {"int8": int8, "int8_agreement": agreement,
            "model_bytes": (model_dir / "model.onnx").stat().st_size,
            "tokenizer_bytes": (model_dir / "tokenizer.json").stat().st_size}
