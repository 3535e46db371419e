"""Which upstream a request goes to: decided by its protocol, never guessed.

A request carries its provider twice: in its credentials (Anthropic's ``x-api-key`` and
``anthropic-*`` headers; OpenAI's ``Authorization: Bearer``) and, for most endpoints, in its
path. The proxy forwards a request only where both agree (or where one of them is silent),
so an API key can never be sent to the other provider. Anything else is refused with a
400 saying why.
"""

from __future__ import annotations

from collections.abc import Mapping

# Exact paths and path prefixes (a prefix matches itself and anything under "<prefix>/").
_ANTHROPIC_PATHS = ("/v1/messages", "/v1/complete")
_OPENAI_PATHS = ("/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/completions")
# OpenAI client headers that only make sense to OpenAI.
_OPENAI_HEADERS = ("openai-organization", "openai-project")


class RoutingError(ValueError):
    """The request's provider is ambiguous or contradictory (answered with a 400)."""


def path_provider(path: str) -> str | None:
    """The provider an endpoint path belongs to, or ``None`` for paths both share
    (``/v1/models``, ``/v1/files``, ...)."""
    for provider, prefixes in (("openai", _OPENAI_PATHS), ("anthropic", _ANTHROPIC_PATHS)):
        if any(path == p or path.startswith(p + "/") for p in prefixes):
            return provider
    return None


def header_provider(headers: Mapping[str, str]) -> str | None:
    """The provider the request's credentials belong to (header names lower-case), or
    ``None`` when it carries none. Raises :class:`RoutingError` for both at once."""
    lowered = {name.lower(): value for name, value in headers.items()}
    names = set(lowered)
    anthropic = "x-api-key" in names or any(name.startswith("anthropic-") for name in names)
    openai_only = [name for name in _OPENAI_HEADERS if name in names]
    if anthropic and openai_only:
        raise RoutingError(
            f"the request carries Anthropic headers and OpenAI's {openai_only[0]}; send it to one provider only")
    if anthropic:
        # Anthropic OAuth sends Authorization: Bearer along with anthropic-* headers: still Anthropic.
        return "anthropic"
    if openai_only or lowered.get("authorization", "").lower().startswith("bearer "):
        return "openai"
    return None


def provider_for(path: str, headers: Mapping[str, str]) -> str:
    """``"anthropic"`` or ``"openai"`` for a request the proxy forwards; :class:`RoutingError`
    when its credentials and its path disagree, or when neither names a provider."""
    by_headers = header_provider(headers)
    by_path = path_provider(path)
    if by_headers and by_path and by_headers != by_path:
        raise RoutingError(
            f"{path} is an {_NAMES[by_path]} endpoint but the request carries {_NAMES[by_headers]} credentials "
            f"({_CREDENTIALS[by_headers]}); it is not forwarded")
    provider = by_headers or by_path
    if provider is None:
        raise RoutingError(
            f"cannot tell which provider {path} is for: send Anthropic credentials (x-api-key or "
            "anthropic-version) or OpenAI credentials (Authorization: Bearer)")
    return provider


_NAMES = {"anthropic": "Anthropic", "openai": "OpenAI"}
_CREDENTIALS = {"anthropic": "x-api-key / anthropic-* headers", "openai": "Authorization: Bearer"}
