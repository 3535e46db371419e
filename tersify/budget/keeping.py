"""Budget mode with the original kept: the one place a budgeted compression and the store
of originals meet (``tersify compress --budget``, ``tersify run``).

``compress`` itself never writes anything: the marker's id is :func:`original_id`, known
before anything is stored. This function names the id, compresses, and stores the text
only when lines were actually left out, so every marker's ``tersify retrieve`` command
works; when the text cannot be stored (``store=False``, over the store's size cap, an id
taken by another text) it compresses again without an id, and the markers then say the
lines cannot be retrieved rather than promise something that is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tersify.budget import original_id


def compress_keeping_original(
    text: str,
    run: Callable[[str | None], Any],
    *,
    budget: int | None,
    store: bool = True,
    db: Path | None = None,
    max_bytes: int | None = None,
) -> Any:
    """``run(retrieve_id)`` (a ``compress`` call with ``budget``), with the original stored
    in the store at ``db`` (default: the proxy's) when lines were left out. ``retrieve_id``
    is what the markers' command names: the id, and ``--db PATH`` for a store elsewhere."""
    from tersify.proxy.originals import default_max_bytes, retrieve_ref
    from tersify.proxy.store import PairStore, default_db_path

    if budget is None:
        return run(None)
    cap = max_bytes if max_bytes is not None else default_max_bytes()
    storable = store and len(text.encode("utf-8", errors="surrogatepass")) <= cap
    path = db or default_db_path()
    result = run(retrieve_ref(original_id(text), path) if storable else None)
    if result.elision is None or not storable:
        return result
    with PairStore(path, create=True, originals_max_bytes=max_bytes) as pairs:
        stored = pairs.originals.put(text)
    return result if stored is not None else run(None)
