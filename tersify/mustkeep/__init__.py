"""Must-keep detection: the spans of the original characters that compression never drops.

* :mod:`~tersify.mustkeep.categories`: the table of named patterns;
* :mod:`~tersify.mustkeep.presets`: the seed's regex as presets;
* :mod:`~tersify.mustkeep.engine`: runs the patterns once per distinct word (prefilter, cache);
* :mod:`~tersify.mustkeep.links`: cross-word rules (a key's value, an HTTP status);
* :mod:`~tersify.mustkeep.config`: :class:`MustKeep` and :func:`resolve`.
"""

from tersify.mustkeep.categories import CATEGORIES, DEFAULT_CATEGORIES, Category, trie_pattern
from tersify.mustkeep.config import MustKeep, resolve
from tersify.mustkeep.engine import clear_caches
from tersify.mustkeep.presets import SEED_PRESETS
from tersify.mustkeep.spans import Span, Spans

__all__ = ["CATEGORIES", "DEFAULT_CATEGORIES", "SEED_PRESETS", "Category", "MustKeep", "Span", "Spans", "clear_caches",
           "resolve", "trie_pattern"]
