"""Findings as LSP messages: positions in the client's code units, links, severities."""

from __future__ import annotations

import pytest

pytest.importorskip("pygls", reason="install droplint[server] (the test extra pulls it)")

from lsprotocol import types  # noqa: E402
from pygls.workspace import PositionCodec  # noqa: E402

from droplint.ir import Diagnostic, Span  # noqa: E402
from droplint.lsp_messages import Snapshot, code_actions, to_lsp  # noqa: E402

# "🙂" is one character for droplint (libcst columns) but two UTF-16 code units for LSP.
TEXT = 'label = "🙂"; x = F.dropout(x)\n'
FINDING = Diagnostic("net.py", Span(1, 18, 1, 30), "DL301", "functional-dropout-always-on", "error", "message")


def test_columns_are_converted_to_utf16_code_units_by_default():
    shown = to_lsp(FINDING, TEXT.split("\n"), PositionCodec())
    assert (shown.range.start.line, shown.range.start.character) == (0, 18)
    assert shown.range.end.character == 30
    assert shown.severity == types.DiagnosticSeverity.Error


def test_columns_stay_characters_when_the_client_counts_utf32():
    shown = to_lsp(FINDING, TEXT.split("\n"), PositionCodec(encoding=types.PositionEncodingKind.Utf32))
    assert (shown.range.start.character, shown.range.end.character) == (17, 29)


def test_disable_action_keeps_the_rest_of_a_non_ascii_line():
    snapshot = Snapshot("file:///net.py", 3, TEXT)
    wanted = types.Range(start=types.Position(line=0, character=20), end=types.Position(line=0, character=20))
    (action,) = code_actions(snapshot, [FINDING], wanted, PositionCodec())
    (change,) = action.edit.document_changes
    assert change.text_document.version == 3
    (edit,) = change.edits
    assert edit.new_text == 'label = "🙂"; x = F.dropout(x)  # noqa: DL301'
    assert (edit.range.start.character, edit.range.end.character) == (0, 30)


def test_no_action_for_a_finding_outside_the_asked_range():
    snapshot = Snapshot("file:///net.py", 3, TEXT + "y = 1\n")
    wanted = types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=1))
    assert code_actions(snapshot, [FINDING], wanted, PositionCodec()) == []


def test_messages_show_control_characters_escaped():
    # Messages quote the linted source, which is the repository's to choose.
    hostile = Diagnostic("net.py", Span(1, 1, 1, 2), "DL201", "invalid-rate", "error", "rate '\x1b]52;c;x\x07\u202e'")
    shown = to_lsp(hostile, ["x"], PositionCodec())
    assert shown.message == "rate '\\x1b]52;c;x\\x07\\u202e'"
