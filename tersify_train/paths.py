"""Where the training side finds its inputs and puts its outputs, independent of the
working directory.

Configs and data live in the repository (``configs/``, ``data/``), found from the
repository root. Relative paths inside a config are relative to the repository root too.
Outputs (checkpoints, metrics, trained models, cached rung results) go to an explicit
folder or to the cache folder, never into the package's source tree.
"""

from __future__ import annotations

import os
from pathlib import Path

from tersify.errors import TersifyError

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO_ROOT / "configs"


def repo_config(name: str) -> Path:
    """The repository's config ``configs/<name>``; a clear error when it is not there (an
    installed package has no configs: pass a config file explicitly)."""
    path = CONFIG_DIR / name
    if not path.is_file():
        raise TersifyError(f"{path} not found: the configs live in the repository's configs/ folder "
                           "(run from a checkout, or pass --config FILE)")
    return path


def from_repo(path: str | Path) -> Path:
    """A path written in a config: absolute as is, relative to the repository root otherwise."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def cache_dir() -> Path:
    """Where training outputs go unless told otherwise: ``$TERSIFY_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/tersify``, else ``~/.cache/tersify``."""
    if os.environ.get("TERSIFY_CACHE_DIR"):
        return Path(os.environ["TERSIFY_CACHE_DIR"]).expanduser()
    base = Path(os.environ["XDG_CACHE_HOME"]).expanduser() if os.environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "tersify"
