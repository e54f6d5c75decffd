"""Follow imports into project files that were not named on the command line.

As mypy's `follow_imports = silent`: a file that a linted file's models use (a block, a
base class, a config class) is read for its summary only, and nothing is reported in it.
Linting one folder, or the one file pre-commit passes, then knows the blocks defined
elsewhere in the project, whatever the cache holds.

Only the names the summaries use are followed, each to the file Python would import it
from (droplint.modules); a package's `__init__.py` that re-exports a name leads on to the
module defining it. Only files under the project root, at most MAX_FOLLOWED of them.
"""

from __future__ import annotations

import os
from typing import Callable

from droplint.discover import Target
from droplint.ir import FileResult
from droplint.modules import Layout, imported_names

MAX_FOLLOWED = 2_000
# `from pkg import Block` through packages that re-export from packages: this many hops.
MAX_REEXPORT_HOPS = 4


def imports(
    linted: dict[str, FileResult],
    layout: Layout,
    read: Callable[[list[Target]], dict[str, FileResult]],
) -> dict[str, FileResult]:
    """The results of the project files the linted files' models reach: path -> result."""
    seen = {os.path.realpath(path) for path in linted}
    followed: dict[str, FileResult] = {}
    frontier = list(linted.items())
    while frontier and len(followed) < MAX_FOLLOWED:
        wanted: dict[str, Target] = {}
        for path, result in frontier:
            for name in used_names(result):
                for file in _files(layout, path, name, MAX_REEXPORT_HOPS):
                    real = os.path.realpath(file)
                    if real not in seen and len(followed) + len(wanted) < MAX_FOLLOWED:
                        seen.add(real)
                        wanted[file] = Target(display(file), file)
        results = read(list(wanted.values())) if wanted else {}
        frontier = [(file, results[t.display]) for file, t in wanted.items() if t.display in results]
        followed.update(frontier)
    return followed


def used_names(result: FileResult) -> tuple[str, ...]:
    """Qualified names of the project classes a file's summary uses or derives from."""
    summary = result.summary
    if summary is None:
        return ()
    names: dict[str, None] = dict.fromkeys(summary.references)
    for decl in summary.class_bases:
        names.update(dict.fromkeys(decl.bases))
    for cls in summary.classes:
        names.update(dict.fromkeys(cls.constructs))
        if cls.config_class:
            names[cls.config_class] = None
    return tuple(names)


def display(path: str) -> str:
    """How a followed file is named in the models it adds to: as discover would name it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def _files(layout: Layout, importer: str, name: str, hops: int):
    """The file `name` is imported from, and, when that is a package that re-exports the
    name (`from .blocks import Block` in `__init__.py`), the files it re-exports from."""
    found = layout.find(importer, name)
    if found is None:
        return
    yield found
    if hops <= 0 or not os.path.basename(found).startswith("__init__.") or "." not in name:
        return
    simple = name.rsplit(".", 1)[-1]
    if layout.module(found).name == name:
        return  # the package itself
    try:
        with open(found, "rb") as handle:
            data = handle.read()
    except OSError:
        return
    for imported in imported_names(data):
        if imported.rsplit(".", 1)[-1] == simple and imported != name:
            yield from _files(layout, found, imported, hops - 1)
