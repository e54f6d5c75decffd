"""What droplint remembers of the whole project between runs, in one file of the cache.

Two uses:
- Speed: a file whose size and modification time are what they were when droplint
  last read it is not read again; its last result is served (as git's index does).
  A file modified within a second before it was read is "racy": its time stamp cannot
  prove that it did not change again in the same tick, so it is read and hashed again.
- Followed files: pre-commit passes only the changed files, but a model in one of them
  may use a block or a config class defined in a file that did not change. The engine
  follows the imports there (droplint.follow); an unchanged one is served from here.

Split by folder: one sealed record per folder of the project, read the first time a file
of that folder is asked for and written only when one of its entries changed. A
pre-commit run over one file reads the records of its folder and of the folders its
imports lead to, and writes one; never the whole project's.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

from droplint import __version__
from droplint.ir import FileResult
from droplint.store import Store

_RACY_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Entry:
    display: str
    mtime_ns: int
    size: int
    seen_ns: int  # when droplint took the stamp; see "racy" above
    result: FileResult


def stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class Folders:
    """Records split by folder: one sealed record per folder, read the first time an
    entry of that folder is asked for, written only when one of its entries changed."""

    def __init__(self, store: Store, name: str, kind):
        self.store, self.name, self.kind = store, name, kind
        self.enabled = store.enabled
        self._folders: dict[str, dict] = {}  # folder -> key -> entry, as loaded
        self._dirty: set[str] = set()

    def entries(self, folder: str) -> dict:
        """The entries of one folder, read from its record on first use; call `changed`
        after changing them."""
        entries = self._folders.get(folder)
        if entries is None:
            stored = self.store.read(self._record(folder), dict[str, self.kind]) if self.enabled else None
            entries = self._folders[folder] = stored or {}
        return entries

    def changed(self, folder: str) -> None:
        self._dirty.add(folder)

    def _record(self, folder: str) -> str:
        digest = hashlib.blake2b(folder.encode(), digest_size=10).hexdigest()
        return f"{self.name}/{digest[:2]}/{digest}.msgpack"

    def save(self) -> None:
        """Write the records of the folders whose entries changed, and only those."""
        if self.enabled:
            for folder in sorted(self._dirty):
                self.store.write(self._record(folder), self._folders[folder])  # a failed write costs speed only
        self._dirty.clear()


class ProjectIndex:
    def __init__(self, store: Store, fingerprint: str):
        # One index per project and settings: a cache folder may be shared (--cache-dir).
        tag = hashlib.blake2b(fingerprint.encode(), digest_size=6).hexdigest()
        self.enabled = store.enabled
        self._records = Folders(store, f"{__version__}/project-{tag}", Entry)

    def unchanged(self, path: str, display: str):
        """(stamp, last result) for a file that provably has not changed since, else None."""
        key = os.path.abspath(path)
        entry = self._records.entries(os.path.dirname(key)).get(key)
        if entry is None or entry.display != display:
            return None
        if entry.mtime_ns > entry.seen_ns - _RACY_NS:
            return None
        if stamp(path) != (entry.mtime_ns, entry.size):
            return None
        return (entry.mtime_ns, entry.size), entry.result

    def record(self, path: str, display: str, before: tuple[int, int] | None, result: FileResult) -> None:
        """Remember a file's result; `before` is its stamp taken before it was read."""
        if not self.enabled:
            return
        key = os.path.abspath(path)
        folder = os.path.dirname(key)
        entries = self._records.entries(folder)
        if before is None or stamp(path) != before:
            if entries.pop(key, None) is not None:
                self._records.changed(folder)
            return
        old = entries.get(key)
        if old is not None and old.display == display and (old.mtime_ns, old.size) == before \
                and old.result == result and old.mtime_ns <= old.seen_ns - _RACY_NS:
            return
        entries[key] = Entry(display, before[0], before[1], time.time_ns(), result)
        self._records.changed(folder)

    def save(self) -> None:
        self._records.save()
