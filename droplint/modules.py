"""Modules as Python would import them: file paths, module names and import roots.

A module is a dotted name under an import root, the folder Python would have on its path:

- the `__init__.py` chain upwards gives the package: `pkg/sub/m.py` with `pkg/__init__.py`
  and `pkg/sub/__init__.py` is `pkg.sub.m`, rooted at the folder holding `pkg/`;
- a script folder (`.py` files and no `__init__.py`) is its own root: `exp_a/blocks.py`
  is `blocks` under `exp_a/`;
- declared roots (the `roots` setting, and the project's `src/`) hold namespace packages
  without `__init__.py`: `lib/ns/m.py` under the root `lib/` is `ns.m`.

Two files with one module name under different roots are two modules. An import made by
a file is searched for in the file's own root, then in the shared roots (declared roots,
then the project root), as `sys.path` would be; never in another script folder.

Roots are places, not spellings: every root (a file's import root, the declared roots, the
project root) is a resolved path, so that a file reached through a symbolic link above its
root (a linked checkout, a linked cache folder, `./` or a relative path) is the same module
of the same project, with the same findings. Below its root a module is named as the path
spells it, as Python names it: a linked package folder inside a project keeps its name.

Everything here works on paths and the file system only: it never reads Python code
except `imported_names`, which scans a file's bytes for the names it imports.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

SUFFIXES = (".py", ".pyi")
# Folders that hold environments and build output, never project modules.
NOT_PROJECT = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "site-packages",
                         "__pycache__", "node_modules", "__pypackages__", ".droplint_cache"})


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "pkg.blocks"; "" when a file has no module name (a root's __init__.py)
    root: str  # the folder the name is relative to: absolute, symbolic links resolved
    is_package: bool = False  # an __init__.py: relative imports start at the module itself


def module_of(path: str, roots: tuple[str, ...] = (), real=os.path.realpath,
              chains: dict[str, str] | None = None) -> Module:
    """The module a file is, given the declared roots (absolute folders, links resolved).
    `real` resolves a folder's links (Layout passes its memoised `real`). `chains`
    (folder -> the top of its `__init__.py` chain, as spelt) keeps the file system's
    answers for the next file of the same folder: a run names thousands of files in a
    few folders."""
    path = os.path.abspath(path)
    folder, filename = os.path.split(path)
    stem = _stem(filename)
    is_package = stem == "__init__"
    chain_root = chains.get(folder) if chains is not None else None
    if chain_root is None:
        chain_root = _package_root(folder)
        if chains is not None:
            chains[folder] = chain_root
    # The names below the package chain's top as the path spells them; the top as a place.
    below = os.path.relpath(os.path.join(folder, stem), chain_root).split(os.sep)
    chain_root = real(chain_root)
    # A declared root at or above the package chain wins: it holds namespace packages.
    declared = [r for r in roots if within(chain_root, r)]
    root = max(declared, key=len) if declared else chain_root
    above = os.path.relpath(chain_root, root).split(os.sep) if root != chain_root else []
    relative = above + below
    if is_package:
        relative = relative[:-1]
    if any(not part.isidentifier() for part in relative):
        relative = [stem] if not is_package else [os.path.basename(folder)]
        root = real(folder if not is_package else os.path.dirname(folder))
    return Module(".".join(relative), root, is_package)


def absolute(importer: Module, name: str) -> str | None:
    """`name` as imported by `importer`, with a relative import's leading dots resolved.

    Dots count folders, as the import system finds files: `.blocks` in a script folder
    is `blocks` under that folder. "" is the root itself; None is above it."""
    dots = len(name) - len(name.lstrip("."))
    if dots == 0:
        return name
    package = importer.name.split(".") if importer.name else []
    if not importer.is_package:
        package = package[:-1]
    if dots - 1 > len(package):
        return None  # beyond the top package: Python raises ImportError
    package = package[: len(package) - (dots - 1)]
    rest = name[dots:]
    return ".".join([*package, rest] if rest else package)


class Layout:
    """The project's import roots, and where an import lands among its files."""

    def __init__(self, project: str, declared: tuple[str, ...] = ()):
        # Places, not spellings (the module docstring): every root resolved.
        self.project = os.path.realpath(project)
        roots = [os.path.realpath(r) for r in declared]
        src = os.path.join(self.project, "src")
        if os.path.isdir(src) and src not in roots:
            roots.append(src)
        self.declared = tuple(roots)
        self._modules: dict[str, Module] = {}
        self._found: dict[tuple[str, str], str | None] = {}
        self._tops: dict[tuple[str, str], bool] = {}
        # A run asks these thousands of times about the same files (following imports
        # and re-exports): each is answered from the file system once per run.
        self._reals: dict[str, str] = {}
        self._imports: dict[str, tuple[str, ...]] = {}
        self._inside: dict[str, bool] = {}
        self._chains: dict[str, str] = {}  # folder -> top of its package chain (module_of)
        self._listings: dict[str, frozenset[str] | None] = {}

    def real(self, path: str) -> str:
        """`os.path.realpath(path)`, once per path and run: the real folder (resolved once
        per folder) and the file's name, unless the file itself is a link."""
        found = self._reals.get(path)
        if found is None:
            folder, name = os.path.split(os.path.abspath(path))
            real_folder = self._reals.get(folder)
            if real_folder is None:
                real_folder = self._reals[folder] = os.path.realpath(folder)
            found = os.path.join(real_folder, name)
            if os.path.islink(found):
                found = os.path.realpath(found)
            self._reals[path] = found
        return found

    def imports_in(self, path: str) -> tuple[str, ...]:
        """`imported_names` of a project file's bytes as they are now, read once per run
        (empty when it cannot be read)."""
        found = self._imports.get(path)
        if found is None:
            found = self._imports[path] = imported_names(read_or_empty(path))
        return found

    def module(self, path: str) -> Module:
        found = self._modules.get(path)  # as asked: the same spelling comes back thousands of times
        if found is None:
            full = os.path.abspath(path)
            found = self._modules.get(full) or module_of(full, self.declared, self.real, self._chains)
            self._modules[path] = self._modules[full] = found
        return found

    def search_path(self, importer: Module) -> tuple[str, ...]:
        """Where `importer`'s absolute imports are looked for, first match wins."""
        shared = [*self.declared, self.project]
        return tuple(dict.fromkeys([importer.root, *shared]))

    def find(self, importer_path: str, name: str) -> str | None:
        """The project file an import of `name` (as written) in `importer_path` reads first.

        For `pkg.blocks.Block` that is `pkg/blocks.py` (the longest prefix that is a
        module); for a package, its `__init__.py`. None when it is not a project file.
        """
        importer = self.module(importer_path)
        full = absolute(importer, name)
        if not full:
            return None
        key = (importer.root, full)
        if key not in self._found:
            self._found[key] = self._search(importer, full.split("."))
        return self._found[key]

    def _search(self, importer: Module, parts: list[str]) -> str | None:
        if not all(part.isidentifier() for part in parts):
            return None
        for root in self.search_path(importer):
            if not self._holds(root, parts[0]):
                continue
            for size in range(len(parts), 0, -1):
                found = self._file(root, parts[:size])
                if found is not None:
                    return found
        return None

    def _holds(self, root: str, top: str) -> bool:
        """Whether `root` has a module or package named `top`: one look per root and name
        spares a dozen for every library name (`torch.nn.Module`)."""
        key = (root, top)
        if key not in self._tops:
            base = os.path.join(root, top)
            self._tops[key] = os.path.isdir(base) or any(os.path.isfile(base + s) for s in SUFFIXES)
        return self._tops[key]

    def _file(self, root: str, parts: list[str]) -> str | None:
        base = os.path.join(root, *parts)
        folder, name = os.path.split(base)
        candidates = [(folder, name + s) for s in SUFFIXES] + [(base, "__init__" + s) for s in SUFFIXES]
        for where, filename in candidates:
            if self._is_file(where, filename):
                candidate = os.path.join(where, filename)
                if self.inside(candidate):
                    return candidate
        return None

    def _is_file(self, folder: str, filename: str) -> bool:
        """`os.path.isfile(path)` from a listing of `folder` made once per run: an import
        is tried as four files at each length of its name, and a run resolves tens of
        thousands of imports, most of them into the same few folders."""
        if folder not in self._listings:
            try:
                with os.scandir(folder) as entries:
                    self._listings[folder] = frozenset(entry.name for entry in entries if entry.is_file())
            except FileNotFoundError:
                self._listings[folder] = frozenset()
            except OSError:  # a folder that may be entered but not listed: ask for the file
                self._listings[folder] = None
        listing = self._listings[folder]
        return os.path.isfile(os.path.join(folder, filename)) if listing is None else filename in listing

    def inside(self, path: str) -> bool:
        """Under the project root once symbolic links are resolved (however the path is
        spelt: a link that leads out of the project is never followed), and not in an
        environment or build folder: the only files imports are followed into."""
        found = self._inside.get(path)
        if found is None:
            found = self._inside[path] = self._is_inside(path)
        return found

    def _is_inside(self, path: str) -> bool:
        real = self.real(path)
        if not within(real, self.project):
            return False
        relative = os.path.relpath(real, self.project).split(os.sep)
        return not any(part in NOT_PROJECT for part in relative[:-1])


def project_root(config_root: str | None, paths: list[str]) -> str:
    """Where the config is; else the repository (.git) holding the paths; else the common
    folder of the paths' import roots (a package linted in part is still the package).

    Decided where the paths really are (links resolved), as the configuration is searched
    for: files reached through a linked folder belong to the project that holds them."""
    if config_root is not None:
        return os.path.realpath(config_root)
    absolute_paths = _real_paths(paths) or [os.getcwd()]
    common = os.path.commonpath(absolute_paths)
    folder = common if os.path.isdir(common) else os.path.dirname(common)
    for candidate in (folder, *_parents(folder)):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    chains: dict[str, str] = {}
    real = functools.lru_cache(maxsize=None)(os.path.realpath)  # the few chain tops, each resolved once
    roots = [module_of(p, real=real, chains=chains).root if os.path.isfile(p) else _package_root(p)
             for p in absolute_paths]
    return os.path.commonpath(roots)


def _real_paths(paths: list[str]) -> list[str]:
    """`os.path.realpath` of each path, resolving each folder once (a whole tree is
    thousands of files in hundreds of folders)."""
    folders: dict[str, str] = {}
    found = []
    for path in paths:
        folder, name = os.path.split(os.path.abspath(path))
        real_folder = folders.get(folder)
        if real_folder is None:
            real_folder = folders[folder] = os.path.realpath(folder)
        real = os.path.join(real_folder, name)
        found.append(os.path.realpath(real) if os.path.islink(real) else real)
    return found


def _package_root(folder: str) -> str:
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def read_or_empty(path: str) -> bytes:
    """A file's bytes, or none when it cannot be read: an import scan of a file that has
    gone or is unreadable finds nothing, and the file's own lint reports why."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


# `from X import a, b` (also parenthesised over lines) and `import a.b as c, d`.
_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n;#]*)|import[ \t]+([^\n;#]*))",
    re.MULTILINE,
)
_NAME = re.compile(rb"\.*[A-Za-z_][\w.]*")


def imported_names(data: bytes) -> tuple[str, ...]:
    """Every dotted name a file may import, as written (relative names keep their dots).

    `from pkg import Block` gives `pkg` and `pkg.Block` (a name imported from a package may
    be a submodule). A scan of the bytes, not a parse: it runs on every file, also those
    the prefilter skips (a package's `__init__.py` re-exports its blocks), and a name
    found in a string costs at most one file read for nothing.
    """
    found: dict[str, None] = {}
    for match in _IMPORT.finditer(data):
        source, names, plain = match.groups()
        if plain is not None:
            for item in plain.split(b","):
                words = item.split()
                if words and _NAME.fullmatch(words[0]):
                    found[words[0].decode("ascii", "replace")] = None
            continue
        base = source.decode("ascii", "replace")
        found[base] = None
        for item in names.strip(b"()").replace(b"\\", b" ").split(b","):
            words = item.split()
            if words and _NAME.fullmatch(words[0]) and b"." not in words[0]:
                name = words[0].decode("ascii", "replace")
                found[base + name if base.endswith(".") else f"{base}.{name}"] = None
    return tuple(found)


def _stem(filename: str) -> str:
    for suffix in SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return os.path.splitext(filename)[0]


def within(path: str, folder: str) -> bool:
    """`path` is `folder` or below it (as written: resolve links first where they matter)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _parents(folder: str):
    while True:
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        yield parent
        folder = parent
