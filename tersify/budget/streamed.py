"""A budget over an input read in pieces, in memory bounded by the budget, not the input.

Each piece (:mod:`tersify.pieces`) goes through the pipeline on its own and keeps, by
the same values as a whole input (:mod:`tersify.budget.selection`), its most valuable
output within the whole budget: :func:`piece_parts` gives what it shows, each part tied
to the piece's *original* line numbers (shifted by the piece's first line), and one
:class:`Omitted` per range it left out. A :class:`Candidate` holds the best output so far:
each piece's parts are added to it and the two chosen down to the budget again
(:func:`fit_parts`), the ranges left out by the pieces taking part as GAP units that merge
with neighbouring ranges into one marker (their counts added). So memory holds at most
about two budgets of parts, and the last fit, with the stored original's id, is the
output: never over the budget, every marker's range in original line numbers.

Kinds in a merged marker are the sum of the ranges' kinds (a kind left out in two pieces
counts twice): the marker says at most that many.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace

from tersify.budget.markers import Omitted, is_marker, marker
from tersify.budget.selection import Values
from tersify.budget.stage import Part, Pipeline, Shown, counter, fit_layout, render_parts
from tersify.budget.units import END, GAP, LINE, WHOLE, Layout, Option, Unit, layout
from tersify.regions import Kind, Region

# Stands for the id while the original is still being read (an id's 12 hex digits).
PLACEHOLDER_ID = "5d41402abc4b"
SPARE = 20  # the best so far is kept to the budget and a 20th more
MAX_TEMPLATES = 200_000  # template counts kept across pieces (about 20 MB at most)


def piece_parts(state: Pipeline, budget: int, count: Callable[[str], int], *, first_line: int,
                final: bool, tokens: int | None = None) -> tuple[list[Part], dict[int, int]]:
    """The parts of one piece's output within ``budget`` tokens, in original line numbers
    (the piece's lines start at ``first_line``); the "" after a final newline only for the
    input's ``final`` piece. And the piece's lines per template key, so that a later pass
    knows which kinds are rare in the whole input. ``tokens``: the output's, when known."""
    count = counter(count)
    lay = layout(state.text, state.source, state.stays, state.regions, state.compacted, state.words,
                 state.keep, state.output)
    values = Values(lay.source_lines, state.regions)
    tokens = tokens if tokens is not None else count(state.output)
    if tokens <= budget:
        kept = [True] * len(lay.units)
        parts = render_parts(lay, values, kept, [True] * len(lay.options))
    else:
        # Units' tokens estimated at the piece's own characters per token: counting every unit
        # would cost as much again as the rest; what is kept is counted exactly below, and
        # the output's choice is exact.
        guess = by_length(tokens / max(len(state.output), 1))
        _, parts = fit_layout(lay, values, budget + budget // 10, PLACEHOLDER_ID, guess,  # estimates run high
                              ends_with_newline=state.text.endswith("\n"), total=estimated_total(guess, PLACEHOLDER_ID))
    parts = [_counted(_shift(p, first_line), count) for p in parts if final or not (isinstance(p, Shown) and p.end)]
    return parts, values.template_counts()


def _counted(part: Part, count: Callable[[str], int]) -> Part:
    """A shown part with its tokens (and its lines'), so that passes over parts need no encoder."""
    if not isinstance(part, Shown) or part.end:
        return part
    lines = tuple(_counted(line, count) for line in part.lines)
    return replace(part, tokens=count(part.text), lines=lines)


def by_length(per_char: float) -> Callable[[str], int]:
    """Tokens estimated as ``per_char`` a character (at least one); a marker's as :func:`estimate`'s."""

    def tokens(text: str) -> int:
        if text.startswith("[line") and is_marker(text):
            return -(-len(text) * 10 // 26)
        return max(1, round(len(text) * per_char))

    return tokens


def estimate(known: Mapping[str, int]) -> Callable[[str], int]:
    """Tokens of a part's text as counted where it was made; of anything else (a marker)
    estimated from its length (a marker runs 2.6 to 3.5 characters a token)."""

    def tokens(text: str) -> int:
        found = known.get(text)
        return found if found is not None else -(-len(text) * 10 // 26)

    return tokens


def estimated_total(count: Callable[[str], int], retrieve_id: str | None) -> Callable[[str, list[Part]], int]:
    """An output's tokens as the sum of its lines' (o200k seldom joins tokens across a line end);
    the markers as if naming ``retrieve_id``."""

    def total(text: str, parts: list[Part]) -> int:
        lines = sum(1 + (p.tokens if p.tokens >= 0 else count(p.text)) for p in parts
                    if isinstance(p, Shown) and not p.end)
        markers = sum(1 + count(marker(p, retrieve_id)) for p in parts if isinstance(p, Omitted))
        return lines + markers

    return total


def raw_parts(first_line: int) -> list[Part]:
    """A raw piece (part of a line longer than pieces) is left out: one line, one kind."""
    return [Omitted(first_line, first_line + 1, kinds=1)]


def _shift(part: Part, by: int) -> Part:
    if not by:
        return part
    if isinstance(part, Shown) and part.lines:
        return replace(part, start=part.start + by, stop=part.stop + by,
                       lines=tuple(_shift(line, by) for line in part.lines))
    return replace(part, start=part.start + by, stop=part.stop + by)


def parts_layout(parts: list[Part], lines_in: int, counts: Mapping[int, int] | None = None,
                 known: dict[str, int] | None = None) -> tuple[Layout, Values]:
    """Units over earlier parts: a shown part is a unit (a hunk or a JSON document kept
    whole), a block an option with its lines as units (as :func:`layout` has them), a part
    left out a GAP unit; their error lines are error lines again. ``known`` gets the parts'
    texts with their tokens."""
    known = {} if known is None else known
    source_lines: list[str] = []
    units: list[Unit] = []
    options: list[Option] = []
    regions: list[Region] = []
    for p in parts:
        if isinstance(p, Shown):
            known.update((q.text, q.tokens) for q in (p, *p.lines) if q.tokens >= 0)
        at = len(source_lines)
        if isinstance(p, Shown) and p.lines:  # a block: written whole, or its lines that matter
            options.append(Option(len(units), len(units) + len(p.lines), p.text, json=p.json, tokens=p.tokens))
            for k, line in enumerate(p.lines):
                source_lines.append(line.text)
                units.append(Unit(LINE, line.text, at + k, at + k + 1, line.start, line.stop,
                                  option=len(options) - 1, keys=line.kind_keys, errors=line.errors,
                                  tokens=line.tokens))
                if line.errors:
                    regions.append(Region(Kind.ERROR, at + k, at + k + 1))
        elif isinstance(p, Omitted):
            units.append(Unit(GAP, "", at, at, p.start, p.stop, gap=p))
        elif p.end:
            units.append(Unit(END, "", at, at, p.start, p.stop))
        else:
            lines = p.text.split("\n")
            source_lines.extend(lines)
            units.append(Unit(LINE if len(lines) == 1 else WHOLE, p.text, at, at + len(lines), p.start, p.stop,
                              json=p.json, hunk=p.hunk, keys=p.kind_keys, errors=p.errors, tokens=p.tokens))
            if p.errors:
                regions.append(Region(Kind.ERROR, at, at + len(lines)))
    return Layout(units, options, source_lines, lines_in), Values(source_lines, regions, counts)


def fit_parts(parts: list[Part], budget: int, retrieve_id: str | None, count: Callable[[str], int] | None, *,
              lines_in: int, counts: Mapping[int, int] | None = None) -> tuple[str, list[Part]]:
    """The best output of ``parts`` within ``budget`` tokens (markers naming ``retrieve_id``);
    ``counts``: lines per template key in the whole input (rare kinds first). ``count``
    None: the parts' own counts, markers and totals estimated (no encoder needed)."""
    known: dict[str, int] = {}
    lay, values = parts_layout(parts, lines_in, counts, known)
    ends_with_newline = bool(parts) and isinstance(parts[-1], Shown) and parts[-1].end
    if count is not None:
        return fit_layout(lay, values, budget, retrieve_id, count, ends_with_newline=ends_with_newline)
    guess = estimate(known)
    return fit_layout(lay, values, budget, retrieve_id, guess, ends_with_newline=ends_with_newline,
                      total=estimated_total(guess, retrieve_id))


class Candidate:
    """The best output so far of an input read in pieces (see the module docstring)."""

    def __init__(self, budget: int, count: Callable[[str], int], *, stored: bool = True) -> None:
        """``count``: real tokens, used for the output only (the choices before it estimate);
        ``stored``: whether the markers will likely name a stored original (their length)."""
        self.budget = budget
        self.count = count
        self.placeholder = PLACEHOLDER_ID if stored else None
        self.parts: list[Part] = []
        self.counts: Counter[int] = Counter()  # lines per template key so far (bounded: see add)

    def add(self, parts: list[Part], lines_in: int, counts: Mapping[int, int] | None = None) -> None:
        """Add the next piece's parts (``lines_in``: the input's lines so far; ``counts``: its
        lines per template key) and choose down to the budget again."""
        if counts:
            if len(self.counts) + len(counts) > MAX_TEMPLATES:  # an input of ever new shapes: the commonest stay
                self.counts = Counter(dict(self.counts.most_common(MAX_TEMPLATES // 2)))
            self.counts.update(counts)
        merged = self.parts + parts
        # Estimated (the parts' own counts): this process needs no encoder until the output. A
        # little over the budget, so that the exact last fit has the choice.
        _, self.parts = fit_parts(merged, self.budget + self.budget // SPARE, self.placeholder, None,
                                  lines_in=lines_in, counts=self.counts)

    def output(self, retrieve_id: str | None, lines_in: int) -> tuple[str, list[Omitted]]:
        """The output, its markers naming ``retrieve_id``, and what it left out."""
        text, parts = fit_parts(self.parts, self.budget, retrieve_id, self.count, lines_in=lines_in,
                                counts=self.counts)
        return text, [p for p in parts if isinstance(p, Omitted)]
