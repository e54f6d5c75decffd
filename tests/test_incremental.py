"""Runs over some files give the findings a full run gives for them.

pre-commit passes the changed files only and links only the models that touch them; a run
with a warm cache re-reads only the changed files. A change in one file must still change
the findings it causes in another: in the models that import it, and in the blocks it
applies.
"""

from __future__ import annotations

import json
import os
import time

from conftest import FIXTURES
from droplint import engine
from droplint.analysis import link as linking
from droplint.config import parse
from droplint.discover import discover

CONFIG = '''\
from dataclasses import dataclass


@dataclass
class NetConfig:
    hidden: int = 16
    hidden_dropout: float = 0.9
'''
BLOCKS = '''\
from torch import nn


class Head(nn.Module):
    def __init__(self, dim=16, classes=4):
        super().__init__()
        self.fc = nn.Linear(dim, classes)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.fc(x))
'''
MODEL = '''\
import torch
from torch import nn

from .blocks import Head
from .config import NetConfig


class Net(nn.Module):
    def __init__(self, config: NetConfig):
        super().__init__()
        self.fc1 = nn.Linear(8, config.hidden)
        self.drop = nn.Dropout(config.hidden_dropout)
        self.fc2 = nn.Linear(config.hidden, config.hidden)
        self.head = Head()

    def forward(self, x):
        x = self.drop(torch.relu(self.fc1(x)))
        return self.head(torch.relu(self.fc2(x)))
'''


def _project(write):
    write("pkg/__init__.py", "")
    for name, text in (("config", CONFIG), ("blocks", BLOCKS), ("model", MODEL)):
        path = write(f"pkg/{name}.py", text)
        os.utime(path, (time.time() - 10, time.time() - 10))  # not "racy": served from the index


def _change(write, name: str, text: str) -> None:
    write(f"pkg/{name}.py", text)  # a new size: the index sees it changed


def _findings(droplint, *args):
    result = droplint("check", *args, "--select", "ALL", "--format", "json")
    return sorted((d["path"], d["line"], d["code"], d["model"]) for d in json.loads(result.stdout)["diagnostics"])


def _full(droplint, path=None):
    found = _findings(droplint, "pkg", "--no-cache")
    return [f for f in found if path is None or f[0] == path]


def test_a_changed_config_changes_the_finding_in_the_model_that_imports_it(droplint, write):
    _project(write)
    before = _findings(droplint, "pkg")
    assert ("pkg/model.py", 17, "DL103", "Net") in before  # 0.9 is above the hidden band
    _change(write, "config", CONFIG.replace("0.9", "0.2"))
    after = _findings(droplint, "pkg")  # warm: only config.py is read again
    assert ("pkg/model.py", 17, "DL103", "Net") not in after
    assert after == _full(droplint)


def test_a_changed_block_is_judged_again_in_the_model_that_applies_it(droplint, write):
    _project(write)
    assert ("pkg/blocks.py", 11, "DL102", "Net") in _findings(droplint, "pkg")
    _change(write, "blocks", BLOCKS.replace("self.drop(self.fc(x))", "self.fc(self.drop(x))"))
    alone = _findings(droplint, "pkg/blocks.py")  # pre-commit: the changed file only
    assert ("pkg/blocks.py", 11, "DL102", "Net") not in alone
    assert alone == _full(droplint, "pkg/blocks.py")
    assert _findings(droplint, "pkg") == _full(droplint)


def test_a_changed_model_alone_gives_the_full_runs_findings(droplint, write):
    _project(write)
    _findings(droplint, "pkg")
    _change(write, "model", MODEL.replace("self.head(torch.relu(self.fc2(x)))", "self.head(self.fc2(x))"))
    assert _findings(droplint, "pkg/model.py") == _full(droplint, "pkg/model.py")


def _lint_each(monkeypatch, root, paths):
    config = parse({"select": ["ALL"]}, root=root)
    found = []
    for path in paths:
        targets, errors = discover([str(path.relative_to(root))], root=root)
        result = engine.lint(targets, config, engine.Options(jobs=1, use_cache=False), errors)
        found.append((result.diagnostics, result.errors))
    return found


def test_linking_only_the_models_that_touch_the_linted_file_changes_nothing(monkeypatch):
    """Each file of the fixtures that import one another linted alone: the same findings
    and errors as when every model of the files it reaches is linked and judged."""
    monkeypatch.setattr(engine, "ISOLATE", False)
    root = FIXTURES.parent
    monkeypatch.chdir(root)
    paths = sorted({*FIXTURES.glob("projects/**/*.py"), *FIXTURES.glob("*/*_pkg/**/*.py")})
    built = []
    real_model = linking.Project.model
    monkeypatch.setattr(linking.Project, "model", lambda self, *a: built.append(1) or real_model(self, *a))
    narrow = _lint_each(monkeypatch, root, paths)
    narrow_built = len(built)
    monkeypatch.setattr(engine, "JudgedModels", lambda *args: None)  # every model, as `profile` links them
    wide = _lint_each(monkeypatch, root, paths)
    assert len(paths) > 20 and any(diagnostics for diagnostics, _ in wide)
    assert narrow == wide
    assert narrow_built < len(built) - narrow_built, "linking only what touches the file builds fewer models"


OTHER = '''\
from torch import nn


class Other(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 8)
        self.drop = nn.Dropout(0.9)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.drop(self.fc1(x)))
'''


def test_a_whole_run_after_one_change_links_and_judges_only_the_models_it_moved(droplint, write, monkeypatch):
    _project(write)
    write("pkg/other.py", OTHER)
    before = _findings(droplint, "pkg")
    assert ("pkg/other.py", 12, "DL103", "Other") in before  # remembered below, still reported
    built = []
    real_model = linking.Project.model
    monkeypatch.setattr(linking.Project, "model", lambda self, cls, root: built.append(cls.name) or real_model(self, cls, root))
    _change(write, "model", MODEL.replace("nn.Dropout(config.hidden_dropout)", "nn.Dropout(0.2)"))
    after = _findings(droplint, "pkg")
    assert built == ["Net"]
    assert ("pkg/model.py", 17, "DL103", "Net") not in after
    assert after == _full(droplint) != before
    # A config field may set a rate anywhere: every model is judged again.
    built.clear()
    _change(write, "config", CONFIG.replace("0.9", "0.2"))
    after = _findings(droplint, "pkg")
    assert sorted(built) == ["Net", "Other"]
    assert after == _full(droplint)


def test_without_a_cache_no_model_digest_is_taken(monkeypatch, tmp_path):
    """A digest only lets a later run reuse a model's findings; with the cache off
    nothing is kept, so a run takes none (and finds the same)."""
    monkeypatch.setattr(engine, "ISOLATE", False)
    root = FIXTURES.parent
    monkeypatch.chdir(root)
    paths = sorted(FIXTURES.glob("projects/**/*.py"))[:6]
    digests = []
    real_digest = linking.Project.digest
    monkeypatch.setattr(linking.Project, "digest", lambda self, *a: digests.append(1) or real_digest(self, *a))
    config = parse({"select": ["ALL"]}, root=root)
    found = {}
    for use_cache in (False, True):
        targets, errors = discover([str(p.relative_to(root)) for p in paths], root=root)
        options = engine.Options(jobs=1, use_cache=use_cache, cache_dir=str(tmp_path / "cache"))
        result = engine.lint(targets, config, options, errors)
        found[use_cache] = (result.diagnostics, result.errors, len(digests))
        digests.clear()
    assert found[False][2] == 0 and found[True][2] > 0
    assert found[False][:2] == found[True][:2]
