"""Label correction: a must-keep word is always a keep label, whatever the reference said,
and it weighs more in the loss. The seed raised that weight from 3.0 to 6.0 to stop the
model learning that numbers are droppable; both are selectable, 6.0 is the default."""

from __future__ import annotations

import numpy as np

from tersify.errors import TersifyError
from tersify.mustkeep import MustKeep
from tersify.text.segment import Words

DEFAULT_WEIGHT = 6.0
SEED_WEIGHTS: dict[str, float] = {"seed-v3": 3.0, "seed-v4": 6.0, "strong": 10.0}


def correct_labels(
    words: Words,
    labels: np.ndarray,
    *,
    must_keep: MustKeep | np.ndarray | None = None,
    weight: float = DEFAULT_WEIGHT,
) -> tuple[np.ndarray, np.ndarray]:
    """Force label 1 on must-keep words; return ``(labels int8, loss weights float32)``.

    ``must_keep``: a :class:`MustKeep` configuration (default: all categories) or a
    precomputed boolean word mask. Must-keep words get ``weight``, the others 1.0.
    """
    if labels.shape != (len(words),):
        raise TersifyError(f"labels have shape {labels.shape}, expected ({len(words)},)")
    if not weight > 0:
        raise TersifyError(f"must-keep weight must be positive, got {weight}")
    if isinstance(must_keep, np.ndarray):
        mask = must_keep.astype(bool)
    else:
        mask = (must_keep if must_keep is not None else MustKeep()).word_mask(words)
    out = labels.astype(np.int8, copy=True)
    out[mask] = 1
    weights = np.where(mask, np.float32(weight), np.float32(1.0)).astype(np.float32)
    return out, weights


__all__ = ["DEFAULT_WEIGHT", "SEED_WEIGHTS", "correct_labels"]
