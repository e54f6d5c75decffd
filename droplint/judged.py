"""The model rules' results, remembered between runs: a model is judged again only when
what it is built from changed.

A root model is linked from its own class, the classes its inlining reaches (as linked:
bases merged, names qualified), what a builder passes it and the project's config tables;
`analysis.link.Project.digest` hashes exactly those. A run over a project where one file
changed links and judges only the models whose digest moved: the models of that file,
those that apply its blocks, those whose rates read its config fields. Every other model
is answered from here.

Split by folder, as the project index (droplint.project): the record of a model's folder
is read when one of its models is asked for, and written when one of them changed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from droplint import __version__
from droplint.ir import Diagnostic
from droplint.project import Folders
from droplint.store import Store


@dataclass(frozen=True, slots=True)
class Judged:
    """What the engine reports of a root model: its findings and whether it was cut."""

    digest: str  # of what the model is built from: analysis.link.Project.digest
    name: str
    path: str
    line: int
    cut: int  # as Model.cut
    files: tuple[str, ...]  # the model's own file and its layers' files: who reports it
    diagnostics: tuple[Diagnostic, ...]


class JudgedModels:
    def __init__(self, store: Store, fingerprint: str):
        # One store per project and settings (the bands are part of the settings).
        tag = hashlib.blake2b(fingerprint.encode(), digest_size=6).hexdigest()
        self._records = Folders(store, f"{__version__}/models-{tag}", Judged)
        self.enabled = self._records.enabled  # False: nothing is read or kept (--no-cache)

    def get(self, key: str, path: str, digest: str) -> Judged | None:
        found = self._records.entries(_folder(path)).get(key)
        return found if found is not None and found.digest == digest else None

    def put(self, key: str, judged: Judged) -> None:
        if self._records.enabled:
            folder = _folder(judged.path)
            self._records.entries(folder)[key] = judged
            self._records.changed(folder)

    def save(self) -> None:
        self._records.save()


def _folder(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))
