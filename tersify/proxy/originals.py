"""Originals a budget left lines out of, kept for ``tersify retrieve`` (a table of the
proxy's store, so one file and one format serve the CLI and the proxy).

A row per distinct text, keyed by :func:`tersify.budget.original_id` (the first 12 hex
digits of its sha256; ``tersify retrieve`` takes any unique prefix of 6 or more). The text
is stored as its UTF-8 bytes (lone surrogates, i.e. input bytes that were not UTF-8,
passed as they are), so it comes back exactly. There is no time-based expiry: the table
is capped in bytes (1 GiB unless ``TERSIFY_ORIGINALS_MAX_MB`` or an option says
otherwise) and the least recently used originals (stored or retrieved) go first when a
new one would pass the cap.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shlex
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tersify.budget import ID_CHARS, MIN_ID_CHARS
from tersify.errors import TersifyError

DEFAULT_MAX_BYTES = 1 << 30
MAX_ENV = "TERSIFY_ORIGINALS_MAX_MB"

SCHEMA = """
CREATE TABLE IF NOT EXISTS originals (
    id          TEXT    PRIMARY KEY,
    sha256      TEXT    NOT NULL,
    text        BLOB    NOT NULL,
    created_at  REAL    NOT NULL,
    last_used   REAL    NOT NULL,
    size        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS originals_last_used ON originals (last_used);
"""

_HEX = re.compile(r"[0-9a-f]+")
_CHUNK = 1 << 20


def default_max_bytes() -> int:
    """``$TERSIFY_ORIGINALS_MAX_MB`` MiB, else 1 GiB."""
    raw = os.environ.get(MAX_ENV)
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        mib = float(raw)
    except ValueError:
        raise TersifyError(f"{MAX_ENV}={raw!r}: expected a number of MiB") from None
    if not mib > 0:
        raise TersifyError(f"{MAX_ENV}={raw!r}: must be more than 0")
    return int(mib * (1 << 20))


def retrieve_ref(text_id: str, db: Path) -> str:
    """What a marker's ``tersify retrieve`` command names for an original stored at ``db``:
    the id, and ``--db PATH`` unless ``db`` is ``~/.tersify/proxy.db`` (the command runs in
    the agent's shell, which may not have the ``$TERSIFY_DB`` of whoever stored it)."""
    if db.expanduser().resolve() == (Path.home() / ".tersify" / "proxy.db").resolve():
        return text_id
    return f"{text_id} --db {shlex.quote(str(db.expanduser().resolve()))}"


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


class UnknownOriginal(TersifyError):
    """No stored original has the id asked for (never stored, or evicted)."""


@dataclass(frozen=True)
class Original:
    id: str
    text: str
    created_at: float
    size: int


class Originals:
    """The ``originals`` table of an open store (shares its connection and lock)."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock, max_bytes: int | None = None) -> None:
        self._conn = conn
        self._lock = lock
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes

    def fits(self, text: str) -> bool:
        """Whether ``text`` can be stored at all under the cap."""
        return len(_bytes(text)) <= self.max_bytes

    def put(self, text: str) -> str | None:
        """Store ``text`` (again: it becomes the most recently used) and return its id; None
        when it cannot be kept (over the cap, or another text holds its id)."""
        data = _bytes(text)
        if len(data) > self.max_bytes:
            return None
        return self.put_file(io.BytesIO(data), len(data), hashlib.sha256(data).hexdigest())

    def put_file(self, data: BinaryIO, size: int, digest: str) -> str | None:
        """Store the ``size`` bytes of ``data`` (a text's UTF-8 bytes, as :meth:`put` stores
        it; ``digest``: their sha256, in hex) without holding them in memory: written into
        the row in chunks. Returns the id, or None as :meth:`put` does."""
        if size > self.max_bytes:
            return None
        oid = digest[:ID_CHARS]
        now = time.time()
        with self._lock:
            row = self._conn.execute("SELECT sha256 FROM originals WHERE id = ?", (oid,)).fetchone()
            if row is not None:
                if row[0] != digest:
                    return None  # 48 bits collided: do not answer for a text that is not this one
                self._conn.execute("UPDATE originals SET last_used = ? WHERE id = ?", (now, oid))
                return oid
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._conn.execute(
                    "INSERT INTO originals (id, sha256, text, created_at, last_used, size) "
                    "VALUES (?, ?, zeroblob(?), ?, ?, ?)",
                    (oid, digest, size, now, now, size),
                )
                if size:
                    data.seek(0)
                    with self._conn.blobopen("originals", "text", cursor.lastrowid) as blob:
                        while chunk := data.read(_CHUNK):
                            blob.write(chunk)
                self._evict(keep=oid)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return oid

    def _evict(self, keep: str) -> None:
        """Least recently used first, until the table is within the cap (lock held)."""
        total = int(self._conn.execute("SELECT COALESCE(SUM(size), 0) FROM originals").fetchone()[0])
        while total > self.max_bytes:
            rows = self._conn.execute(
                "SELECT id, size FROM originals WHERE id != ? ORDER BY last_used LIMIT 64", (keep,)
            ).fetchall()
            if not rows:
                return
            for oid, size in rows:
                if total <= self.max_bytes:
                    return
                self._conn.execute("DELETE FROM originals WHERE id = ?", (oid,))
                total -= size

    def get(self, prefix: str) -> Original:
        """The original whose id starts with ``prefix`` (6 to 12 hex digits); it becomes the
        most recently used. One-line errors for a bad, unknown or ambiguous id."""
        wanted = prefix.strip().lower()
        if not (MIN_ID_CHARS <= len(wanted) <= ID_CHARS) or not _HEX.fullmatch(wanted):
            raise TersifyError(f"{prefix!r} is not an original's id ({MIN_ID_CHARS} to {ID_CHARS} hex digits, "
                               "as a marker names it)")
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, text, created_at, size FROM originals WHERE id >= ? AND id < ? LIMIT 3",
                (wanted, wanted + "g"),
            ).fetchall()
            if len(rows) == 1:
                self._conn.execute("UPDATE originals SET last_used = ? WHERE id = ?", (time.time(), rows[0][0]))
        if not rows:
            raise UnknownOriginal(f"no stored original has the id {wanted} (never stored here, or evicted: the "
                               f"store keeps the most recently used originals up to its size cap)")
        if len(rows) > 1:
            ids = ", ".join(row[0] for row in rows[:2])
            raise TersifyError(f"the id {wanted} is ambiguous ({ids}, ...): give more of its digits")
        oid, data, created_at, size = rows[0]
        return Original(oid, bytes(data).decode("utf-8", errors="surrogatepass"), created_at, size)

    def total_bytes(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COALESCE(SUM(size), 0) FROM originals").fetchone()[0])

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM originals").fetchone()[0])


def parse_range(spec: str, n_lines: int) -> tuple[int, int]:
    """``A-B`` or ``A`` as 0-based ``[start, stop)``; a one-line error when it is not a range
    of the original's ``n_lines`` lines."""
    match = re.fullmatch(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?", spec)
    if match is None:
        raise TersifyError(f"--lines {spec!r}: expected A-B or A (line numbers, 1-based)")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if first < 1 or last < first:
        raise TersifyError(f"--lines {spec}: the range must start at 1 or later and not end before it starts")
    if last > n_lines:
        raise TersifyError(f"--lines {spec}: the original has {n_lines} line{'s' if n_lines != 1 else ''}")
    return first - 1, last


def split_lines(text: str) -> list[str]:
    """An original's lines with their endings (a last line without a newline as it is)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
