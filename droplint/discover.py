"""From the paths on the command line to the Python files to lint."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pathspec

from droplint.ir import FileError
from droplint.modules import within

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".droplint_cache",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "__pypackages__",
)
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True, slots=True)
class Target:
    display: str  # as the user will see it: relative when they gave a relative path
    path: str  # where to read it


def discover(paths, exclude=(), root: Path | None = None):
    """Return (targets, errors): files in a stable order, and paths that failed."""
    root = (root or Path.cwd()).resolve()
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    targets: list[Target] = []
    errors: list[FileError] = []
    seen: set[str] = set()
    for given in paths:
        if not os.path.lexists(given):
            errors.append(FileError(given, "no such file or directory"))
            continue
        if os.path.isdir(given):
            _walk(given, root, excluded, targets, errors, seen)
        elif os.path.isfile(given):
            # An explicitly named file is linted even if excluded by a folder rule,
            # except by the user's own exclude (pre-commit passes every changed file).
            if not _matches(excluded, root, Path(given).resolve()):
                _add(Target(given, given), targets, seen)
        else:
            errors.append(FileError(given, "not a regular file or folder; skipped"))
    return targets, errors


def _add(target: Target, targets: list, seen: set, key: str | None = None) -> None:
    key = key or os.path.realpath(target.path)
    if key not in seen:
        seen.add(key)
        targets.append(target)


def _walk(top: str, root: Path, excluded, targets, errors, seen) -> None:
    ignores = _inherited_gitignores(Path(top).resolve())
    tree = _tree_of(os.path.realpath(top))
    visited: set[str] = set()
    # Depth-first with an explicit stack: deep trees cannot overflow recursion.
    # Plain strings, not pathlib, on this hot path: it runs once per file of the tree.
    stack = [(top, ignores)]
    found: list[tuple[Target, str, bool]] = []  # target, its path, is it a link
    while stack:
        folder, ignores = stack.pop()
        real = os.path.realpath(folder)
        if real in visited:
            errors.append(FileError(folder, "symbolic link loop; skipped"))
            continue
        visited.add(real)
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except OSError as exc:
            errors.append(FileError(folder, f"cannot read folder: {exc.strerror or exc}"))
            continue
        local = _gitignore_in(Path(real))
        if local is not None:
            ignores = ignores + [local]
        subfolders = []
        for entry in entries:
            name = entry.name
            shown = os.path.join(folder, name) if folder != "." else name
            resolved = os.path.join(real, name)
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir and name in DEFAULT_EXCLUDES:
                continue
            if not is_dir and not name.endswith(PYTHON_SUFFIXES):
                continue
            if entry.is_symlink() and not within(os.path.realpath(resolved), tree):
                continue  # never follow a link out of the linted tree (git does not either)
            if _ignored(ignores, resolved, is_dir) or _matches(excluded, root, Path(resolved)):
                continue
            if is_dir:
                subfolders.append((shown, ignores))
            elif is_file:
                found.append((Target(shown, shown), resolved, entry.is_symlink()))
            elif entry.is_symlink():
                errors.append(FileError(shown, "broken symbolic link; skipped"))
        stack.extend(reversed(subfolders))
    # A file and a link to it are one file: lint it by its own name (a fix may write it).
    first: dict[str, Target] = {}
    for target, resolved, is_link in sorted(found, key=lambda item: (item[2], item[0].display)):
        # `resolved` sits in a real folder already: only a link needs resolving.
        first.setdefault(os.path.realpath(resolved) if is_link else resolved, target)
    for key, target in sorted(first.items(), key=lambda item: item[1].display):
        _add(target, targets, seen, key)


def _tree_of(top: str) -> str:
    """The linted tree: the repository holding `top` (up to its `.git`), else `top` itself."""
    for folder in (top, *map(str, Path(top).parents)):
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
    return top


# A .gitignore is a few lines; a larger one is no ignore file we should read whole.
MAX_GITIGNORE_BYTES = 1024 * 1024


def _gitignore_in(folder: Path):
    data = _small_regular_file(str(folder / ".gitignore"), MAX_GITIGNORE_BYTES)
    if data is None:
        return None
    lines = data.decode("utf-8", errors="replace").splitlines()
    return (folder, pathspec.GitIgnoreSpec.from_lines(lines))


def _small_regular_file(path: str, limit: int) -> bytes | None:
    """A regular file's bytes, at most `limit` of them; None for a FIFO or a device (a
    repository may commit either: reading one would block or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def _inherited_gitignores(start: Path) -> list:
    """.gitignore files above the walk's top, up to the repository root."""
    chain = []
    for folder in start.parents:
        spec = _gitignore_in(folder)
        if spec is not None:
            chain.append(spec)
        if (folder / ".git").exists():
            break
    else:
        return []  # not inside a repository: no .gitignore applies from above
    return list(reversed(chain))


def _ignored(ignores, path: str, is_dir: bool) -> bool:
    for base, spec in ignores:
        prefix = str(base) + os.sep
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix):].replace(os.sep, "/")
        if spec.match_file(relative + ("/" if is_dir else "")):
            return True
    return False


def _matches(excluded, root: Path, path: Path) -> bool:
    if not excluded.patterns:
        return False
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return excluded.match_file(relative) or excluded.match_file(path.name)
