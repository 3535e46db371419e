"""LoRA fine-tuning of the encoder through ``peft``, for any Hugging Face encoder.

Which modules get adapters is named in the training config (``"lora": {"target_modules":
[...]}``); for ModernBERT the defaults are ``Wqkv`` (the fused query/key/value projection)
and ``Wo``. A name matches a module whose dotted path ends with it, as in ``peft``, so
``Wo`` adapts both ModernBERT's attention output (``attn.Wo``) and its MLP output
(``mlp.Wo``). Every run reports the modules that were actually adapted, and a name that
matches nothing is an error rather than a silent no-op (the seed's run adapted other
modules than it meant to, and only found out afterwards).

Only the encoder gets adapters; the token and span heads stay fully trainable. Before
export the adapters are merged into the encoder, so the exported graph is a plain model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from torch import nn

from tersify.errors import TersifyError

MODERNBERT_TARGETS: tuple[str, ...] = ("Wqkv", "Wo")
# Layer types peft's LoRA can wrap; a name that only matches other modules is an error too.
_ADAPTABLE = (nn.Linear, nn.Embedding, nn.Conv1d, nn.Conv2d)


@dataclass
class LoraSettings:
    """LoRA hyper-parameters (``peft.LoraConfig``'s names)."""

    r: int = 8
    alpha: int = 16
    dropout: float = 0.0
    target_modules: list[str] = field(default_factory=lambda: list(MODERNBERT_TARGETS))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LoraSettings:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise TersifyError(f"unknown LoRA config keys: {', '.join(sorted(unknown))}")
        settings = cls(**d)
        if settings.r < 1:
            raise TersifyError(f"LoRA rank r must be >= 1, got {settings.r}")
        if not settings.target_modules:
            raise TersifyError("LoRA target_modules is empty: name at least one module (e.g. Wqkv, Wo)")
        return settings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _matches(name: str, target: str) -> bool:
    return name == target or name.endswith("." + target)


def matching_modules(module: nn.Module, target: str) -> list[str]:
    """Dotted names of the adaptable modules of ``module`` that ``target`` names."""
    return [n for n, m in module.named_modules() if n and _matches(n, target) and isinstance(m, _ADAPTABLE)]


def adaptable_names(module: nn.Module) -> list[str]:
    """The distinct last components of adaptable module names: what a target may name."""
    return sorted({n.rsplit(".", 1)[-1] for n, m in module.named_modules() if n and isinstance(m, _ADAPTABLE)})


def check_targets(encoder: nn.Module, targets: list[str]) -> dict[str, list[str]]:
    """Target -> the modules it matches; raises :class:`TersifyError` naming every target
    that matches nothing, with the names that would match."""
    found = {t: matching_modules(encoder, t) for t in targets}
    missing = [t for t, names in found.items() if not names]
    if missing:
        raise TersifyError(
            f"LoRA target module(s) {', '.join(repr(t) for t in missing)} match nothing in the encoder "
            f"({type(encoder).__name__}); adaptable module names: {', '.join(adaptable_names(encoder))}"
        )
    return found


def apply_lora(encoder: nn.Module, settings: LoraSettings) -> tuple[nn.Module, list[str]]:
    """Wrap ``encoder`` with LoRA adapters on ``settings.target_modules``.

    Returns the wrapped encoder (its base weights frozen) and the dotted names of the
    modules that received an adapter, as ``peft`` reports them.
    """
    from peft import LoraConfig, get_peft_model
    from peft.tuners.lora import LoraLayer

    check_targets(encoder, settings.target_modules)
    config = LoraConfig(r=settings.r, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                        target_modules=list(settings.target_modules), bias="none")
    wrapped = get_peft_model(encoder, config)
    prefix = "base_model.model."
    adapted = sorted(n[len(prefix):] if n.startswith(prefix) else n
                     for n, m in wrapped.named_modules() if isinstance(m, LoraLayer))
    if not adapted:  # check_targets passed, so peft disagreeing with it is a bug worth stopping on
        raise TersifyError(f"peft adapted no module for targets {settings.target_modules}")
    return wrapped, adapted


def merge_lora(encoder: nn.Module) -> nn.Module:
    """The plain encoder with the adapters merged into its weights (no-op if not wrapped)."""
    from peft import PeftModel

    if isinstance(encoder, PeftModel):
        merged = encoder.merge_and_unload()
        for p in merged.parameters():
            p.requires_grad_(True)
        return merged
    return encoder


def trainable_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


def adapted_summary(adapted: list[str]) -> str:
    """One line: how many modules, and which kinds (last name components)."""
    kinds = sorted({n.rsplit(".", 1)[-1] for n in adapted})
    parents = sorted({".".join(n.rsplit(".", 2)[-2:]) for n in adapted})
    return f"{len(adapted)} modules ({', '.join(kinds)}): {', '.join(parents)}"


__all__ = ["MODERNBERT_TARGETS", "LoraSettings", "adaptable_names", "adapted_summary", "apply_lora",
           "check_targets", "matching_modules", "merge_lora", "trainable_parameters"]
