"""What the benchmarks share: cold-cache resets, the corpora, the zero-cost scorers and the
timed cold pass."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tersify import compress
from tersify.mustkeep import clear_caches as _clear_mustkeep
from tersify.text.lexicon import clear_caches as _clear_templates

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "samples"


def clear_caches() -> None:
    """Forget every word remembered across calls (must-keep spans, line-template words), so a
    pass starts cold; a tokenizer's cache is its own."""
    _clear_mustkeep()
    _clear_templates()


# --- corpora ------------------------------------------------------------------------------------


def sample_files() -> list[Path]:
    """The repository's sample tool outputs (``samples/*.txt``)."""
    return sorted(SAMPLES_DIR.glob("*.txt"))


def bundled_corpus() -> list[tuple[str, str]]:
    """(name, text) of every tool output and log in the repository: the samples, the
    loghub logs, and the real-output corpus as one text."""
    items = [(p.name, p.read_text(errors="surrogateescape")) for p in sample_files()]
    items += [(p.name, p.read_text(errors="surrogateescape"))
              for p in sorted((ROOT / "data" / "loghub").glob("*/*.log"))]
    real = ROOT / "data" / "corpus" / "real_outputs.jsonl"
    if real.exists():
        texts = [json.loads(line)["text"] for line in real.read_text().splitlines() if line.strip()]
        items.append(("real_outputs", "\n".join(texts)))
    return items


def evalset_texts(name: str) -> tuple[list[str], str]:
    """The texts of eval set ``name`` and what they are; the samples when the eval sets
    (the training side's data) are not available."""
    try:
        from tersify_train.sources.evalsets import load_evalset

        return [r.text for r in load_evalset(name)], name
    except ImportError:
        return [p.read_text() for p in sample_files()], "samples (eval set unavailable)"


# --- zero-cost scorers --------------------------------------------------------------------------


class FreeScorer:
    """Constant scores: isolates everything but the scorer (no tokenizer, no model)."""

    name = "free"

    def score(self, words):
        return np.full(len(words), 0.4, dtype=np.float32)


class ZeroCostSession:
    """Stands in for a model scorer's onnxruntime session: scores of zero for every token,
    at no cost (the tokenizer and windowing still run)."""

    def run(self, _outputs, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.zeros(feeds["input_ids"].shape, dtype=np.float32)]


# --- timing -------------------------------------------------------------------------------------


def cold_pass(texts: Sequence[str], scorer) -> list[float]:
    """Seconds of ``compress()`` per text, in one pass that starts cold: words and
    pre-tokens remembered from earlier passes over the same texts would flatter the figures
    (within a pass, texts share them)."""
    clear_caches()
    tokenizer = getattr(scorer, "tokenizer", None)
    if tokenizer is not None:
        tokenizer.clear_cache()
    per_text = []
    for text in texts:
        t0 = time.perf_counter()
        compress(text, scorer=scorer)
        per_text.append(time.perf_counter() - t0)
    return per_text
