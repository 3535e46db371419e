"""Self-labelling: a model's reference for a text is what it keeps with the must-keep
override, compaction expanded (extractive, like the teacher's). The ladder's self-labelling
rounds and ``tersify data self-label`` both call :func:`self_reference`."""

from __future__ import annotations

from tersify.compaction import expand
from tersify.compress import compress
from tersify.scorers import Scorer


def self_reference(text: str, scorer: Scorer) -> str:
    """``scorer``'s reference for ``text``: the words it keeps plus every must-keep span."""
    return expand(compress(text, scorer=scorer, must_keep=True).text)


__all__ = ["self_reference"]
