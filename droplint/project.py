"""What droplint knows of the rest of the project when it lints only some files.

pre-commit passes only the changed files, but a model in one of them may use a block
or a config class defined in a file that did not change. Every run records the
summaries it built in one index in the cache; a later run links the files it lints
against the summaries of the other files, as long as each file is unchanged (same
size and modification time as when it was summarised).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from droplint.ir import FileSummary

_INDEX_NAME = "project-index"


class ProjectIndex:
    def __init__(self, folder: Path, fingerprint: str, enabled: bool = True):
        tag = hashlib.blake2b(fingerprint.encode(), digest_size=6).hexdigest()
        self.file = Path(folder) / f"{_INDEX_NAME}-{tag}.pickle"
        self.enabled = enabled
        self.entries: dict[str, tuple[int, int, FileSummary]] = {}
        self._dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as handle:
                entries = pickle.load(handle)
        except Exception:  # noqa: BLE001 - missing or damaged: start afresh
            return
        if isinstance(entries, dict):
            self.entries = entries

    def record(self, path: str, summary: FileSummary | None) -> None:
        """Remember a summary of the file at `path` as it is now on disk."""
        if not self.enabled:
            return
        key = os.path.abspath(path)
        stamp = _stamp(key)
        if stamp is None or summary is None:
            if self.entries.pop(key, None) is not None:
                self._dirty = True
            return
        old = self.entries.get(key)
        if old is None or old[:2] != stamp or old[2] != summary:
            self.entries[key] = (*stamp, summary)
            self._dirty = True

    def context(self, linted: set[str]) -> list[FileSummary]:
        """Summaries of unchanged project files that this run does not lint."""
        found = []
        for path, (mtime, size, summary) in list(self.entries.items()):
            if path in linted:
                continue
            if _stamp(path) != (mtime, size):
                del self.entries[path]  # changed or gone: never serve it stale
                self._dirty = True
                continue
            found.append(summary)
        return found

    def save(self) -> None:
        if not (self.enabled and self._dirty):
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except OSError:
            pass  # a read-only cache only costs the next partial run its context


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


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size
