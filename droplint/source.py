"""Reading a file's text safely: bad input becomes a message, never an exception."""

from __future__ import annotations

import hashlib
import io
import re
import tokenize
from dataclasses import dataclass

# Larger files are almost surely generated or data; parsing them would stall a run.
MAX_BYTES = 10 * 1024 * 1024
# The line breaks Python and libcst count lines by: one home for every line count and
# offset droplint computes (positions, fixes, the editor protocol).
LINE_BREAK = re.compile(r"\r\n?|\n")


class SourceError(Exception):
    """A file that cannot be linted; the message is what the user sees."""


@dataclass(frozen=True, slots=True)
class Source:
    text: str
    encoding: str
    digest: str


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes) -> Source:
    """Decode bytes as Python source (PEP 263 cookie, BOM), or raise SourceError."""
    if len(data) > MAX_BYTES:
        raise SourceError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; skipped")
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes); skipped")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot decode: {exc}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(text, encoding, digest_of(data))


def read(path: str) -> Source:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    return decode(data)

