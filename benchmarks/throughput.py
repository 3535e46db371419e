"""Throughput of compress() on the bundled corpus: words/s and MB/s.

Two figures: the non-model path (segmentation + must-keep detection + selection +
rebuild, with a scorer that costs nothing) and the whole of compress() with each
rules-based scorer. Run: python benchmarks/throughput.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from _common import clear_caches

from tersify import compress
from tersify.scorers import get_scorer

ROOT = Path(__file__).resolve().parents[1]


def bundled_corpus() -> list[tuple[str, str]]:
    """(name, text) of every tool output and log that ships in the repo."""
    items = [(p.name, p.read_text(errors="surrogateescape")) for p in sorted((ROOT / "samples").glob("*.txt"))]
    items += [(p.name, p.read_text(errors="surrogateescape"))
              for p in sorted((ROOT / "data" / "loghub").glob("*/*.log"))]
    real = ROOT / "tersify" / "data" / "corpus" / "real_outputs.jsonl"
    if real.exists():
        texts = [json.loads(line)["text"] for line in real.read_text().splitlines() if line.strip()]
        items.append(("real_outputs", "\n".join(texts)))
    return items


class FreeScorer:
    """Constant scores: isolates everything but the scorer."""

    name = "free"

    def score(self, words):
        return np.full(len(words), 0.4, dtype=np.float32)


def measure(corpus: list[tuple[str, str]], scorer, repeat: int) -> tuple[float, float]:
    n_words = sum(len(t.split()) for _, t in corpus)
    n_bytes = sum(len(t.encode("utf-8", errors="surrogateescape")) for _, t in corpus)
    runs = []
    for _ in range(repeat):
        clear_caches()  # every pass starts cold: remembered words would flatter repeated passes
        t0 = time.perf_counter()
        for _, text in corpus:
            compress(text, scorer=scorer)
        runs.append(time.perf_counter() - t0)
    best = statistics.median(runs)
    return n_words / best, n_bytes / best / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the corpus (median is reported)")
    args = parser.parse_args()
    corpus = bundled_corpus()
    n_words = sum(len(t.split()) for _, t in corpus)
    size = sum(len(t) for _, t in corpus) / 1e6
    print(f"corpus: {len(corpus)} items, {n_words:,} words, {size:.1f} M chars; "
          f"{platform.processor() or platform.machine()}, python {platform.python_version()}")
    compress(corpus[0][1])  # warm-up: imports, regex compilation
    rows = [("non-model path (free scorer)", FreeScorer())]
    rows += [(f"compress(), scorer={name}", get_scorer(name)) for name in ("baseline",)]
    for label, scorer in rows:
        wps, mbps = measure(corpus, scorer, args.repeat)
        print(f"{label:34s} {wps:12,.0f} words/s {mbps:8.2f} MB/s")
    # Small texts: the agent eval set (one tool output per call) shows the fixed cost per call.
    from tersify_train.sources.evalsets import load_evalset

    items = [(r.id or "", r.text) for r in load_evalset("agent")]
    wps, mbps = measure(items, FreeScorer(), args.repeat)
    per_call_ms = sum(len(t.split()) for _, t in items) / wps / len(items) * 1000
    print(f"{'non-model path, agent set':34s} {wps:12,.0f} words/s {mbps:8.2f} MB/s "
          f"({len(items)} items, {per_call_ms:.2f} ms per call)")


if __name__ == "__main__":
    main()
