"""The per-user secret that signs droplint's cache.

A linted repository is untrusted: it may commit a `.droplint_cache/` of its own. Every
cache record carries an HMAC under this key, and a record that does not verify is a
miss. The key lives outside any linted tree, in the user's cache folder
(`$XDG_CACHE_HOME/droplint/key`, else `~/.cache/droplint/key`), folder mode 0700 and
file mode 0600, so only droplint running as this user can write a record it will trust.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_loaded: dict[str, bytes | None] = {}


def key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "droplint" / "key"


def user_key() -> bytes | None:
    """This user's key, created on first use; None where it cannot be had safely.

    None means: run uncached. Never a key another user could have read or written.
    """
    path = key_file()
    if str(path) in _loaded:
        return _loaded[str(path)]
    try:
        key = _read(path)
        if key is None:
            _create(path)
            key = _read(path)
    except OSError:
        key = None
    _loaded[str(path)] = key
    return key


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    try:
        status = os.fstat(fd)
        if not _private(status) or not stat.S_ISREG(status.st_mode):
            raise PermissionError(f"{path}: not a private regular file of this user")
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise PermissionError(f"{path}: not a droplint key")
    return key


def _create(path: Path) -> None:
    """Write a fresh key where none is; a concurrent run may win the race, which is fine."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = os.lstat(folder)
    if stat.S_ISDIR(status.st_mode) and not _private(status) and status.st_uid == _uid():
        os.chmod(folder, 0o700)  # ours, made by someone else's umask: close it
        status = os.lstat(folder)
    if not stat.S_ISDIR(status.st_mode) or not _private(status):
        raise PermissionError(f"{folder}: not a private folder of this user")
    temporary = folder / f".key-{secrets.token_hex(8)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # atomic, and never replaces a key another run made
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def _private(status: os.stat_result) -> bool:
    """Owned by this user and closed to group and others (Windows: the profile's ACLs)."""
    if os.name == "nt":
        return True
    return _uid() in (None, status.st_uid) and status.st_mode & 0o077 == 0


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None
