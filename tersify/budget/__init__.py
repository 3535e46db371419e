"""Budget mode: an output that fits a token budget, with nothing silently lost.

``compress(text, budget=N)`` first runs the normal pipeline; when its output is still
over ``N`` real tokens, :func:`fit_budget` (the pipeline's last stage) leaves out whole
lines or whole blocks chosen by value (:mod:`tersify.budget.selection`) and writes one
plain-words marker per left-out range (:mod:`tersify.budget.markers`), naming the
original line range and how to get it back (``tersify retrieve ID --lines A-B``).

Storing the original is the caller's business, never this package's: the marker's id is
:func:`original_id`, a function of the text alone, so a caller names the id before it
stores and ``compress`` stays free of I/O.
"""

from __future__ import annotations

import hashlib

from tersify.budget.markers import MARKER, Omitted, is_marker, marker

ID_CHARS = 12  # hex digits of sha256 in an original's id
MIN_ID_CHARS = 6  # shortest prefix `tersify retrieve` resolves


def original_id(text: str) -> str:
    """The id an original is stored and retrieved under: the first 12 hex digits of the
    sha256 of the text's UTF-8 encoding (lone surrogates, i.e. bytes read that were not
    UTF-8, encoded as they are)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:ID_CHARS]


__all__ = ["ID_CHARS", "MARKER", "MIN_ID_CHARS", "Omitted", "is_marker", "marker", "original_id"]
