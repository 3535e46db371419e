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
from tersify.scorers import Scorer, as_scorer, start_scoring
from tersify.text.segment import Words, segment, span_words


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
    elapsed_ms: float  # time spent compressing; loading the default scorer on first use is not counted

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
    kept = np.flatnonzero(keep)
    if kept.shape[0] == 0:
        return ""
    lines, line_starts = words.lines, words.line_starts
    kept_lines = lines[kept]
    # A kept word starts a run unless the word before it is kept and on the same line.
    starts_run = np.ones(kept.shape[0], dtype=bool)
    starts_run[1:] = (kept[1:] != kept[:-1] + 1) | (kept_lines[1:] != kept_lines[:-1])
    run_first = kept[starts_run]
    run_last = kept[np.append(starts_run[1:], True)]
    run_line = kept_lines[starts_run]
    # Each run's line: its indentation, whether the run ends at the line's last word, where
    # the line ends (its "\n", or the end of the text), and blank lines before the next run.
    line_first_word = np.searchsorted(lines, run_line, side="left")
    ends_line = run_last == np.searchsorted(lines, run_line, side="right") - 1
    line_end = np.append(line_starts[1:] - 1, len(text))[run_line]
    has_words = np.zeros(words.n_lines, dtype=bool)
    has_words[lines] = True
    blank_upto = np.cumsum(~has_words)  # blank lines in [0, k]
    next_line = np.append(run_line[1:], run_line[-1])
    blank_after = blank_upto[np.maximum(next_line - 1, 0)] - blank_upto[run_line] > 0

    line_of = run_line.tolist()
    count = len(line_of)
    out: list[str] = []
    append = out.append
    for i, (line, body_start, body_end, indent_start, indent_end, whole_tail, end, blank) in enumerate(zip(
        line_of, words.starts[run_first].tolist(), words.ends[run_last].tolist(), line_starts[run_line].tolist(),
        words.starts[line_first_word].tolist(), ends_line.tolist(), line_end.tolist(), blank_after.tolist(),
        strict=True,
    )):
        if i == 0 or line_of[i - 1] != line:  # the line's first run: its indentation first
            if indent_end == body_start:  # the line's first word is kept: one slice
                body_start = indent_start
            else:
                append(text[indent_start:indent_end])
        else:
            append(" ")
        if i + 1 < count and line_of[i + 1] == line:
            append(text[body_start:body_end])
            continue
        if end == len(text):  # the last line has no terminator
            term = ""
        elif text[end - 1] == "\r":
            term, end = "\r\n", end - 1
        else:
            term = "\n"
        append(text[body_start : end if whole_tail else body_end])
        append(term + (term or "\n") if blank else term)
    return "".join(out)


def compress(
    text: str,
    *,
    rate: float | None = None,
    threshold: float = 0.5,
    must_keep: MustKeep | str | Sequence[str] | bool | None = True,
    scorer: Scorer | str | None = None,
) -> CompressResult:
    """Compress ``text`` by dropping whole words, keeping lines, order and must-keep spans.

    ``rate``: target share of words kept over the whole text (``None``: use
    ``threshold``). ``must_keep``: ``True`` (all categories), ``False``, a list of
    category names, or ``"seed"``/``"seed-tight"``. ``scorer``: any :class:`Scorer` or
    a registered scorer's name (``"model"``, ``"teacher"``, ``"baseline"``; default: the
    shipped default scorer).
    """
    if not isinstance(text, str):
        raise TersifyError(f"compress() takes str, not {type(text).__name__}")
    if rate is not None and not (0.0 <= rate <= 1.0 and math.isfinite(rate)):
        raise TersifyError(f"rate must be between 0 and 1, got {rate}")
    if not (0.0 <= threshold <= 1.0 and math.isfinite(threshold)):
        raise TersifyError(f"threshold must be between 0 and 1, got {threshold}")
    config = resolve(must_keep)
    scorer = as_scorer(scorer)

    t0 = time.perf_counter()
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
    first, last = span_words(words, spans.starts, spans.ends)
    dropped_before = np.concatenate(([0], np.cumsum(~keep)))
    dropped_in_span = dropped_before[last + 1] - dropped_before[first]
    return int(np.sum(dropped_in_span == 0))
