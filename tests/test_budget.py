"""The tree budget (issue 13, memory): a file whose tree would outgrow a worker, such as
keras's 437 KiB `ops/numpy_test.py` (a 360 MiB tree), is read in outline: the functions
that mention no dropout word are left out, the rest is analysed as usual."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from droplint import budget, engine, fix, guard
from droplint.ir import Diagnostic, Edit, Fix, Span

MODEL = (
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(4, 4)\n"
    "        self.drop = nn.Dropout(1.5)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(self.drop(x))\n"
)


def _test_file(functions: int) -> str:
    """Test code: many small functions full of literals and calls, none about dropout,
    around a model with an invalid rate (DL201) and a helper that draws a mask."""
    tests = "".join(
        f"    def test_add_{n}(self):\n"
        f"        x = np.array([[{n}, 2, 3], [4, 5, 6]])\n"
        f"        self.assertAllClose(ops.add(x, x), [[{2 * n}, 4, 6], [8, 10, 12]])\n\n"
        for n in range(functions)
    )
    return (
        "import numpy as np\nimport torch.nn as nn\nfrom keras import ops\n\n\n"
        f"class AddTest:\n{tests}\n"
        f"{MODEL}\n\n"
        "def mask(x, p):\n"
        "    keep = np.random.rand(*x.shape) > p\n"
        "    return x * keep / (1 - p)\n"
    )


def _findings(result) -> list[tuple]:
    return [(d.code, d.span) for d in result.diagnostics]


def test_a_file_within_the_budget_is_read_whole():
    text = _test_file(10)
    assert budget.fit(text, guard.check(text)) == text
    assert budget.outlined(text) == []


def test_the_outline_keeps_every_position_and_every_function_about_dropout(monkeypatch):
    text = _test_file(300)
    tokens = guard.check(text)
    monkeypatch.setattr(budget, "MAX_TOKENS", tokens // 4)
    read = budget.fit(text, tokens)
    ast.parse(read)
    lines, kept = text.splitlines(), read.splitlines()
    assert len(kept) == len(lines)
    assert "    def test_add_7(self):" in kept and "self.assertAllClose" not in read  # signatures stay, bodies go
    for line in (*MODEL.splitlines(), "    keep = np.random.rand(*x.shape) > p"):
        assert kept[lines.index(line)] == line  # same line, same columns
    assert len(budget.outlined(text)) == 300  # one per test method: what a fix must not touch


def test_an_outlined_file_gives_the_findings_of_the_whole_file(monkeypatch):
    data = _test_file(300).encode()
    whole = engine.process_file("test_ops.py", data)
    monkeypatch.setattr(budget, "MAX_TOKENS", guard.check(data.decode()) // 4)
    outlined = engine.process_file("test_ops.py", data)
    assert outlined.error is None
    assert _findings(outlined) == _findings(whole) and ("DL201", whole.diagnostics[0].span) in _findings(whole)
    assert [c.name for c in outlined.summary.classes] == [c.name for c in whole.summary.classes]


def test_a_file_over_the_budget_even_in_outline_is_skipped_with_a_message(monkeypatch):
    data = _test_file(300).encode()
    monkeypatch.setattr(budget, "MAX_TOKENS", 50)
    result = engine.process_file("test_ops.py", data)
    assert result.summary is None and not result.diagnostics
    assert result.error.message.startswith("skipped: ") and "outside the functions that mention no dropout" in result.error.message


def test_a_fix_never_touches_an_outlined_body(monkeypatch):
    text = _test_file(300)
    monkeypatch.setattr(budget, "MAX_TOKENS", guard.check(text) // 4)
    inside = text.splitlines().index("    def test_add_5(self):") + 2  # a line of its body

    def finding(line: int) -> Diagnostic:
        edit = Edit(Span(line, 9, line, 10), "y")
        return Diagnostic("x.py", Span(line, 9, line, 10), "DL201", "n", "error", "m", fix=Fix("safe", "f", (edit,)))

    model_line = text.splitlines().index("        self.drop = nn.Dropout(1.5)") + 1
    chosen = fix.choose([finding(inside), finding(model_line)], unsafe=False, text=text)
    assert [d.span.line for d in chosen] == [model_line]


@pytest.mark.skipif(sys.platform != "linux", reason="the worker's memory limit is RLIMIT_AS (Linux)")
def test_a_file_of_130_000_tokens_is_analysed_within_a_small_memory_limit(tmp_path):
    # Read whole, this file's tree needs about 300 MiB: at a 200 MiB limit its worker
    # died ("skipped: the analysis process died ... memory limit"), losing the finding.
    text = _test_file(3000)
    assert guard.check(text) > 2 * budget.MAX_TOKENS
    (tmp_path / "test_ops.py").write_text(text, encoding="utf-8")
    environment = {**os.environ, "DROPLINT_MAX_MEMORY": "200"}
    done = subprocess.run([sys.executable, "-m", "droplint", "check", "--no-cache", "--select", "DL201", "test_ops.py"],
                          cwd=tmp_path, capture_output=True, text=True, env=environment, timeout=600)
    assert "skipped" not in done.stdout + done.stderr
    line = text.splitlines().index("        self.drop = nn.Dropout(1.5)") + 1
    assert f"test_ops.py:{line}:32: DL201" in done.stdout
    assert done.returncode == 1
