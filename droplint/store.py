"""Records in the cache folder: typed msgpack, sealed with the user's key, no symlinks.

Nothing read from the cache can run code: records are decoded by msgspec into
droplint's own dataclasses (a wrong shape is a miss), never unpickled. Nothing read is
trusted unless droplint wrote it: each record carries an HMAC-SHA256 of its name and
content under the per-user key of `droplint.secret`, and one that does not verify is a
miss. Nothing is written outside the cache folder: every folder on the way down is
checked not to be a symbolic link, and files are created exclusively (a dangling
symlink at a file's name is never followed).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from functools import lru_cache
from pathlib import Path

import msgspec

from droplint import secret
from droplint.atomic import write_atomic

MAGIC = b"droplint-cache 1\n"
_MAC_BYTES = 32
_ENCODER = msgspec.msgpack.Encoder()
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by droplint.\n"
)
GITIGNORE = "# Created by droplint.\n*\n"


@lru_cache(maxsize=None)
def _decoder(kind):
    return msgspec.msgpack.Decoder(kind)


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()


class Store:
    """Sealed records under `folder`, named by paths relative to it ("0.1.0/ab/ab12...")."""

    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = Path(folder)
        self.enabled = enabled
        self.writable = enabled
        self._safe: set[str] = set()  # folders checked to be real folders
        self._tagged = False

    def read(self, name: str, kind):
        """The record `name` decoded as `kind`, or None: missing, forged, damaged, unsafe."""
        if not self.enabled:
            return None
        key = secret.user_key()
        if key is None or not self._folders_safe(name, create=False):
            return None
        data = _read_regular(self.folder / name)
        if data is None or not data.startswith(MAGIC):
            return None
        mac = data[len(MAGIC) : len(MAGIC) + _MAC_BYTES]
        payload = data[len(MAGIC) + _MAC_BYTES :]
        if not hmac.compare_digest(mac, _mac(key, name, payload)):
            return None
        try:
            return _decoder(kind).decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError, ValueError):
            return None

    def write(self, name: str, value) -> None:
        if not self.writable:
            return
        key = secret.user_key()
        if key is None:
            self.writable = False
            return
        try:
            if not self._folders_safe(name, create=True):
                self.writable = False  # a symlink on the way: cache nothing rather than write elsewhere
                return
            payload = _ENCODER.encode(value)
            # Replaces a symlink at the entry itself, never its target.
            write_atomic(self.folder / name, MAGIC + _mac(key, name, payload) + payload, prefix=".tmp-", suffix="")
        except OSError:
            self.writable = False  # a read-only tree or a full disk: lint on, uncached

    def _folders_safe(self, name: str, create: bool) -> bool:
        """Is every folder from the cache folder down to `name`'s a real folder (no symlink)?"""
        chain = [self.folder, *(self.folder / part for part in _prefixes(name))]
        for index, path in enumerate(chain):
            text = str(path)
            if text not in self._safe:
                if create:
                    _make_folder(path, parents=index == 0)
                if not _is_real_folder(path):
                    return False
                self._safe.add(text)
            if create and index == 0 and not self._tagged:
                _tag(path)  # checked above to be a real folder: the tag cannot land elsewhere
                self._tagged = True
        return True


def _prefixes(name: str) -> list[str]:
    """The folders of a record name: "a/b/c" -> ["a", "a/b"]."""
    pieces = name.split("/")[:-1]
    return ["/".join(pieces[: i + 1]) for i in range(len(pieces))]


def _make_folder(path: Path, parents: bool) -> None:
    if parents:  # the cache folder's own parents: the tree, or the user's --cache-dir
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(path)
    except FileExistsError:
        pass


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _tag(folder: Path) -> None:
    """CACHEDIR.TAG and .gitignore, created only where nothing (not even a symlink) is."""
    for file_name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
        try:
            fd = os.open(folder / file_name, _CREATE_FLAGS, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(text)


def _read_regular(path: Path) -> bytes | None:
    """A regular file's bytes; None for anything else (a symlink, a FIFO, a device)."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)
