"""The golden cases: every record of the agent, dense and qa eval sets and every file in
samples/, compressed with default settings, plus a few non-default settings.

Each row stores the sha256 of the input and of the output and the must-keep span counts;
outputs of the samples are stored verbatim as well, so a diff is readable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import tersify
from tersify.scorers import get_scorer

REPO = Path(__file__).resolve().parents[2]
GOLDEN_PATH = Path(__file__).resolve().parent / "outputs.jsonl"
EVALSET_DIR = REPO / "data" / "evalsets"
SAMPLES_DIR = REPO / "samples"
EVALSETS = ("agent", "dense", "qa")

# name -> keyword arguments of compress(); "scorer" is a scorer name.
SETTINGS: dict[str, dict] = {
    "default": {},
    "lossless": {"lossless": True},
    "rate0.6": {"rate": 0.6},
    "baseline": {"scorer": "baseline"},
    "teacher": {"scorer": "teacher"},
    "seed-tight": {"must_keep": "seed-tight", "threshold": 0.3},
    "categories": {"must_keep": ["number", "flag", "protected"], "rate": 0.4},
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def inputs() -> Iterator[tuple[str, str]]:
    """(case id, text) for every golden input."""
    for name in EVALSETS:
        with (EVALSET_DIR / f"{name}.jsonl").open(encoding="utf-8") as f:
            for i, line in enumerate(f):
                if line.strip():
                    yield f"{name}:{i}", json.loads(line)["text"]
    for path in sorted(SAMPLES_DIR.iterdir()):
        if path.is_file():
            yield f"samples:{path.name}", path.read_text(encoding="utf-8")


def cases() -> Iterator[tuple[str, str, str]]:
    """(case id, setting, text): every input under every setting."""
    items = list(inputs())
    for setting in SETTINGS:
        for case_id, text in items:
            yield case_id, setting, text


def run_case(case: tuple[str, str, str]) -> dict:
    case_id, setting, text = case
    kwargs = dict(SETTINGS[setting])
    if "scorer" in kwargs:
        kwargs["scorer"] = get_scorer(kwargs["scorer"])
    result = tersify.compress(text, **kwargs)
    row = {
        "case": case_id,
        "setting": setting,
        "input_sha256": _sha(text),
        "output_sha256": _sha(result.text),
        "spans": result.stats.must_keep_spans,
        "spans_kept": result.stats.must_keep_spans_kept,
        "words_out": result.stats.words_out,
    }
    if case_id.startswith("samples:"):
        row["output"] = result.text
    return row
