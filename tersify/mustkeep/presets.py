"""The seed's regex (Kompress) as presets, to reproduce its figures.

The tightened form is the one published with the seed's final benchmark; the original
differs only in its number alternative, which also matched digits inside tokens. Both are
rewritten here with look-behinds and possessive runs so they stay linear; on ordinary
text they find the same matches as the published expressions (tests/test_mustkeep.py).
"""

from __future__ import annotations

import re


def _linear_seed(number_alternative: str) -> re.Pattern[str]:
    return re.compile(
        r"\b0x[0-9A-Fa-f]++\b"
        "|" + number_alternative + r"|(?<![A-Z_])[A-Z_]{2,}+"
        r"|(?<![a-z0-9_])[0-9]*+(?P<dotted>[a-z_][a-z0-9_]*+\.[a-z0-9_]++)"
        r"|(?<![a-z0-9/._-])[a-z0-9._-]*+(?P<path>/[a-z0-9/._-]{2,}+)"
        r"|\.[a-z]{2,4}\b"
        r"|(?<![\w-])[\w]*+(?P<flag>--?[a-zA-Z][\w-]*+)"
        r"|\b[A-Z][a-z]++[A-Z]\w*+"
    )


SEED_PRESETS: dict[str, re.Pattern[str]] = {
    "seed": _linear_seed(r"\b\d++(?:\.\d++)?+\b"),
    "seed-tight": _linear_seed(r"(?<![\w.])\d++(?:\.\d+)?(?![\w.])"),
}


def seed_span(match: re.Match[str]) -> tuple[int, int]:
    for group in ("dotted", "path", "flag"):
        if match.group(group) is not None:
            return match.span(group)
    return match.span()
