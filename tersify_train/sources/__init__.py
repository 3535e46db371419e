"""Training and evaluation data: pair records, sources (generators, real command outputs,
loghub windows, Q&A pairs), eval sets.

The data files are not part of the installed package: they live in the repository's
``data/`` folder (eval sets, the real-output corpus, the loghub samples), found from the
repository root, or from ``$TERSIFY_DATA_DIR`` when set.
"""

from __future__ import annotations

import os
from pathlib import Path

from tersify.errors import TersifyError

REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DATA_DIR = Path(os.environ["TERSIFY_DATA_DIR"]) if os.environ.get("TERSIFY_DATA_DIR") else REPO_DATA_DIR


def data_path(*parts: str) -> Path:
    """A path under the data folder; raises :class:`TersifyError` naming the folder when
    it does not exist (an installed package has no data: use a checkout of the repository)."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        raise TersifyError(f"{path} not found: training and eval data live in the repository's data/ folder, "
                           "not in the installed package (run from a checkout, or set TERSIFY_DATA_DIR)")
    return path
