"""Applying fixes: non-overlapping edits, re-lint, repeat; verify; write atomically.

A fixed file is written only after its new text parses (libcst) and compiles
(Python's own compiler); a fix that would break a file is dropped and reported.
"""

from __future__ import annotations

import difflib
from collections import Counter
import os
import stat
import warnings
from dataclasses import dataclass, field

import libcst as cst

from droplint import budget, source, tables
from droplint.atomic import write_atomic
from droplint.ir import Diagnostic, Edit, FileError

# Fixes may enable further fixes; a bound keeps a rule that flip-flops from looping.
MAX_PASSES = 10


@dataclass
class FixOutcome:
    fixed: dict[str, str] = field(default_factory=dict)  # display path -> new text
    originals: dict[str, str] = field(default_factory=dict)
    applied: int = 0
    # path -> (code, name) -> fixes applied; the caller drops a file it could not write.
    counts: dict[str, Counter] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability == "safe" or unsafe)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits that do not overlap; the caller has chosen them."""
    starts = _line_starts(text)
    pieces = []
    cursor = len(text)
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True):
        start = _offset(starts, edit.span.line, edit.span.column)
        end = _offset(starts, edit.span.end_line, edit.span.end_column)
        pieces.append(text[end:cursor])
        pieces.append(edit.content)
        cursor = start
    pieces.append(text[:cursor])
    return "".join(reversed(pieces))


def choose(diagnostics: list[Diagnostic], unsafe: bool, text: str = "") -> list[Diagnostic]:
    """Fixes to apply in one pass: the first of any overlapping ones wins. None may touch
    a data table of `text`, or a function body left out of a file over the token budget
    (droplint.budget): its fixed code was cut from a tree with those blanked."""
    chosen: list[Diagnostic] = []
    found = tables.find(text)
    taken: list[tuple] = [((t.start[0], t.start[1] + 1), (t.end[0], t.end[1] + 1)) for t in found]
    taken += [((first, 1), (last + 1, 1)) for first, last in budget.outlined(tables.blank(text, found))]
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        if not applicable(diagnostic, unsafe):
            continue
        ranges = [_range(e) for e in diagnostic.fix.edits]
        if any(_overlaps(r, t) for r in ranges for t in taken):
            continue
        taken.extend(ranges)
        chosen.append(diagnostic)
    return chosen


def verify(text: str, path: str) -> str | None:
    """None when `text` is valid Python, else why not."""
    try:
        cst.parse_module(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (cst.ParserSyntaxError, SyntaxError, ValueError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def run(lint_texts, texts: dict[str, str], unsafe: bool) -> FixOutcome:
    """Fix `texts` (display path -> source) in memory.

    `lint_texts(texts)` lints the current texts and returns their diagnostics.
    """
    outcome = FixOutcome(originals=dict(texts))
    current = dict(texts)
    broken: set[str] = set()
    for _ in range(MAX_PASSES):
        diagnostics = lint_texts(current)
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in diagnostics:
            if diagnostic.path in current and diagnostic.path not in broken:
                by_path.setdefault(diagnostic.path, []).append(diagnostic)
        changed = False
        for path, found in by_path.items():
            chosen = choose(found, unsafe, current[path])
            if not chosen:
                continue
            edits = [e for d in chosen for e in d.fix.edits]
            new_text = apply_edits(current[path], edits)
            problem = verify(new_text, path)
            if problem is not None:
                broken.add(path)
                codes = ", ".join(sorted({d.code for d in chosen}))
                outcome.errors.append(
                    FileError(path, f"fix for {codes} would not parse ({problem}); not applied")
                )
                continue
            if new_text != current[path]:
                current[path] = new_text
                outcome.applied += len(chosen)
                outcome.counts.setdefault(path, Counter()).update((d.code, d.name) for d in chosen)
                changed = True
        if not changed:
            break
    outcome.fixed = {p: t for p, t in current.items() if t != texts[p]}
    return outcome


def write_verified(path: str, original: str, text: str) -> str | None:
    """Write a fixed file if it is still as droplint read it. None, or why not.

    Compare and replace: the slow verification comes first; then the file is read and
    compared with what was linted, the new text is written beside it, and just before
    the rename its status and content are read once more. Any change on the way (an
    editor saving meanwhile) and nothing is written: a concurrent edit always survives.
    Only a plain file with one link, writable, whose owner can be kept, is replaced.
    """
    problem = verify(text, path)
    if problem is not None:
        return f"fixed text does not parse ({problem}); not written"
    try:
        status, data = _read_plain(path)
    except _Refused as refused:
        return str(refused)
    try:
        current = source.decode(data)
    except source.SourceError as exc:
        return str(exc)
    if current.text != original:
        return _CHANGED
    try:
        return _replace(path, text.encode(current.encoding), status, source.digest_of(data))
    except (OSError, UnicodeEncodeError) as exc:
        return f"cannot write: {getattr(exc, 'strerror', None) or exc}; not fixed"


_CHANGED = "file changed while droplint was fixing it; not written"


class _Refused(Exception):
    """A file droplint will not replace; the message says why."""


def _read_plain(path: str) -> tuple[os.stat_result, bytes]:
    """The file's status and bytes, if it is one droplint may replace."""
    try:
        status = os.lstat(path)
    except OSError as exc:
        raise _Refused(f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISLNK(status.st_mode):
        # Replacing the link would turn it into a file; writing its target may write
        # outside the linted tree.
        raise _Refused("is a symbolic link; droplint never writes through one; not fixed")
    if not stat.S_ISREG(status.st_mode):
        raise _Refused("not a regular file; not fixed")
    if status.st_nlink > 1:
        # A rename would split the links, and an edit in place would change every other
        # name of the file, possibly outside the linted tree.
        raise _Refused(f"has {status.st_nlink} hard links; droplint does not fix hard-linked files; not fixed")
    if status.st_mode & 0o222 == 0 or not os.access(path, os.W_OK):
        raise _Refused("file is read-only; not fixed")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            data = handle.read(source.MAX_BYTES + 1)
    except OSError as exc:
        raise _Refused(f"cannot read: {exc.strerror or exc}") from None
    if _identity(opened) != _identity(status):
        raise _Refused(_CHANGED)
    return status, data


def _identity(status: os.stat_result) -> tuple:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _replace(path: str, data: bytes, status: os.stat_result, digest: str) -> str | None:
    """Write `data` beside `path`, then rename it over `path` if `path` is unchanged."""

    def keep_owner_and_mode_if_unchanged(temporary: str) -> None:
        if hasattr(os, "chown"):
            written = os.lstat(temporary)
            if (written.st_uid, written.st_gid) != (status.st_uid, status.st_gid):
                try:
                    os.chown(temporary, status.st_uid, status.st_gid)
                except PermissionError:
                    raise _Refused("cannot keep the file's owner; not fixed") from None
        os.chmod(temporary, status.st_mode & 0o7777)  # after chown, which clears set-id bits
        # The last look, just before the rename: same file, same status, same content.
        try:
            latest, latest_data = _read_plain(path)
        except _Refused:
            raise _Refused(_CHANGED) from None
        if _identity(latest) != _identity(status) or source.digest_of(latest_data) != digest:
            raise _Refused(_CHANGED)

    try:
        write_atomic(path, data, suffix=".py.tmp", durable=True, before_rename=keep_owner_and_mode_if_unchanged)
    except _Refused as refused:
        return str(refused)
    return None


def unified_diff(path: str, before: str, after: str) -> str:
    """The diff for a terminal: control characters of the source (an escape sequence in a
    string literal) are shown escaped, tabs and line endings kept."""
    from droplint.report import escape

    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{escape.controls(path)}",
        tofile=f"b/{escape.controls(path)}",
    )
    shown = []
    for line in lines:
        body = line.rstrip("\r\n")
        shown.append(escape.controls(body, keep="\t") + line[len(body):])
    return "".join(shown)


def _line_starts(text: str) -> list[int]:
    # The same line breaks libcst counts positions by.
    return [0] + [match.end() for match in source.LINE_BREAK.finditer(text)]


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def _range(edit: Edit) -> tuple:
    return ((edit.span.line, edit.span.column), (edit.span.end_line, edit.span.end_column))


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]
