"""What droplint remembers of the whole project between runs, in one file of the cache.

Two uses:
- Speed: a file whose size and modification time are what they were when droplint
  last read it is not read again; its last result is served (as git's index does).
  A file modified within a second before it was read is "racy": its time stamp cannot
  prove that it did not change again in the same tick, so it is read and hashed again.
- Context: pre-commit passes only the changed files, but a model in one of them may use
  a block or a config class defined in a file that did not change. A partial run links
  against the last summaries of the project's other, unchanged files.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

from droplint import __version__
from droplint.ir import FileResult, FileSummary
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

    def context(self, linted: set[str]) -> dict[str, tuple[tuple[int, int], FileSummary]]:
        """Unchanged project files that this run does not lint: path -> (stamp, summary)."""
        found = {}
        for path, entry in list(self.entries.items()):
            if path in linted:
                continue
            if stamp(path) != (entry.mtime_ns, entry.size) or (
                entry.mtime_ns > entry.seen_ns - _RACY_NS and not _same_content(path, entry)
            ):
                del self.entries[path]  # changed or gone: never serve it stale
                self._dirty = True
                continue
            if entry.result.summary is not None:
                found[path] = ((entry.mtime_ns, entry.size), entry.result.summary)
        return found

    def save(self) -> None:
        if self.enabled and self._dirty:
            self.store.write(self.name, self.entries)  # a failed write costs speed, never correctness


def _same_content(path: str, entry: Entry) -> bool:
    """For a racy entry: does the file still hash to what was summarised?"""
    from droplint.source import digest_of

    try:
        with open(path, "rb") as handle:
            return digest_of(handle.read()) == entry.result.digest
    except OSError:
        return False


def relevant(linted: list[FileSummary], context: list[FileSummary]) -> list[FileSummary]:
    """The context summaries that can change the linted files' models.

    The files defining classes the linted files use (transitively), the files whose
    classes use the linted files' classes (they decide which models are roots), and
    every file with config classes or argparse defaults (rates may come from them).
    """
    defined = {cls.key: s for s in context for cls in s.classes}
    by_name: dict[str, list[FileSummary]] = {}
    for summary in context:
        for cls in summary.classes:
            by_name.setdefault(cls.name, []).append(summary)
    chosen: dict[int, FileSummary] = {}
    pending = [ref for s in linted for ref in s.references]
    while pending:
        reference = pending.pop()
        owner = defined.get(reference)
        if owner is None:
            candidates = by_name.get(reference.rsplit(".", 1)[-1], [])
            owner = candidates[0] if len(candidates) == 1 else None
        if owner is not None and id(owner) not in chosen:
            chosen[id(owner)] = owner
            pending.extend(owner.references)
    linted_names = {cls.key.rsplit(".", 1)[-1] for s in linted for cls in s.classes}
    for summary in context:
        if any(ref.rsplit(".", 1)[-1] in linted_names for ref in summary.references):
            chosen.setdefault(id(summary), summary)
        elif summary.configs or summary.extras:
            chosen.setdefault(id(summary), summary)
    return list(chosen.values())
