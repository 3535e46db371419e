"""The metrics: the one place where keep_rate, must-keep survival, label quality and
structure fidelity are defined, so every report in the project means the same thing.

Every function compares a ``text`` with an ``output`` (a compressed text or a reference).
Outputs need not be extractive: must-keep survival is counted as in the seed's diagnostic,
by finding each must-keep match of the text in the output (duplicates counted: a number
that occurs twice in the text must occur twice in the output to count twice).
Per-record functions return plain floats; :func:`record_metrics` bundles them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tersify.mustkeep import MustKeep, Span
from tersify.regions.noise import inside, text_noise_spans
from tersify.text.lexicon import is_decoration, is_function_word, is_protected, normalise
from tersify.text.segment import Words, segment
from tersify_train.eval.regional import COUNT_KEYS, pooled, region_counts

TokenCounter = Callable[[str], int]

_DEFAULT_MK = MustKeep()
_WORD_CHAR = re.compile(r"\w")


def _mk(must_keep: MustKeep | None) -> MustKeep:
    return must_keep if must_keep is not None else _DEFAULT_MK


# --- keep rate and the safety floor -------------------------------------------------------


def keep_rate(text: str, output: str, *, tokens: TokenCounter | None = None) -> float:
    """Share of the input kept: words (whitespace-separated), or model tokens when
    ``tokens`` (a callable ``str -> token count``) is given. 1.0 for an empty input."""
    if tokens is not None:
        n_in = tokens(text)
        return tokens(output) / n_in if n_in else 1.0
    n_in = len(text.split())
    return len(output.split()) / n_in if n_in else 1.0


def floor_mask(text: str, *, must_keep: MustKeep | None = None) -> np.ndarray:
    """The words that carry a must-keep span or a protected word: what no safe compressor drops."""
    words = segment(text)
    mask = _mk(must_keep).word_mask(words)
    strings = words.strings()
    for i, w in enumerate(strings):
        if not mask[i] and is_protected(w):
            mask[i] = True
    return mask


def safety_floor(text: str, *, must_keep: MustKeep | None = None) -> float:
    """keep_rate of keeping only :func:`floor_mask`'s words (1.0 for an empty text)."""
    mask = floor_mask(text, must_keep=must_keep)
    return float(mask.mean()) if mask.shape[0] else 1.0


def savings_efficiency(keep: float, floor: float) -> float:
    """(1 - keep_rate) / (1 - floor): the share of the safely droppable words really dropped.
    Apply it to averages over a set, not per record (a record at the floor divides by 0)."""
    if floor >= 1.0:
        return 1.0 if keep >= 1.0 else float("inf")
    return (1.0 - keep) / (1.0 - floor)


# --- must-keep survival ---------------------------------------------------------------------


@dataclass(frozen=True)
class MustKeepCount:
    """Must-keep matches of a text and how many of them the output holds, per category."""

    total: Counter
    found: Counter

    @property
    def n_total(self) -> int:
        return sum(self.total.values())

    @property
    def n_found(self) -> int:
        return sum(self.found.values())

    @property
    def missing(self) -> Counter:
        return Counter({c: self.total[c] - self.found[c] for c in self.total if self.total[c] > self.found[c]})


def _occurrence_key(text: str, span: Span) -> tuple[str, bool, bool]:
    """A span's string, and whether it needs a word boundary on each side to count as found
    (it does where the text has one: ``22`` is not found inside ``2022``, but ``.toml`` is
    found inside ``Cargo.toml``)."""
    s = text[span.start : span.end]
    left = bool(_WORD_CHAR.match(s[:1])) and not (span.start > 0 and _WORD_CHAR.match(text[span.start - 1]))
    right = bool(_WORD_CHAR.match(s[-1:])) and not (span.end < len(text) and _WORD_CHAR.match(text[span.end]))
    return s, left, right


def _count_in(output: str, key: tuple[str, bool, bool], cache: dict) -> int:
    if key in cache:
        return cache[key]
    s, left, right = key
    pattern = ("(?<!\\w)" if left else "") + re.escape(s) + ("(?!\\w)" if right else "")
    n = len(re.findall(pattern, output))
    cache[key] = n
    return n


def must_keep_count(
    text: str, output: str, *, must_keep: MustKeep | None = None, spans: Sequence[Span] | None = None
) -> MustKeepCount:
    """Count the text's must-keep matches (per category) and those found in ``output``.

    Spans of different categories on the same characters are counted once (the first
    category found wins), so one token is one match. Spans inside named noise (progress
    percentages, rules, bars: ``tersify.regions.NOISE_CATEGORIES``) do not count: they may
    go whole.
    """
    if spans is None:
        spans = _mk(must_keep).find(text)
    noise_starts, noise_ends = text_noise_spans(text)
    seen: set[tuple[int, int]] = set()
    by_key: dict[tuple[str, bool, bool], list[str]] = {}
    for sp in spans:
        if (sp.start, sp.end) in seen or (noise_starts.shape[0] and inside(noise_starts, noise_ends, sp.start, sp.end)):
            continue
        seen.add((sp.start, sp.end))
        by_key.setdefault(_occurrence_key(text, sp), []).append(sp.category)
    total: Counter = Counter()
    found: Counter = Counter()
    cache: dict = {}
    for key, cats in by_key.items():
        available = _count_in(output, key, cache)
        for cat in cats:  # duplicates: each occurrence in the text needs its own in the output
            total[cat] += 1
            if available > 0:
                found[cat] += 1
                available -= 1
    return MustKeepCount(total, found)


def exact_keep_pct(text: str, output: str, *, must_keep: MustKeep | None = None) -> float:
    """Share of the text's must-keep matches found in ``output`` (1.0 when there are none)."""
    c = must_keep_count(text, output, must_keep=must_keep)
    return c.n_found / c.n_total if c.n_total else 1.0


def mk_in_ref(pairs: Iterable[tuple[str, str]], *, must_keep: MustKeep | None = None) -> float:
    """Pooled share of the texts' must-keep matches found in their references (label quality)."""
    total = found = 0
    for text, ref in pairs:
        c = must_keep_count(text, ref, must_keep=must_keep)
        total += c.n_total
        found += c.n_found
    return found / total if total else 1.0


@dataclass(frozen=True)
class MissingReport:
    """The seed's diagnostic: must-keep matches of the texts missing from the references."""

    total: int
    found: int
    per_category_total: dict[str, int]
    per_category_missing: dict[str, int]

    @property
    def mk_in_ref(self) -> float:
        return self.found / self.total if self.total else 1.0

    def rows(self) -> list[tuple[str, int, int, float]]:
        """(category, missing, total in category, missing share of *all* matches), most missing first.
        The share is of all must-keep matches, as in the seed's table."""
        rows = [
            (c, self.per_category_missing.get(c, 0), t, self.per_category_missing.get(c, 0) / self.total)
            for c, t in self.per_category_total.items()
        ]
        return sorted(rows, key=lambda r: (-r[1], r[0]))

    def format(self) -> str:
        lines = [f"Total must-keep tokens: {self.total}", "Missing from reference:"]
        for cat, miss, total, share in self.rows():
            lines.append(f"  {cat:12s}: {miss:5d}  ({share:.1%})  of {total} {cat}")
        lines.append(f"mk_in_ref: {self.mk_in_ref:.3f}")
        return "\n".join(lines)


def missing_by_category(
    pairs: Iterable[tuple[str, str]], *, must_keep: MustKeep | None = None
) -> MissingReport:
    return missing_report(must_keep_count(text, ref, must_keep=must_keep) for text, ref in pairs)


def missing_report(counts: Iterable[MustKeepCount]) -> MissingReport:
    """The :class:`MissingReport` of per-pair counts, summed in the order given."""
    total: Counter = Counter()
    found: Counter = Counter()
    for c in counts:
        total.update(c.total)
        found.update(c.found)
    missing = {c: total[c] - found[c] for c in total}
    return MissingReport(sum(total.values()), sum(found.values()), dict(total), missing)


# --- words: protected, first mentions -------------------------------------------------------


def protected_retention(text: str, output: str) -> float:
    """Share of the text's protected words (negations, outcomes) found in ``output``,
    duplicates counted, case-insensitive (1.0 when there are none)."""
    want = Counter(normalise(w) for w in text.split() if is_protected(w))
    if not want:
        return 1.0
    have = Counter(normalise(w) for w in output.split() if is_protected(w))
    return sum(min(n, have[k]) for k, n in want.items()) / sum(want.values())


def first_mentions(words: Words, must_keep_mask: np.ndarray) -> np.ndarray:
    """The first occurrence of each content word: not a function word, decoration or
    protected word, not on a must-keep span, holding a letter (normalised). Training
    weighs these words up; :func:`first_mention_retention` counts them."""
    out = np.zeros(len(words), dtype=bool)
    seen: set[str] = set()
    for i, w in enumerate(words.strings()):
        if must_keep_mask[i] or is_function_word(w) or is_decoration(w) or is_protected(w):
            continue
        key = normalise(w)
        if key and key not in seen and any(ch.isalpha() for ch in key):
            seen.add(key)
            out[i] = True
    return out


def content_words(text: str, *, must_keep: MustKeep | None = None) -> list[str]:
    """The distinct content words of a text in order of first mention (normalised)."""
    words = segment(text)
    strings = words.strings()
    return [normalise(strings[i]) for i in np.flatnonzero(first_mentions(words, _mk(must_keep).word_mask(words)))]


def first_mention_retention(text: str, output: str, *, must_keep: MustKeep | None = None) -> float:
    """Share of the text's content words whose information survives: the word (normalised)
    occurs in ``output``. Its first mention is what brings it; a compressor may keep that
    one or a later one. 1.0 when the text has no content word."""
    wanted = content_words(text, must_keep=must_keep)
    if not wanted:
        return 1.0
    have = {normalise(w) for w in output.split()}
    return sum(1 for k in wanted if k in have) / len(wanted)


# --- structure ------------------------------------------------------------------------------


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(w == b for b in it) for w in small)


def line_fidelity(text: str, output: str, *, indentation: bool = True) -> float:
    """Share of the output's non-blank lines that are an ordered word subsequence of one input
    line with the same indentation (unless ``indentation=False``), the lines in input order (greedy: each output line takes
    the first input line after the previous match). 1.0 for an empty output."""
    in_lines = text.splitlines()
    out_lines = [ln for ln in output.splitlines() if ln.strip()]
    if not out_lines:
        return 1.0
    in_words = [ln.split() for ln in in_lines]
    in_indent = [ln[: len(ln) - len(ln.lstrip())] for ln in in_lines]
    pointer = matched = 0
    for ln in out_lines:
        words = ln.split()
        indent = ln[: len(ln) - len(ln.lstrip())]
        for k in range(pointer, len(in_lines)):
            if (not indentation or indent == in_indent[k]) and _is_subsequence(words, in_words[k]):
                matched += 1
                pointer = k + 1
                break
    return matched / len(out_lines)


# --- bundles --------------------------------------------------------------------------------


METRIC_NAMES: tuple[str, ...] = (
    "keep_rate",
    "floor",
    "exact_keep_pct",
    "protected_retention",
    "first_mention_retention",
    "line_fidelity",
    "prose_token_keep_rate",
    "error_message_fidelity",
    "structure_pass_rate",
)


def record_metrics(
    text: str,
    output: str,
    *,
    must_keep: MustKeep | None = None,
    tokens: TokenCounter | None = None,
) -> dict[str, float]:
    """All per-record metrics of one (text, output) pair: the ratios, and the counts of
    :mod:`tersify_train.eval.regional` (prose tokens, error-message words, structure checks)
    that :func:`aggregate` pools over a set."""
    m: dict[str, float] = {
        "keep_rate": keep_rate(text, output),
        "floor": safety_floor(text, must_keep=must_keep),
        "exact_keep_pct": exact_keep_pct(text, output, must_keep=must_keep),
        "protected_retention": protected_retention(text, output),
        "first_mention_retention": first_mention_retention(text, output, must_keep=must_keep),
        "line_fidelity": line_fidelity(text, output),
    }
    m.update(region_counts(text, output))
    if tokens is not None:
        m["token_keep_rate"] = keep_rate(text, output, tokens=tokens)
    return m


def aggregate(per_record: Sequence[dict[str, float]]) -> dict[str, float]:
    """Average per-record metrics; savings efficiency from the averaged keep_rate and floor;
    the region counts summed and their ratios pooled (prose keep rate in real tokens,
    error-message fidelity, structure pass rate)."""
    if not per_record:
        return {}
    keys = [k for k in per_record[0] if all(k in r for r in per_record)]  # metrics every record has
    out = {k: float(np.mean([r[k] for r in per_record])) for k in keys if k not in COUNT_KEYS}
    if all(k in keys for k in COUNT_KEYS):
        sums = {k: float(sum(r[k] for r in per_record)) for k in COUNT_KEYS}
        out.update(sums)
        out.update(pooled(sums))
    out["savings_efficiency"] = savings_efficiency(out["keep_rate"], out["floor"])
    if "token_keep_rate" in out:
        out["token_savings_efficiency"] = savings_efficiency(out["token_keep_rate"], out["floor"])
    out["n"] = len(per_record)
    return out


__all__ = [
    "METRIC_NAMES",
    "MissingReport",
    "MustKeepCount",
    "aggregate",
    "content_words",
    "exact_keep_pct",
    "first_mention_retention",
    "floor_mask",
    "keep_rate",
    "line_fidelity",
    "missing_by_category",
    "missing_report",
    "mk_in_ref",
    "must_keep_count",
    "protected_retention",
    "record_metrics",
    "safety_floor",
    "savings_efficiency",
]
