"""Shared fixtures: run the CLI in-process, and build small projects on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from droplint.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def _runner() -> CliRunner:
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


class Droplint:
    """`droplint ...` as a user types it, run in-process in a given folder."""

    def __init__(self, folder: Path, monkeypatch):
        self.folder = folder
        self.monkeypatch = monkeypatch

    def __call__(self, *args, input=None):
        self.monkeypatch.chdir(self.folder)
        return _runner().invoke(main, list(args), input=input, catch_exceptions=False)

    def json(self, *args):
        result = self(*args, "--format", "json")
        return result.exit_code, json.loads(result.stdout)


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory, monkeypatch):
    """The user's cache folder (where droplint keeps its signing key), away from $HOME."""
    folder = tmp_path_factory.getbasetemp() / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("DROPLINT_CACHE_DIR", raising=False)
    return folder


@pytest.fixture
def droplint(tmp_path, monkeypatch):
    return Droplint(tmp_path, monkeypatch)


@pytest.fixture
def write(tmp_path):
    def write(relative: str, text: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def fixtures_copy(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, target)
    return target


ALWAYS_ON = (
    "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
    "class Net(nn.Module):\n"
    "    def forward(self, x):\n"
    "        return F.dropout(x, 0.5)\n"
)
CLEAN = (
    "from torch import nn\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(4, 4)\n"
    "        self.drop = nn.Dropout(0.3)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(self.drop(x))\n"
)
