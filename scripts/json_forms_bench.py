"""Measure the JSON compaction forms: o200k tokens in/out per document and pooled, and speed.

Usage::

    PYTHONPATH=. python scripts/json_forms_bench.py [FILE.json ...]

Without files it measures the JSON documents found in the real command outputs of
``data/corpus/real_outputs.jsonl``. Documents used for the figures in the
report were made with, e.g.: ``pip inspect``, ``pip list --format json``, ``jq .`` of
that, ``npm ls --json [--all]`` in npm's own directory, ``python -m json.tool`` of a
boto3 resource file, ``node -e 'console.log(JSON.stringify(process.config,null,2))'``,
and ``cat`` of JSON files in site-packages (SBOMs, schemas, package.json).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tersify.compaction import compact, expand
from tersify.regions import Kind, Region
from tersify.tokens import count_tokens

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "real_outputs.jsonl"


def json_regions(lines: list[str]) -> list[Region]:
    """JSON documents of ``lines`` (greedy, longest first), the other lines as prose."""
    regions: list[Region] = []
    i = at = 0
    n = len(lines)
    while i < n:
        found = 0
        if lines[i][:1] in "{[":
            for j in range(n, i, -1):
                try:
                    json.loads("\n".join(lines[i:j]))
                except ValueError:
                    continue
                found = j
                break
        if found:
            if at < i:
                regions.append(Region(Kind.PROSE, at, i))
            regions.append(Region(Kind.JSON, i, found))
            i = at = found
        else:
            i += 1
    if at < n:
        regions.append(Region(Kind.PROSE, at, n))
    return regions


def count(text: str) -> int:
    """o200k tokens of ``text``, counted in pieces of under 1M characters (the encoder's limit)."""
    total = at = 0
    while at < len(text):
        cut = text.rfind("\n", at, at + 500_000) + 1 if len(text) - at > 500_000 else len(text)
        cut = cut if cut > at else min(len(text), at + 500_000)
        total += count_tokens(text[at:cut])
        at = cut
    return total


def measure(name: str, text: str) -> tuple[int, int]:
    lines = text.split("\n")
    regions = json_regions(lines) if len(text) < 200_000 else [Region(Kind.JSON, 0, len(lines))]
    if not any(r.kind is Kind.JSON for r in regions):
        return 0, 0
    t0 = time.perf_counter()
    done = compact(text, regions, count=count)
    t1 = time.perf_counter()
    back = expand(done.text)
    t2 = time.perf_counter()
    assert back == text, name
    before, after = count(text), count(done.text)
    print(
        f"{name:40s} in {before:8d}  out {after:8d}  out/in {after / before:.3f}"
        f"  compact {before / (t1 - t0) / 1e3:7.0f}k tok/s  expand {before / (t2 - t1) / 1e3:7.0f}k tok/s"
    )
    return before, after


def main(paths: list[str]) -> None:
    docs: list[tuple[str, str]] = []
    if paths:
        docs = [(Path(p).name, Path(p).read_text()) for p in paths]
    else:
        for row in map(json.loads, CORPUS.read_text().splitlines()):
            docs.append((row["command"][:40], row["text"]))
    total_in = total_out = 0
    for name, text in docs:
        before, after = measure(name, text)
        total_in += before
        total_out += after
    if total_in:
        print(f"{'pooled':40s} in {total_in:8d}  out {total_out:8d}  out/in {total_out / total_in:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
