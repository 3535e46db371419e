"""Reading and writing text the way the CLI and the proxy need it: bytes that are not
valid UTF-8 are carried through as lone surrogates (``surrogateescape``) and written
back as the same bytes, so nothing kept is corrupted."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tersify.errors import TersifyError


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def read_input(source: str) -> str:
    """Read a file path, or standard input for ``-``, as text (see module docstring)."""
    if source == "-":
        return decode(sys.stdin.buffer.read())
    path = Path(source)
    if not path.exists():
        raise TersifyError(f"{source}: no such file")
    if path.is_dir():
        raise TersifyError(f"{source}: is a directory")
    if not os.access(path, os.R_OK):
        raise TersifyError(f"{source}: permission denied")
    try:
        return decode(path.read_bytes())
    except OSError as exc:
        raise TersifyError(f"{source}: cannot read ({exc.strerror or exc})") from exc


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
