"""The `full` text style's frame under a finding: its source line with a caret, and its
fix as the lines it changes, as ruff shows them.

     |
   7 |         return F.dropout(x, 0.5)
     |                ^^^^^^^^^^^^^^^^^ DL301
     |
     = fix (safe): Pass training=self.training
   7 -         return F.dropout(x, 0.5)
   7 +         return F.dropout(x, 0.5, training=self.training)
"""

from __future__ import annotations

import difflib

import click

from droplint.report import escape

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def frame(d, text: str | None, colour: bool) -> list[str]:
    if text is None:
        return []
    lines = text.splitlines()
    if not 1 <= d.span.line <= len(lines):
        return []
    line = lines[d.span.line - 1]
    width = len(str(max(d.span.end_line, d.span.line) + 1))
    gutter = " " * width
    start = max(d.span.column - 1, 0)
    end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(line)
    caret = "^" * max(end - start, 1)
    # Tabs stay tabs under the caret, so it lines up however the terminal shows them.
    pad = "".join(c if c == "\t" else " " for c in printable(line[:start]))
    out = [
        f"{gutter} |",
        f"{d.span.line:>{width}} | {printable(line)}",
        f"{gutter} | {pad}{_style(caret + ' ' + d.code, _COLOURS.get(d.severity, 'red'), colour)}",
        f"{gutter} |",
    ]
    if d.fix is not None:
        out.append(f"{gutter} = fix ({d.fix.applicability}): {printable(d.fix.message)}")
        out.extend(fix_lines(d.fix, text, width, colour))
    return out


def fix_lines(fix, text: str, width: int, colour: bool) -> list[str]:
    """The lines the fix changes, removed (-) and added (+), with their line numbers."""
    from droplint.fix import apply_edits  # libcst only when a fix is shown

    try:
        after = apply_edits(text, list(fix.edits))
    except (IndexError, ValueError):
        return []
    before_lines, after_lines = text.splitlines(), after.splitlines()
    out = []
    matcher = difflib.SequenceMatcher(a=before_lines, b=after_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for number in range(i1, i2):
            out.append(_style(f"{number + 1:>{width}} - {printable(before_lines[number])}", "red", colour))
        for number in range(j1, j2):
            out.append(_style(f"{number + 1:>{width}} + {printable(after_lines[number])}", "green", colour))
    return out


def printable(text: str) -> str:
    """Source from the linted repository, shown escaped (report/escape.py); tabs stay
    tabs, so the caret lines up under them."""
    return escape.controls(text, keep="\t")


def _style(text: str, colour: str, enabled: bool) -> str:
    return click.style(text, fg=colour) if enabled else text
