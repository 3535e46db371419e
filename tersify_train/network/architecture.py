"""Encoder -> token head (p_keep) and span head (smooth keep regions), as in the seed.

``final = p_keep * (0.5 + 0.5 * span)``: the span head can only lower a token's score,
by up to half, where the neighbourhood says "drop"; a word is kept when final > 0.5,
so it needs both heads to agree.

The default encoder is a small ModernBERT (transformers' ModernBERT classes, trained
from scratch here). Any Hugging Face encoder can be used instead: give ``encoder`` a
``model_type`` and its config fields, or a ``pretrained`` local directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from tersify.errors import TersifyError


@dataclass
class ModelConfig:
    """The network's shape. ``encoder``: either ``{"pretrained": "/local/dir"}`` or
    ``{"model_type": "modernbert", <config fields>}`` (vocab size is set from the tokenizer)."""

    encoder: dict[str, Any] = field(
        default_factory=lambda: {
            "model_type": "modernbert",
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "local_attention": 128,
        }
    )
    span_channels: int = 32
    span_kernel: int = 5
    max_length: int = 256
    # Whole-text repeat features (tersify.scorers.onnx.features) as a second input, embedded and
    # added to the token embeddings.
    features: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def build_encoder(config: ModelConfig, vocab_size: int, pad_id: int) -> nn.Module:
    from transformers import AutoConfig, AutoModel

    enc = dict(config.encoder)
    if "pretrained" in enc:
        path = enc["pretrained"]
        try:
            return AutoModel.from_pretrained(path, local_files_only=True, attn_implementation="eager")
        except OSError as exc:
            raise TersifyError(f"cannot load encoder from {path}: {exc}") from exc
    model_type = enc.pop("model_type", "modernbert")
    enc.setdefault("max_position_embeddings", max(config.max_length, 512))
    special = {"pad_token_id": pad_id, "bos_token_id": pad_id, "eos_token_id": pad_id}
    if model_type == "modernbert":
        special.update(cls_token_id=pad_id, sep_token_id=pad_id)
    hf_config = AutoConfig.for_model(model_type, vocab_size=vocab_size, **special, **enc)
    hf_config._attn_implementation = "eager"  # exportable to ONNX; same maths as sdpa
    return AutoModel.from_config(hf_config, attn_implementation="eager")


class DualHeadTokenClassifier(nn.Module):
    """Returns per-token keep logits [B,T,2], span probabilities [B,T] and final scores [B,T].

    With ``n_feature_values`` > 0 the model also takes per-token feature codes
    (:func:`tersify.scorers.onnx.features.repeat_features`), embedded and added to the token embeddings.
    """

    def __init__(self, encoder: nn.Module, hidden: int, span_channels: int = 32, span_kernel: int = 5,
                 n_feature_values: int = 0):
        super().__init__()
        self.encoder = encoder
        self.feature_embedding = nn.Embedding(n_feature_values, hidden) if n_feature_values else None
        if self.feature_embedding is not None:
            nn.init.zeros_(self.feature_embedding.weight)  # starts as the plain encoder
        self.token_head = nn.Linear(hidden, 2)
        pad = span_kernel // 2
        self.span_head = nn.Sequential(
            nn.Conv1d(hidden, span_channels, span_kernel, padding=pad),
            nn.GELU(),
            nn.Conv1d(span_channels, 1, span_kernel, padding=pad),
        )

    @property
    def uses_features(self) -> bool:
        return self.feature_embedding is not None

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                features: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        if self.feature_embedding is not None:
            if features is None:
                raise TersifyError("this model needs per-token features (tersify.scorers.onnx.features)")
            embeds = self.encoder.get_input_embeddings()(input_ids) + self.feature_embedding(features)
            h = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state
        else:
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.token_head(h)
        span = torch.sigmoid(self.span_head(h.transpose(1, 2)).squeeze(1))
        p_keep = torch.softmax(logits, dim=-1)[..., 1]
        final = p_keep * (0.5 + 0.5 * span)
        return logits, span, final


class ScoresOnly(nn.Module):
    """The exported graph: (input_ids, attention_mask[, features]) -> final scores."""

    def __init__(self, model: DualHeadTokenClassifier):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                features: torch.Tensor | None = None) -> torch.Tensor:
        return self.model(input_ids, attention_mask, features)[2]


def build_model(config: ModelConfig, vocab_size: int, pad_id: int = 0) -> DualHeadTokenClassifier:
    from tersify.scorers.onnx.features import N_FEATURE_VALUES

    encoder = build_encoder(config, vocab_size, pad_id)
    hidden = int(encoder.config.hidden_size)
    return DualHeadTokenClassifier(encoder, hidden, config.span_channels, config.span_kernel,
                                   N_FEATURE_VALUES if config.features else 0)
