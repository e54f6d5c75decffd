"""Data tables (issue 13, memory): a file whose tree would dwarf its source, such as a
400 KiB test data table, is analysed in bounded memory; its findings elsewhere are
reported and `--fix` never rewrites the table."""

from __future__ import annotations

import os
import random
import subprocess
import sys

from droplint import tables

ROW = "    [{}],  # a row"


def _rows(count: int, seed: int = 1) -> list[str]:
    draw = random.Random(seed)
    return [ROW.format(", ".join(f"{draw.random():.6f}" for _ in range(10))) for _ in range(count)]


def _model_after_table(rows: int) -> str:
    """A 400 KiB table of numbers, then a model with an invalid rate (DL201) and a
    functional dropout whose input is a literal tensor (DL301, a fix across that tensor)."""
    return (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "TABLE = [\n" + "\n".join(_rows(rows)) + "\n]\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n"
        "        self.drop = nn.Dropout(1.5)\n\n"
        "    def forward(self, x):\n"
        "        bias = F.dropout(torch.tensor([\n" + "\n".join(_rows(600, seed=2)) + "\n        ]), 0.2)\n"
        "        return self.fc(self.drop(x)) + bias\n"
    )


def _droplint(folder, *args, memory_mib: int):
    environment = {**os.environ, "DROPLINT_MAX_MEMORY": str(memory_mib)}
    return subprocess.run([sys.executable, "-m", "droplint", "check", "--no-cache", *args],
                          cwd=folder, capture_output=True, text=True, env=environment, timeout=600)


def test_a_400_kib_table_is_analysed_within_a_small_memory_limit(tmp_path):
    # Parsed whole, this file's tree needs about 250 MiB: at a 150 MiB limit its worker
    # died ("skipped: the analysis process died ... memory limit"), losing the finding.
    text = _model_after_table(4000)
    assert len(text) > 400 * 1024
    (tmp_path / "net.py").write_text(text, encoding="utf-8")
    done = _droplint(tmp_path, "net.py", "--select", "DL201", memory_mib=150)
    assert "skipped" not in done.stdout + done.stderr
    line = text.splitlines().index("        self.drop = nn.Dropout(1.5)") + 1
    assert f"net.py:{line}:32: DL201" in done.stdout
    assert done.returncode == 1


def test_fix_never_rewrites_a_table(tmp_path):
    text = _model_after_table(4000)
    (tmp_path / "net.py").write_text(text, encoding="utf-8")
    done = _droplint(tmp_path, "net.py", "--fix", "--unsafe-fixes", memory_mib=1024)
    assert "skipped" not in done.stdout + done.stderr
    fixed = (tmp_path / "net.py").read_text(encoding="utf-8")
    # The DL301 fix would rewrite the whole call around the tensor's table: not applied.
    assert "DL301" in done.stdout
    rows = [row for row in text.splitlines() if row.endswith("# a row")]
    assert [row for row in fixed.splitlines() if row.endswith("# a row")] == rows


def test_blanking_keeps_every_position_outside_the_table():
    text = "x = 1\nTABLE = [\n" + "\n".join(_rows(600)) + "\n]  # after\ny = TABLE\n"
    found = tables.find(text)
    assert [table.start for table in found] == [(2, 8)]
    blanked = tables.blank(text, found)
    assert len(blanked) == len(text)
    assert [len(line) for line in blanked.split("\n")] == [len(line) for line in text.split("\n")]
    assert blanked.startswith("x = 1\nTABLE = [") and blanked.endswith("]  # after\ny = TABLE\n")
    assert set(blanked[len("x = 1\nTABLE = ["): blanked.index("]  # after")]) <= {" ", "\n"}
    compile(blanked, "<table>", "exec")


def test_only_large_displays_of_literals_are_tables():
    small = "T = [" + ", ".join(["1"] * 100) + "]\n"
    with_a_call = "T = [" + ", ".join(["f(1)"] * 6000) + "]\n"
    with_a_name = "T = [" + ", ".join(["1"] * 6000) + ", rate]\n"
    data = "T = {" + ", ".join(f"'k{i}': (-{i}, None, True, 'v')" for i in range(6000)) + "}\n"
    assert tables.find(small) == [] and tables.find(with_a_call) == [] and tables.find(with_a_name) == []
    assert len(tables.find(data)) == 1
