"""The tersify proxy: an Anthropic- and OpenAI-compatible HTTP proxy that compresses tool
results on their way to the model, keeps originals retrievable, logs (original,
compressed) pairs for self-distillation, and fails open.

``create_app(ProxyConfig(...))`` gives the ASGI app; ``tersify proxy`` runs it. The
names are imported on first use, so the CLI can read ``tersify.proxy.config`` without
loading the web stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ProxyConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from tersify.proxy.app import create_app

        return create_app
    if name == "ProxyConfig":
        from tersify.proxy.config import ProxyConfig

        return ProxyConfig
    raise AttributeError(name)
