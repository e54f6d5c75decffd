"""Follow imports into project files that were not named on the command line.

As mypy's `follow_imports = silent`: a file that a linted file's models use (a block, a
base class, a config class) is read for its summary only, and nothing is reported in it.
Linting one folder, or the one file pre-commit passes, then knows the blocks defined
elsewhere in the project, whatever the cache holds.

Only the names the summaries use are followed, each to the file Python would import it
from (droplint.modules); a package's `__init__.py` that re-exports a name leads on to the
module defining it. Only files under the project root, at most MAX_FOLLOWED of them.

The other direction decides which models are roots: a block linted alone (pre-commit
passes the one changed file) is judged inside the models that use it, not as a model of
its own. `user_files` finds the files in the linted files' folders that import them, by a
scan of their bytes; those are read silently too, with their own imports.
"""

from __future__ import annotations

import os
import re

from droplint.ir import FileResult
from droplint.modules import Layout, imported_names

MAX_FOLLOWED = 2_000
# Files scanned for users of the linted files, per run.
MAX_SCANNED = 20_000
# `from pkg import Block` through packages that re-export from packages: this many hops.
MAX_REEXPORT_HOPS = 4


def reached(path: str, result: FileResult, layout: Layout):
    """The project files a file's models reach (the classes its summary uses or derives
    from, each where Python would import it), in the order the summary names them; the
    engine reads each once, at most MAX_FOLLOWED of them per step of its closure."""
    for name in used_names(result):
        yield from _files(layout, path, name, MAX_REEXPORT_HOPS)


def user_files(linted: dict[str, object], layout: Layout) -> list[str]:
    """The files, in the linted files' folders (`linted`: their paths), that import them:
    read silently, with their own imports.

    Their folders, not their whole import roots: a block is used beside it, and a scan of
    a whole library for every changed file would cost more than the parse it saves."""
    targets = {layout.real(path) for path in linted}
    words = {_last_part(path) for path in linted}
    if not words:
        return []
    mention = None
    found: list[str] = []
    for path in _python_files(sorted({os.path.dirname(os.path.abspath(p)) for p in linted}), layout, targets):
        if len(found) >= MAX_FOLLOWED:
            break
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if mention is None:
            # Compiled for the first file to scan: one alternative per linted file (a
            # whole tree's, thousands: a second of compiling), and a whole-tree run has
            # no file to scan in its folders.
            mention = re.compile(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")\b")
        if mention.search(data) and _imports_any(layout, path, data, targets):
            found.append(path)
    return found


def _last_part(path: str) -> str:
    """The last part of a file's module name (droplint.modules): its stem, or its
    folder's name for a package. Only a first filter: a word too many costs a scan."""
    folder, filename = os.path.split(os.path.abspath(path))
    stem = filename.rsplit(".", 1)[0]
    return os.path.basename(folder) if stem == "__init__" else stem


def _imports_any(layout: Layout, path: str, data: bytes, targets: set[str]) -> bool:
    for name in imported_names(data):
        if any(layout.real(file) in targets for file in _files(layout, path, name, MAX_REEXPORT_HOPS)):
            return True
    return False


def _python_files(folders: list[str], layout: Layout, linted: set[str]):
    """The Python files directly in `folders` that imports may be followed into, at most
    MAX_SCANNED (the linted files, real paths in `linted`, count but are not given)."""
    count = 0
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if not name.endswith((".py", ".pyi")):
                continue
            if layout.real(path) in linted:  # a whole run: every file (checked first, it is cheap)
                count += 1
                continue
            if layout.inside(path) and os.path.isfile(path):
                count += 1
                if count > MAX_SCANNED:
                    return
                yield path


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


def files(layout: Layout, importer: str, name: str):
    """The project files an import of `name` in `importer` reads, through re-exports."""
    return _files(layout, importer, name, MAX_REEXPORT_HOPS)


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
    for imported in layout.imports_in(found):
        if imported.rsplit(".", 1)[-1] == simple and imported != name:
            yield from _files(layout, found, imported, hops - 1)
