"""``tersify train``: train the learned compressor from a config and write the shipped model files."""

from __future__ import annotations

import argparse
import json

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
        "config's model_dir. Deterministic for a config.",
    )
    p.add_argument("--config", required=True, help="training config (JSON), e.g. configs/default.json")
    p.add_argument("--epochs", type=int, default=None, help="override the config's number of epochs")
    p.add_argument("--run-dir", default=None, help="override the config's run_dir (checkpoints, metrics)")
    p.add_argument("--model-dir", default=None, help="override the config's model_dir (shipped files)")
    p.set_defaults(func=run)


@needs_train(torch=True)
def run(args: argparse.Namespace) -> int:
    from tersify_train.train.config import load_config
    from tersify_train.train.trainer import train
    cfg = load_config(args.config)
    if args.run_dir:
        cfg.run_dir = args.run_dir
    if args.model_dir:
        cfg.model_dir = args.model_dir
    if args.epochs is not None and args.epochs < 1:
        raise TersifyError(f"--epochs must be >= 1, got {args.epochs}")
    result = train(cfg, epochs=args.epochs)
    summary = {k: result[k] for k in ("parameters", "train_tokens", "int8", "int8_agreement", "model_bytes",
                                      "seconds")}
    print(json.dumps({"final_eval": result["final_eval"], **summary}, indent=2))
    return 0
