"""Must-keep detection on the original characters.

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
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

import numpy as np

from tersify.errors import TersifyError
from tersify.lexicon import PROTECTED_WORDS, template_word
from tersify.segment import Words, overlapping_words, segment


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

_HTTP_REASONS = (
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
            _c(r"(?<![\w.])[1-5][0-9]{2}(?=[ \t]++(?:" + _HTTP_REASONS + r")(?![\w-]))"),
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

# The seed's regex (Kompress), as presets to reproduce its figures. The tightened form is
# the one published with the seed's final benchmark; the original differs only in its
# number alternative, which also matched digits inside tokens. Both are rewritten here
# with look-behinds and possessive runs so they stay linear; on ordinary text they find
# the same matches as the published expressions (tested).
SEED_TIGHT_PATTERN = (
    r"\b0x[0-9A-Fa-f]+\b"
    r"|(?<![\w.])\d+(?:\.\d+)?(?![\w.])"
    r"|[A-Z_]{2,}"
    r"|[a-z_][a-z0-9_]*\.[a-z0-9_]+"
    r"|/[a-z0-9/._-]{2,}"
    r"|\.[a-z]{2,4}\b"
    r"|--?[a-zA-Z][\w-]*"
    r"|\b[A-Z][a-z]+[A-Z]\w*"
)
SEED_ORIGINAL_PATTERN = SEED_TIGHT_PATTERN.replace(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", r"\b\d+(?:\.\d+)?\b")


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


def _seed_span(match: re.Match[str]) -> tuple[int, int]:
    for group in ("dotted", "path", "flag"):
        if match.group(group) is not None:
            return match.span(group)
    return match.span()


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str


@dataclass(frozen=True)
class Spans:
    """Must-keep spans as parallel arrays (a text can have hundreds of thousands)."""

    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray
    names: tuple[str, ...]
    # Which words of the segmented text overlap a span, when the finder knew it already.
    word_mask: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def __iter__(self):
        order = np.lexsort((self.ends, self.starts))
        names = self.names
        for i in order.tolist():
            yield Span(int(self.starts[i]), int(self.ends[i]), names[int(self.codes[i])])

    def category_counts(self) -> dict[str, int]:
        counts = np.bincount(self.codes, minlength=len(self.names)) if len(self) else np.zeros(len(self.names))
        return {name: int(c) for name, c in zip(self.names, counts, strict=True) if c}

    @staticmethod
    def empty() -> Spans:
        z = np.zeros(0, dtype=np.int64)
        return Spans(z, z, z, ())


def _key_bit(key: str) -> int:
    return 1 << _CHAR_KEYS.index(key)


def _group_bits(group: str) -> int:
    bits = 0
    for key in group:
        bits |= _key_bit(key)
    return bits


def _char_bits() -> np.ndarray:
    """For each ASCII code point (128: anything else), the bits of the keys it satisfies."""
    table = np.zeros(129, dtype=np.uint64)
    for cp in range(128):
        ch = chr(cp)
        bits = 0
        for key in _CHAR_KEYS:
            if (key == ch or (key == "0" and ch.isdigit()) or (key == "A" and "A" <= ch <= "Z")
                    or (key == "a" and "a" <= ch <= "z")):
                bits |= _key_bit(key)
        table[cp] = bits
    return table


# Every character a category's ``needs`` names ("0", "A", "a" stand for classes).
_CHAR_KEYS = sorted({ch for cat in CATEGORIES.values() for ch in cat.needs if ch not in "*&"})
_CHAR_BITS = _char_bits()


class _DistinctWords:
    """The distinct words of a text and where each occurs; patterns run once per distinct word."""

    def __init__(self, words: Words):
        strings = words.strings()
        distinct = list(dict.fromkeys(strings))
        index = {w: i for i, w in enumerate(distinct)}
        self.ids = np.fromiter(map(index.__getitem__, strings), dtype=np.int64, count=len(strings))
        self.strings = distinct
        self._index = index
        self.words = words
        # Occurrences grouped by distinct word: occ_order[occ_offsets[u]:occ_offsets[u + 1]].
        self.occ_order = np.argsort(self.ids, kind="stable")
        self.occ_counts = np.bincount(self.ids, minlength=len(self.strings))
        self.occ_offsets = np.concatenate(([0], np.cumsum(self.occ_counts)))
        first_occurrence = self.occ_order[self.occ_offsets[:-1]]
        self.lengths = (words.ends - words.starts)[first_occurrence]
        joined = "\n".join(self.strings)
        self._cps = np.frombuffer(joined.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
        self._starts = np.concatenate(([0], np.cumsum(self.lengths + 1)[:-1])) if len(distinct) else _EMPTY
        self._has: dict[str, np.ndarray] = {}
        self._bits: np.ndarray | None = None
        self._pure_digits: np.ndarray | None = None
        self.matched = np.zeros(len(distinct), dtype=bool)  # distinct words holding a span
        self._joined: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}
        self.todo: np.ndarray | None = None  # distinct words still to match (None: all)
        self.link_flags: np.ndarray | None = None  # per distinct word: its _LINK_FLAGS bits

    def having_any(self, needs: str) -> np.ndarray:
        """Indices of distinct words that satisfy ``needs`` (see :class:`Category`):
        at least one character of each ``&``-separated group."""
        if needs == "*":
            return np.arange(len(self.strings))
        if not needs or not self.strings:  # cross-word only (see _LINKS)
            return _EMPTY
        if needs not in self._has:
            if self._bits is None:  # one pass: which character keys each distinct word holds
                self._bits = np.bitwise_or.reduceat(_CHAR_BITS[np.minimum(self._cps, 128)], self._starts)
            ok = np.ones(len(self.strings), dtype=bool)
            for group in needs.split("&"):
                if len(group) > 1 and len(set(group)) == 1:  # "::": at least two ':'
                    counts = np.add.reduceat((self._cps == ord(group[0])).astype(np.int32), self._starts)
                    ok &= counts >= len(group)
                else:
                    ok &= (self._bits & _group_bits(group)) != 0
            self._has[needs] = np.flatnonzero(ok)
        return self._has[needs]

    @property
    def small(self) -> bool:
        """A small text: scanning every distinct word costs less than choosing candidates."""
        return self._cps.shape[0] <= _SMALL_TEXT

    def pure_digits(self) -> np.ndarray:
        """Per distinct word: made of ASCII digits only (the commonest word of a log)."""
        if self._pure_digits is None:
            digit = (self._cps >= 48) & (self._cps <= 57) | (self._cps == 10)  # separators count as digits
            self._pure_digits = np.logical_and.reduceat(digit, self._starts)
        return self._pure_digits

    def joined(self, needs: str) -> tuple[str, np.ndarray, np.ndarray]:
        """The candidate words for ``needs`` joined by newlines, their ids and offsets.
        Words of digits alone are left out: only ``number`` matches them (see find()).
        Only the words of ``self.todo`` (when set) are candidates."""
        if needs not in self._joined and self.small and needs:
            if "*" not in self._joined:
                wanted = ~self.pure_digits()
                if self.todo is not None:
                    wanted &= self.todo
                self._joined["*"] = self._join(np.flatnonzero(wanted))
            self._joined[needs] = self._joined["*"]
        if needs not in self._joined:
            candidates = self.having_any(needs)
            keep = ~self.pure_digits()[candidates]
            if self.todo is not None:
                keep &= self.todo[candidates]
            self._joined[needs] = self._join(candidates[keep])
        return self._joined[needs]

    def _join(self, candidates: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
        strings = self.strings
        joined = "\n".join([strings[i] for i in candidates.tolist()])
        bases = np.concatenate(([0], np.cumsum(self.lengths[candidates] + 1)[:-1]))
        return joined, candidates, bases

    def find_all(self, cats: Sequence[Category], cache_key: Hashable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Spans of every category at every occurrence: (starts, ends, index into ``cats``).

        A word's spans and link flags do not depend on its neighbours, so those of the
        distinct words of a small text are remembered across calls (tool outputs repeat
        their words); the patterns run only over words not seen before. ``cache_key``
        names the category list."""
        if not self.small:
            distinct, local_s, local_e, codes = self.match(cats)
        else:
            cache = _word_span_cache(cache_key)
            hits = [cache.get(w) for w in self.strings]
            self.todo = np.fromiter((h is None for h in hits), dtype=bool, count=len(hits))
            new = np.flatnonzero(self.todo)
            if new.shape[0]:
                distinct, local_s, local_e, codes = self.match(cats)
                new_flags = self.compute_link_flags(new)
                found: dict[int, list[tuple[int, int, int]]] = {i: [] for i in new.tolist()}
                for d, a, b, k in zip(distinct.tolist(), local_s.tolist(), local_e.tolist(), codes.tolist(),
                                      strict=True):
                    found[d].append((a, b, k))
                if len(cache) + len(found) > _WORD_CACHE_ENTRIES:
                    cache.clear()
                strings = self.strings
                for i, flags in zip(new.tolist(), new_flags.tolist(), strict=True):
                    hits[i] = cache[strings[i]] = (tuple(found[i]), flags)
            else:
                distinct = local_s = local_e = codes = _EMPTY
            self.link_flags = np.fromiter((h[1] for h in hits), dtype=np.int64, count=len(hits))
            old = [(i, a, b, k) for i, (h, is_new) in enumerate(zip(hits, self.todo.tolist(), strict=True))
                   if h[0] and not is_new for a, b, k in h[0]]
            if old:
                d_old, s_old, e_old, c_old = np.asarray(old, dtype=np.int64).T
                if distinct.shape[0]:
                    distinct, local_s = np.concatenate((distinct, d_old)), np.concatenate((local_s, s_old))
                    local_e, codes = np.concatenate((local_e, e_old)), np.concatenate((codes, c_old))
                else:  # every word seen before
                    distinct, local_s, local_e, codes = d_old, s_old, e_old, c_old
        if distinct.shape[0] == 0:
            return _EMPTY, _EMPTY, _EMPTY
        self.matched[distinct] = True
        return self.at_occurrences(distinct, local_s, local_e, codes)

    def compute_link_flags(self, candidates: np.ndarray | None = None) -> np.ndarray:
        """The link-flag bits (:data:`_LINK_FLAGS`) of the distinct words ``candidates``
        (all: ``None``), in one regex pass: a word has at most one of them."""
        if candidates is None:
            candidates = np.arange(len(self.strings))
        bits = np.zeros(candidates.shape[0], dtype=np.int64)
        scan = np.arange(candidates.shape[0])  # which candidates the pattern runs over
        if not self.small:  # a large text: only words that could carry a flag
            wanted = np.zeros(len(self.strings), dtype=bool)
            for _, _, needs, length in _LINK_FLAGS:
                having = self.having_any(needs)
                wanted[having if length is None else having[self.lengths[having] == length]] = True
            scan = np.flatnonzero(wanted[candidates])
        if not scan.shape[0]:
            return bits
        words = candidates[scan]
        strings = self.strings
        bases = np.concatenate(([0], np.cumsum(self.lengths[words] + 1)[:-1]))
        found = [(m.start(), m.lastindex) for m in _LINK_FLAG_PATTERN.finditer("\n".join(
            [strings[i] for i in words.tolist()]))]
        if found:
            at, group = np.asarray(found, dtype=np.int64).T
            bits[scan[np.searchsorted(bases, at, side="right") - 1]] = _LINK_FLAG_BITS[group]
        return bits

    def match(self, cats: Sequence[Category]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Spans inside the distinct words (of ``self.todo`` when set): (word, start, end, code).

        Each pattern runs over its candidate words; the matches of all categories are then
        mapped to words in one numpy pass (per-category numpy calls would cost more than
        the matching on the small texts of a tool call)."""
        groups: dict[int, tuple[tuple[str, np.ndarray, np.ndarray], list, list]] = {}
        digit_codes: list[int] = []
        shared = self.joined("*") if self.small else None  # a small text: one string for all
        for code, cat in enumerate(cats):
            if cat.digits_match_whole:  # the words joined() left out
                digit_codes.append(code)
            if not cat.needs:  # found by a link rule only
                continue
            joined_words = shared if shared is not None else self.joined(cat.needs)
            joined = joined_words[0]
            if not joined or not _may_hold(joined, cat.needs):
                continue
            if cat.group:
                group = cat.group
                found = [m.span(group) for m in cat.pattern.finditer(joined)]
            else:
                found = [m.span() for m in cat.pattern.finditer(joined)]
            if found:
                _, spans, codes = groups.setdefault(id(joined_words), (joined_words, [], []))
                spans += found
                codes += [code] * len(found)
        d_parts, s_parts, e_parts, c_parts = [_EMPTY], [_EMPTY], [_EMPTY], [_EMPTY]
        for (_, candidates, bases), spans, codes in groups.values():
            arr = np.asarray(spans, dtype=np.int64)
            code_arr = np.asarray(codes, dtype=np.int64)
            nonempty = arr[:, 1] > arr[:, 0]
            arr, code_arr = arr[nonempty], code_arr[nonempty]
            which = np.searchsorted(bases, arr[:, 0], side="right") - 1
            d_parts.append(candidates[which])
            s_parts.append(arr[:, 0] - bases[which])
            e_parts.append(arr[:, 1] - bases[which])
            c_parts.append(code_arr)
        if digit_codes:
            digits = self.pure_digits() if self.todo is None else self.pure_digits() & self.todo
            digits = np.flatnonzero(digits)
            for code in digit_codes:
                d_parts.append(digits)
                s_parts.append(np.zeros(digits.shape[0], dtype=np.int64))
                e_parts.append(self.lengths[digits])
                c_parts.append(np.full(digits.shape[0], code, dtype=np.int64))
        return (np.concatenate(d_parts), np.concatenate(s_parts), np.concatenate(e_parts),
                np.concatenate(c_parts))

    def at_occurrences(self, distinct: np.ndarray, local_s: np.ndarray, local_e: np.ndarray,
                       codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expand per-distinct-word spans to every occurrence of those words."""
        reps = self.occ_counts[distinct]
        total = int(reps.sum())
        if total == 0:
            return _EMPTY, _EMPTY, _EMPTY
        # Occurrence k of match j is occ_order[occ_offsets[distinct[j]] + k].
        first = np.repeat(self.occ_offsets[distinct], reps)
        within = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
        occ = self.occ_order[first + within]
        word_starts = self.words.starts[occ]
        return (word_starts + np.repeat(local_s, reps), word_starts + np.repeat(local_e, reps),
                np.repeat(codes, reps))

    def is_word(self, word: str) -> np.ndarray:
        """Per occurrence: is the word exactly ``word``?"""
        i = self._index.get(word)
        return self.ids == i if i is not None else np.zeros(self.ids.shape[0], dtype=bool)

    def link_flag(self, bit: int) -> np.ndarray:
        """Per occurrence: does the word carry the link flag ``bit``?"""
        if self.link_flags is None:  # a large text: computed on first use, not remembered
            self.link_flags = self.compute_link_flags()
        return (self.link_flags[self.ids] & bit) != 0


def _may_hold(joined: str, needs: str) -> bool:
    """False when ``joined`` lacks a character that ``needs`` demands of every match (a few
    ``in`` tests: on a small text every category scans the same string, so a pattern whose
    characters are absent, such as ``@`` or ``\\``, is skipped without a scan)."""
    for group, count in _literal_groups(needs):
        if count > 1:
            if joined.count(group) < count:
                return False
        elif not any(ch in joined for ch in group):
            return False
    return True


@lru_cache(maxsize=256)
def _literal_groups(needs: str) -> tuple[tuple[str, int], ...]:
    """The ``&``-groups of ``needs`` made of literal characters only (``0``/``A``/``a`` name
    classes, which ordinary text nearly always holds); ``"::"`` becomes ``(":", 2)``."""
    groups = []
    for group in needs.split("&"):
        if not group or "*" in group or any(ch in "0Aa" for ch in group):
            continue
        if len(group) > 1 and len(set(group)) == 1:
            groups.append((group[0], len(group)))
        else:
            groups.append((group, 1))
    return tuple(groups)


_EMPTY = np.zeros(0, dtype=np.int64)
_SMALL_TEXT = 4096  # code points of distinct words: below, scan every word (no filtering) and remember spans
_WORD_CACHE_ENTRIES = 1 << 16  # words remembered per category list; the cache empties when full
# A remembered word: its spans (start, end, code) and its _LINK_FLAGS bits.
_WordEntry = tuple[tuple[tuple[int, int, int], ...], int]
_WORD_SPAN_CACHES: dict[Hashable, dict[str, _WordEntry]] = {}


def _word_span_cache(key: Hashable) -> dict[str, _WordEntry]:
    """word -> its spans and link flags, for the category list named by ``key``."""
    cache = _WORD_SPAN_CACHES.get(key)
    if cache is None:
        cache = _WORD_SPAN_CACHES.setdefault(key, {})
    return cache


def clear_caches() -> None:
    """Forget every word remembered across calls: must-keep spans and line-template words
    (benchmarks measure cold passes with it; a tokenizer's cache is its own)."""
    _WORD_SPAN_CACHES.clear()
    template_word.cache_clear()

# Cross-word links: a key word and its separator, then the value in the next word.
_KEY_SEP = re.compile(
    r"[{\[(,]*+(?:\"?[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[A-Za-z_][\w.-]{0,63}+)="
    r"|[{\[(,]*+(?:\"?[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[a-z_][\w.-]{0,63}+|[A-Z][A-Za-z0-9]*+[_-][\w.-]{0,62}+):"
)
_EQ_KEY = re.compile(r"\"?[A-Za-z_][\w.-]{0,63}+\"?")
_COLON_KEY = re.compile(r"\"[\w .$/-]{1,64}+\"|'[\w .$/-]{1,64}+'|[a-z_][\w.-]{0,63}+|[A-Z][A-Za-z0-9]*+[_-][\w.-]{0,62}+")
_VALUE_PREFIX = re.compile(r"[^\s,;)\]}]++")
_STATUS_CODE = re.compile(r"[1-5][0-9]{2}")
_HTTP_VERSION = re.compile(r"HTTP/(?:1\.[01]|2(?:\.0)?)")
_REASON = re.compile(r"(?:" + _HTTP_REASONS + r")(?![\w-])")
_REASON_FIRST_WORDS = re.compile(r"(?:" + "|".join(sorted({r.split()[0] for r in _HTTP_REASONS.split("|")})) + r")")

# Whole-word facts the link rules read, as bits per distinct word (remembered with its spans).
KEY_SEP, STATUS_CODE, HTTP_VERSION, REASON_FIRST_WORD = 1, 2, 4, 8
# (bit, whole-word pattern, ``needs`` of a candidate word, its length when fixed)
_LINK_FLAGS: tuple[tuple[int, re.Pattern[str], str, int | None], ...] = (
    (KEY_SEP, _KEY_SEP, "=:", None),  # a key and its separator: "rss_mb:", "x=", "\"code\":"
    (STATUS_CODE, _STATUS_CODE, "0", 3),
    (HTTP_VERSION, _HTTP_VERSION, "/", None),
    (REASON_FIRST_WORD, _REASON_FIRST_WORDS, "A", None),
)
# One pass for all flags: group k matched the whole word -> bit of _LINK_FLAGS[k - 1].
_LINK_FLAG_PATTERN = re.compile(
    r"(?m)^(?:" + "|".join(f"({flag[1].pattern})" for flag in _LINK_FLAGS) + r")$"
)
_LINK_FLAG_BITS = np.array([0] + [flag[0] for flag in _LINK_FLAGS], dtype=np.int64)


def _value_span(text: str, start: int, end: int) -> tuple[int, int]:
    m = _VALUE_PREFIX.match(text, start, end)
    return (start, m.end()) if m else (start, start)


def _key_value_links(dw: _DistinctWords) -> tuple[np.ndarray, np.ndarray]:
    """Values of spaced pairs: ``rss_mb: 4218``, ``x = f(y)``, ``"exit code": 139``."""
    words, n = dw.words, len(dw.words)
    if n < 2:
        return _EMPTY, _EMPTY
    key_sep = dw.link_flag(KEY_SEP)
    eq, colon = dw.is_word("="), dw.is_word(":")
    same_line_next = np.zeros(n, dtype=bool)
    same_line_next[:-1] = words.lines[1:] == words.lines[:-1]
    value_of = np.zeros(n, dtype=bool)  # word i+1 is a value
    value_of[:-1] = key_sep[:-1] & same_line_next[:-1]
    bare = np.flatnonzero((eq | colon) & same_line_next)
    bare = bare[bare > 0]
    text = words.text
    for i in bare.tolist():
        if words.lines[i - 1] != words.lines[i]:
            continue
        key = text[int(words.starts[i - 1]) : int(words.ends[i - 1])]
        if (_EQ_KEY if eq[i] else _COLON_KEY).fullmatch(key):
            value_of[i] = True
    targets = np.flatnonzero(value_of) + 1
    starts, ends = [], []
    for j in targets.tolist():
        s, e = _value_span(text, int(words.starts[j]), int(words.ends[j]))
        if e > s:
            starts.append(s)
            ends.append(e)
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def _http_status_links(dw: _DistinctWords) -> tuple[np.ndarray, np.ndarray]:
    """Status codes after ``HTTP/x.y`` and codes followed by their reason phrase."""
    words, n = dw.words, len(dw.words)
    if n < 2:
        return _EMPTY, _EMPTY
    code = dw.link_flag(STATUS_CODE)
    if not code.any():
        return _EMPTY, _EMPTY
    version = dw.link_flag(HTTP_VERSION)
    reason_first = dw.link_flag(REASON_FIRST_WORD)
    lines, text = words.lines, words.text
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = lines[1:] == lines[:-1]
    after_version = np.zeros(n, dtype=bool)
    after_version[1:] = version[:-1]
    before_reason = np.zeros(n, dtype=bool)
    before_reason[:-1] = reason_first[1:] & same_prev[1:]
    starts, ends = [], []
    for i in np.flatnonzero(code & ((after_version & same_prev) | before_reason)).tolist():
        s, e = int(words.starts[i]), int(words.ends[i])
        if before_reason[i]:
            line_end = text.find("\n", e)
            m = _REASON.match(text, int(words.starts[i + 1]), len(text) if line_end < 0 else line_end)
            if m and text[e : int(words.starts[i + 1])].strip(" \t") == "":
                e = m.end()
            elif not (after_version[i] and same_prev[i]):
                continue
        starts.append(s)
        ends.append(e)
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


_LINKS = {"key_value": _key_value_links, "http_status": _http_status_links}


class _Plan(NamedTuple):
    """What a configuration runs, worked out once: its categories, span names, the code of
    its first category, its link rules as (code, function), and its word-cache key."""

    cats: tuple[Category, ...]
    names: tuple[str, ...]
    offset: int
    links: tuple[tuple[int, Callable[[_DistinctWords], tuple[np.ndarray, np.ndarray]]], ...]
    cache_key: Hashable


@dataclass(frozen=True)
class MustKeep:
    """A must-keep configuration: which categories (or which seed preset) to detect."""

    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    preset: str | None = None
    extra: tuple[Category, ...] = field(default=())

    @cached_property
    def _plan(self) -> _Plan:
        cats = tuple(CATEGORIES[name] for name in self.categories) + tuple(self.extra)
        names = ((self.preset,) if self.preset is not None else ()) + tuple(cat.name for cat in cats)
        offset = len(names) - len(cats)  # codes of the categories follow the preset's
        links = tuple((code + offset, _LINKS[cat.name]) for code, cat in enumerate(cats) if cat.name in _LINKS)
        return _Plan(cats, names, offset, links, (tuple(self.categories), tuple(self.extra)))

    def spans(self, words: Words) -> Spans:
        """All must-keep spans of the segmented text, as arrays (categories may overlap)."""
        cats, names, offset, links, cache_key = self._plan
        all_s: list[np.ndarray] = []
        all_e: list[np.ndarray] = []
        all_c: list[np.ndarray] = []
        mask = np.zeros(len(words), dtype=bool)
        if self.preset is not None:
            found = [_seed_span(m) for m in SEED_PRESETS[self.preset].finditer(words.text)]
            arr = np.asarray(found, dtype=np.int64).reshape(-1, 2)
            arr = arr[arr[:, 1] > arr[:, 0]]
            all_s.append(arr[:, 0])
            all_e.append(arr[:, 1])
            all_c.append(np.zeros(arr.shape[0], dtype=np.int64))
            mask |= overlapping_words(words, arr[:, 0], arr[:, 1])
        if cats and len(words):
            dw = _DistinctWords(words)
            s, e, c = dw.find_all(cats, cache_key)
            all_s.append(s)
            all_e.append(e)
            all_c.append(c + offset if offset else c)
            for code, link in links:
                ls, le = link(dw)
                if ls.shape[0]:
                    mask |= overlapping_words(words, ls, le)
                    all_s.append(ls)
                    all_e.append(le)
                    all_c.append(np.full(ls.shape[0], code, dtype=np.int64))
            mask |= dw.matched[dw.ids]
        if not all_s:
            return Spans(_EMPTY, _EMPTY, _EMPTY, names, mask)
        return Spans(np.concatenate(all_s), np.concatenate(all_e), np.concatenate(all_c), names, mask)

    def find(self, text: str) -> list[Span]:
        """All must-keep spans of ``text`` as :class:`Span` objects, sorted by position."""
        return list(self.spans(segment(text)))

    def word_mask(self, words: Words, spans: Spans | None = None) -> np.ndarray:
        """Which words overlap a must-keep span."""
        if spans is None:
            spans = self.spans(words)
        if spans.word_mask is not None and spans.word_mask.shape[0] == len(words):
            return spans.word_mask
        return overlapping_words(words, spans.starts, spans.ends)


_DEFAULT_CONFIG = MustKeep()


def resolve(must_keep: MustKeep | str | Sequence[str] | bool | None) -> MustKeep | None:
    """Turn the user-facing ``must_keep=`` argument into a configuration.

    ``True``/``"default"``: all categories; ``False``/``None``: none; ``"seed"`` or
    ``"seed-tight"``: the seed's regex alone; a list of names: those categories (a name
    may also be a seed preset).
    """
    if isinstance(must_keep, MustKeep):
        return must_keep
    if must_keep is None or must_keep is False:
        return None
    if must_keep is True or must_keep == "default":
        return _DEFAULT_CONFIG  # one instance: its plan is worked out once per process
    names = [must_keep] if isinstance(must_keep, str) else list(must_keep)
    preset = None
    categories = []
    for name in names:
        if name in SEED_PRESETS:
            if preset is not None and preset != name:
                raise TersifyError(f"choose one seed preset, not both {preset!r} and {name!r}")
            preset = name
        elif name in CATEGORIES:
            categories.append(name)
        else:
            known = ", ".join([*CATEGORIES, *SEED_PRESETS])
            raise TersifyError(f"unknown must-keep category {name!r} (known: {known})")
    return MustKeep(categories=tuple(dict.fromkeys(categories)), preset=preset)
