"""`.droplint_cache/`: per-file results keyed by droplint's build (version and code), the settings that
shape a file's result, and the file's content. A damaged entry is a miss, never a crash."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from droplint import __version__

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by droplint.\n"
)


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


class Cache:
    def __init__(self, root: Path, fingerprint: str, enabled: bool = True):
        self.folder = Path(root) / ".droplint_cache"
        self.entries = self.folder / __version__
        self.fingerprint = fingerprint
        self.enabled = enabled
        self._prepared = False

    def key(self, display_path: str, digest: str) -> str:
        material = "\0".join((build_id(), self.fingerprint, display_path, digest))
        return hashlib.blake2b(material.encode(), digest_size=16).hexdigest()

    def get(self, key: str):
        if not self.enabled:
            return None
        try:
            with open(self.entries / key[:2] / key, "rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - any damage (truncation, old classes) is a miss
            return None

    def put(self, key: str, value) -> None:
        if not self.enabled:
            return
        try:
            self._prepare()
            folder = self.entries / key[:2]
            folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / key)
        except OSError:
            self.enabled = False  # a read-only tree: lint on, uncached

    def _prepare(self) -> None:
        if self._prepared:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = self.folder / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by droplint.\n*\n")
        self._prepared = True
