"""The pair log: every compression the proxy makes, in SQLite (WAL).

One row per distinct (original, options): the original tool result, its compressed
form, the tool, provider and model it came with, the scorer and its version, sizes and
compression time. The same table serves three purposes:

* the cache: an agent resends its whole history every turn, so the same tool result
  comes back again and again; it is compressed once and the stored output is reused,
  byte for byte (upstream prompt caches depend on stable prefixes);
* the "already compressed" registry: a text equal to a stored output is not
  compressed a second time (looked up by ``compressed_hash``);
* retrieval of originals by content hash, and export of pairs for self-distillation.

The ``originals`` table (:mod:`tersify.proxy.originals`) keeps the texts a budget left
lines out of, for ``tersify retrieve``, whether the CLI or the proxy wrote them.

Requests' headers are never given to the store, so API keys and auth headers cannot
end up in the file. The file and its -wal/-shm are 0600 in a 0700 directory (tool outputs
hold secrets); ``:memory:`` keeps the log in memory only (``--no-log``), and an optional
redaction function is applied to what is written (``--redact``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tersify.errors import TersifyError
from tersify.proxy.originals import SCHEMA as ORIGINALS_SCHEMA
from tersify.proxy.originals import Originals
from tersify.proxy.stats import percentile

log = logging.getLogger("tersify.proxy")

MEMORY = ":memory:"  # the path of a pair log that is never written to disk (--no-log)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pairs (
    id              INTEGER PRIMARY KEY,
    created_at      REAL    NOT NULL,
    provider        TEXT    NOT NULL,
    model           TEXT,
    tool            TEXT,
    options         TEXT    NOT NULL,
    original_hash   TEXT    NOT NULL,
    compressed_hash TEXT    NOT NULL,
    original        TEXT    NOT NULL,
    compressed      TEXT    NOT NULL,
    scorer          TEXT    NOT NULL,
    scorer_version  TEXT    NOT NULL,
    chars_in        INTEGER NOT NULL,
    chars_out       INTEGER NOT NULL,
    tokens_in       INTEGER NOT NULL,
    tokens_out      INTEGER NOT NULL,
    words_in        INTEGER NOT NULL,
    words_out       INTEGER NOT NULL,
    latency_ms      REAL    NOT NULL,
    UNIQUE (original_hash, options)
);
CREATE INDEX IF NOT EXISTS pairs_compressed_hash ON pairs (compressed_hash);
CREATE TABLE IF NOT EXISTS requests (
    created_at      REAL    NOT NULL,
    provider        TEXT    NOT NULL,
    model           TEXT,
    tool_results    INTEGER NOT NULL,
    tools_before    INTEGER NOT NULL,
    tools_after     INTEGER NOT NULL,
    tokens_before   INTEGER NOT NULL,
    tokens_after    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS unchanged (
    original_hash   TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    created_at      REAL    NOT NULL,
    PRIMARY KEY (original_hash, options)
);
"""


def content_hash(text: str) -> str:
    """sha256 of the text's UTF-8 bytes (lone surrogates from JSON escapes included)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _to_db(text: str) -> str | bytes:
    """A text as SQLite can hold it: lone surrogates (a JSON body may carry them as escapes)
    cannot be stored as TEXT, so such a text is stored as its surrogate-passing UTF-8 bytes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass")
    return text


def _from_db(value: str | bytes) -> str:
    return value.decode("utf-8", errors="surrogatepass") if isinstance(value, bytes) else value


def default_db_path() -> Path:
    """``$TERSIFY_DB``, else ``~/.tersify/proxy.db``."""
    env = os.environ.get("TERSIFY_DB")
    return Path(env) if env else Path.home() / ".tersify" / "proxy.db"


@dataclass(frozen=True)
class Pair:
    """One logged compression."""

    id: int
    created_at: float
    provider: str
    model: str | None
    tool: str | None
    options: str
    original_hash: str
    compressed_hash: str
    original: str
    compressed: str
    scorer: str
    scorer_version: str
    chars_in: int
    chars_out: int
    tokens_in: int
    tokens_out: int
    words_in: int
    words_out: int
    latency_ms: float


_COLUMNS = ", ".join(Pair.__dataclass_fields__)


class PairStore:
    """Thread-safe access to the pair log. Compression threads write; the event loop
    never touches the file (the proxy calls the store from its worker threads)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        redact: Callable[[str], str] | None = None,
        originals_max_bytes: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.in_memory = str(path) == MEMORY
        # Applied to the original and the output before they are written (--redact); the
        # hashes stay those of the real texts, so the cache and retrieval still find them.
        self._redact = redact
        self.warnings: list[str] = []
        if not create and not self.in_memory and not self.path.exists():
            raise TersifyError(f"{self.path}: no such pair log (run `tersify proxy --db {self.path}` first)")
        try:
            if not self.in_memory:
                self._private_dir(self.path.parent)
            # Files sqlite creates (the db, -wal, -shm) are born 0600; sqlite gives -wal and
            # -shm the db file's mode, so the chmod below also covers later ones.
            old_umask = os.umask(0o077)
            try:
                self._conn = sqlite3.connect(
                    MEMORY if self.in_memory else self.path, check_same_thread=False, isolation_level=None)
                self._conn.execute("PRAGMA busy_timeout = 5000")
                # Deleted pairs (retention) are overwritten, not left in free pages.
                self._conn.execute("PRAGMA secure_delete = ON")
                if self.in_memory:
                    self._conn.execute("PRAGMA temp_store = MEMORY")  # --no-log: nothing on disk
                else:
                    self._conn.execute("PRAGMA journal_mode = WAL")
                    self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.executescript(_SCHEMA + ORIGINALS_SCHEMA)
            finally:
                os.umask(old_umask)
            if not self.in_memory:
                for file in (self.path, *(Path(f"{self.path}{suffix}") for suffix in ("-wal", "-shm"))):
                    if file.exists():
                        os.chmod(file, 0o600)
        except (OSError, sqlite3.Error) as exc:
            raise TersifyError(f"{self.path}: cannot open the pair log ({exc})") from exc
        self._lock = threading.Lock()
        # Originals a budget left lines out of (``tersify retrieve``); capped, LRU, no expiry.
        self.originals = Originals(self._conn, self._lock, originals_max_bytes)

    def _private_dir(self, directory: Path) -> None:
        """Create the log's directory 0700; tighten an existing one that is only the log's
        (or the default ``~/.tersify``), else warn when others can read it."""
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True)
            return
        mode = directory.stat().st_mode & 0o777
        if not mode & 0o077:
            return
        own = directory.stat().st_uid == os.getuid() if hasattr(os, "getuid") else False
        dedicated = all(child.name.startswith(self.path.name) for child in directory.iterdir())
        if own and (dedicated or directory == default_db_path().parent):
            os.chmod(directory, 0o700)
            return
        message = (f"{directory} is readable by other users (mode {mode:o}); the pair log files are 0600, "
                   "but a directory of its own (0700) hides even their names")
        self.warnings.append(message)
        log.warning(message)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> PairStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- used on the request path (from worker threads) ---

    def cached(self, original_hash: str, options: str) -> str | None:
        """The stored output for this original under these options, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT compressed, compressed_hash FROM pairs WHERE original_hash = ? AND options = ?",
                (original_hash, options),
            ).fetchone()
        if row is None or content_hash(_from_db(row[0])) != row[1]:
            return None  # a redacted copy is not the output: compress again (deterministic)
        return _from_db(row[0])

    def unchanged_reason(self, original_hash: str, options: str) -> str | None:
        """Why this original was decided to go upstream unchanged, if it was."""
        with self._lock:
            row = self._conn.execute(
                "SELECT reason FROM unchanged WHERE original_hash = ? AND options = ?", (original_hash, options)
            ).fetchone()
        return row[0] if row else None

    def record_unchanged(self, original_hash: str, options: str, reason: str) -> None:
        """Keep the decision to send this original unchanged (the text itself is not logged)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO unchanged VALUES (?, ?, ?, ?)",
                (original_hash, options, reason, time.time()),
            )

    def is_output(self, text_hash: str) -> bool:
        """Whether a text with this hash is something the proxy produced."""
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM pairs WHERE compressed_hash = ? LIMIT 1", (text_hash,)).fetchone()
        return row is not None

    def record(
        self,
        *,
        provider: str,
        model: str | None,
        tool: str | None,
        options: str,
        original: str,
        compressed: str,
        scorer: str,
        scorer_version: str,
        tokens_in: int,
        tokens_out: int,
        words_in: int,
        words_out: int,
        latency_ms: float,
    ) -> None:
        """Log one compression (a second one of the same original and options is ignored)."""
        original_hash, compressed_hash = content_hash(original), content_hash(compressed)
        logged_original, logged_compressed = original, compressed
        if self._redact is not None:
            logged_original, logged_compressed = self._redact(original), self._redact(compressed)
        if self.in_memory:  # --no-log: the output is kept for later turns, the original is not
            logged_original = ""
        values = (
            time.time(), provider, model, tool, options, original_hash, compressed_hash,
            _to_db(logged_original), _to_db(logged_compressed), scorer, scorer_version, len(original),
            len(compressed),
            tokens_in, tokens_out, words_in, words_out, latency_ms,
        )
        with self._lock:
            self._conn.execute(
                f"INSERT OR IGNORE INTO pairs ({_COLUMNS.partition(', ')[2]}) VALUES ({', '.join('?' * 18)})",
                values,
            )

    def record_request(
        self, *, provider: str, model: str | None, tool_results: int, tools_before: int, tools_after: int,
        tokens_before: int, tokens_after: int,
    ) -> None:
        """Log what one request cost and saved, in o200k tokens (no text, no headers)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), provider, model, tool_results, tools_before, tools_after, tokens_before, tokens_after),
            )

    # --- retrieval, export, statistics ---

    def original(self, text_hash: str) -> str | None:
        """The (logged, so redacted with --redact) original whose hash is ``text_hash``. Only
        the original's own hash retrieves it: the hash of a compressed output, which anyone
        who saw the request has, does not."""
        with self._lock:
            row = self._conn.execute(
                "SELECT original FROM pairs WHERE original_hash = ? LIMIT 1", (text_hash,)
            ).fetchone()
        return _from_db(row[0]) if row and row[0] else None  # "" under --no-log: not kept

    def prune(self, older_than_s: float, *, now: float | None = None) -> int:
        """Delete the pairs logged more than ``older_than_s`` seconds ago (``--log-days``);
        their bytes are overwritten (secure_delete) and the WAL truncated. Returns how many."""
        cutoff = (time.time() if now is None else now) - older_than_s
        with self._lock:
            deleted = self._conn.execute("DELETE FROM pairs WHERE created_at < ?", (cutoff,)).rowcount
            self._conn.execute("DELETE FROM unchanged WHERE created_at < ?", (cutoff,))
            self._conn.execute("DELETE FROM requests WHERE created_at < ?", (cutoff,))
            if deleted and not self.in_memory:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return max(deleted, 0)

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0])

    def pairs(self) -> Iterator[Pair]:
        """Every logged pair, oldest first."""
        last = 0
        while True:  # in pages, so the lock is never held for a whole export
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT {_COLUMNS} FROM pairs WHERE id > ? ORDER BY id LIMIT 500", (last,)
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield Pair(*(_from_db(v) if isinstance(v, bytes) else v for v in row))
            last = rows[-1][0]

    def summary(self) -> dict:
        """Totals, and per provider / tool / scorer breakdowns."""
        with self._lock:
            total = self._conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(chars_in), 0), COALESCE(SUM(chars_out), 0), "
                "COALESCE(SUM(tokens_in), 0), COALESCE(SUM(tokens_out), 0), COALESCE(SUM(words_in), 0), "
                "COALESCE(SUM(words_out), 0), MIN(created_at), MAX(created_at) FROM pairs"
            ).fetchone()
            groups = {}
            for column in ("provider", "tool", "model", "scorer || ' ' || scorer_version"):
                rows = self._conn.execute(
                    f"SELECT COALESCE({column}, '?'), COUNT(*), SUM(tokens_in), SUM(tokens_out) FROM pairs "
                    f"GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
                key = "scorer" if column.startswith("scorer") else column
                groups[key] = {name: {"pairs": n, "tokens_in": ti, "tokens_out": to} for name, n, ti, to in rows}
            latencies = [r[0] for r in self._conn.execute("SELECT latency_ms FROM pairs ORDER BY latency_ms")]
            requests = self._conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(tool_results), 0), COALESCE(SUM(tools_before), 0), "
                "COALESCE(SUM(tools_after), 0), COALESCE(SUM(tokens_before), 0), COALESCE(SUM(tokens_after), 0) "
                "FROM requests"
            ).fetchone()
        n_requests, tool_results, tools_before, tools_after, request_before, request_after = requests
        pairs, chars_in, chars_out, tokens_in, tokens_out, words_in, words_out, first, last = total
        return {
            "db": str(self.path),
            "pairs": pairs,
            "chars_in": chars_in,
            "chars_out": chars_out,
            "tokens_in": tokens_in,
            "tokens_out": tokens_out,
            "words_in": words_in,
            "words_out": words_out,
            "keep_rate_words": words_out / words_in if words_in else None,
            "token_saving": 1 - tokens_out / tokens_in if tokens_in else None,
            "latency_ms_p50": percentile(latencies, 50),
            "latency_ms_p99": percentile(latencies, 99),
            "first": first,
            "last": last,
            # Every request with tool results, each counted as sent (history resent every turn).
            "requests": {
                "count": n_requests, "tool_results": tool_results,
                "tool_tokens_before": tools_before, "tool_tokens_after": tools_after,
                "tool_token_saving": 1 - tools_after / tools_before if tools_before else None,
                "tokens_before": request_before, "tokens_after": request_after,
                "token_saving": 1 - request_after / request_before if request_before else None,
            },
            **groups,
        }

