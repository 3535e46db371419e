"""Throughput of compress() on the bundled corpus: words/s and MB/s.

Two figures: the non-model path (segmentation + must-keep detection + selection +
rebuild, with a scorer that costs nothing) and the whole of compress() with each
rules-based scorer. Run: python benchmarks/throughput.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics

from _common import FreeScorer, bundled_corpus, cold_pass

from tersify import compress
from tersify.scorers import get_scorer


def measure(corpus: list[tuple[str, str]], scorer, repeat: int) -> tuple[float, float]:
    """Words/s and MB/s of compress() over ``corpus``: the median of ``repeat`` cold passes."""
    n_words = sum(len(t.split()) for _, t in corpus)
    n_bytes = sum(len(t.encode("utf-8", errors="surrogateescape")) for _, t in corpus)
    texts = [t for _, t in corpus]
    best = statistics.median(sum(cold_pass(texts, scorer)) for _ in range(repeat))
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
