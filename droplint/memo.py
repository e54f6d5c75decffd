"""The last run's final answer, for the commonest run of all: nothing has changed.

Keyed by everything that shapes a run's output (droplint's version, the settings, the
selection, the files asked for); valid while every file it read, linted or used as
context, still has the size and modification time it had, and none of them was
modified within a second before it was read ("racy", as in project.py).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path

from droplint.cache import build_id
from droplint.project import stamp

_RACY_NS = 1_000_000_000


def key(config, targets, extra: str = "") -> str:
    material = repr(
        (
            build_id(),
            config.fingerprint(),
            config.select,
            config.ignore,
            config.extend_select,
            config.per_file_ignores,
            [(t.display, os.path.abspath(t.path)) for t in targets],
            extra,
        )
    )
    return hashlib.blake2b(material.encode(), digest_size=16).hexdigest()


class RunMemo:
    def __init__(self, folder: Path, run_key: str, enabled: bool = True):
        self.file = Path(folder) / "last-run.pickle"
        self.run_key = run_key
        self.enabled = enabled

    def load(self):
        """The stored result if it still holds, else None."""
        if not self.enabled:
            return None
        try:
            with open(self.file, "rb") as handle:
                stored_key, seen_ns, stamps, result = pickle.load(handle)
        except Exception:  # noqa: BLE001 - missing or damaged: a miss
            return None
        if stored_key != self.run_key:
            return None
        for path, (mtime_ns, size) in stamps.items():
            if mtime_ns > seen_ns - _RACY_NS or stamp(path) != (mtime_ns, size):
                return None
        return result

    def store(self, stamps: dict, result, seen_ns: int) -> None:
        """Remember `result`, computed from files whose stamps were taken at `seen_ns`."""
        if not self.enabled or any(s is None for s in stamps.values()):
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.run_key, seen_ns, stamps, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except OSError:
            pass


def now_ns() -> int:
    return time.time_ns()
