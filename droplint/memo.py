"""The last run's final answer, for the commonest run of all: nothing has changed.

Keyed by everything that shapes a run's output (droplint's version, the settings, the
selection, the files asked for); valid while every file it read, linted or used as
context, still has the size and modification time it had, and none of them was
modified within a second before it was read ("racy", as in project.py).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

from droplint import __version__
from droplint.cache import build_id
from droplint.ir import LintResult
from droplint.project import stamp
from droplint.store import Store

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


@dataclass(frozen=True)
class Remembered:
    run_key: str
    seen_ns: int  # when the stamps were taken
    stamps: dict[str, tuple[int, int]]  # every file read: (mtime_ns, size)
    result: LintResult


class RunMemo:
    def __init__(self, store: Store, run_key: str, project: str, enabled: bool = True):
        # One memo per project: a cache folder may be shared (--cache-dir).
        tag = hashlib.blake2b(project.encode(), digest_size=6).hexdigest()
        self.store = store
        self.name = f"{__version__}/last-run-{tag}.msgpack"
        self.run_key = run_key
        self.enabled = enabled and store.enabled

    def load(self) -> LintResult | None:
        """The stored result if it still holds, else None."""
        if not self.enabled:
            return None
        stored = self.store.read(self.name, Remembered)
        if stored is None or stored.run_key != self.run_key:
            return None
        for path, (mtime_ns, size) in stored.stamps.items():
            if mtime_ns > stored.seen_ns - _RACY_NS or stamp(path) != (mtime_ns, size):
                return None
        return stored.result

    def store_result(self, stamps: dict, result: LintResult, seen_ns: int) -> None:
        """Remember `result`, computed from files whose stamps were taken at `seen_ns`."""
        if not self.enabled or any(s is None for s in stamps.values()):
            return
        self.store.write(self.name, Remembered(self.run_key, seen_ns, stamps, result))


def now_ns() -> int:
    return time.time_ns()
