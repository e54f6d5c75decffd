"""`--fix`, `--diff` and the fix engine: only verified text is ever written."""

from __future__ import annotations

import ast
import json
import os
import stat

from conftest import ALWAYS_ON
from droplint import fix
from droplint.ir import Edit, Span

FIXED = ALWAYS_ON.replace("F.dropout(x, 0.5)", "F.dropout(x, 0.5, training=self.training)")


def test_fix_rewrites_the_file_and_exits_zero_when_clean(droplint, write):
    path = write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache", "--fix")
    assert path.read_text() == FIXED
    assert result.exit_code == 0
    assert "Fixed 1 finding." in result.stdout


def test_fix_exits_one_while_findings_remain(droplint, write):
    path = write("net.py", ALWAYS_ON + "\ndrop = nn.Dropout(256)\n")
    result = droplint("check", "net.py", "--no-cache", "--fix")
    assert result.exit_code == 1
    assert "training=self.training" in path.read_text()
    assert "DL201" in result.stdout and "DL301" not in result.stdout


def test_diff_prints_and_writes_nothing(droplint, write):
    path = write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache", "--diff")
    assert path.read_text() == ALWAYS_ON
    assert result.exit_code == 1
    assert "--- a/net.py\n+++ b/net.py\n" in result.stdout
    assert "-        return F.dropout(x, 0.5)\n+        return F.dropout(x, 0.5, training=self.training)\n" in result.stdout


def test_fix_with_stdin_writes_the_fixed_source_to_stdout(droplint):
    result = droplint("check", "--stdin-filename", "net.py", "--fix", "--no-cache", "-", input=ALWAYS_ON)
    assert result.stdout == FIXED
    assert result.exit_code == 0


def test_fix_keeps_mode_and_crlf_line_endings(droplint, tmp_path):
    path = tmp_path / "net.py"
    path.write_bytes(ALWAYS_ON.replace("\n", "\r\n").encode())
    path.chmod(0o754)
    droplint("check", "net.py", "--no-cache", "--fix")
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o754
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".droplint-")] == []


def test_fix_nested_calls_need_two_passes(droplint, write):
    source = ALWAYS_ON.replace("F.dropout(x, 0.5)", "F.dropout(F.dropout(x, 0.1), 0.5)")
    path = write("net.py", source)
    # DL301 only: the two nested dropouts are also consecutive (DL107), a finding --fix keeps.
    result = droplint("check", "net.py", "--no-cache", "--fix", "--select", "DL301")
    assert path.read_text().count("training=self.training") == 2
    assert result.exit_code == 0


def test_fix_that_would_break_the_file_is_not_written(droplint, write, monkeypatch):
    from droplint import engine
    from droplint.rulebook import registry

    rule = registry.get("DL301")
    real = rule.check_file

    def broken_fix(ctx):
        for d in real(ctx):
            edit = Edit(d.fix.edits[0].span, "F.dropout(x, 0.5, training=")
            yield d.__class__(**{**{f: getattr(d, f) for f in d.__slots__},
                                 "fix": d.fix.__class__("safe", "broken", (edit,))})

    monkeypatch.setattr(rule, "check_file", broken_fix)
    monkeypatch.setattr(engine, "ISOLATE", False)  # the patch lives in this process
    path = write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache", "--fix")
    assert path.read_text() == ALWAYS_ON
    assert result.exit_code == 1
    assert "net.py: error: fix for DL301 would not parse" in result.stdout


def test_file_changed_during_fix_is_not_overwritten(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("changed by someone else\n")
    problem = fix.write_verified(str(path), ALWAYS_ON, FIXED)
    assert problem == "file changed while droplint was fixing it; not written"
    assert path.read_text() == "changed by someone else\n"


def test_apply_edits_handles_several_lines():
    text = "a = 1\nb = f(\n  2)\nc = 3\n"
    edits = [Edit(Span(2, 5, 3, 5), "g(2)"), Edit(Span(1, 5, 1, 6), "10")]
    assert fix.apply_edits(text, edits) == "a = 10\nb = g(2)\nc = 3\n"


def test_overlapping_fixes_wait_for_the_next_pass():
    from droplint.ir import Diagnostic, Fix

    def diagnostic(line, column, end):
        edit = Edit(Span(line, column, line, end), "x")
        return Diagnostic("a.py", Span(line, column, line, end), "DL301", "n", "error", "m",
                          fix=Fix("safe", "m", (edit,)))

    outer, inner, elsewhere = diagnostic(1, 1, 20), diagnostic(1, 5, 10), diagnostic(2, 1, 3)
    assert fix.choose([inner, outer, elsewhere], unsafe=False) == [outer, elsewhere]


class _DropTrainingKeyword(ast.NodeTransformer):
    def visit_Call(self, node):
        self.generic_visit(node)
        node.keywords = [k for k in node.keywords if not (k.arg == "training" and ast.unparse(k.value) == "self.training")]
        return node


def _without_training_keywords(source: str) -> str:
    return ast.dump(_DropTrainingKeyword().visit(ast.parse(source)))


def test_fix_on_a_copy_of_the_fixtures_removes_every_dl301_and_changes_nothing_else(droplint, fixtures_copy):
    droplint.folder = fixtures_copy.parent
    before = {p: p.read_text() for p in fixtures_copy.rglob("*.py")}
    _, report = droplint.json("check", "fixtures", "--no-cache")
    assert any(d["code"] == "DL301" for d in report["diagnostics"]), "the fixtures should show DL301"
    droplint("check", "fixtures", "--no-cache", "--fix", "--select", "DL301")
    _, after = droplint.json("check", "fixtures", "--no-cache")
    assert [d for d in after["diagnostics"] if d["code"] == "DL301"] == []

    def others(r):
        return [(d["path"], d["code"]) for d in r["diagnostics"] if d["code"] != "DL301"]

    assert others(after) == others(report)
    changed = [p for p, text in before.items() if p.read_text() != text]
    assert changed
    for path in changed:
        # The only difference in the syntax tree is the added training=self.training.
        assert _without_training_keywords(path.read_text()) == _without_training_keywords(before[path])
