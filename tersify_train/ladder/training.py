"""Training one rung: the base training config with the rung's settings, into the rung's
own folder under ``runs_dir`` (never the shipped model's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tersify_train.ladder.config import deep_merge
from tersify_train.sources.records import PairRecord
from tersify_train.train.config import TrainConfig


def train_rung(name: str, spec: dict[str, Any], records: list[PairRecord], *, base_train: dict[str, Any],
               runs: Path, seed: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train rung ``name`` as ``spec`` says on ``records``; its model goes to ``runs/name/model``."""
    # The trainer imports torch: imported here so reading tables and cached rows does not.
    from tersify_train.train.trainer import train

    run_dir = runs / name
    d = deep_merge(base_train, {
        "name": name, "seed": seed, "run_dir": str(run_dir), "model_dir": str(run_dir / "model"),
        "eval_sets": [], "optim": {"epochs": spec["epochs"], "must_keep_weight": spec["weight"],
                                   "force_must_keep": spec["force"]},
    })
    if spec.get("parent"):  # self-labelling and v-proxy continue from the model that labelled their data
        d["init_from"] = str(runs / spec["parent"])
        d["lora"] = spec["lora"]
    return train(TrainConfig.from_dict(d), log=lambda s: log(f"{name}: {s}"), records=records)


def last_loss(result: dict[str, Any]) -> float | None:
    hist = result.get("history") or []
    return float(hist[-1]["loss"]) if hist else None


__all__ = ["last_loss", "train_rung"]
