"""What droplint remembers of the whole project between runs, in one file of the cache.

Two uses:
- Speed: a file whose size and modification time are what they were when droplint
  last read it is not read again; its last result is served (as git's index does).
  A file modified within a second before it was read is "racy": its time stamp cannot
  prove that it did not change again in the same tick, so it is read and hashed again.
- Followed files: pre-commit passes only the changed files, but a model in one of them
  may use a block or a config class defined in a file that did not change. The engine
  follows the imports there (droplint.follow); an unchanged one is served from here.
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


class ProjectIndex:
    def __init__(self, store: Store, fingerprint: str):
        # One index per project and settings: a cache folder may be shared (--cache-dir).
        tag = hashlib.blake2b(fingerprint.encode(), digest_size=6).hexdigest()
        self.store = store
        self.name = f"{__version__}/project-{tag}.msgpack"
        self.enabled = store.enabled
        self.entries: dict[str, Entry] = {}
        self._dirty = False
        if self.enabled:
            self.entries = store.read(self.name, dict[str, Entry]) or {}

    def unchanged(self, path: str, display: str):
        """(stamp, last result) for a file that provably has not changed since, else None."""
        entry = self.entries.get(os.path.abspath(path))
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
        if before is None or stamp(path) != before:
            if self.entries.pop(key, None) is not None:
                self._dirty = True
            return
        old = self.entries.get(key)
        if old is not None and old.display == display and (old.mtime_ns, old.size) == before \
                and old.result == result and old.mtime_ns <= old.seen_ns - _RACY_NS:
            return
        self.entries[key] = Entry(display, before[0], before[1], time.time_ns(), result)
        self._dirty = True

    def save(self) -> None:
        if self.enabled and self._dirty:
            self.store.write(self.name, self.entries)  # a failed write costs speed, never correctness
