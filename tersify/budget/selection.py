"""What each unit is worth, and which units fit: one sort, then one greedy pass.

Values, most valuable first (a unit is kept when it still fits, else the next is tried):

0. the first and the last unit;
1. error, failure and warning lines that show a kind (template) of error not seen before
   (never lines of a JSON document: there the words are keys and strings, not events);
2. the other error lines and one unit of context either side of each, when all of that
   fits in half the budget (else they come after the templates, at 4);
3. one instance of every line template (the unit where it first appears);
4. lines holding rare words (words of their template seen on at most two lines);
5. compaction blocks written whole (the lines of a block not yet kept, at the block's
   cost), then the rest, rarest template first: repetitive lines (and progress lines,
   which repeat one template) go first;
6. blank lines, and only beside a kept unit (alone between two markers they say nothing).

Leaving a unit out costs a marker where it opens a new range; keeping one can close a
range or split one in two; a range that costs no more than its marker is kept after all. The pass keeps those marker costs exact in count (one marker
per range), each marker estimated at the longest a marker of this input can be. Token
counts are per unit, counted once (a cache per distinct text): no recounting.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping

import numpy as np

from tersify.budget.units import END, GAP, LINE, Layout
from tersify.regions import Kind, Region
from tersify.text.lexicon import VALUE
from tersify.text.segment import segment
from tersify.text.templates import lines as template_lines

# Words that make a line an error, failure or warning line wherever it is (log levels,
# test and build outcomes); lines of the ERROR region kind are error lines too.
ERROR_WORDS = re.compile(
    r"(?i)\b(?:errors?|err|fail(?:s|ed|ure|ures|ing)?|fatal|panic(?:ked)?|exceptions?|traceback|"
    r"warn(?:ing|ings)?|critical|crit|severe|alert|emerg(?:ency)?|denied|refused|abort(?:ed)?|"
    r"segfault|segmentation fault|core dumped|killed|timed out|timeout)\b"
)
# Level letters: logcat ("03-17 16:13:38.811  1702  2395 E Tag: ..."), glog ("E0317 16:13:38").
LEVEL_LETTER = re.compile(r"(?m)^(?:[0-9]{2}-[0-9]{2} [0-9:.]+\s+[0-9]+\s+[0-9]+ [EWF] |[EWF][0-9]{4} [0-9]{2}:)")
RARE_LINES = 2  # a template word seen on at most this many lines is rare
NEVER = 1 << 40  # the cost of a unit that is never shown


class Values:
    """Per source line: its template (an id) and whether it is an error line; per template:
    how many lines have it, where it first appears, and how rare its rarest word is."""

    def __init__(self, source_lines: list[str], regions: list[Region] | tuple[Region, ...],
                 counts: Mapping[int, int] | None = None) -> None:
        """``counts``: lines per template key in a whole input these lines were chosen from
        (a template's count is then the larger of its lines here and there)."""
        n = len(source_lines)
        source = "\n".join(source_lines)
        words = segment(source)
        self.template = np.full(n, -1, dtype=np.int64)
        ids: dict[tuple[str, ...], int] = {}
        shapes: list[tuple[str, ...]] = []
        for line in template_lines(words):
            t = ids.get(line.template)
            if t is None:
                t = ids[line.template] = len(shapes)
                shapes.append(line.template)
            self.template[line.index] = t
        error = np.zeros(n, dtype=bool)
        for region in regions:
            if region.kind is Kind.ERROR:
                error[region.start : region.stop] = True
        starts = words.line_starts
        hits = [m.start() for m in ERROR_WORDS.finditer(source)]
        hits += [m.start() for m in LEVEL_LETTER.finditer(source)]
        if hits:
            error[np.searchsorted(starts, np.asarray(hits, dtype=np.int64), side="right") - 1] = True
        for region in regions:  # in JSON, "timeout" or "error" is a key or a string's word, not an event
            if region.kind is Kind.JSON:
                error[region.start : region.stop] = False
        self.error = error
        has = self.template >= 0
        self.count = np.bincount(self.template[has], minlength=len(shapes))
        self._shapes = shapes
        self._keys: dict[int, int] = {}
        self._template_list: list[int] | None = None
        self._error_list: list[bool] | None = None
        if counts:
            for t in range(len(shapes)):
                self.count[t] = max(int(self.count[t]), counts.get(self._key(t), 0))
        first = np.full(len(shapes), n, dtype=np.int64)
        np.minimum.at(first, self.template[has], np.flatnonzero(has))
        self.first = first
        # Word rarity over distinct templates, weighted by their line counts (cheap on big logs).
        seen: Counter[str] = Counter()
        for t, shape in enumerate(shapes):
            for word in set(shape):
                if word != VALUE:
                    seen[word] += int(self.count[t])
        self.rare = np.array([any(seen[w] <= RARE_LINES for w in shape if w != VALUE) for shape in shapes],
                             dtype=bool)
        self.n_templates = len(shapes)

    def kinds(self, start: int, stop: int) -> set[int]:
        found = set(self.template[start:stop].tolist())
        found.discard(-1)
        return found

    def kind_keys(self, start: int, stop: int) -> set[int]:
        """The templates of lines ``[start, stop)`` as keys that are the same in any process
        and any text (so kinds left out in different pieces are counted once)."""
        return {self._key(t) for t in self.kinds(start, stop)}

    def keys_of(self, templates: set[int]) -> set[int]:
        return {self._key(t) for t in templates}

    @property
    def template_list(self) -> list[int]:
        if self._template_list is None:
            self._template_list = self.template.tolist()
        return self._template_list

    @property
    def error_list(self) -> list[bool]:
        if self._error_list is None:
            self._error_list = self.error.tolist()
        return self._error_list

    def template_counts(self) -> dict[int, int]:
        """Lines per template, by template key."""
        return {self._key(t): int(c) for t, c in enumerate(self.count.tolist())}

    def _key(self, t: int) -> int:
        key = self._keys.get(t)
        if key is None:
            digest = hashlib.blake2b("\0".join(self._shapes[t]).encode("utf-8", "surrogatepass"), digest_size=8)
            key = self._keys[t] = int.from_bytes(digest.digest(), "little")
        return key


class Plan:
    """The order in which units are tried, and their costs (built once per output)."""

    def __init__(self, layout: Layout, values: Values, count: Callable[[str], int]) -> None:
        units = layout.units
        n = len(units)
        self.units = units
        self.options = layout.options
        cost = [0] * n
        for i, unit in enumerate(units):
            if unit.kind == GAP:
                cost[i] = NEVER  # never shown: no range left out is ever filled in through it
            elif unit.kind != END:
                cost[i] = count(unit.text) + 1  # its newline
        self.cost = cost
        self.option_cost = [count(option.text) + 1 for option in layout.options]
        self.error = [False] * n
        self.new_error_kind = [False] * n
        self.new_kind = [False] * n
        self.rare = [False] * n
        self.rarity = [0] * n  # lines of the unit's commonest template (lower: rarer)
        self.blank = [False] * n  # no words at all
        seen_error_kinds: set[int] = set()
        # Python lists, not numpy slices: a unit is a line or a few, and there are many units.
        tmpl, err = values.template_list, values.error_list
        first, rare, counts = values.first.tolist(), values.rare.tolist(), values.count.tolist()
        for i, unit in enumerate(units):
            if unit.kind in (END, GAP):
                continue
            s0, s1 = unit.src_start, unit.src_stop
            ts = tmpl[s0:s1]
            es = err[s0:s1]
            ts_ok = [t for t in ts if t >= 0]
            if any(es):
                self.error[i] = True
                kinds = {t for t, e in zip(ts, es, strict=True) if e}
                if not kinds <= seen_error_kinds:
                    self.new_error_kind[i] = True
                    seen_error_kinds |= kinds
            if not ts_ok:
                self.blank[i] = unit.kind == LINE
            else:
                self.new_kind[i] = any(first[t] >= s0 for t in ts_ok)
                self.rare[i] = any(rare[t] for t in ts_ok)
                self.rarity[i] = max(counts[t] for t in ts_ok)
        real = [i for i, unit in enumerate(units) if unit.kind not in (END, GAP)]
        self.ends = {real[0], real[-1]} if real else set()
        context: set[int] = set()
        for i in range(n):
            if self.error[i]:
                for j in (i - 1, i + 1):
                    if 0 <= j < n and units[j].kind == LINE and not self.error[j]:
                        context.add(j)
        self.context = context
        self.error_cost = sum(cost[i] for i in range(n) if self.error[i]) + sum(cost[j] for j in context)

    def whole_only(self, target: int) -> list[bool]:
        """Per option: whether it is kept whole or not at all (a JSON document within half the
        budget is never cut into)."""
        return [o.json and c <= target // 2 for o, c in zip(self.options, self.option_cost, strict=True)]

    def order(self, target: int) -> list[int]:
        """Units in the order they are tried, for a budget of ``target`` tokens; a block
        option ``k`` appears as ``~k``."""
        errors_fit = self.error_cost <= target // 2
        keys: list[tuple[int, int, int]] = []
        whole_only = self.whole_only(target)
        best: dict[int, tuple[int, int]] = {}  # a whole-only option: its best line's tier
        for i, unit in enumerate(self.units):
            if unit.kind in (END, GAP):
                continue
            if i in self.ends:
                tier = 0
            elif self.new_error_kind[i]:
                tier = 1
            elif self.error[i] or i in self.context:
                tier = 2 if errors_fit else 4
            elif self.new_kind[i]:
                tier = 3
            elif self.rare[i]:
                tier = 4
            elif self.blank[i]:
                tier = 6
            else:
                tier = 5
            key = (tier, self.rarity[i] if tier in (1, 5) else 0)
            if unit.option >= 0 and whole_only[unit.option]:
                best[unit.option] = min(best.get(unit.option, key), key)
                continue
            keys.append((*key, i))
        keys.extend((*best[k], ~k) if whole_only[k] else (5, -1, ~k) for k in range(len(self.options)))
        keys.sort()
        return [i for _, _, i in keys]


def _runs(kept: list[bool]) -> int:
    """How many ranges of units left out ``kept`` holds."""
    return sum(1 for j, k in enumerate(kept) if not k and (j == 0 or kept[j - 1]))


def choose(plan: Plan, order: list[int], target: int, marker_cost: int) -> tuple[list[bool], list[bool]]:
    """Keep units (and block options) in ``order`` while the total (kept units, plus one
    marker per range of units left out) stays within ``target``. Returns which units are
    shown and which blocks are written whole."""
    units, cost = plan.units, plan.cost
    n = len(units)
    kept = [unit.kind == END for unit in units]
    whole = [False] * len(plan.options)
    total = marker_cost if not all(kept) else 0

    def is_kept(j: int) -> bool:
        return j < 0 or j >= n or kept[j]

    for i in order:
        if i < 0:  # a block written whole: its lines not yet kept, and the ranges it closes
            option = plan.options[~i]
            lo, hi = max(option.first - 1, 0), min(option.stop + 1, n)
            inner = range(option.first, option.stop)
            before = _runs(kept[lo:hi])
            after = _runs([True if option.first <= j < option.stop else kept[j] for j in range(lo, hi)])
            delta = plan.option_cost[~i] - sum(cost[j] for j in inner if kept[j]) + (after - before) * marker_cost
            if total + delta <= target:
                whole[~i] = True
                for j in inner:
                    kept[j] = True
                total += delta
            continue
        if kept[i]:
            continue
        if plan.blank[i] and not (is_kept(i - 1) or is_kept(i + 1)):
            continue
        # A hunk comes with its file's header lines, or not at all: one after the other, each
        # costed as the others are already kept, all undone if together they do not fit.
        added, delta = [], 0
        for j in [j for j in units[i].needs if not kept[j]] + [i]:
            left, right = is_kept(j - 1), is_kept(j + 1)
            delta += cost[j] + (-marker_cost if left and right else marker_cost if not left and not right else 0)
            kept[j] = True
            added.append(j)
        if total + delta <= target:
            total += delta
        else:
            for j in added:
                kept[j] = False
    _fill_gaps(kept, cost, marker_cost)
    return kept, whole


def _fill_gaps(kept: list[bool], cost: list[int], marker_cost: int) -> None:
    """Keep every range left out that costs no more than the marker that would name it:
    the lines themselves say more, for no more tokens."""
    i, n = 0, len(kept)
    while i < n:
        if kept[i]:
            i += 1
            continue
        j, run = i, 0
        while j < n and not kept[j] and run <= marker_cost:
            run += cost[j]
            j += 1
        if run <= marker_cost and (j == n or kept[j]):
            kept[i:j] = [True] * (j - i)
        while j < n and not kept[j]:
            j += 1
        i = j
