"""`--format json`: the contract in docs/output.md."""

from __future__ import annotations

import json

from droplint import __version__


def diagnostic_dict(d) -> dict:
    return {
        "path": d.path,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "message": d.message,
        "model": d.model,
        "fix": _fix(d.fix),
    }


def _fix(fix):
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [
            {
                "line": e.span.line,
                "column": e.span.column,
                "end_line": e.span.end_line,
                "end_column": e.span.end_column,
                "content": e.content,
            }
            for e in fix.edits
        ],
    }


def render(result) -> str:
    document = {
        "droplint": __version__,
        "files": result.files,
        "diagnostics": [diagnostic_dict(d) for d in result.diagnostics],
        # The place of an error stays in its message: the contract's shape is {path, message}.
        "errors": [{"path": e.path, "message": e.located_message()} for e in result.errors],
    }
    return json.dumps(document, indent=2)
