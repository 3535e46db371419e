"""Which lines of a prose region are prose at all: the line test behind the word-dropping
policy (``docs/LABELING.md``, "Regions first" and "In prose").

The region detector calls every line it cannot name prose, so a prose region of a tool
output holds build steps, frames, test ids, status lines, compiler diagnostics and commands
beside real sentences. Words may go only from sentences; the other lines keep every word
(:data:`Drop.NEVER`), or lose at most their articles when they carry an error message or
are led by a location (a diagnostic, a grep hit, a log line). One test for the pipeline,
the teacher and every scorer, so no scorer can cut ``RUN go build`` to ``RUN go``.
"""

from __future__ import annotations

import re

from tersify.regions.kinds import Drop
from tersify.text.lexicon import is_decoration, is_function_word

PROSE_FUNCTION_SHARE = 0.2  # a line with at least this share of function words reads as prose

_CODE_KEYWORD = re.compile(
    r"^(?:def|class|return|import|from|if|elif|else|for|while|fn|let|const|var|func|pub|impl|use|"
    r"package|public|private|protected|static|void|int|char|#include|#define|try|except|catch|"
    r"throw|raise|async|await|with|yield|match|case|struct|enum|interface|type|export|new|assert)\b"
)
_CODE_STRONG = re.compile(r"==|!=|<=|>=|=>|->|&&|\|\||\s=\s|;\s*$|\{\s*$|^\s*[})\]][;,)]*\s*$|\w\[\w*\]\s*=")
_CODE_CALL = re.compile(r"[\w\]]\(")
_CODE_OPENER = re.compile(r"[:{(=]\s*$|\(")
_GREP_PREFIX = re.compile(r"^(?:\S+?:[0-9]+:(?:[0-9]+:)?|[0-9]+[:-]|>\s+)")  # grep hit, pytest's source marker
_DIFF_LINE = re.compile(r"^(?:@@ .* @@|[+-](?![+-]{2}\s)|diff --git |index [0-9a-f]+\.\.)")
ERROR_LINE = re.compile(
    r"(?:^|\s)(?:E {2,}|[\w.$]*(?:Error|Exception|Failure|Fault|Panic)\b:|(?:error|fatal|panic|warning)(?:\[\w+\])?:|"
    r"ERROR\b|FATAL\b|Caused by:)"
)
# An error with a code (``error TS2307:``, ``error[E0308]:``) is an error line too.
_CODED_ERROR = re.compile(r"(?i)\berror\s*(?:\[\w+\]|[A-Z]+\d+)\s*:")
# "warning:" lines are prose in the guide (warnings, notes, hints); only errors keep their words.
_WARNING_LEAD = re.compile(r"(?i)^\s*(?:\S+\s+)?(?:warning|warn|note|hint|notice|info)\b\S*:?\s")
_ERROR_WORD = re.compile(r"(?i)\b(?:error|fatal|panic|exception)\b")
_TABLE_ROW = re.compile(r"\S(?: {2,}|\t)\S.*\S(?: {2,}|\t)\S")
# Section lines of chained tracebacks: they say how two exceptions relate, word for word.
_SECTION = re.compile(r"During handling of the above exception|The above exception was the direct cause")
# A line led by a path, a location or a time stamp is a diagnostic, a log line or a grep hit
# (tested on the first word alone, so a long line costs no backtracking).
_LOCATION = re.compile(r".:\d")
_TIME_STAMP = re.compile(r"\d[\d:.TZ+-]{5,}")
MAX_WORD_CHARS = 256  # a longer "word" is a blob (a hash, a minified line): its line is no sentence
# A command line: a shell prompt, a make/npm echo, a buildkit step.
_COMMAND = re.compile(r"^\s*(?:\$|>|\+|#\d*|%|PS>|>>>)\s")
# Words that make a line a line of names and values rather than a sentence.
_NAMEY = re.compile(r"[0-9/\\_@$<>{}\[\]=|]|::|\.\w|\w\(|^[A-Z]{2,}\W*$|^[a-z]+[A-Z]")
_ALPHA_WORD = re.compile(r"^[A-Za-z][a-z'’-]*[,.;:!?]?$")
# Quoted text inside a line (a commit message in `git commit -m '...'`) says nothing about
# whether the line around it is a sentence.
_QUOTED = re.compile(r"""'[^'\n]*'|"[^"\n]*"|`[^`\n]*`""")
# A lower-case program name with a flag among the next words: a command without a prompt.
_PROGRAM = re.compile(r"^[a-z][\w.+-]*$")
_FLAG = re.compile(r"^--?[A-Za-z]")
MIN_SENTENCE_WORDS = 4
SENTENCE_WORD_SHARE = 0.6  # share of plain lower-case words for a line to read as a sentence


def is_table_row(line: str) -> bool:
    """Columns aligned by runs of spaces or tabs: a row of a table or listing."""
    return bool(_TABLE_ROW.search(line.strip()))


def is_code_line(line: str, strings: list[str]) -> bool:
    """Source code: a diff line, a grep hit in code, a statement, a call."""
    body = line.strip()
    if _DIFF_LINE.match(body):
        return True
    body = _GREP_PREFIX.sub("", body, count=1).strip()
    if not body:
        return False
    fw_share = sum(1 for w in strings if is_function_word(w)) / max(1, len(strings))
    if _CODE_STRONG.search(body):
        return fw_share < 0.34
    if _CODE_KEYWORD.match(body) and _CODE_OPENER.search(body):
        return fw_share < 0.6  # `with open(p) as fh:` is code despite its function words
    return bool(_CODE_CALL.search(body)) and fw_share < PROSE_FUNCTION_SHARE and len(strings) <= 12


def is_identifier(word: str) -> bool:
    """A name or a value (digits, paths, ``snake_case``, ``camelCase``, ``a::b``, calls)."""
    return bool(_NAMEY.search(word))


def is_sentence(line: str, strings: list[str]) -> bool:
    """Whether a line reads as a sentence (words may go) rather than a status line, a command
    or a line of names and values (kept whole)."""
    if len(strings) < MIN_SENTENCE_WORDS or _COMMAND.match(line) or is_command(strings):
        return False
    outside = _QUOTED.sub(" ", line).split() if ("'" in line or '"' in line or "`" in line) else strings
    if len(outside) < MIN_SENTENCE_WORDS:
        return False
    plain = sum(1 for w in outside if _ALPHA_WORD.match(w) and not _NAMEY.search(w))
    if plain / len(outside) < SENTENCE_WORD_SHARE:
        return False
    return any(is_function_word(w) for w in outside)


def is_command(strings: list[str]) -> bool:
    """A command line without a prompt: a lower-case program name, then a flag within the
    next three words (``git commit -m ...``, ``docker run --rm ...``)."""
    return bool(strings) and bool(_PROGRAM.match(strings[0])) and any(_FLAG.match(w) for w in strings[1:4])


def is_error_message(line: str) -> bool:
    """An error-message line (articles only may go); a warning or note sentence is prose."""
    if not (ERROR_LINE.search(line) or _CODED_ERROR.search(line)):
        return False
    return not (_WARNING_LEAD.match(line) and not _ERROR_WORD.search(line))


def is_located(strings: list[str]) -> bool:
    """The line's first word is a path, a ``file:line`` location or a time stamp, and more follows."""
    if len(strings) < 2:
        return False
    first = strings[0]
    return "/" in first or "\\" in first or bool(_LOCATION.search(first) or _TIME_STAMP.match(first))


def is_decoration_line(strings: list[str]) -> bool:
    """Every word a rule or bar (``=====``, ``^~~~~``, ``[####]``)."""
    return bool(strings) and all(len(w) >= 4 and is_decoration(w) for w in strings)


def prose_line_drop(line: str, strings: list[str]) -> Drop:
    """What word dropping may remove from a line of a prose region: a sentence's words
    (and a decoration line's), an error message's or a located line's articles, nothing
    from the rest (code, table rows, section lines, commands, names and values)."""
    if not strings or max(map(len, strings)) > MAX_WORD_CHARS:
        return Drop.NEVER
    if is_decoration_line(strings):
        return Drop.WORDS
    if is_code_line(line, strings) or is_table_row(line) or _SECTION.search(line):
        return Drop.NEVER
    if is_error_message(line) or is_located(strings):
        return Drop.ARTICLES
    return Drop.WORDS if is_sentence(line, strings) else Drop.NEVER


__all__ = [
    "ERROR_LINE",
    "PROSE_FUNCTION_SHARE",
    "is_code_line",
    "is_command",
    "is_decoration_line",
    "is_error_message",
    "is_identifier",
    "is_sentence",
    "is_table_row",
    "prose_line_drop",
]
