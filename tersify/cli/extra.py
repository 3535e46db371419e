"""The subcommands that need the training side (``tersify_train``, the ``[train]`` extra)
import it lazily, so ``tersify compress`` and the proxy never pay for it; when it is
missing they fail with one clear error instead of a traceback."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable

from tersify.errors import TersifyError

INSTALL_HINT = "pip install 'tersify[train]' (from a checkout: pip install -e '.[train]')"


def require_train(*, torch: bool = False) -> None:
    """Raise :class:`TersifyError` unless ``tersify_train`` (and, with ``torch``, torch) can be imported."""
    needed = ["tersify_train", *(["torch"] if torch else [])]
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise TersifyError(f"this command needs the train extra ({', '.join(missing)} not installed): {INSTALL_HINT}")


def needs_train(*, torch: bool = False) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Decorate a subcommand's ``run`` so it checks :func:`require_train` first."""

    def wrap(run: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(run)
        def checked(*args, **kwargs) -> int:
            require_train(torch=torch)
            return run(*args, **kwargs)

        return checked

    return wrap
