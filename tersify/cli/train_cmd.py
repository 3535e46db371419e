"""``tersify train``: train the learned compressor from a config and write the shipped model files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tersify.cli.extra import needs_train
from tersify.errors import TersifyError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train the learned compressor (needs the train extra: torch, transformers, onnx)",
        description="Build the training data (teacher-labelled generator outputs, loghub windows, Q&A pairs, "
        "real command outputs), train the tokenizer and the dual-head model on this CPU, evaluate on the "
        "agent and dense sets every epoch, export to ONNX (int8 only if its keep decisions agree with fp32 "
        "on >= 99% of held-out words) and write model.onnx, tokenizer.json and config.json to the "
        "run's model folder (--out DIR: DIR/model), or over the shipped model with --ship. Deterministic "
        "for a config.",
    )
    p.add_argument("--config", required=True, help="training config (JSON), e.g. configs/default.json")
    p.add_argument("--epochs", type=int, default=None, help="override the config's number of epochs")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="where the run goes: checkpoints, metrics and the model files in DIR/model (default: the "
                   "config's run_dir, else runs/<name> under the cache folder, ~/.cache/tersify)")
    p.add_argument("--ship", action="store_true",
                   help="write the model files over the shipped default model (tersify/assets/default) instead of "
                   "the run's model folder: rebuilding the shipped model")
    p.set_defaults(func=run)


@needs_train(torch=True)
def run(args: argparse.Namespace) -> int:
    from tersify_train.train.config import load_config
    from tersify_train.train.trainer import train

    cfg = load_config(args.config)
    if args.out:
        cfg.run_dir, cfg.model_dir = str(Path(args.out).resolve()), None
    if args.ship:
        from tersify.scorers.onnx.scorer import DEFAULT_MODEL_DIR

        cfg.model_dir = str(DEFAULT_MODEL_DIR)
    if args.epochs is not None and args.epochs < 1:
        raise TersifyError(f"--epochs must be >= 1, got {args.epochs}")
    result = train(cfg, epochs=args.epochs)
    summary = {k: result[k] for k in ("parameters", "train_tokens", "int8", "int8_agreement", "model_bytes",
                                      "seconds")}
    print(json.dumps({"final_eval": result["final_eval"], **summary, "model_dir": str(cfg.model_path)}, indent=2))
    return 0
