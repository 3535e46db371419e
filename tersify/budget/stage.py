"""The budget stage: the pipeline's output, cut down to the budget with markers.

Called by ``compress`` last, only when its output is over the budget. Units are chosen
once (:mod:`tersify.budget.selection`); the chosen output is then counted exactly (it is
at most about the budget, so counting it is cheap) and, where the per-unit estimate was
short (tokens merge across lines, markers vary in length), chosen again for a target
lowered by the excess. If that does not converge, the whole input becomes one marker:
the output is never over the budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tersify.budget.markers import Omitted, json_shape, marker
from tersify.budget.selection import Plan, Values, choose
from tersify.budget.units import END, Layout, Option, Unit, layout
from tersify.compaction import Compacted
from tersify.regions import Region
from tersify.text.segment import Words

# Smallest budget accepted: room for one marker standing for the whole input.
MIN_BUDGET = 64
_ROUNDS = 8
KIND_KEYS = 1024  # the most template keys an Omitted carries (beyond: its kinds add up as an upper bound)


@dataclass(frozen=True)
class Elision:
    """What the budget left out (``compress(..., budget=N).elision``)."""

    budget: int
    retrieve_id: str | None  # the id the markers name; None: they say the lines are not stored
    omitted: tuple[Omitted, ...]  # one per marker, in order
    lines_in: int
    lines_shown: int  # original lines the output still shows (whole or in a compaction block)

    @property
    def lines_omitted(self) -> int:
        return sum(o.lines for o in self.omitted)

    def to_dict(self) -> dict:
        return {
            "budget": self.budget,
            "retrieve_id": self.retrieve_id,
            "lines_in": self.lines_in,
            "lines_shown": self.lines_shown,
            "lines_omitted": self.lines_omitted,
            "ranges": [[o.start + 1, o.stop] for o in self.omitted],
        }


@dataclass(frozen=True)
class Pipeline:
    """What the pipeline knows by its last stage (see :func:`tersify.budget.units.layout`)."""

    text: str
    source: str
    stays: np.ndarray | None
    regions: list[Region] | tuple[Region, ...]
    compacted: Compacted
    words: Words
    keep: np.ndarray
    output: str


@dataclass(frozen=True, slots=True)
class Shown:
    """Output a budget kept: ``text`` (one line, or a block's or a hunk's lines) stands for
    original lines ``[start, stop)``; ``end``: the "" after a final newline."""

    text: str
    start: int
    stop: int
    errors: int = 0  # error, failure and warning lines among the lines shown
    end: bool = False
    # What a later pass that leaves this out says of it: its lines' kinds, JSON document, hunk.
    kind_keys: frozenset[int] = frozenset()
    json: bool = False
    hunk: bool = False
    lines: tuple[Shown, ...] = ()  # a compaction block's lines, for a later pass that cannot keep it whole
    tokens: int = -1  # the text's tokens, when counted (a later pass then need not count it)


Part = Shown | Omitted  # an output, in order: what is shown, and one Omitted per marker


def counter(count: Callable[[str], int]) -> Callable[[str], int]:
    """``count`` with a cache per distinct text (units repeat; each is counted once)."""
    cache: dict[str, int] = {}

    def counted(text: str) -> int:
        found = cache.get(text)
        if found is None:
            found = cache[text] = count(text)
        return found

    return counted


def fit_budget(
    state: Pipeline, budget: int, retrieve_id: str | None, count: Callable[[str], int]
) -> tuple[str, Elision | None]:
    """``state.output`` if it fits ``budget`` tokens, else the best output that does."""
    if count(state.output) <= budget:
        return state.output, None
    lay = layout(state.text, state.source, state.stays, state.regions, state.compacted, state.words,
                 state.keep, state.output)
    values = Values(lay.source_lines, state.regions)
    text, parts = fit_layout(lay, values, budget, retrieve_id, count, ends_with_newline=state.text.endswith("\n"))
    return text, _elision(lay, budget, retrieve_id, tuple(p for p in parts if isinstance(p, Omitted)))


def fit_layout(
    lay: Layout, values: Values, budget: int, retrieve_id: str | None, count: Callable[[str], int], *,
    ends_with_newline: bool, total: Callable[[str, list[Part]], int] | None = None,
) -> tuple[str, list[Part]]:
    """The best output of ``lay``'s units within ``budget`` tokens, as text and as parts.
    ``total``: the tokens of an output (its text and parts), if not ``count`` of its text."""
    plan = Plan(lay, values, counter(count))
    gaps = [u.gap for u in lay.units if u.gap is not None]  # left out by an earlier pass
    all_errors = int(values.error.sum()) + sum(g.errors for g in gaps)
    all_kinds = values.n_templates + sum(g.kinds for g in gaps)
    widest = Omitted(max(lay.lines_in - 2, 0), lay.lines_in, kinds=all_kinds, errors=all_errors)
    marker_cost = count(marker(widest, retrieve_id)) + 1  # the first round assumes the longest marker
    target = budget
    best: tuple[int, str, list[Part]] | None = None
    for _ in range(_ROUNDS):
        kept, whole = choose(plan, plan.order(target), target, marker_cost)
        parts = render_parts(lay, values, kept, whole)
        text = text_of(parts, retrieve_id)
        omitted = [p for p in parts if isinstance(p, Omitted)]
        used = total(text, parts) if total is not None else count(text)
        if omitted:  # later rounds assume the markers' real average length
            marker_cost = -(-sum(count(marker(o, retrieve_id)) + 1 for o in omitted) // len(omitted))
        if used <= budget:
            if best is None or used > best[0]:
                best = (used, text, parts)
            slack = budget - used
            if slack <= max(marker_cost, budget // 50):
                break
            target += slack  # room was left (estimates ran long): try to use it
        else:
            target -= used - budget + max(4, budget // 100)
            if target <= 0:
                break
    if best is not None:
        return best[1], best[2]
    everything = Omitted(0, lay.lines_in, kinds=all_kinds, errors=all_errors)
    parts = [everything]
    if ends_with_newline:
        parts.append(Shown("", lay.lines_in, lay.lines_in, end=True))
    text = text_of(parts, retrieve_id)
    if (total(text, parts) if total is not None else count(text)) > budget:  # below MIN_BUDGET only
        return "", []
    return text, parts


def text_of(parts: list[Part], retrieve_id: str | None) -> str:
    """The output: shown parts as they are, a marker line for each range left out."""
    return "\n".join(p.text if isinstance(p, Shown) else marker(p, retrieve_id) for p in parts)


def _elision(lay: Layout, budget: int, retrieve_id: str | None, omitted: tuple[Omitted, ...]) -> Elision:
    left_out = sum(o.lines for o in omitted)
    return Elision(budget, retrieve_id, omitted, lay.lines_in, lay.lines_in - left_out)


def _shape(lay: Layout, document) -> str | None:
    """The outline of a JSON document left out (a unit, or an option; parsed once)."""
    if document.shape is None:
        if isinstance(document, Option):
            first, last = lay.units[document.first], lay.units[document.stop - 1]
            start, stop = first.src_start, last.src_stop
        else:
            start, stop = document.src_start, document.src_stop
        document.shape = json_shape("\n".join(lay.source_lines[start:stop])) or ""
    return document.shape or None


def render(
    lay: Layout, values: Values, kept: list[bool], whole: list[bool], retrieve_id: str | None
) -> tuple[str, tuple[Omitted, ...]]:
    """The output for ``kept``: kept units as they are (the lines of a block written
    ``whole`` as the block), one marker per range left out."""
    parts = render_parts(lay, values, kept, whole)
    return text_of(parts, retrieve_id), tuple(p for p in parts if isinstance(p, Omitted))


def render_parts(lay: Layout, values: Values, kept: list[bool], whole: list[bool]) -> list[Part]:
    """The parts of the output for ``kept`` (see :func:`render`). A range left out takes in
    the GAP units in it, their counts added to its own."""
    units = lay.units
    n = len(units)
    templates, errs = values.template_list, values.error_list  # per line, as lists: cheap to slice
    out: list[Part] = []
    shown_to = 0  # the original line the last kept unit ends at
    i = 0
    while i < n:
        unit = units[i]
        if kept[i]:
            if unit.option >= 0 and whole[unit.option]:
                option = lay.options[unit.option]
                last = units[option.stop - 1]
                lines = tuple(_shown(u, values, option.json) for u in units[option.first : option.stop])
                out.append(Shown(option.text, unit.start, last.stop, sum(line.errors for line in lines),
                                 json=option.json, lines=lines, tokens=option.tokens))
                shown_to = max(shown_to, last.stop)
                i = option.stop
                continue
            if unit.kind == END:
                out.append(Shown(unit.text, unit.start, unit.stop, end=True))
            else:
                out.append(_shown(unit, values, unit.json or unit.hunk))
                shown_to = max(shown_to, unit.stop)
            i += 1
            continue
        j = i
        kinds: set[int] = set()  # template keys
        ids: set[int] = set()  # templates (of this layout's lines)
        errors = json_documents = diff_hunks = gap_kinds = 0
        document = None
        gap_shape = None
        in_document = -1  # the units of a JSON document left out whole end here
        while j < n and not kept[j]:
            u = units[j]
            if u.gap is not None:
                g = u.gap
                errors += g.errors
                if g.kind_keys:
                    kinds |= g.kind_keys
                else:
                    gap_kinds += g.kinds
                json_documents += g.json_documents
                diff_hunks += g.diff_hunks
                gap_shape = g.json_shape if g.json_documents == 1 else gap_shape
                j += 1
                continue
            option = lay.options[u.option] if u.option >= 0 else None
            if option is not None and option.json and j == option.first and not any(kept[j : option.stop]):
                json_documents += 1
                document = option
                in_document = option.stop
            if u.keys is not None:  # a part of an earlier pass: what it said of itself
                kinds |= u.keys
                errors += u.errors
            else:
                if not (u.json or u.hunk or j < in_document):  # a document's or a hunk's line shapes say little
                    ids.update(templates[u.src_start : u.src_stop])
                errors += sum(errs[u.src_start : u.src_stop])
            json_documents += u.json
            diff_hunks += u.hunk
            document = u if u.json else document
            j += 1
        stop = units[j].start if j < n else lay.lines_in
        if ids:
            ids.discard(-1)
            kinds |= values.keys_of(ids)
        if stop > shown_to:
            shape = None
            if json_documents == 1:
                shape = _shape(lay, document) if document is not None else gap_shape
            keys = frozenset(kinds) if len(kinds) <= KIND_KEYS else frozenset()  # bounded: then an upper bound
            out.append(Omitted(shown_to, stop, len(kinds) + gap_kinds, errors, json_documents, diff_hunks, shape,
                               keys))
        i = j
    return out


def _shown(unit: Unit, values: Values, shapeless: bool) -> Shown:
    """A kept unit as a part; ``shapeless``: its line shapes are no kinds (JSON, a hunk)."""
    if unit.keys is not None:  # a part of an earlier pass, shown again
        keys, errors = unit.keys, unit.errors
    else:
        s0, s1 = unit.src_start, unit.src_stop
        keys = frozenset() if shapeless else frozenset(values.kind_keys(s0, s1))
        errors = int(values.error[s0:s1].sum())
    return Shown(unit.text, unit.start, unit.stop, errors, kind_keys=keys, json=unit.json, hunk=unit.hunk,
                 tokens=unit.tokens)
