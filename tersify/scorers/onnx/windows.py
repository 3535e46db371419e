"""Whole-text inference: cut a token sequence of any length into overlapping windows.

The model sees at most ``length`` tokens at a time. Windows overlap by at least
``2 * context`` tokens, and every token takes its score from the window whose centre is
nearest, so each token (except in the first/last ``context`` of the text) is scored with
at least ``context`` tokens of context on both sides. Nothing is truncated.

At inference the windows of one text share the narrowest width that keeps their number
minimal (:func:`window_plan`): a 300-token text is two windows of 182 tokens, not two of
256, so the model evaluates ``n + 2 * context`` per extra window and no more.
"""

from __future__ import annotations

import numpy as np


def window_starts(n_tokens: int, length: int, context: int) -> np.ndarray:
    """Start offsets of the windows covering ``n_tokens`` tokens (one window if it fits)."""
    if length <= 2 * context:
        raise ValueError(f"window length {length} must exceed twice the context {context}")
    if n_tokens <= length:
        return np.zeros(1, dtype=np.int64)
    stride = length - 2 * context
    starts = np.arange(0, n_tokens - length, stride, dtype=np.int64)
    return np.append(starts, n_tokens - length)  # the last window ends exactly at the text's end


def window_plan(n_tokens: int, length: int, context: int) -> tuple[np.ndarray, int]:
    """Window starts and their common width for scoring ``n_tokens`` tokens.

    As few windows as windows of ``length`` need, each as narrow as covering the text
    with ``2 * context`` of overlap allows (overlap beyond that is computed for nothing).
    """
    if n_tokens <= length:
        return window_starts(n_tokens, length, context), max(n_tokens, 0)
    stride = length - 2 * context
    count = -(-(n_tokens - length) // stride) + 1
    width = -(-(n_tokens + 2 * context * (count - 1)) // count)
    return window_starts(n_tokens, width, context), width


def window_owner(n_tokens: int, starts: np.ndarray, length: int) -> np.ndarray:
    """For each token, the index of the window whose centre is nearest to it."""
    centres = starts.astype(np.float64) + min(length, n_tokens) / 2.0
    midpoints = (centres[1:] + centres[:-1]) / 2.0
    return np.searchsorted(midpoints, np.arange(n_tokens, dtype=np.float64), side="right").astype(np.int64)


def stitch(window_scores: np.ndarray, starts: np.ndarray, n_tokens: int) -> np.ndarray:
    """Per-token scores from a [windows, length] score array."""
    length = window_scores.shape[1]
    owner = window_owner(n_tokens, starts, length)
    positions = np.arange(n_tokens, dtype=np.int64) - starts[owner]
    return window_scores[owner, positions]


def batched_windows(ids: np.ndarray, features: np.ndarray | None, length: int, context: int, batch_windows: int,
                    with_features: bool) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray | None]]]:
    """Cut a token sequence into the windows of :func:`window_plan`, in batches of at most
    ``batch_windows``: ``(starts, [(ids, features), ...])`` (features ``None`` unless
    ``with_features``; none given count as zeros)."""
    starts, width = window_plan(ids.shape[0], length, context)
    index = starts[:, None] + np.arange(width, dtype=np.int64)[None, :]
    windows = ids[index]
    feats = None
    if with_features:
        feats = features[index] if features is not None else np.zeros_like(windows)
    batches = [(windows[b : b + batch_windows], feats[b : b + batch_windows] if feats is not None else None)
               for b in range(0, windows.shape[0], batch_windows)]
    return starts, batches
