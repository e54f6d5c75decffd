"""droplint's findings as Language Server Protocol messages: diagnostics and code actions.

Pure functions over one snapshot of a document's text: the server calls them with the
exact text that was linted, so a position never mixes two versions of a file.
droplint counts 1-based lines and columns in characters; LSP counts 0-based lines and
columns in the code units the client and server agreed on (UTF-16 unless told
otherwise), which `codec` (pygls's PositionCodec) converts to.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from droplint import add_noqa
from droplint.ir import Diagnostic, Span
from droplint.report.escape import controls
from droplint.report.sarif import help_uri
from droplint.rulebook import registry
from droplint.source import LINE_BREAK

SOURCE = "droplint"
FIX_ALL = "source.fixAll.droplint"  # the kind editors ask for to fix on save
_SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


@dataclass(frozen=True)
class Snapshot:
    """One version of a document as it was linted."""

    uri: str
    version: int | None
    text: str

    def lines(self) -> list[str]:
        return LINE_BREAK.split(self.text)


def lsp_range(span: Span, lines: list[str], codec) -> types.Range:
    return types.Range(
        start=_position(span.line, span.column, lines, codec),
        end=_position(span.end_line, span.end_column, lines, codec),
    )


def _position(line: int, column: int, lines: list[str], codec) -> types.Position:
    row = min(max(line - 1, 0), len(lines) - 1)
    characters = lines[row][: max(column - 1, 0)]
    return types.Position(line=row, character=codec.client_num_units(characters))


def to_lsp(diagnostic: Diagnostic, lines: list[str], codec) -> types.Diagnostic:
    rule = registry.get(diagnostic.code)
    return types.Diagnostic(
        range=lsp_range(diagnostic.span, lines, codec),
        message=controls(diagnostic.message),  # quotes the source: no control characters
        severity=_SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=help_uri(rule)) if rule else None,
        source=SOURCE,
    )


def file_error(message: str) -> types.Diagnostic:
    """A file droplint could not read or parse: one diagnostic on its first line."""
    start = types.Position(line=0, character=0)
    return types.Diagnostic(
        range=types.Range(start=start, end=start),
        message=controls(message),
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def code_actions(snapshot: Snapshot, findings: list[Diagnostic], wanted: types.Range, codec) -> list[types.CodeAction]:
    """Quick fixes for the findings that touch `wanted`: each fix droplint has (unsafe
    ones say so and are never preferred), and "Disable DLxxx for this line"."""
    lines = snapshot.lines()
    actions = []
    for finding in findings:
        shown = to_lsp(finding, lines, codec)
        if not _touches(shown.range, wanted):
            continue
        if finding.fix is not None:
            actions.append(_fix_action(snapshot, finding, shown, lines, codec))
        disable = _disable_action(snapshot, finding, shown, lines, codec)
        if disable is not None:
            actions.append(disable)
    return actions


def _fix_action(snapshot, finding, shown, lines, codec) -> types.CodeAction:
    fix = finding.fix
    safe = fix.applicability == "safe"
    label = "Fix" if safe else "Unsafe fix (changes training)"
    edits = [types.TextEdit(range=lsp_range(e.span, lines, codec), new_text=e.content) for e in fix.edits]
    return types.CodeAction(
        title=f"{label} {finding.code}: {controls(fix.message)}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[shown],
        is_preferred=safe,
        edit=_workspace_edit(snapshot, edits),
    )


def _disable_action(snapshot, finding, shown, lines, codec) -> types.CodeAction | None:
    line = finding.span.line
    done = add_noqa.add(snapshot.text, {line: {finding.code}})
    if not done.directives:  # already silenced, or a line no comment can end
        return None
    changed = add_noqa.split_lines(done.text)[line - 1].rstrip("\r\n")
    whole_line = Span(line, 1, line, len(lines[line - 1]) + 1)
    edit = types.TextEdit(range=lsp_range(whole_line, lines, codec), new_text=changed)
    return types.CodeAction(
        title=f"Disable {finding.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[shown],
        is_preferred=False,
        edit=_workspace_edit(snapshot, [edit]),
    )


def fix_all_action(snapshot: Snapshot, fixed: str, codec) -> types.CodeAction:
    """Replace the whole text with `fixed`: every safe fix, as `droplint check --fix`."""
    lines = snapshot.lines()
    whole = Span(1, 1, len(lines), len(lines[-1]) + 1)
    edit = types.TextEdit(range=lsp_range(whole, lines, codec), new_text=fixed)
    return types.CodeAction(
        title="Fix all safe droplint findings",
        kind=FIX_ALL,
        edit=_workspace_edit(snapshot, [edit]),
    )


def _workspace_edit(snapshot: Snapshot, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    # Versioned: a client applies the edit only to the text it was computed for.
    document = types.OptionalVersionedTextDocumentIdentifier(uri=snapshot.uri, version=snapshot.version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])


def _touches(found: types.Range, wanted: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(found.start) <= key(wanted.end) and key(wanted.start) <= key(found.end)
