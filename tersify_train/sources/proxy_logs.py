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


def export_pairs(db: str | Path, *, domain: str = "proxy") -> tuple[list[PairRecord], int]:
    """The pair log's records (``tersify logs export``): one per distinct original, its latest
    compression, in the order of those compressions; and how many pairs were left out because
    their output has budget markers. ``domain``: ``proxy``, or ``tool`` for the tool's name."""
    from tersify.budget import is_marker
    from tersify.compaction import expand
    from tersify.proxy.store import PairStore
    from tersify_train.eval.progress import track

    elided = 0
    with PairStore(db, create=False) as store:
        latest: dict[str, PairRecord] = {}  # one record per original, the newest compression wins
        for pair in track(store.pairs(), "reading pairs", total=store.count()):
            # The reference is what the model saw with compaction undone: the original with
            # words dropped (extractive). A budget's left-out lines are not a labelling decision.
            reference = expand(pair.compressed)
            if any(is_marker(line) for line in reference.split("\n")):
                elided += 1
                continue
            latest.pop(pair.original_hash, None)
            latest[pair.original_hash] = PairRecord(
                text=pair.original, reference=reference, domain=(pair.tool or "proxy") if domain == "tool" else "proxy",
                source=f"proxy:{pair.provider}", id=f"proxy-{pair.original_hash[:16]}",
            )
    return list(latest.values()), elided


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


__all__ = ["export_pairs", "proxy_pairs"]
