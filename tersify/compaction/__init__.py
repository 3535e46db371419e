"""Reversible compaction: repetition written once, with markers a model reads cold.

``compact(text)`` rewrites stretches of lines in a shorter form where that saves real
tokens (markers counted); ``expand(compacted)`` gives back the exact original. Each form
(identical runs, line templates, JSON, tables, ...) lives in its own module and registers
in ``tersify.compaction.forms.FORMS``. Every block is expanded and compared with the
original before it is used, so a form that cannot reproduce its input exactly is never
applied.
"""

from tersify.compaction.engine import Compacted, compact, expand, expand_stream

__all__ = ["Compacted", "compact", "expand", "expand_stream"]
