"""The must-keep categories: the table of named patterns.

Must-keep detection works on the original characters.

Each category is a named regular expression. Spans are found
on characters, not on model tokens, so a token that a tokenizer splits (``-O2``,
``Cargo.toml``, ``/var/log/app.log``) still survives: compression keeps every word
that overlaps a span, whole.

Every pattern runs in linear time. Python's ``re`` backtracks, so each pattern that
starts with a run of some character class is preceded by a look-behind that refuses
to start inside such a run, and inner runs use possessive quantifiers; a failed match
attempt therefore costs at most the length of one run and no run is rescanned from
each of its positions. Where a pattern's first character is a literal or a narrow class
(``0`` of ``0x``, ``-`` of a flag, ``.`` of an extension, ``S``/``E`` of a signal or errno,
a capital), that character comes first and the look-behind right after it: ``re`` then
skips to candidate positions in C instead of trying the pattern at every character.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tersify.text.lexicon import PROTECTED_WORDS


@dataclass(frozen=True)
class Category:
    """A named must-keep pattern.

    ``pattern`` never matches whitespace, so it is run on each distinct word of a text
    (once per distinct word, however often it occurs). ``needs`` lists characters of
    which a word must hold at least one for the pattern to be tried (a cheap vectorised
    filter; ``0`` stands for any digit, ``A`` for any upper-case letter, ``a`` for any
    lower-case letter, ``*`` for anything, a repeated character such as ``::`` for "at
    least that many", ``&`` between groups for "and", empty: the pattern spans words and
    is found by a link rule only). ``group`` names the capture group that is
    the span (``None``: the whole match).
    """

    name: str
    pattern: re.Pattern[str]
    description: str
    needs: str = "*"
    group: str | None = None
    # A word of digits alone is one whole match of this pattern (and of no other category).
    digits_match_whole: bool = False


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def trie_pattern(words: Sequence[str]) -> str:
    """A regex alternation of ``words`` factored into a trie (``fail(?:ed|ure)?``...).

    ``re`` tries alternatives one by one; sharing prefixes makes a word list of a
    hundred entries cost about as much as one literal.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends_here = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends_here:
            return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    return build(trie)


_PROTECTED_ALTERNATION = trie_pattern(sorted(PROTECTED_WORDS))

HTTP_REASONS = (
    "OK|Created|Accepted|No Content|Moved Permanently|Found|See Other|Not Modified|"
    "Temporary Redirect|Permanent Redirect|Bad Request|Unauthorized|Payment Required|Forbidden|"
    "Not Found|Method Not Allowed|Not Acceptable|Request Timeout|Conflict|Gone|Length Required|"
    "Payload Too Large|Content Too Large|Unsupported Media Type|Unprocessable Entity|"
    "Unprocessable Content|Too Many Requests|Internal Server Error|Not Implemented|Bad Gateway|"
    "Service Unavailable|Gateway Timeout"
)

_ERRNO_NAMES = (
    "PERM|NOENT|SRCH|INTR|IO|NXIO|2BIG|NOEXEC|BADF|CHILD|AGAIN|NOMEM|ACCES|FAULT|BUSY|EXIST|"
    "XDEV|NODEV|NOTDIR|ISDIR|INVAL|NFILE|MFILE|NOTTY|TXTBSY|FBIG|NOSPC|SPIPE|ROFS|MLINK|PIPE|"
    "DOM|RANGE|DEADLK|NAMETOOLONG|NOLCK|NOSYS|NOTEMPTY|LOOP|WOULDBLOCK|NOMSG|IDRM|NOSTR|NODATA|"
    "TIME|NOSR|NOLINK|PROTO|BADMSG|OVERFLOW|ILSEQ|USERS|NOTSOCK|DESTADDRREQ|MSGSIZE|PROTOTYPE|"
    "NOPROTOOPT|PROTONOSUPPORT|NOTSUP|OPNOTSUPP|AFNOSUPPORT|ADDRINUSE|ADDRNOTAVAIL|NETDOWN|"
    "NETUNREACH|NETRESET|CONNABORTED|CONNRESET|NOBUFS|ISCONN|NOTCONN|SHUTDOWN|TIMEDOUT|"
    "CONNREFUSED|HOSTDOWN|HOSTUNREACH|ALREADY|INPROGRESS|STALE|DQUOT|CANCELED|OWNERDEAD|"
    "NOTRECOVERABLE|PIPE|AI_AGAIN|AI_NONAME"
)

_UNITS = (
    "ms|us|µs|ns|s|sec|secs|seconds|m|min|mins|h|hr|hrs|d|"
    "[kKMGTP]i?[bB]|[kKMGTP]|B|b|bytes|%|x|px|Hz|kHz|MHz|GHz|fps|rps|qps|ops|rpm|tok|tokens"
)

CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in [
        # --- the seed's categories, tightened to whole tokens ---
        Category(
            "number",
            # The look-behind sits after the first digit, so re can skip to digits fast.
            _c(r"[0-9](?<![\w.][0-9])[0-9]*+(?:[.,][0-9]++)*+(?!\.?\w)"),
            "standalone numbers, decimals and digit groups: 139, 4218, 0.25, 262,144",
            needs="0",
            digits_match_whole=True,
        ),
        Category("hex", _c(r"0(?<!\w0)[xX][0-9a-fA-F]++(?!\w)"), "hex literals: 0x7fff2038", needs="xX&0"),
        Category(
            "allcaps",
            _c(r"[A-Z](?<!\w[A-Z])[A-Z0-9_]++(?<=[A-Z0-9])(?!\w)"),
            "ALLCAPS names: SIGSEGV, EOF, EXC_BAD_INSTRUCTION, HTTP",
            needs="A",
        ),
        Category(
            "dotted",
            _c(r"(?<![\w.$-])[A-Za-z_][\w$-]*+(?:\.[A-Za-z0-9_][\w$-]*+)+"),
            "dotted names: libsystem_kernel.dylib, dfs.DataNode, os.path.join",
            needs=".",
        ),
        Category(
            "unix_path",
            _c(r"(?<![\w./@%+~:-])(?:~|\.\.?)?/[\w.@%+~-][\w./@%+~:,=-]*+"),
            "unix paths: /var/log/app.log, ./build, ~/.config",
            needs="/",
        ),
        Category(
            "file_ext",
            _c(r"\.(?<=[\w-]\.)[A-Za-z][A-Za-z0-9]{0,5}+(?![\w-])"),
            "file extensions: .toml in Cargo.toml, .py",
            needs=".",
        ),
        Category("flag", _c(r"-(?<![\w-]-)-?[A-Za-z][\w-]*+"), "CLI flags: --verbose, -n, -O2", needs="-"),
        Category(
            "camelcase",
            _c(r"(?<!\w)[A-Za-z][A-Za-z0-9]*?(?:[a-z0-9][A-Z]|[A-Z]{2}[a-z])\w*+"),
            "CamelCase and camelCase names: TokenExpiredError, getUserById, HTTPServer",
            needs="A",
        ),
        # --- beyond the seed ---
        Category(
            "identifier",
            _c(r"(?<!\w)(?![0-9]++(?!\w))(?=[A-Za-z]*+[_0-9])\w++"),
            "identifiers with an underscore or a digit: load_settings, _read, blk_3886, x86_64",
            needs="aA_&0_",
        ),
        Category(
            "number_unit",
            _c(r"(?<![\w.~])~?[0-9]++(?:\.[0-9]++)?+(?:" + _UNITS + r")(?![\w.]|\.\w)"),
            "numbers with units: 3ms, ~3ms, 4218MB, 12.5s, 85%",
            needs="0&aA%",
        ),
        Category(
            "url",
            _c(r"(?<![\w+.-])[A-Za-z][A-Za-z0-9+.-]*+://[^\s<>\"'`]++"),
            "URLs: https://example.com/a?b=1",
            needs=":&/",
        ),
        Category(
            "email",
            _c(r"(?<![\w.+-])[\w.+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)+"),
            "e-mail addresses",
            needs="@",
        ),
        Category(
            "ipv4",
            _c(r"(?<![\w.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?(?::[0-9]{1,5})?(?!\w|\.[0-9])"),
            "IPv4 addresses, CIDR blocks and ip:port: 10.0.0.1, 192.168.0.0/16",
            needs=".&0",
        ),
        Category(
            "ipv6",
            _c(
                r"(?<![\w:.])(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"
                r"|(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?)"
                r"(?<=[0-9a-fA-F:])(?<!::)(?![\w:])|(?<![\w:.])::1(?![\w:])"
            ),
            "IPv6 addresses: fe80::1, 2001:db8::8a2e:370:7334",
            needs="::",
        ),
        Category(
            "host_port",
            _c(r"(?<![\w.:-])[A-Za-z][\w.-]*+:[0-9]{2,5}(?![\w.:])"),
            "host:port pairs: localhost:8080, db.internal:5432",
            needs=":&0",
        ),
        Category(
            "uuid",
            _c(r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])"),
            "UUIDs",
            needs="-&0",
        ),
        Category(
            "hash",
            # Both a digit and a letter: the first character decides which one to look for.
            _c(r"(?:[0-9](?<!\w[0-9])(?=[0-9]*+[a-f])|[a-f](?<!\w[a-f])(?=[a-f]*+[0-9]))[0-9a-f]{6,127}+(?!\w)"),
            "hashes: git SHAs of 7+ hex digits, sha256 digests",
            needs="0&abcdef",
        ),
        Category(
            "version",
            _c(r"(?<![\w.])[vV]?[0-9]++(?:\.[0-9]++){1,3}+(?:-[0-9A-Za-z]++(?:\.[0-9A-Za-z]++)*+)?+(?:\+[\w.]++)?+(?!\w)"),
            "versions: 3.28.33, v1.2.0-rc1",
            needs=".&0",
        ),
        Category(
            "file_line",
            _c(r"(?<![\w./\\-])[\w./\\-]*\.[A-Za-z0-9]{1,8}:[0-9]++(?::[0-9]++)?+"),
            "file:line[:col]: src/auth.py:88, main.go:42:7",
            needs=":&0&.",
        ),
        Category(
            "windows_path",
            _c(r"(?<![\w\\])(?:[A-Za-z]:\\|\\\\[\w.$-]++\\)[^\s\"'<>|*?]*+"),
            "Windows paths: C:\\Users\\app\\log.txt, \\\\server\\share",
            needs="\\",
        ),
        Category(
            "key_value",
            # "=" accepts any key; ":" only a quoted key, a lower-case key or one with "_"/"-",
            # so "Note: The ..." and "Error: Something" stay prose. Within one word here
            # (rss_mb=4218, "code":139); spaced pairs (rss_mb: 4218) are linked across words
            # by _key_value_links().
            _c(
                r"(?<![\w.$/-])(?:(?:\"[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[A-Za-z_][\w.-]{0,63}+)="
                r"|(?:\"[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[a-z_][\w.-]{0,63}+|[A-Z][A-Za-z0-9]*+[_-][\w.-]{0,62}+)"
                r":(?![:/\\]))(?P<value>[^\s,;)\]}]++)"
            ),
            "the value of key=value / key: value pairs (the value only)",
            needs="=:",
            group="value",
        ),
        Category(
            "http_status",
            # The status line's code (HTTP/1.1 404) is linked across words by _http_status_links();
            # within one word: status=404-style codes are numbers already.
            _c(r"(?<![\w.])[1-5][0-9]{2}(?=[ \t]++(?:" + HTTP_REASONS + r")(?![\w-]))"),
            "HTTP status codes: the code after HTTP/x.y or before its reason phrase (404 Not Found)",
            needs="",
        ),
        Category(
            "signal_errno",
            _c(r"(?:S(?<!\wS)IG[A-Z]{2,8}[0-9]*|E(?<!\wE)(?:" + _ERRNO_NAMES + r"))(?!\w)"),
            "signal and errno names: SIGSEGV, SIGKILL, ENOENT, ECONNREFUSED",
            needs="A",
        ),
        Category(
            "conflict_marker",
            # A whole word: seven of one marker character, after at most two diff prefix
            # characters (a combined diff writes "++<<<<<<<").
            _c(r"(?<!\S)[+-]{0,2}+(?:<{7}|={7}|>{7}|\|{7})(?!\S)"),
            "merge conflict markers: <<<<<<<, =======, >>>>>>>, ||||||| (also ++<<<<<<< in a combined diff)",
            needs="<=>|",
        ),
        Category(
            "protected",
            _c(r"(?<![\w'])(?:" + _PROTECTED_ALTERNATION + r")(?![\w'])", re.IGNORECASE),
            "negations and outcome words: not, no, failed, denied, missing, timeout, ...",
            needs="aA",
        ),
    ]
}

DEFAULT_CATEGORIES: tuple[str, ...] = tuple(CATEGORIES)
