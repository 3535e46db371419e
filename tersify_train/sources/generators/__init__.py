"""Seeded, deterministic generators of tool outputs, one module per domain.

Each domain module has several layouts (different tools and output styles) and draws
names, paths, numbers and messages from shared pools, so the texts vary in vocabulary
and structure rather than repeating one template. Records come back unlabelled
(``reference=None``): the teacher labels them.

Every record has its own random stream, seeded from ``(domain, seed, index)``, so record
``i`` is the same whatever ``n`` is, and the output does not depend on hash seeds or on
the order the domains are generated in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from importlib import import_module

from tersify.errors import TersifyError
from tersify_train.sources.records import PairRecord

# domain -> module (under this package) with ``generate_one(rng) -> str``.
_MODULES: dict[str, str] = {
    "diff": "diff",
    "build": "build",
    "json": "jsonapi",
    "traceback": "tracebacks",
    "test": "testrun",
    "listing": "listing",
    "search": "search",
    "http": "http",
}
DOMAINS: tuple[str, ...] = tuple(_MODULES)


def _generator(domain: str) -> Callable[[random.Random], str]:
    if domain not in _MODULES:
        raise TersifyError(f"unknown generator domain {domain!r} (known: {', '.join(DOMAINS)})")
    return import_module(f"{__name__}.{_MODULES[domain]}").generate_one


def generate(domain: str, n: int, seed: int = 0) -> list[PairRecord]:
    """``n`` unlabelled records of ``domain``; ids are ``gen-<domain>-<seed>-<i>``."""
    if n < 0:
        raise TersifyError(f"number of records must be >= 0, got {n}")
    make = _generator(domain)
    records = []
    for i in range(n):
        rid = f"gen-{domain}-{seed}-{i}"
        text = make(random.Random(rid))
        records.append(PairRecord(text=text, reference=None, domain=domain, source=f"gen:{domain}", id=rid))
    return records


def generate_all(n_per_domain: int, seed: int = 0, domains: Iterable[str] = DOMAINS) -> list[PairRecord]:
    """``n_per_domain`` records of every domain, domain after domain."""
    return [r for d in domains for r in generate(d, n_per_domain, seed)]


_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b")
_DIGITS = re.compile(r"[0-9]+")


def line_template(line: str) -> str:
    """A line with its variable numbers masked: UUIDs and hex runs -> ``<hex>``, digit
    runs -> ``0``; two lines with the same template differ only in their values."""
    return _DIGITS.sub("0", _HEX.sub("<hex>", _UUID.sub("<hex>", line.strip())))


def template_variety(records: Iterable[PairRecord]) -> dict[str, int]:
    """Distinct non-empty line templates per domain: the variety report."""
    seen: dict[str, set[str]] = {}
    for r in records:
        bucket = seen.setdefault(r.domain, set())
        for line in r.text.splitlines():
            t = line_template(line)
            if t:
                bucket.add(t)
    return {d: len(s) for d, s in seen.items()}
