"""Applying fixes: non-overlapping edits, re-lint, repeat; verify; write atomically.

A fixed file is written only after its new text parses (libcst) and compiles
(Python's own compiler); a fix that would break a file is dropped and reported.
"""

from __future__ import annotations

import difflib
import os
from collections import Counter
import re
import tempfile
import warnings
from dataclasses import dataclass, field

import libcst as cst

from droplint import source
from droplint.ir import Diagnostic, Edit, FileError

_NEWLINE = re.compile(r"\r\n?|\n")

# Fixes may enable further fixes; a bound keeps a rule that flip-flops from looping.
MAX_PASSES = 10


@dataclass
class FixOutcome:
    fixed: dict[str, str] = field(default_factory=dict)  # display path -> new text
    originals: dict[str, str] = field(default_factory=dict)
    applied: int = 0
    counts: dict[str, Counter] = field(default_factory=dict)  # path -> (code, name) -> fixes applied
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


def choose(diagnostics: list[Diagnostic], unsafe: bool) -> list[Diagnostic]:
    """Fixes to apply in one pass: the first of any overlapping ones wins."""
    chosen: list[Diagnostic] = []
    taken: list[tuple] = []
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
            chosen = choose(found, unsafe)
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


def write_atomically(path: str, text: str, encoding: str) -> None:
    """Replace a file's content in one rename, keeping its permissions."""
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".droplint-", suffix=".py.tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_verified(path: str, original: str, text: str) -> str | None:
    """Write a fixed file if it is still as droplint read it. None, or the problem."""
    try:
        current = source.read(path)
    except source.SourceError as exc:
        return str(exc)
    if current.text != original:
        return "file changed while droplint was fixing it; not written"
    problem = verify(text, path)
    if problem is not None:
        return f"fixed text does not parse ({problem}); not written"
    try:
        write_atomically(path, text, current.encoding)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return None


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def _line_starts(text: str) -> list[int]:
    # The same line breaks libcst counts positions by.
    return [0] + [match.end() for match in _NEWLINE.finditer(text)]


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def _range(edit: Edit) -> tuple:
    return ((edit.span.line, edit.span.column), (edit.span.end_line, edit.span.end_column))


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]
