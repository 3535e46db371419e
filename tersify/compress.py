"""The pipeline: text -> regions -> compaction -> must-keep spans -> scores -> keep mask -> output.

1. ``detect_regions`` says what each line is (JSON, diff, code, error, log, table, prose, ...).
   Unless ``lossless``, named noise goes first (progress percentages with their padding,
   bars, rules: ``tersify.regions.NOISE_CATEGORIES``), so the rows it padded can fold.
2. ``compact`` rewrites repetition reversibly (runs, templates, tables, JSON) where it saves
   real tokens; ``tersify.expand`` gives the exact input back. With ``lossless=True`` this
   is the output.
3. Word dropping looks only at lines that may lose words (``tersify.dropping``): the
   scorer scores the words of prose lines, must-keep spans found there are always kept,
   error lines lose at most articles, every other line is copied byte for byte.
4. ``rebuild`` writes the kept words back line by line.
5. With a ``budget``, when the output is still over it, whole lines and blocks are left out
   by value, each left-out range replaced by a marker (``tersify.budget``).

So ``expand(compress(x).text)`` is ``x`` with whole words removed from prose and error
lines and noise removed, lines in order, every other line exact.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from tersify.budget.stage import MIN_BUDGET, Elision, Pipeline, fit_budget
from tersify.compaction import Compacted, compact
from tersify.compaction.engine import needs_escape
from tersify.dropping import drop_noise_mapped, plan_drops, scorer_view, select_words
from tersify.errors import Cancelled, TersifyError
from tersify.mustkeep import MustKeep, Spans, resolve
from tersify.regions import detect_regions
from tersify.scorers import Scorer, as_scorer, start_scoring
from tersify.text.rebuild import rebuild
from tersify.text.segment import Words, segment, span_words
from tersify.tokens import DEFAULT_ENCODING, LineTokens, count_tokens


@dataclass(frozen=True)
class CompressStats:
    tokens_in: int  # real tokens (``encoding``) of the input
    tokens_out: int  # real tokens of the output, markers included
    encoding: str
    lossless: bool
    blocks: int  # compacted blocks
    noise_words: int  # words of named noise removed before compaction (progress percentages, rules, bars)
    tokens_saved_by_compaction: int
    words_in: int  # words of the compacted text
    words_out: int
    words_scored: int  # words of prose lines, the only ones the scorer decides on
    chars_in: int
    chars_out: int
    lines_in: int
    lines_out: int
    must_keep_spans: int  # must-keep spans in lines that may lose words (the rest are kept whole)
    must_keep_spans_kept: int
    must_keep_words: int
    rate_target: float | None
    rate_achieved: float  # share of the scored words kept
    threshold: float
    scorer: str
    elapsed_ms: float  # time spent compressing; loading the default scorer on first use is not counted

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CompressResult:
    text: str
    compacted: Compacted  # after compaction, before word dropping
    words: Words  # the words of the compacted text
    keep: np.ndarray  # per word: kept
    scores: np.ndarray  # per word: the scorer's score (1.0 where it did not score)
    must_keep: np.ndarray  # per word: overlaps a must-keep span in a line that may lose words
    spans: Spans  # must-keep spans of the scorer's view (the prose lines as one text)
    stats: CompressStats
    elision: Elision | None = None  # what a budget left out (None: nothing)
    # What the budget stage starts from (for a budget chosen over several pieces afterwards).
    pipeline: Pipeline | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        out = {"text": self.text, "stats": self.stats.to_dict()}
        if self.elision is not None:
            out["elision"] = self.elision.to_dict()
        return out


def compress(
    text: str,
    *,
    lossless: bool = False,
    rate: float | None = None,
    threshold: float = 0.5,
    must_keep: MustKeep | str | Sequence[str] | bool | None = True,
    scorer: Scorer | str | None = None,
    cancel: threading.Event | None = None,
    budget: int | None = None,
    retrieve_id: str | None = None,
) -> CompressResult:
    """Compress a tool output: reversible compaction, then word dropping in prose only.

    ``lossless``: compaction only; ``tersify.expand`` gives back the exact text.
    ``rate``: target share of the scored (prose) words kept (``None``: use ``threshold``).
    ``must_keep``: ``True`` (all categories), ``False``, a list of category names, or
    ``"seed"``/``"seed-tight"``. ``scorer``: any :class:`Scorer` or a registered scorer's
    name (``"model"``, ``"teacher"``, ``"baseline"``; default: the shipped model).
    ``cancel``: when this event is set, :class:`~tersify.errors.Cancelled` is raised at the
    next stage boundary (the proxy stops work nobody waits for any more).
    ``budget``: the most o200k tokens the output may have; whole lines and blocks are left
    out by value where the steps above do not get there, each range replaced by a marker.
    ``retrieve_id``: what the markers' ``tersify retrieve`` command names: ``original_id(text)``,
    under which the caller stores the text (and ``--db PATH`` for a store not at the default
    place: ``tersify.proxy.originals.retrieve_ref``); compress() itself writes nothing. None:
    the markers say the lines are not stored.
    """
    if not isinstance(text, str):
        raise TersifyError(f"compress() takes str, not {type(text).__name__}")
    if rate is not None and not (0.0 <= rate <= 1.0 and math.isfinite(rate)):
        raise TersifyError(f"rate must be between 0 and 1, got {rate}")
    if not (0.0 <= threshold <= 1.0 and math.isfinite(threshold)):
        raise TersifyError(f"threshold must be between 0 and 1, got {threshold}")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < MIN_BUDGET):
        raise TersifyError(f"budget must be a whole number of tokens, at least {MIN_BUDGET}, got {budget!r}")
    config = resolve(must_keep)
    scorer = as_scorer(scorer) if not lossless else None

    def checkpoint() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled

    t0 = time.perf_counter()
    checkpoint()
    lines = text.split("\n")
    regions = detect_regions(lines)
    source, noise_words, stays = text, 0, None
    if not lossless:  # noise goes first, so the rows it padded can fold into templates
        checkpoint()
        source, noise_words, regions, stays = drop_noise_mapped(text, regions)
    checkpoint()
    runs = LineTokens(lines) if source is text else None  # compaction counts the lines once, for both
    compacted = compact(source, regions, runs=runs)
    checkpoint()
    words = segment(compacted.text)
    n = len(words)
    keep = np.ones(n, dtype=bool)
    scores = np.ones(n, dtype=np.float32)
    mk_mask = np.zeros(n, dtype=bool)
    spans = Spans.empty()
    scored = np.zeros(n, dtype=bool)
    output = compacted.text
    kept_spans = 0
    if scorer is not None and n:
        plan = plan_drops(words, compacted.line_kinds)
        scored = plan.scored
        if scored.any():
            checkpoint()
            view_mask, view = scorer_view(words, plan)
            pending = start_scoring(scorer, view)  # a model scores in the background meanwhile
            if config is not None:
                spans, view_mk = config.spans_and_mask(view)
            else:
                spans, view_mk = Spans.empty(), np.zeros(len(view), dtype=bool)
            view_scores = np.asarray(pending(), dtype=np.float32)
            checkpoint()
            if view_scores.shape != (len(view),):
                raise TersifyError(f"scorer {scorer.name!r} returned {view_scores.shape} scores for {len(view)} words")
            view_scores = np.where(view_scores > 0.0, np.minimum(view_scores, np.float32(1.0)), np.float32(0.0))
            view_scored = scored[view_mask]
            view_keep = select_words(view_scores, view_mk | ~view_scored, threshold=threshold)
            if rate is not None:  # the budget is over the scored words only
                view_keep[view_scored] = select_words(view_scores[view_scored], view_mk[view_scored], rate=rate)
            kept_spans = _spans_kept(view, view_keep, spans, view_mk)
            keep[view_mask] = view_keep
            scores[view_mask] = view_scores
            mk_mask[view_mask] = view_mk
        keep[plan.articles] = False
        output = rebuild(words, keep, keep_whole=_reads_as_marker)

    checkpoint()
    elision = None
    state = Pipeline(text, source, stays, regions, compacted, words, keep, output)
    if budget is not None:
        output, elision = fit_budget(state, budget, retrieve_id, count_tokens)
    n_scored = int(scored.sum())
    tokens_in = runs.total() if runs is not None else count_tokens(text)
    exact = runs is not None and compacted.saved_exact and output == compacted.text
    stats = CompressStats(
        tokens_in=tokens_in,
        tokens_out=tokens_in - compacted.tokens_saved if exact else count_tokens(output),
        encoding=DEFAULT_ENCODING,
        lossless=lossless,
        blocks=len(compacted.blocks),
        noise_words=noise_words,
        tokens_saved_by_compaction=compacted.tokens_saved,
        words_in=n,
        words_out=int(keep.sum()),
        words_scored=n_scored,
        chars_in=len(text),
        chars_out=len(output),
        lines_in=_count_lines(text),
        lines_out=_count_lines(output),
        must_keep_spans=len(spans),
        must_keep_spans_kept=kept_spans,
        must_keep_words=int(mk_mask.sum()),
        rate_target=rate,
        rate_achieved=float(keep[scored].sum()) / n_scored if n_scored else 1.0,
        threshold=threshold,
        scorer=scorer.name if scorer is not None else "none",
        elapsed_ms=(time.perf_counter() - t0) * 1000.0,
    )
    return CompressResult(output, compacted, words, keep, scores, mk_mask, spans, stats, elision, state)


def _reads_as_marker(original: str, rebuilt: str) -> bool:
    """A line that was escaped, or would read as a compaction marker once words go, stays whole."""
    return needs_escape(original) or needs_escape(rebuilt)


def _count_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _spans_kept(words: Words, keep: np.ndarray, spans: Spans, mk_mask: np.ndarray) -> int:
    """How many spans have every word they touch kept."""
    if not len(spans):
        return 0
    if keep[mk_mask].all():
        return len(spans)  # every word a span touches is kept (always so with the override)
    first, last = span_words(words, spans.starts, spans.ends)
    dropped_before = np.concatenate(([0], np.cumsum(~keep)))
    dropped_in_span = dropped_before[last + 1] - dropped_before[first]
    return int(np.sum(dropped_in_span == 0))
