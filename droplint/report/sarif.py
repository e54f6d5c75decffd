"""`--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from droplint import __version__
from droplint.report import escape
from droplint.rulebook import registry

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_BASE = "https://github.com/droplint/droplint/blob/main/docs/rules.md"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def help_uri(rule) -> str:
    """The rule's section of docs/rules.md (SARIF's helpUri, the editor's code link)."""
    return f"{HELP_BASE}#{rule.code.lower()}-{rule.name}"


def rule_descriptor(rule) -> dict:
    help_text = "\n\n".join(
        [
            rule.docs.what,
            "Why: " + rule.docs.why,
            "Use instead:\n" + rule.docs.use_instead,
            "Fix safety: " + rule.docs.fix_safety,
        ]
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.docs.why},
        "help": {"text": help_text},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": _LEVELS[rule.severity], "enabled": rule.default_on},
        "properties": {"tags": [rule.name]},
    }


def _uri(path: str, root: Path) -> str:
    try:
        relative = Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        relative = Path(path).as_posix()
    return escape.uri(relative)


def _fingerprint(d, lines_of) -> str:
    """Stable across commits that move the finding: hash of code and the line's text."""
    text = lines_of(d.path, d.span.line).strip()
    return hashlib.sha256(f"{d.code}:{text}".encode()).hexdigest()[:32] + ":1"


def _line_reader():
    cache: dict[str, list[str]] = {}

    def line(path: str, number: int) -> str:
        if path not in cache:
            try:
                cache[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                cache[path] = []
        lines = cache[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""

    return line


def render(result, root: Path | None = None) -> str:
    root = (root or Path.cwd()).resolve()
    rules = registry.all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    lines_of = _line_reader()
    results = []
    for d in result.diagnostics:
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVELS[d.severity],
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.path, root), "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": d.span.line,
                                "startColumn": d.span.column,
                                "endLine": d.span.end_line,
                                "endColumn": d.span.end_column,
                            },
                        }
                    }
                ],
                "partialFingerprints": {"primaryLocationLineHash": _fingerprint(d, lines_of)},
            }
        )
    notifications = [_notification(e, root) for e in result.errors]
    run = {
        "tool": {
            "driver": {
                "name": "droplint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/droplint/droplint",
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [
            {"executionSuccessful": True, "toolExecutionNotifications": notifications}
        ],
        "results": results,
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _notification(error, root) -> dict:
    location = {"artifactLocation": {"uri": _uri(error.path, root)}}
    if error.line is not None:
        location["region"] = {"startLine": error.line, "startColumn": error.column}
    return {"level": "error", "message": {"text": error.message}, "locations": [{"physicalLocation": location}]}
