"""Self-distillation data from the proxy: the pair records of ``tersify logs export``.

Every compression the proxy makes is an (original tool output, compressed output) pair
made by the current model in a real agent context. Exported as JSONL pair records, they
are a training source like any other: the compressed output is the reference. A user who
retrains on their own traffic points the ladder (or their own training run) at that file.

The references are the production model's outputs *with* the must-keep override, so
they are extractive and keep every must-keep span; a line that is not (a hand-edited or
corrupted file) is rejected and reported by :func:`tersify_train.sources.pairs.load_pairs`.
"""

from __future__ import annotations

import random
from pathlib import Path

from tersify.errors import TersifyError
from tersify_train.sources.pairs import load_pairs
from tersify_train.sources.records import PairRecord


def proxy_pairs(path: str | Path, *, limit: int | None = None, seed: int = 0, quiet: bool = True) -> list[PairRecord]:
    """The records of a proxy pair-log export, minus any whose text is an eval text.

    ``limit``: at most this many records, a seeded sample in file order (the export is
    ordered by time, so a sample keeps old and new traffic alike). Bad lines are left out
    and reported (see :func:`~tersify_train.sources.pairs.load_pairs`); a file with no usable
    record is an error, since training on nothing would hide the problem.
    """
    records = load_pairs(path, require_reference=True, extractive=True, strict=False, quiet=quiet)
    if not records:
        raise TersifyError(f"{path}: no usable pair records ({records.report.summary()})")
    from tersify_train.sources.evalsets import drop_eval_texts

    kept = drop_eval_texts(list(records))
    if limit is not None and 0 <= limit < len(kept):
        chosen = sorted(random.Random(f"proxy-{seed}").sample(range(len(kept)), limit))
        kept = [kept[i] for i in chosen]
    return kept


__all__ = ["proxy_pairs"]
