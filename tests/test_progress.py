"""Progress on stderr (issue 13): files analysed out of the total and the time, only on a
terminal and only for a run that lasts past a second with files still to go.

Each test runs `droplint check` in a separate process with stderr on a pseudo-terminal
(or on a pipe), as a user's shell or a CI log would have it; stdout is a pipe, so the
report and the progress line are read apart."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

BLOCK = """

class Block{n}(nn.Module):
    def __init__(self, width=64):
        super().__init__()
        self.fc1 = nn.Linear(width, width * 4)
        self.act = nn.GELU()
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(width * 4, width)
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        h = self.fc2(self.drop(self.act(self.fc1(self.norm(x)))))
        return x + F.dropout(h, 0.1, training=self.training)
"""
FILES = 40


def _project(folder: Path, files: int) -> None:
    for number in range(files):
        blocks = "".join(BLOCK.format(n=n) for n in range(12))
        text = "import torch.nn as nn\nimport torch.nn.functional as F\n" + blocks
        (folder / f"model_{number}.py").write_text(text, encoding="utf-8")


def _run(folder: Path, stderr_on_terminal: bool) -> tuple[str, str, int]:
    """(stdout, stderr, exit status) of `droplint check . -j1 --no-cache`."""
    command = [sys.executable, "-m", "droplint", "check", ".", "--no-cache", "--jobs", "1", "--select", "DL2"]
    environment = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    if not stderr_on_terminal:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=environment, timeout=600)
        return done.stdout, done.stderr, done.returncode
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=follower, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    stdout = process.stdout.read().decode()
    process.wait(timeout=600)
    return stdout, b"".join(chunks).decode(errors="replace"), process.returncode


def test_a_long_run_shows_files_analysed_and_time_on_a_terminal(tmp_path):
    _project(tmp_path, FILES)
    stdout, stderr, code = _run(tmp_path, stderr_on_terminal=True)
    assert code == 0, stdout  # DL2: the rates are fine
    counts = [int(done) for done in re.findall(rf"(\d+)/{FILES}\b", stderr)]
    assert counts, repr(stderr)
    assert counts == sorted(counts) and counts[-1] == FILES  # it counts up to every file
    assert re.search(r"\b\d+ s\b", stderr)  # and shows the time taken
    assert "analysing" not in stdout


def test_nothing_is_shown_when_stderr_is_not_a_terminal(tmp_path):
    _project(tmp_path, FILES)
    stdout, stderr, code = _run(tmp_path, stderr_on_terminal=False)
    assert code == 0
    assert stderr == ""
    assert "analysing" not in stdout and "All checks passed" in stdout


def test_nothing_is_shown_for_a_run_without_files_to_wait_for(tmp_path):
    """One file: when its result arrives there is nothing left to show progress for."""
    _project(tmp_path, 1)
    _, stderr, code = _run(tmp_path, stderr_on_terminal=True)
    assert code == 0
    assert stderr == ""
