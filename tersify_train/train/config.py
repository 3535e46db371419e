"""The training configuration: one JSON file says everything a run depends on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tersify.errors import TersifyError
from tersify.io import read_json_object
from tersify_train.network.architecture import ModelConfig
from tersify_train.paths import cache_dir, from_repo
from tersify_train.train.recipe import DataConfig


@dataclass
class OptimConfig:
    epochs: int = 4
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.01
    warmup: float = 0.06  # share of steps with a linear warm-up, then cosine decay to 0
    span_loss_weight: float = 0.5
    must_keep_weight: float = 6.0  # label-correction weight of must-keep words
    first_mention_weight: float = 6.0  # loss weight of kept first mentions of content words
    force_must_keep: bool = True  # label correction: must-keep words labelled keep (False: as the reference says)
    threads: int = 2


@dataclass
class TrainConfig:
    name: str = "default"
    seed: int = 0
    run_dir: str | None = None  # checkpoints, metrics, fp32 ONNX (None: the cache folder's runs/<name>)
    model_dir: str | None = None  # where the model files are written (None: <run_dir>/model)
    vocab_size: int = 8192
    context: int = 16  # tokens of context each side of a window's scored part
    eval_sets: list[str] = field(default_factory=lambda: ["agent", "dense"])
    quantize: bool = True  # ship int8 when it agrees with fp32 (measured either way)
    min_int8_agreement: float = 0.99
    init_from: str | None = None  # run_dir of an earlier run: start from its tokenizer and weights (model.pt)
    lora: dict[str, Any] | None = None  # LoRA on the encoder (tersify_train.train.lora.LoraSettings fields)
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def run_path(self) -> Path:
        """Where the run's checkpoints and metrics go: ``run_dir`` (relative to the repository
        root), else ``runs/<name>`` under the cache folder; never the source tree unless asked."""
        return from_repo(self.run_dir) if self.run_dir else cache_dir() / "runs" / self.name

    @property
    def model_path(self) -> Path:
        return from_repo(self.model_dir) if self.model_dir else self.run_path / "model"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        d = dict(d)
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise TersifyError(f"unknown training config keys: {', '.join(sorted(unknown))}")
        data = DataConfig.from_dict(d.pop("data", {}), "training data config")
        try:
            optim = OptimConfig(**d.pop("optim", {}))
            model = ModelConfig(**d.pop("model", {}))
            return cls(**d, data=data, optim=optim, model=model)
        except TypeError as exc:
            raise TersifyError(f"bad training config: {exc}") from exc


def load_config(path: str | Path) -> TrainConfig:
    return TrainConfig.from_dict(read_json_object(path, "config file"))
