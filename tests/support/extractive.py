"""The extractive contract, checked the same way by every test: ``reduced`` is ``original``
with whole words removed, lines in order, no two lines merged."""

from __future__ import annotations


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(w == b for b in it) for w in small)


def assert_extractive(original: str, reduced: str) -> None:
    """Each non-empty line of ``reduced`` holds the words of one line of ``original``, in
    order, and the lines come in the original's order."""
    source = [line.split() for line in original.split("\n")]
    at = 0
    for line in reduced.split("\n"):
        words = line.split()
        if not words:
            continue
        while at < len(source) and not is_subsequence(words, source[at]):
            at += 1
        assert at < len(source), f"output line {line!r} is not from one input line, in order"
        at += 1
