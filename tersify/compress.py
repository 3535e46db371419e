"""Compression: words + scores + must-keep mask -> keep mask -> output text.

The output is the input with whole words removed. Lines never merge, kept lines keep
their indentation, kept words are copied byte for byte, a run of dropped words inside
a line becomes one space, a line with no kept word disappears, and blank lines
collapse to one (none at the start or end of the output).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from tersify.errors import TersifyError
from tersify.mustkeep import MustKeep, Spans, resolve
from tersify.scoring import Scorer, default_scorer, start_scoring
from tersify.segment import Words, segment


@dataclass(frozen=True)
class CompressStats:
    words_in: int
    words_out: int
    chars_in: int
    chars_out: int
    lines_in: int
    lines_out: int
    must_keep_spans: int
    must_keep_spans_kept: int
    must_keep_words: int
    rate_target: float | None
    rate_achieved: float
    threshold: float
    scorer: str
    elapsed_ms: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CompressResult:
    text: str
    keep: np.ndarray
    scores: np.ndarray
    must_keep: np.ndarray
    words: Words
    spans: Spans
    stats: CompressStats

    def to_dict(self) -> dict:
        return {"text": self.text, "stats": self.stats.to_dict()}


def select_words(
    scores: np.ndarray, must_keep: np.ndarray, *, threshold: float = 0.5, rate: float | None = None
) -> np.ndarray:
    """The keep mask. Must-keep words are always kept.

    Without ``rate``: a word is kept when its score is above ``threshold``. With
    ``rate``: one global budget of ``round(rate * n)`` words; must-keep words count
    toward it and the rest is filled with the best-scored words (earlier wins ties).
    When must-keep words alone exceed the budget they are all kept, nothing else.
    """
    n = scores.shape[0]
    if rate is None:
        return must_keep | (scores > threshold)
    budget = math.floor(rate * n + 0.5)
    keep = must_keep.copy()
    room = budget - int(must_keep.sum())
    if room > 0:
        candidates = np.flatnonzero(~must_keep)
        order = np.argsort(-scores[candidates], kind="stable")
        keep[candidates[order[:room]]] = True
    return keep


def rebuild(words: Words, keep: np.ndarray) -> str:
    """The output text for a keep mask, sliced from the original.

    Runs of consecutive kept words on one line are copied as one slice, so the original
    spacing between adjacent kept words (tabs, alignment) survives. Each run becomes
    ``prefix + slice + suffix``: the prefix is the line's indentation for a line's first
    run and one space otherwise; the last run of a line carries the line's trailing
    whitespace (when its last word is kept), its terminator, and one blank line when
    blank lines stood between it and the next line that has output.
    """
    text = words.text
    n = len(words)
    if n == 0 or not keep.any():
        return ""
    lines = words.lines
    n_lines = words.n_lines
    line_starts = words.line_starts

    same_line_next = np.zeros(n, dtype=bool)
    same_line_next[:-1] = lines[1:] == lines[:-1]
    kept_next = np.zeros(n, dtype=bool)
    kept_next[:-1] = keep[1:]
    kept_prev = np.zeros(n, dtype=bool)
    kept_prev[1:] = keep[:-1]
    same_line_prev = np.zeros(n, dtype=bool)
    same_line_prev[1:] = same_line_next[:-1]
    run_first = np.flatnonzero(keep & ~(kept_prev & same_line_prev))
    run_last = np.flatnonzero(keep & ~(kept_next & same_line_next))
    run_line = lines[run_first]

    words_per_line = np.bincount(lines, minlength=n_lines)
    first_word_of_line = np.concatenate(([0], np.cumsum(words_per_line)))[:-1]
    last_word_of_line = first_word_of_line + words_per_line - 1
    blank_before = np.concatenate(([0], np.cumsum(words_per_line == 0)))  # blank lines in [0, k)

    # Where each line's content ends (before "\r\n" or "\n") and its terminator.
    newline = np.append(line_starts[1:] - 1, len(text))
    has_newline = np.arange(n_lines) < n_lines - 1
    cr = np.zeros(n_lines, dtype=bool)
    idx = np.flatnonzero(has_newline & (newline > line_starts))
    if idx.shape[0]:
        cr[idx] = [text[i - 1] == "\r" for i in newline[idx].tolist()]
    content_end = newline - cr

    first_in_line = np.ones(run_first.shape[0], dtype=bool)
    first_in_line[1:] = run_line[1:] != run_line[:-1]
    last_in_line = np.ones(run_first.shape[0], dtype=bool)
    last_in_line[:-1] = first_in_line[1:]

    next_line = np.append(run_line[1:], -1)
    has_next = next_line >= 0
    blank_between = np.zeros(run_first.shape[0], dtype=bool)
    blank_between[has_next] = (blank_before[next_line[has_next]] - blank_before[run_line[has_next] + 1]) > 0

    starts, ends = words.starts, words.ends
    body_start = starts[run_first]
    body_end = ends[run_last]
    indent_start = line_starts[run_line]
    indent_end = starts[first_word_of_line[run_line]]
    tail_end = np.where(run_last == last_word_of_line[run_line], content_end[run_line], body_end)

    terminators = ("", "\n", "\r\n")
    term_kind = np.where(has_newline[run_line], np.where(cr[run_line], 2, 1), 0)
    out: list[str] = []
    append = out.append
    for fil, lil, bs, be, ist, ien, te, tk, bb in zip(
        first_in_line.tolist(), last_in_line.tolist(), body_start.tolist(), body_end.tolist(),
        indent_start.tolist(), indent_end.tolist(), tail_end.tolist(), term_kind.tolist(),
        blank_between.tolist(), strict=True,
    ):
        if fil:
            if ien == bs:  # the line's first word is kept: indentation and body are one slice
                append(text[ist:te if lil else be])
            else:
                append(text[ist:ien])
                append(text[bs:te if lil else be])
        else:
            append(" ")
            append(text[bs:te if lil else be])
        if lil:
            term = terminators[tk]
            append(term + (term or "\n") if bb else term)
    return "".join(out)


def compress(
    text: str,
    *,
    rate: float | None = None,
    threshold: float = 0.5,
    must_keep: MustKeep | str | Sequence[str] | bool | None = True,
    scorer: Scorer | None = None,
) -> CompressResult:
    """Compress ``text`` by dropping whole words, keeping lines, order and must-keep spans.

    ``rate``: target share of words kept over the whole text (``None``: use
    ``threshold``). ``must_keep``: ``True`` (all categories), ``False``, a list of
    category names, or ``"seed"``/``"seed-tight"``. ``scorer``: any :class:`Scorer`
    (default: the shipped default scorer).
    """
    t0 = time.perf_counter()
    if not isinstance(text, str):
        raise TersifyError(f"compress() takes str, not {type(text).__name__}")
    if rate is not None and not (0.0 <= rate <= 1.0 and math.isfinite(rate)):
        raise TersifyError(f"rate must be between 0 and 1, got {rate}")
    if not (0.0 <= threshold <= 1.0 and math.isfinite(threshold)):
        raise TersifyError(f"threshold must be between 0 and 1, got {threshold}")
    config = resolve(must_keep)
    scorer = scorer if scorer is not None else default_scorer()

    words = segment(text)
    pending_scores = start_scoring(scorer, words)  # a model scores in the background meanwhile
    spans = config.spans(words) if config is not None else Spans.empty()
    mk_mask = config.word_mask(words, spans) if config is not None else np.zeros(len(words), dtype=bool)
    scores = np.asarray(pending_scores(), dtype=np.float32)
    if scores.shape != (len(words),):
        raise TersifyError(f"scorer {scorer.name!r} returned {scores.shape} scores for {len(words)} words")
    scores = np.where(scores > 0.0, np.minimum(scores, np.float32(1.0)), np.float32(0.0))  # NaN: 0
    keep = select_words(scores, mk_mask, threshold=threshold, rate=rate)
    output = rebuild(words, keep)

    kept_spans = _spans_kept(words, keep, spans)
    n = len(words)
    stats = CompressStats(
        words_in=n,
        words_out=int(keep.sum()),
        chars_in=len(text),
        chars_out=len(output),
        lines_in=text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        lines_out=output.count("\n") + (1 if output and not output.endswith("\n") else 0),
        must_keep_spans=len(spans),
        must_keep_spans_kept=kept_spans,
        must_keep_words=int(mk_mask.sum()),
        rate_target=rate,
        rate_achieved=float(keep.sum()) / n if n else 1.0,
        threshold=threshold,
        scorer=scorer.name,
        elapsed_ms=(time.perf_counter() - t0) * 1000.0,
    )
    return CompressResult(output, keep, scores, mk_mask, words, spans, stats)


def _spans_kept(words: Words, keep: np.ndarray, spans: Spans) -> int:
    """How many spans have every word they touch kept."""
    if not len(spans):
        return 0
    if spans.word_mask is not None and keep[spans.word_mask].all():
        return len(spans)  # every word a span touches is kept (always so with the override)
    s, e = spans.starts, spans.ends
    first = np.searchsorted(words.ends, s, side="right")
    last = np.searchsorted(words.starts, e, side="left") - 1
    dropped_before = np.concatenate(([0], np.cumsum(~keep)))
    dropped_in_span = dropped_before[last + 1] - dropped_before[first]
    return int(np.sum(dropped_in_span == 0))
