"""The cache folder: per-file results keyed by droplint's build (version and code), the
settings that shape a file's result, and the file's content. A missing, damaged or
forged entry is a miss, never a crash and never trusted (see `droplint.store`).

Where it lives: `--cache-dir` (or `$DROPLINT_CACHE_DIR`, read by the CLI), else
`.droplint_cache/` next to the configuration (the project root).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from droplint import __version__
from droplint.ir import FileResult
from droplint.store import Store

FOLDER_NAME = ".droplint_cache"


@lru_cache(maxsize=1)
def build_id() -> str:
    """droplint's version and a hash of its own code: a development build that changes
    what a summary holds must never read summaries an older build wrote."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def folder_for(root: Path, chosen: str | os.PathLike | None = None) -> Path:
    """The cache folder: the one the user chose, else `.droplint_cache/` in the project
    root. A chosen folder is the user's: it is resolved (symlinks in it are theirs); the
    default one is checked link by link by the store."""
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(root) / FOLDER_NAME


class Cache:
    def __init__(self, folder: Path, fingerprint: str, enabled: bool = True):
        self.store = Store(folder, enabled)
        self.fingerprint = fingerprint

    @property
    def enabled(self) -> bool:
        return self.store.enabled

    def key(self, display_path: str, digest: str) -> str:
        material = "\0".join((build_id(), self.fingerprint, display_path, digest))
        return hashlib.blake2b(material.encode(), digest_size=16).hexdigest()

    def get(self, key: str) -> FileResult | None:
        return self.store.read(_entry_name(key), FileResult)

    def put(self, key: str, value: FileResult) -> None:
        self.store.write(_entry_name(key), value)


def _entry_name(key: str) -> str:
    return f"{__version__}/{key[:2]}/{key}"
