"""Text output for people: `concise` (one line a finding) or `full` (with the source
line, a caret under the finding and the fix as a diff), then a one-line summary.

The concise line is `path:line:col: CODE [*] [name] message`; `[*]` marks a finding that
`--fix` would fix (with `--unsafe-fixes`, unsafe fixes count too), as ruff marks it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import click

from droplint.report import escape

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}
STYLES = ("concise", "full")


@dataclass(frozen=True)
class TextOptions:
    style: str = "concise"  # one of STYLES
    colour: bool = False
    statistics: bool = False  # the count per rule instead of the findings
    quiet: bool = False  # findings only: no summary line
    unsafe: bool = False  # --unsafe-fixes: unsafe fixes are fixable too
    show_fixes: bool = False  # list what --fix fixed
    fixed: dict = field(default_factory=dict)  # path -> Counter of (code, name) fixed
    # path -> source text, or None; only the full style reads sources.
    source_of: Callable[[str], str | None] = lambda path: None


def render(result, options: TextOptions) -> str:
    lines = [error_line(e, options.colour) for e in result.errors]
    if options.statistics:
        lines.extend(statistics(result, options))
    else:
        for d in result.diagnostics:
            lines.append(finding_line(d, options))
            if options.style == "full":
                from droplint.report.snippet import frame

                lines.extend(frame(d, options.source_of(d.path), options.colour))
                lines.append("")
    if options.show_fixes and options.fixed:
        lines.extend(fixed_listing(options.fixed))
    if not options.quiet and not options.statistics:
        lines.append(summary(result, sum(sum(c.values()) for c in options.fixed.values()), options.unsafe))
    return "\n".join(lines)


def error_line(error, colour: bool = False) -> str:
    """`path: error: message`, or `path:line:col: error: message` where it has a place."""
    # Paths and messages come from the linted repository: escaped before any styling.
    path = escape.path(error.path)
    place = f"{path}:{error.line}:{error.column}:" if error.line is not None else f"{path}:"
    return _style(f"{place} error: {escape.controls(error.message)}", "red", colour)


def fixable(d, unsafe: bool) -> bool:
    return d.fix is not None and (d.fix.applicability == "safe" or unsafe)


def finding_line(d, options: TextOptions) -> str:
    colour = options.colour
    location = _style(f"{escape.path(d.path)}:{d.span.line}:{d.span.column}:", None, colour, bold=True)
    code = _style(d.code, _COLOURS.get(d.severity, "white"), colour, bold=True)
    mark = " [*]" if fixable(d, options.unsafe) else ""
    return f"{location} {code}{mark} [{d.name}] {escape.controls(d.message)}"


def statistics(result, options: TextOptions) -> list[str]:
    counts = Counter((d.code, d.name) for d in result.diagnostics)
    can_fix = {(d.code, d.name) for d in result.diagnostics if fixable(d, options.unsafe)}
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        f"{count:5d}  {code}  {'[*]' if (code, name) in can_fix else '   '} {name}"
        for (code, name), count in ordered
    ]


def fixed_listing(fixed: dict) -> list[str]:
    total = sum(sum(c.values()) for c in fixed.values())
    lines = [f"Fixed {total} finding{'s' if total != 1 else ''}:"]
    for path in sorted(fixed):
        lines.append(f"- {escape.path(path)}:")
        for (code, name), count in sorted(fixed[path].items()):
            lines.append(f"    {count} × {code} ({name})")
    return lines


def summary(result, fixed: int = 0, unsafe: bool = False) -> str:
    found = len(result.diagnostics)
    safe = sum(1 for d in result.diagnostics if d.fix and d.fix.applicability == "safe")
    more = sum(1 for d in result.diagnostics if d.fix and d.fix.applicability == "unsafe")
    parts = []
    if fixed:
        parts.append(f"Fixed {_count(fixed, 'finding')}.")
    if found:
        by_severity = Counter(d.severity for d in result.diagnostics)
        detail = ", ".join(f"{by_severity[s]} {s}" for s in ("error", "warning", "info") if by_severity[s])
        parts.append(f"Found {_count(found, 'finding')} ({detail}) in {_count(result.files, 'file')}.")
        if unsafe and safe + more:
            parts.append(f"{safe + more} fixable with --fix --unsafe-fixes.")
        else:
            if safe:
                parts.append(f"{safe} fixable with --fix.")
            if more:
                parts.append(f"{more} more with --unsafe-fixes.")
    elif result.errors:
        checked = result.checked if result.checked is not None else result.files
        if checked:
            parts.append(f"No findings in the {_count(checked, 'file')} checked.")
        else:
            parts.append("Nothing was checked.")
    elif not fixed:
        parts.append(f"All checks passed ({_count(result.files, 'file')}).")
    if result.errors:
        unchecked = len(result.errors)
        parts.append(f"{_count(unchecked, 'path')} could not be checked: see the error{'s' if unchecked != 1 else ''} above.")
    return " ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _style(text: str, colour, enabled: bool, bold: bool = False) -> str:
    if not enabled:
        return text
    return click.style(text, fg=colour, bold=bold)
