"""Word lists shared by must-keep detection, the scorers, the teacher and the metrics.

One place for them, so "function word" or "protected word" means the same thing in
labelling, compression and evaluation.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Negations and outcome words: dropping one of these can invert what an output says.
PROTECTED_WORDS: frozenset[str] = frozenset(
    """
    not no never none nothing nobody nowhere nor neither cannot can't cant won't wont
    don't doesn't didn't isn't aren't wasn't weren't shouldn't couldn't wouldn't
    hasn't haven't hadn't mustn't needn't without unable
    fail fails failed failing failure failures error errors errored erroneous
    denied deny refused refuse rejected reject missing invalid illegal
    timeout timeouts timed
    fatal panic panicked panics abort aborted aborting crash crashed crashes
    killed terminated exception exceptions
    skip skipped skipping pass passed passes passing ok success succeeded successful
    warning warnings warn deprecated unreachable unavailable unknown unexpected
    undefined unresolved forbidden unauthorized expired broken conflict conflicts
    incompatible mismatch overflow underflow exceeded exceeds leak leaked
    corrupt corrupted disabled enabled true false null nil yes
    lost dropped blocked stale retry retrying retried degraded down unhealthy
    """.split()
)

# Connectives that carry logic (LABELING.md, always-keep rule 7): dropping one changes what a
# sentence says ("A or B", "from X to Y", "unless ...", "run it before the restart", "failed
# because ...", "must be set"), so word dropping never removes them: order, cause, condition
# and obligation words as much as the boolean ones.
LOGIC_WORDS: frozenset[str] = frozenset(
    """
    and or nor not from to than instead unless except but if only vs versus
    before after because until since while must
    """.split()
)

# Function words: articles, auxiliaries, pronouns, most prepositions and conjunctions.
# These carry grammar, not facts; they are the first candidates for dropping.
FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a an the this that these those there here
    is are was were be been being am has have had having do does did doing
    will would shall should can could may might must
    of for with to from in into onto on at by as about above below over under
    between through during before after since until upon via per than then
    and or but so if because while although though whereas also just
    it its it's they them their theirs we our ours you your yours he she his her him
    i me my mine which who whom whose what when where why how
    some any each every all both either such same other another
    very too quite rather really simply only even still already
    please note kindly
    """.split()
)

# Characters that make up decoration lines (rules, boxes, progress bars).
DECORATION_CHARS: frozenset[str] = frozenset("=-*_#~+.|/\\<>:;`'\"^ \t█▉▊▋▌▍▎▏░▒▓─━│┃┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬·•")


def normalise(word: str) -> str:
    """Lower-case a word and strip surrounding punctuation, for list look-ups."""
    return word.strip("\"'`()[]{}<>,.;:!?").lower()


def is_protected(word: str) -> bool:
    return normalise(word) in PROTECTED_WORDS


def is_function_word(word: str) -> bool:
    return normalise(word) in FUNCTION_WORDS


def is_decoration(word: str) -> bool:
    """A word made only of rule/box/progress characters (``=====``, ``----``, ``[####]``)."""
    return len(word) >= 3 and all(ch in DECORATION_CHARS or ch in "[]()" for ch in word)


# A word that holds a value: a digit, a path separator, or an identifier character.
_VALUE = re.compile(r".*[0-9].*|.*[/\\].*|.*[_$@].*")
# Month and weekday names are values (a date), never template constants.
_DATE_WORD = re.compile(
    r"(?i)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
    r"|january|february|march|april|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)


def line_template(line_words: list[str]) -> tuple[str, ...]:
    """The shape of a line: its words with every value (digits, paths, identifiers, dates)
    masked as ``<*>``. Two lines with the same template differ only in their values."""
    return tuple(map(template_word, line_words))


VALUE = "<*>"  # what a line template shows in place of a value


@lru_cache(maxsize=1 << 16)
def template_word(word: str) -> str:
    """A word as a line template shows it: ``<*>`` for a value, else the word itself
    (cached: a log repeats its words line after line)."""
    return VALUE if _VALUE.fullmatch(word) or _DATE_WORD.fullmatch(normalise(word)) else word


def clear_caches() -> None:
    """Forget the template words remembered across calls (benchmarks measure cold passes)."""
    template_word.cache_clear()
