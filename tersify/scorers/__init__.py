"""Scorers: each gives every word a keep score in [0, 1].

The scorer is the one pluggable step of compression (text -> words -> **scores** ->
keep mask -> output). ``compress()`` applies the must-keep override and the
``rate``/``threshold`` rules after it, whichever scorer ran.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache
from typing import Protocol, runtime_checkable

import numpy as np

from tersify.errors import TersifyError
from tersify.text.segment import Words


@runtime_checkable
class Scorer(Protocol):
    """Anything with a ``name`` and ``score(words) -> float32 array of len(words)``.

    A scorer may also have ``start(words)``, which begins scoring and returns a function
    that waits for the scores, so the caller can work meanwhile (see :func:`start_scoring`).
    """

    name: str

    def score(self, words: Words) -> np.ndarray: ...


def start_scoring(scorer: Scorer, words: Words) -> Callable[[], np.ndarray]:
    """Begin scoring ``words``; call the result for the scores. Scorers without ``start``
    score when the result is called."""
    start = getattr(scorer, "start", None)
    if start is not None:
        return start(words)
    return lambda: scorer.score(words)


def _baseline() -> Scorer:
    from tersify.scorers.baseline import BaselineScorer

    return BaselineScorer()


def _model() -> Scorer:
    from tersify.scorers.onnx.scorer import ModelScorer

    return ModelScorer()


def _teacher() -> Scorer:
    from tersify.scorers.teacher import TeacherScorer

    return TeacherScorer()


def _teacher_v1() -> Scorer:
    from tersify.scorers.rules import TeacherScorer

    return TeacherScorer()


# name -> (factory, description). Factories take no arguments; each imports its module
# when called, so importing tersify loads no scorer (and never onnxruntime).
SCORERS: dict[str, tuple[Callable[[], Scorer], str]] = {
    "baseline": (_baseline, "rules: function words and repeated templates low"),
    "model": (_model, "learned dual-head encoder shipped in the package (ONNX)"),
    "teacher": (_teacher, "the rule-based labelling teacher (docs/LABELING.md)"),
    "teacher-v1": (_teacher_v1, "the first rule-based teacher, kept for comparison"),
}

# The shipped model (tersify/assets/default): it keeps every must-keep span and protected word
# on its own and preserves every line on the eval sets (BENCHMARKS.md).
DEFAULT_SCORER = "model"
# What default_scorer() falls back to (with a warning) when the default cannot be loaded.
FALLBACK_SCORER = "baseline"


def available_scorers() -> dict[str, str]:
    return {name: description for name, (_, description) in SCORERS.items()}


@cache
def get_scorer(name: str) -> Scorer:
    """A scorer by name (built once per process: models load once)."""
    if name not in SCORERS:
        raise TersifyError(f"unknown scorer {name!r} (known: {', '.join(SCORERS)})")
    return SCORERS[name][0]()


def as_scorer(scorer: Scorer | str | None) -> Scorer:
    """``scorer`` itself, the registered scorer of that name, or the default for ``None``."""
    if scorer is None:
        return default_scorer()
    if isinstance(scorer, str):
        return get_scorer(scorer)
    return scorer


def default_scorer() -> Scorer:
    """The scorer ``compress()`` uses when none is given.

    If the default (the shipped model) cannot be loaded, compression still works: the
    fallback scorer is used and a warning names the problem, once per process.
    """
    try:
        return get_scorer(DEFAULT_SCORER)
    except TersifyError as exc:
        if DEFAULT_SCORER == FALLBACK_SCORER:
            raise
        _warn_fallback(str(exc))
        return get_scorer(FALLBACK_SCORER)


@cache
def _warn_fallback(reason: str) -> None:
    warnings.warn(f"{reason}; using the {FALLBACK_SCORER!r} scorer instead", RuntimeWarning, stacklevel=3)


__all__ = ["DEFAULT_SCORER", "FALLBACK_SCORER", "SCORERS", "Scorer", "as_scorer", "available_scorers", "default_scorer",
           "get_scorer", "start_scoring"]
