"""The inference graph of a ModernBERT-encoder scorer, with the fewest ONNX nodes.

The runtime scores windows that are never padded, one text at a time, so most of what
the Hugging Face forward puts into an exported graph is dead weight there: building
attention masks from ``attention_mask``, computing rotary angles from positions on
every call, slicing and concatenating for ``rotate_half``. On a model of this size each
ONNX node costs about as much as its arithmetic, so those nodes are most of the time.

:class:`LeanScorer` computes the same scores from the same weights for unpadded input:

* rotary ``cos``/``sin`` are tables over ``max_positions`` positions, sliced per call;
* ``rotate_half(q)`` is linear in ``q``, so it is folded into the query/key projection:
  one matmul yields ``[q | k]``, ``rotate_half([q | k])`` and ``v`` (the attention scale
  folded into the query rows), and one multiply-add rotates q and k together;
* the token head's two logits become one (``softmax(l)[1] == sigmoid(l1 - l0)``);
* there is no mask input: every position attends to every other one (layers must use
  full attention).

Its agreement with the training-time model is tested (``tests/test_model_train.py``).
"""

from __future__ import annotations

import torch
from torch import nn

from tersify_train.network.architecture import DualHeadTokenClassifier


def lean_supported(model: DualHeadTokenClassifier) -> bool:
    """Whether the encoder is a ModernBERT with full attention in every layer."""
    config = getattr(model.encoder, "config", None)
    if getattr(config, "model_type", None) != "modernbert":
        return False
    return all(t == "full_attention" for t in config.layer_types)


def _rotate_half_matrix(heads: int, head_dim: int) -> torch.Tensor:
    """``R`` with ``x @ R == rotate_half(x)`` for each head's slice of ``x``."""
    half = head_dim // 2
    block = torch.zeros(head_dim, head_dim)
    block[half:, :half] = -torch.eye(half)  # output[:half] = -x[half:]
    block[:half, half:] = torch.eye(half)  # output[half:] = x[:half]
    return torch.block_diag(*[block] * heads)


class _LeanLayer(nn.Module):
    def __init__(self, layer: nn.Module, heads: int, head_dim: int):
        super().__init__()
        hidden = heads * head_dim
        self.heads, self.head_dim, self.hidden = heads, head_dim, hidden
        self.attn_norm = layer.attn_norm
        self.mlp_norm = layer.mlp_norm
        self.act = layer.mlp.act
        self.intermediate = layer.mlp.Wo.in_features
        self.Wo, self.mlp_Wi, self.mlp_Wo = layer.attn.Wo, layer.mlp.Wi, layer.mlp.Wo
        # One projection for [q | k], rotate_half([q | k]) and v; the scale is folded into q.
        w = layer.attn.Wqkv.weight.detach()  # [3 * hidden, hidden]; rows: q, k, v
        b = layer.attn.Wqkv.bias
        b = b.detach() if b is not None else torch.zeros(3 * hidden)
        rot = _rotate_half_matrix(heads, head_dim)
        scale = head_dim**-0.5
        wq, wk, wv = w[:hidden] * scale, w[hidden : 2 * hidden], w[2 * hidden :]
        bq, bk, bv = b[:hidden] * scale, b[hidden : 2 * hidden], b[2 * hidden :]
        # (x W^T + b) R == x (R^T W)^T + b R
        weight = torch.cat([wq, wk, rot.T @ wq, rot.T @ wk, wv])
        bias = torch.cat([bq, bk, bq @ rot, bk @ rot, bv])
        self.qkv = nn.Linear(hidden, 5 * hidden)
        with torch.no_grad():
            self.qkv.weight.copy_(weight)
            self.qkv.bias.copy_(bias)

    def forward(self, h: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        batch, length = h.shape[0], h.shape[1]
        hidden, heads, head_dim = self.hidden, self.heads, self.head_dim
        plain, rotated, v = self.qkv(self.attn_norm(h)).split([2 * hidden, 2 * hidden, hidden], dim=-1)
        q, k = (plain * cos + rotated * sin).split(hidden, dim=-1)  # rotary embedding, both at once
        q = q.reshape(batch, length, heads, head_dim).transpose(1, 2)
        k = k.reshape(batch, length, heads, head_dim).permute(0, 2, 3, 1)
        v = v.reshape(batch, length, heads, head_dim).transpose(1, 2)
        attn = (torch.softmax(q @ k, dim=-1) @ v).transpose(1, 2).reshape(batch, length, hidden)
        h = h + self.Wo(attn)
        a, g = self.mlp_Wi(self.mlp_norm(h)).split(self.intermediate, dim=-1)
        return h + self.mlp_Wo(self.act(a) * g)


class LeanScorer(nn.Module):
    """``input_ids [batch, length] (, features) -> final scores [batch, length]``, for unpadded windows."""

    def __init__(self, model: DualHeadTokenClassifier, max_positions: int):
        super().__init__()
        if not lean_supported(model):
            raise ValueError("the lean graph needs a ModernBERT encoder with full attention in every layer")
        enc = model.encoder
        config = enc.config
        heads = int(config.num_attention_heads)
        head_dim = int(config.hidden_size) // heads
        self.embed, self.embed_norm = enc.embeddings.tok_embeddings, enc.embeddings.norm
        self.feature_embedding = model.feature_embedding
        self.layers = nn.ModuleList([_LeanLayer(layer, heads, head_dim) for layer in enc.layers])
        self.final_norm = enc.final_norm
        self.span_head = model.span_head
        rotary = enc.rotary_emb
        inv_freq = rotary.full_attention_inv_freq.float()
        scaling = float(rotary.full_attention_attention_scaling)
        freqs = torch.arange(max_positions, dtype=torch.float32)[:, None] * inv_freq[None, :]
        # Per position, the angles of every q and k column: [q heads | k heads] x [freqs, freqs].
        angles = torch.cat([freqs, freqs], dim=-1).repeat(1, 2 * heads)
        self.register_buffer("cos", angles.cos() * scaling, persistent=False)
        self.register_buffer("sin", angles.sin() * scaling, persistent=False)
        # softmax(logits)[..., 1] == sigmoid(logit_keep - logit_drop): one output column.
        head_w, head_b = model.token_head.weight.detach(), model.token_head.bias.detach()
        self.keep_logit = nn.Linear(head_w.shape[1], 1)
        with torch.no_grad():
            self.keep_logit.weight.copy_(head_w[1:] - head_w[:1])
            self.keep_logit.bias.copy_(head_b[1:] - head_b[:1])

    def forward(self, input_ids: torch.Tensor, features: torch.Tensor | None = None) -> torch.Tensor:
        length = input_ids.shape[1]
        cos, sin = self.cos[:length], self.sin[:length]
        h = self.embed(input_ids)
        if self.feature_embedding is not None:
            h = h + self.feature_embedding(features)
        h = self.embed_norm(h)
        for layer in self.layers:
            h = layer(h, cos, sin)
        h = self.final_norm(h)
        p_keep = torch.sigmoid(self.keep_logit(h))[..., 0]
        span = torch.sigmoid(self.span_head(h.transpose(1, 2))[:, 0])
        return p_keep * (0.5 + 0.5 * span)
