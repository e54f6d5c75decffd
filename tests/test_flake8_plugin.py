"""The flake8 plugin, through the real flake8 in a subprocess: `flake8 --select DL`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from droplint.rulebook import registry

pytest.importorskip("flake8", reason="the test extra installs flake8")

FILE_CODES = {rule.code for rule in registry.file_rules()}
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>DL\d+) (?P<message>.*)$")


def flake8(folder, *args):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode in (0, 1), completed.stderr
    found = []
    for line in completed.stdout.splitlines():
        match = LINE.match(line)
        assert match, f"not a flake8 finding: {line!r}"
        found.append((os.path.normpath(match["path"]), int(match["line"]), int(match["column"]), match["code"]))
    return completed, found


def test_flake8_reports_exactly_droplints_file_rule_findings(fixtures_copy, droplint):
    completed, found = flake8(fixtures_copy, "--select", "DL", ".")
    assert completed.returncode == 1
    droplint.folder = fixtures_copy
    _, report = droplint.json("check", "--no-cache", ".")
    expected = sorted(
        (os.path.normpath(d["path"]), d["line"], d["column"], d["code"])
        for d in report["diagnostics"]
        if d["code"] in FILE_CODES
    )
    assert sorted(found) == expected
    assert len(expected) > 10
    # Model rules need the whole project: droplint check has them, flake8 never does.
    assert any(d["code"].startswith("DL1") for d in report["diagnostics"])
    assert not any(code.startswith("DL1") for *_, code in found)


def test_flake8_select_noqa_and_droplint_configuration_apply(tmp_path):
    (tmp_path / "net.py").write_text(
        "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        x = F.dropout(x, 0.5)\n"
        "        x = F.dropout(x, 0.5)  # noqa: DL301\n"
        "        return nn.Dropout(256)(x)\n"
    )
    _, found = flake8(tmp_path, "--select", "DL3", ".")
    assert found == [("net.py", 7, 13, "DL301")]

    _, found = flake8(tmp_path, "--select", "DL", ".")
    assert sorted(found) == [("net.py", 7, 13, "DL301"), ("net.py", 9, 27, "DL201")]

    (tmp_path / "pyproject.toml").write_text('[tool.droplint]\nignore = ["DL201"]\n')
    _, found = flake8(tmp_path, "--select", "DL", ".")
    assert found == [("net.py", 7, 13, "DL301")]
    assert not (tmp_path / ".droplint_cache").exists()  # flake8 runs leave no cache behind


def test_a_broken_droplint_configuration_is_reported_by_flake8(tmp_path):
    (tmp_path / "net.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text('[tool.droplint]\nselec = ["DL3"]\n')
    completed, found = flake8(tmp_path, "--select", "DL", ".")
    assert found == [("net.py", 1, 1, "DL000")]
    assert "selec" in completed.stdout
