"""The ladder's configuration: one JSON file (the repository's ``configs/ladder.json``
unless another is given), its ``smoke`` section merged in for smoke runs.

Relative paths in it (``base_config``, ``runs_dir``, ``out_dir``) are relative to the
repository root, not to the working directory.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tersify.errors import TersifyError
from tersify.io import read_json_object
from tersify_train.paths import from_repo, repo_config
from tersify_train.train.recipe import DataConfig

LADDER_CONFIG_NAME = "ladder.json"  # under the repository's configs/


@dataclass
class LadderConfig:
    base_config: str = "configs/default.json"  # network shape, tokenizer size, optimiser
    runs_dir: str = "runs/ladder"  # checkpoints and cached results (git-ignored)
    out_dir: str = "docs"  # the table (.md, .json) and the plot (.png)
    seed: int = 0  # the rungs' one seed: data draws and training
    epochs: int = 3
    self_epochs: int = 2
    qa_weight: float = 3.0
    corrected_weight: float = 6.0
    sweep: list[float] = field(default_factory=lambda: [3.0, 6.0, 10.0])
    sweep_bases: list[str] = field(default_factory=lambda: ["v-corrected", "v-domain"])
    max_self_rounds: int = 3
    min_gain: float = 0.0
    self_lora: dict[str, Any] | None = None  # LoRA settings for the self-labelling rounds (None: full)
    # v-proxy: this many agent sessions of this many tool turns through the proxy (0 sessions: no v-proxy)
    proxy_sessions: int = 20
    proxy_turns: int = 30
    eval_sets: list[str] = field(default_factory=lambda: ["qa", "dense-v2", "agent"])
    eval_limit: int | None = None  # evaluate on the first N records of each set (smoke runs)
    baseline: str = "baseline"
    data: DataConfig = field(default_factory=DataConfig)  # the training recipe (its seed: ``seed``)
    train: dict[str, Any] = field(default_factory=dict)  # overrides of the base training config

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LadderConfig:
        d = dict(d)
        d.pop("smoke", None)
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise TersifyError(f"unknown ladder config keys: {', '.join(sorted(unknown))}")
        raw_data = dict(d.pop("data", {}))
        if "seed" in raw_data:
            raise TersifyError("ladder config: the data takes the ladder's seed (set 'seed' at the top level)")
        data = DataConfig.from_dict({**raw_data, "seed": d.get("seed", cls.seed)}, "ladder data config")
        try:
            cfg = cls(**d, data=data)
        except TypeError as exc:
            raise TersifyError(f"bad ladder config: {exc}") from exc
        if cfg.corrected_weight not in cfg.sweep:
            cfg.sweep = sorted({*cfg.sweep, cfg.corrected_weight})
        return cfg

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def runs_path(self) -> Path:
        return from_repo(self.runs_dir)

    @property
    def out_path(self) -> Path:
        return from_repo(self.out_dir)

    @property
    def base_config_path(self) -> Path:
        return from_repo(self.base_config)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, nested dicts merged key by key."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def load_ladder_config(path: str | Path | None = None, *, smoke: bool = False) -> LadderConfig:
    """The ladder config at ``path`` (default: the repository's); ``smoke`` merges its
    ``smoke`` section (tiny model, tiny data)."""
    raw = read_json_object(path if path is not None else repo_config(LADDER_CONFIG_NAME), "ladder config")
    if smoke:
        raw = deep_merge(raw, raw.get("smoke", {}))
    return LadderConfig.from_dict(raw)


__all__ = ["LADDER_CONFIG_NAME", "LadderConfig", "deep_merge", "load_ladder_config"]
