"""`--format github`: GitHub Actions workflow commands, one annotation a finding."""

from __future__ import annotations

from droplint.report import escape

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    # Line breaks as GitHub's own %0D / %0A; every other control shown escaped.
    text = escape.controls(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result) -> str:
    lines = []
    for e in result.errors:
        place = f",line={e.line},col={e.column}" if e.line is not None else ""
        lines.append(f"::error file={_escape_property(e.path)}{place},title=droplint::{_escape_data(e.message)}")
    for d in result.diagnostics:
        properties = ",".join(
            [
                f"title={_escape_property(f'{d.code} {d.name}')}",
                f"file={_escape_property(d.path)}",
                f"line={d.span.line}",
                f"col={d.span.column}",
                f"endLine={d.span.end_line}",
                f"endColumn={d.span.end_column}",
            ]
        )
        lines.append(f"::{_LEVELS[d.severity]} {properties}::{_escape_data(f'{d.code} {d.message}')}")
    return "\n".join(lines)
