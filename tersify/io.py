"""Reading and writing text the way the CLI and the proxy need it: bytes that are not
valid UTF-8 are carried through as lone surrogates (``surrogateescape``) and written
back as the same bytes, so nothing kept is corrupted."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from tersify.errors import TersifyError


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def read_input(source: str) -> str:
    """Read a file path, or standard input for ``-``, as text (see module docstring)."""
    stream, _ = open_input(source)
    with stream:
        return decode(read_all(stream, source))


def open_input(source: str) -> tuple[BinaryIO, int | None]:
    """A file path, or standard input for ``-``, opened for reading bytes, and its size when
    known (a regular file, standard input redirected from one included)."""
    if source == "-":
        stream: BinaryIO = os.fdopen(os.dup(sys.stdin.fileno()), "rb") if _has_fileno(sys.stdin) else sys.stdin.buffer
    else:
        path = Path(source)
        if not path.exists():
            raise TersifyError(f"{source}: no such file")
        if path.is_dir():
            raise TersifyError(f"{source}: is a directory")
        if not os.access(path, os.R_OK):
            raise TersifyError(f"{source}: permission denied")
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise TersifyError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    try:
        info = os.fstat(stream.fileno())
        size = info.st_size if stat.S_ISREG(info.st_mode) else None
    except (OSError, ValueError, io.UnsupportedOperation):
        size = None
    return stream, size


def read_all(stream: BinaryIO, source: str = "input", size: int = -1) -> bytes:
    """Read ``size`` bytes (all: -1) of an opened input, with a one-line error."""
    try:
        return stream.read(size)
    except OSError as exc:
        raise TersifyError(f"{source}: cannot read ({exc.strerror or exc})") from exc


def _has_fileno(stream: object) -> bool:
    try:
        stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    return True


def write_output(text: str) -> None:
    sys.stdout.buffer.write(encode(text))
    sys.stdout.buffer.flush()


def read_json_object(path: str | Path, what: str = "file") -> dict:
    """A JSON file holding one object (a config), with one-line errors naming the path."""
    import json

    path = Path(path)
    if not path.is_file():
        raise TersifyError(f"{what} not found: {path}")
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise TersifyError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise TersifyError(f"{path}: expected a JSON object")
    return raw
