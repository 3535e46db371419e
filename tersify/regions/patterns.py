"""The line patterns, as one anchored alternation per family, tried in priority order.

Every alternative is a named group ``<tag>__<n>``; ``LINE.match(s).lastgroup`` names the
first alternative that matched, and ``TAGS`` maps its tag to a kind (and, for a few tags,
to a state change in ``detect.py``). One C-level match per line keeps detection fast; the
few alternatives that look past the start of a line use bounded or lazy prefixes only.
"""

from __future__ import annotations

import re

from tersify.regions.firstchar import ANY, DIGIT, LETTER, NONE, PUNCT, WORD, Alternative, Dispatch
from tersify.regions.kinds import Kind

_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_LEVEL = r"(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|CRITICAL|CRIT)"
_CODE_EXT = (
    r"(?:py|pyi|pyx|c|h|cc|cpp|cxx|hpp|hh|rs|go|java|kt|kts|scala|js|jsx|mjs|cjs|ts|tsx|rb|php|cs|"
    r"swift|m|mm|sh|bash|zsh|pl|pm|lua|r|R|jl|ex|exs|erl|hs|ml|clj|dart|vue|svelte|sql|proto|"
    r"toml|ya?ml|json|ini|cfg|gradle|cmake|mk|Makefile|Dockerfile)"
)

# (tag, pattern, flush, indented) in priority order. Tags: KIND or KIND_action (see detect.py).
# flush / indented: the characters a matching line can start with, when it starts with a
# non-blank / the first non-blank character when it starts with a blank (see firstchar.py).
ALTERNATIVES: list[Alternative] = [
    # --- sections that start a state -------------------------------------------------
    ("STATUS", r"\s*Traceback \(most recent call last\):", "T", "T"),
    ("CODE_frame", r'\s*File "[^"]*", line \d+', "F", "F"),
    ("DIFF_git", r"diff --(?:git|cc|combined) \S", "d", NONE),
    ("DIFF_hunk", r"@@@? -\d+", "@", NONE),
    ("DIFF_cmd", r"diff (?:-[-\w=]+ )+\S", "d", NONE),
    ("DIFF_file", r"(?:---|\+\+\+) \S", "+-", NONE),
    (
        "DIFF_meta",
        r"(?:index [0-9a-f]+[.,]|(?:new|deleted) file mode |old mode |new mode |"
        r"(?:dis)?similarity index |rename (?:from|to) |copy (?:from|to) |Binary files .* differ)",
        "Bcdinors",
        NONE,
    ),
    ("STATUS_commit", r"commit [0-9a-f]{7,40}\b", "c", NONE),
    ("STATUS_http", r"(?:< )?HTTP/\d(?:\.\d)? \d{3}\b", "<H", NONE),
    ("STATUS_request", r"> (?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE) \S+ HTTP/", ">", NONE),
    # --- log lines --------------------------------------------------------------------
    (
        "LOG",
        r"(?:\S*[^\s:]\s){0,2}?\[?(?:"
        r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[T\s_-]+\d{1,2}[:.]\d{2}"
        r"|\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}:\d{2}"
        rf"|{_DAY}[a-z]*,?\s+(?:\d{{1,2}}\s+)?{_MON}"
        rf"|{_MON}[a-z]*\s+\d{{1,2}},?\s+(?:\d{{4}}\s+)?\d{{1,2}}:\d{{2}}:\d{{2}}"
        r"|\d{6}\s\d{6}\s"
        r"|\d{1,2}\.\d{1,2}\s\d{1,2}:\d{2}:\d{2}"
        r"|\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"
        r"|\d{10}(?:\.\d+)?\s"
        rf"|{_LEVEL}\]"
        r")",
        ANY,
        NONE,
    ),
    ("LOG", r"\d+ \S+ \S+ \S+ \d{9,10} -?\d+ ", DIGIT, NONE),  # HPC: id node component event epoch flag
    (
        "LOG",
        r"\d{1,3}(?:\.\d{1,3}){3} \S+ (?:\S+ )?(?:\[[^\]]*\] )?(?:\"|code \d{3})",
        DIGIT,
        NONE,
    ),  # access logs
    (
        "LOG",
        rf"{_LEVEL}(?::\w*:|\s+\[|\s+\S+:\s|\s*\|)|level=\w+ |[IWEF]\d{{4}} \d\d:\d\d",
        "CDEFINSTWl",
        NONE,
    ),
    ("STATUS", r"(?:FAIL|ERROR): \S+ \(", "EF", NONE),  # unittest failure headers
    # --- test runners ------------------------------------------------------------------
    (
        "TEST",
        r"(?:\[gw\d+\] )?\S+::\S.*?\s(?:PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS|xfail|xpass)\b",
        ANY,
        NONE,
    ),
    ("TEST", r"\[gw\d+\] (?:\[\s*\d+%\] )?(?:PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\b", "[", NONE),
    ("TEST", r"(?:\S+\.py )?[.FEsxXP]+\s*(?:\[\s*\d{1,3}%\])\s*$", ANY, NONE),
    ("TEST", r"\S+\.py [.FEsxX]+\s*$", ANY, NONE),
    ("TEST", r"(?:not )?ok \d+\b|1\.\.\d+\s*$|# Subtest: ", "#1no", NONE),
    ("TEST", r"=== (?:RUN|PAUSE|CONT|NAME) |\s*--- (?:PASS|FAIL|SKIP): |ok  \t", "-=o", "-"),
    ("TEST", r"\s*[✓✔✕✗]\s", NONE, NONE),
    # --- error-message lines --------------------------------------------------------
    ("ERROR", r"E(?:\s|$)", "E", NONE),
    (
        "ERROR",
        r"\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Fault)(?::\s|:?\s*$)",
        WORD + ".",
        WORD + ".",
    ),
    ("ERROR", r"\s*Exception in thread ", "E", "E"),
    (
        "ERROR",
        r"\s*(?:error|fatal|panic|ERROR|FATAL|Error|Fatal|PANIC|FAILURE|CRITICAL)(?:\[\w+\])?:",
        "CEFPefp",
        "CEFPefp",
    ),
    ("ERROR", r"\s*[A-Za-z]+ error:|invalid-syntax:|\s*× |FATAL\b|npm (?:ERR!|error\b)", LETTER, LETTER),
    ("ERROR", r"\S+:\d+(?::\d+)?:\s*(?:fatal )?error\b|\S+:\d+:\d+\s+error\s", ANY, NONE),
    ("ERROR", r"\S+:\d+:(?:\d+:)?\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception)\b", ANY, NONE),
    ("ERROR", r"\S+:\d+:\d+: [A-Z]{1,4}\d{3,4}\b|[A-Z]{1,4}\d{3,4} (?:\[\*\] )?\S", ANY, NONE),
    ("ERROR", r"make(?:\[\d+\])?: \*\*\*|curl: \(\d+\)|thread '.*' (?:\(\d+\) )?panicked at ", "cmt", NONE),
    (
        "ERROR",
        r"[\w./-]+: (?:line \d+: )?(?:cannot |can't |No such file|Permission denied|"
        r"command not found|.*Segmentation fault|.*core dumped)",
        WORD + "-./",
        NONE,
    ),
    ("ERROR", r"assertion .{0,200} failed\b", "a", NONE),
    (  # unittest assertEqual details on sequences: part of the failure message
        "ERROR",
        r"First differing element \d+:|(?:First|Second) (?:list|tuple|sequence) contains \d+ additional "
        r"elements?\.|First extra element \d+:",
        "FS",
        NONE,
    ),
    # --- status and section lines -------------------------------------------------------
    ("STATUS", r"[=_!*~#-]{3,} \S.*? [=_!*~#-]{3,}\s*$", "!#*-=_~", NONE),
    (
        "STATUS_rule",
        r"[ \t]*(?:"
        + "|".join(rf"{c}{{3,}}|{c}(?: {c}){{2,}}" for c in (r"=", r"\*", "_", "~", "#", "-"))
        + r")[ \t]*$",
        "#*-=_~",
        "#*-=_~",
    ),
    ("STATUS", r"(?:FAILED|ERROR|PASSED|SKIPPED|XFAIL|XPASS)(?: \[\d+\])? \S", "EFPSX", NONE),
    (
        "STATUS",
        r"\d+ (?:failed|passed|errors?|skipped|deselected|xfailed|xpassed|warnings?|selected|"
        r"problems?|tests? (?:passed|failed|completed|ran))\b|no tests ran\b",
        DIGIT + "n",
        NONE,
    ),
    ("STATUS", r"\s*\d+ files? (?:changed|already|would|left|reformatted)", DIGIT, DIGIT),
    (
        "STATUS",
        r"Successfully (?:installed|built|uninstalled|tagged|created)\b|Requirement already satisfied",
        "RS",
        NONE,
    ),
    (
        "STATUS",
        r"Ran \d+ tests? in |OK(?: \(.*\))?\s*$|FAILED \(|running \d+ tests?|test result: |"
        r"failures:\s*$|collect(?:ing|ed) |(?:PASS|FAIL)\s*$|FAIL\t",
        "FOPRcfrt",
        NONE,
    ),
    (
        "STATUS",
        r"\W{0,4}(?:[Ee]xit (?:status|code)|[Pp]rocess finished with exit code|"
        r"[Cc]ommand exited with|\[exit code|[Pp]rocess exited with)",
        PUNCT + "CEPcep",
        PUNCT + "CEPcep",
    ),
    (
        "STATUS",
        r"Found \d+ |\[\*\] \d+ fixable|# (?:tests|suites|pass|fail|cancelled|skipped|todo|"
        r"duration_ms)\b|\s*\[Previous line repeated \d+ more times?\]",
        "#F[",
        "[",
    ),
    (
        "STATUS",
        r"\s*(?:Compiling|Finished|Running|Checking|Downloaded|Downloading|Building|Installing|"
        r"Collecting|Fresh|Doc-tests|Updating|Locking|Processing|Preparing|Resolving|Using cached) ",
        "BCDFILPRU",
        "BCDFILPRU",
    ),
    (
        "STATUS",
        r"On branch |HEAD detached|Your branch |nothing (?:added )?to commit|no changes added to|"
        r"Changes (?:not staged|to be committed)|Untracked files:|Unmerged paths:|You have unmerged|"
        r"All conflicts fixed|Automatic merge failed|CONFLICT \(|Auto-merging |Already up to date|"
        r"Fast-forward\s*$|Merge made by",
        "ACFHMOUYn",
        NONE,
    ),
    # --- code -------------------------------------------------------------------------
    ("CODE", r">(?:\s{2,}\S|\s*$)", ">", NONE),
    ("TABLE", r"[|*/\\ ]*\* [0-9a-f]{7,40} |[|/\\ ]*[/\\][|/\\ ]*\s*$", "*/\\|", "*/\\|"),  # git log --graph
    ("CODE_gutter", r"\s*\d+\s*\|(?:\s|$)|\s*\|(?:\s|$)", DIGIT + "|", DIGIT + "|"),
    ("CODE", r"\s*-->\s|\s*::: \S", "-:", "-:"),
    ("CODE_caret", r"\s*[\^~][\^~\s]*$|\s*\^-+ ", "^~", "^~"),
    ("CODE", r"\s+at \S.*?(?:\(.*\)|:\d+)\s*\{?\s*$|\s+(?:async )?\S+ \(\S+:\d+:\d+\)\s*$", NONE, ANY),
    (
        "CODE_sql",
        r"(?:CREATE|ALTER|DROP) (?:UNIQUE )?(?:TABLE|INDEX|VIEW|TRIGGER)\b|INSERT INTO |UPDATE \S+ SET |"
        r"DELETE FROM |SELECT \S.* FROM ",
        "ACDISU",
        NONE,
    ),
    ("CODE", r"\S+\.\w+:\d+: in \S|\S+:\d+:\s*$", ANY, NONE),
    # "path:line" alone; the look-ahead finds the last ":" once, so a long word costs linear time.
    ("CODE_location", r"(?=(?:<\w+>|node:\w+|[^\s./]*[./]\S*):\d+\s*$)(?:\S+\.\w+|<\w+>|node:\w+|\S+/\S+):\d+\s*$",
     ANY, NONE),
    ("PROSE", r"\S+:\d+(?::\d+)?: (?:warning|note|info|hint|help)\b", ANY, NONE),
    ("CODE", rf"\S+\.{_CODE_EXT}[:-]\d+[:-]", ANY, NONE),  # grep hits and grep context lines
    ("CODE", r"\^?[0-9a-f]{7,40} (?:\S+\s+)?\(.*?\d+\) ", DIGIT + "^abcdef", NONE),  # git blame
    # --- tables and listings ----------------------------------------------------------
    ("TABLE", r"[-dlcbpsD][rwxsStT-]{9}[.+@]?\s|total \d+\s*$", "-Dbcdlpst", NONE),
    (
        "TABLE",
        r"[* ] \S+\s+[0-9a-f]{7,40} |[ MADRCU?!]{2} \S+\s*$",
        "!*?ACDMRU",
        ANY,
    ),  # git branch -v, git status -s
    ("TABLE", r"\s{8,}[a-zA-Z] \S+\s*$|\s+\S+ => \S", NONE, ANY),  # nm undefined symbols, ldd
    (
        "TABLE",
        r"[0-9a-f]{7,}(?:[: ]|\s*$)",
        DIGIT + "abcdef",
        NONE,
    ),  # oneline logs, reflog, nm, xxd, objdump symbols
    ("TABLE", r"\s*\d+(?:\.\d+)?[KMGTP]?\s+\S+\s*$", DIGIT, DIGIT),  # wc -l, du, uniq -c
    (
        "TABLE",
        r"\s*(?:\./|/|~/)?[\w.@+-]*/[\w.@+/-]*\s*$|\s+[\w@+-][\w.@+-]*\.\w{1,8}\s*$",
        WORD + "+-./@~",
        WORD + "+-./@~",
    ),  # paths
    (  # indented key: scalar (Node error-object properties, TAP YAML diagnostics)
        "TABLE",
        r"\s+[A-Za-z_]\w*: (?:-?\d[\d.]*|'[^']*'|\"[^\"]*\"|true|false|null|undefined|[|>]-?)\s*,?\s*$",
        NONE,
        LETTER + "_",
    ),
    ("TABLE", r"\s*\w[\w .()/-]{0,40}:\s{2,}\S", WORD, WORD),  # aligned key: value
]

# The alternation, dispatched on declared first characters (firstchar.py): same result, less work.
LINE_BY_FIRST = Dispatch(ALTERNATIVES)

_KIND_BY_NAME = {kind.name: kind for kind in Kind}


def _tag_of(group: str) -> tuple[Kind, str]:
    tag = group.split("__", 1)[0]
    kind, _, action = tag.partition("_")
    return _KIND_BY_NAME[kind], action


# group name -> (kind, action); action "" for a plain kind.
TAGS: dict[str, tuple[Kind, str]] = {name: _tag_of(name) for name in LINE_BY_FIRST.names}

# Patterns that look along the whole line, tried only when a cheap substring test passes.
DOTS_RESULT = re.compile(  # guarded by " ... " in the line
    r".*? \.\.\. (?:ok|FAIL|FAILED|ERROR|ignored|skipped\b.*|expected failure|unexpected success|bench:.*)\s*$"
)
DIFFSTAT = re.compile(r"\s*\S.*?\s\|\s+(?:\d+(?: [+-]*)?|Bin .*)\s*$")  # guarded by "|" in the line
HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
COMBINED_HUNK = re.compile(r"(@{3,}) (?:-\d+(?:,\d+)? )+\+\d+(?:,(\d+))? @{3,}")
GAPPY = re.compile(r"\S[ \t]*(?: {2}|\t)[ \t]*\S")
KEY_VALUE = re.compile(r"\s*[A-Z][\w-]*(?: [\w-]+)?:(?: |\s*$)")
HTTP_HEADER = re.compile(r"(?:< )?[A-Za-z][\w-]*: |<\s*$")
REQUEST_HEADER = re.compile(r"> (?:[A-Za-z][\w-]*: |$)")
COMMIT_HEADER = re.compile(r"(?:Author|AuthorDate|Commit|CommitDate|Date|Merge|Reflog|Signed-off-by):\s")
JSON_CONTENT = re.compile(r"(?:< )?content-type:.*json", re.IGNORECASE)
