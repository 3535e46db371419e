"""Redaction of secret-looking spans before a tool result is written to the pair log.

Pure functions, no I/O. Only the logged copy is redacted (``tersify proxy --redact``);
what goes upstream is never changed by this module.

What is caught (each replaced by :data:`MARK`):

* API keys with a known prefix: ``sk-...`` (OpenAI), ``sk-ant-...`` (Anthropic),
  ``AKIA``/``ASIA`` + 16 (AWS access key ids), ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``
  and ``github_pat_`` (GitHub), ``xoxb-``/``xoxp-``/... (Slack), ``AIza...`` (Google);
* JSON Web Tokens (``eyJ...`` header ``.`` payload ``.`` signature);
* the credential of ``Bearer <token>`` and ``Basic <credentials>``;
* the value after a key named like a secret (``password``, ``passwd``, ``secret``,
  ``token``, ``api_key``, ``access_key``, ``private_key``, ``credentials``; with any
  prefix such as ``DB_PASSWORD`` or ``GITHUB_TOKEN``) and ``=`` or ``:``, quoted or not;
* the password of a URL's userinfo (``postgres://user:PASSWORD@host``);
* PEM private key blocks (``-----BEGIN ... PRIVATE KEY-----`` to its ``END`` line).

What is deliberately not caught: bare hex digests (git SHAs, sha256), UUIDs, paths,
base64 without a known prefix. Tool outputs are full of those, and an entropy test
cannot tell a digest from a key; a secret without a recognisable shape stays.
"""

from __future__ import annotations

import re

MARK = "[REDACTED]"

# Each pattern's group "secret" is the span replaced; patterns without it are replaced whole.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pem_private_key", re.compile(
        r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----[\s\S]{0,20000}?-----END [A-Z0-9 ]{0,40}PRIVATE KEY"
        r"( BLOCK)?-----")),
    ("anthropic_key", re.compile(r"(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{16,}")),
    ("openai_key", re.compile(r"(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("aws_access_key_id", re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])")),
    ("github_token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})")),
    ("slack_token", re.compile(r"(?<![A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("google_api_key", re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])")),
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("auth_scheme", re.compile(r"(?i)\b(?:bearer|basic)\s+(?P<secret>[A-Za-z0-9._~+/-]{12,}=*)")),
    ("url_password", re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:(?P<secret>[^\s@/]+)@")),
    # A key named like a secret, then = or :, then its value (quoted or not). The name must end
    # with the secret word, so ``max_tokens: 64``, ``tokens_in=9`` or ``secret_name: x`` stay.
    ("secret_assignment", re.compile(
        r"(?i)(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?"
        r"(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)"
        r"[\"']?\s{0,3}[:=]\s{0,3}(?P<quote>[\"']?)(?P<secret>(?!\$|\{|<|\[REDACTED\])[^\s\"',;&}]{3,})")),
)

# Values after a secret-looking key that are not secrets.
_PLACEHOLDERS = frozenset({"null", "none", "true", "false", "undefined", "required", "optional", "string",
                           "redacted", "xxx", "***", "****", "*****", "******", "********", "changeme"})


def find_secrets(text: str) -> list[tuple[int, int, str]]:
    """Secret-looking spans of ``text`` as ``(start, end, kind)``, sorted, overlaps merged
    (a merged span keeps the kind of its first part)."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if "secret" in pattern.groupindex:
                start, end = match.span("secret")
                if kind == "secret_assignment" and match.group("secret").lower() in _PLACEHOLDERS:
                    continue
            else:
                start, end = match.span()
            if end > start:
                spans.append((start, end, kind))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def redact(text: str) -> str:
    """``text`` with every span :func:`find_secrets` finds replaced by :data:`MARK`."""
    spans = find_secrets(text)
    if not spans:
        return text
    parts, pos = [], 0
    for start, end, _ in spans:
        parts.append(text[pos:start])
        parts.append(MARK)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
