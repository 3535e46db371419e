"""Teacher references for training: the text with the words the labelling guide drops
removed (:class:`tersify.scorers.teacher.TeacherScorer` at threshold 0.5, in the regions where
words may go), compaction expanded: a reference is always extractive."""

from __future__ import annotations

from tersify.compaction import expand
from tersify.compress import compress
from tersify.scorers.teacher import TeacherScorer

_DEFAULT: TeacherScorer | None = None


def teach(text: str) -> str:
    """The teacher's reference for ``text``: the text with the words the guide drops removed."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = TeacherScorer()
    return expand(compress(text, scorer=_DEFAULT, threshold=0.5).text)


__all__ = ["teach"]
