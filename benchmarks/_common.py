"""What the benchmarks share: cold-cache resets, the corpora, the timing loop."""

from __future__ import annotations

from tersify.mustkeep import clear_caches as _clear_mustkeep
from tersify.text.lexicon import clear_caches as _clear_templates


def clear_caches() -> None:
    """Forget every word remembered across calls (must-keep spans, line-template words), so a
    pass starts cold; a tokenizer's cache is its own."""
    _clear_mustkeep()
    _clear_templates()
