"""Metrics by region: what word dropping did to the lines it may touch, and whether the
lines it may not touch still work.

Word dropping happens in prose lines only, error-message lines lose at most articles,
and every other line is copied whole (``docs/LABELING.md``, region table). So the figures
that tell compressors apart are measured on those lines of the *input*: which lines are
prose comes from :func:`tersify.regions.detect_regions` and
:func:`tersify.dropping.plan_drops`, as in the pipeline. Each output line is matched to
its input line (:func:`tersify_train.eval.structure.align_lines`).

Per record these are counts, pooled over a set by
:func:`tersify_train.eval.metrics.aggregate` (a set's prose keep rate is its kept prose
tokens over its prose tokens, so a record without prose weighs nothing):

* prose keep rate in real tokens (o200k, :func:`tersify.tokens.count_tokens`): tokens of
  the prose-line words kept over tokens of the prose-line words in;
* error-message fidelity: the words of error-message lines that survive, articles not
  counted (they are the only words those lines may lose);
* structure: the checks of :mod:`tersify_train.eval.structure` that apply (JSON parses to
  an equal value, diff lines whole, code and error lines whole, brackets balanced) and
  how many hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tersify.dropping import ARTICLES, plan_drops
from tersify.regions import Kind, detect_regions
from tersify.text.segment import segment
from tersify.tokens import count_tokens
from tersify_train.eval import structure

# Per-record counts, summed over a set; each ratio is (kept key, total key).
COUNT_KEYS: tuple[str, ...] = (
    "prose_tokens_in", "prose_tokens_kept", "error_words_in", "error_words_kept", "structure_checks", "structure_ok",
)
POOLED: dict[str, tuple[str, str]] = {
    "prose_token_keep_rate": ("prose_tokens_kept", "prose_tokens_in"),
    "error_message_fidelity": ("error_words_kept", "error_words_in"),
    "structure_pass_rate": ("structure_ok", "structure_checks"),
}


def line_kinds(lines: Sequence[str]) -> list[Kind]:
    """The kind of every line, as the pipeline detects it."""
    return [region.kind for region in detect_regions(list(lines)) for _ in range(len(region))]


def prose_lines(text: str, kinds: Sequence[Kind] | None = None) -> list[int]:
    """The line numbers of ``text`` whose words the scorer decides on (prose lines)."""
    if kinds is None:
        kinds = line_kinds(text.split("\n"))
    return plan_drops(segment(text), kinds).prose_lines.tolist()


def _output_by_line(text: str, output: str) -> dict[int, list[str]] | None:
    pairs = structure.align_lines(text, output)
    return None if pairs is None else {i: line.split() for i, line in pairs}


def _kept(words: list[str], out_line: list[str] | None, pool: Counter | None) -> list[str]:
    """The words of an input line found in its output line (or, when the output could not
    be aligned line by line, taken from the output's remaining words)."""
    source = Counter(out_line) if pool is None else pool
    kept = []
    for w in words:
        if source[w] > 0:
            source[w] -= 1
            kept.append(w)
    return kept


def region_counts(text: str, output: str) -> dict[str, int]:
    """The per-record counts of :data:`COUNT_KEYS` (see the module docstring)."""
    lines = text.split("\n")
    kinds = line_kinds(lines)
    by_line = _output_by_line(text, output)
    pool = Counter(output.split()) if by_line is None else None  # not extractive: words anywhere
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for i in prose_lines(text, kinds):
        words = lines[i].split()
        if not words:
            continue
        kept = _kept(words, None if by_line is None else by_line.get(i, []), pool)
        counts["prose_tokens_in"] += count_tokens(" ".join(words))
        counts["prose_tokens_kept"] += count_tokens(" ".join(kept))
    for i, kind in enumerate(kinds):
        if kind is not Kind.ERROR:
            continue
        words = [w for w in lines[i].split() if w not in ARTICLES]
        kept = _kept(words, None if by_line is None else by_line.get(i, []), pool)
        counts["error_words_in"] += len(words)
        counts["error_words_kept"] += len(kept)
    for ok in structure_results(text, output):
        if ok is not None:
            counts["structure_checks"] += 1
            counts["structure_ok"] += int(ok)
    return counts


def structure_results(text: str, output: str) -> list[bool | None]:
    """The structure checks that must hold for any lossy output of the pipeline (None: does
    not apply): JSON equal, diff lines whole, code and error lines whole (error lines may
    lose articles), brackets balanced."""
    return [
        structure.json_check(text, output),
        structure.diff_check(text, output),
        structure.whole_lines_check(text, output, articles_may_go=True),
        structure.brackets_check(text, output),
    ]


def pooled(sums: dict[str, float]) -> dict[str, float]:
    """The ratios of :data:`POOLED` from summed counts (1.0 where there is nothing to count)."""
    return {name: (sums[kept] / sums[total] if sums[total] else 1.0) for name, (kept, total) in POOLED.items()}


__all__ = ["COUNT_KEYS", "POOLED", "line_kinds", "pooled", "prose_lines", "region_counts", "structure_results"]
