"""One line a finding, `path:line:col: CODE [name] message`, then a summary."""

from __future__ import annotations

from collections import Counter

import click

from droplint.report import escape

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render(result, colour: bool, statistics: bool = False, fixed: int = 0) -> str:
    lines = []
    # Paths and messages come from the linted repository: escaped before any styling.
    for error in result.errors:
        lines.append(_style(error_line(error), "red", colour))
    for d in result.diagnostics:
        location = f"{escape.path(d.path)}:{d.span.line}:{d.span.column}:"
        code = _style(d.code, _COLOURS.get(d.severity, "white"), colour, bold=True)
        lines.append(f"{_style(location, None, colour, bold=True)} {code} [{d.name}] {escape.controls(d.message)}")
    if statistics and result.diagnostics:
        lines.append("")
        counts = Counter((d.code, d.name) for d in result.diagnostics)
        for (code, name), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{count:5d}  {code}  {name}")
    lines.append(summary(result, fixed))
    return "\n".join(lines)


def error_line(error) -> str:
    """`path: error: message`, for stdout here and for stderr in the CLI."""
    return f"{escape.path(error.path)}: error: {escape.controls(error.message)}"


def summary(result, fixed: int = 0) -> str:
    found = len(result.diagnostics)
    fixable = sum(1 for d in result.diagnostics if d.fix and d.fix.applicability == "safe")
    unsafe = sum(1 for d in result.diagnostics if d.fix and d.fix.applicability == "unsafe")
    parts = []
    if fixed:
        parts.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.")
    if found:
        by_severity = Counter(d.severity for d in result.diagnostics)
        detail = ", ".join(f"{by_severity[s]} {s}" for s in ("error", "warning", "info") if by_severity[s])
        parts.append(f"Found {found} finding{'s' if found != 1 else ''} ({detail}) in {result.files} file{'s' if result.files != 1 else ''}.")
        if fixable:
            parts.append(f"{fixable} fixable with --fix.")
        if unsafe:
            parts.append(f"{unsafe} more with --unsafe-fixes.")
    elif not fixed:
        parts.append(f"All checks passed ({result.files} file{'s' if result.files != 1 else ''}).")
    if result.errors:
        parts.append(f"{len(result.errors)} file{'s' if len(result.errors) != 1 else ''} could not be checked.")
    return " ".join(parts)


def _style(text: str, colour, enabled: bool, bold: bool = False) -> str:
    if not enabled:
        return text
    return click.style(text, fg=colour, bold=bold)
