"""pre-commit passes only the changed files: their models still see the rest of the project."""

from __future__ import annotations

import json

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
from torch import nn

from .blocks import Head


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.head = Head()

    def forward(self, x):
        return self.head(self.body(x))
'''


def _project(write):
    write("pkg/__init__.py", "")
    write("pkg/blocks.py", BLOCKS)
    write("pkg/model.py", MODEL)


def _layers(droplint, *paths):
    result = droplint("profile", *paths, "--format", "json")
    models = {m["name"]: m for m in json.loads(result.stdout)["models"]}
    return {name: [(layer["kind"], layer["path"]) for layer in m["layers"]] for name, m in models.items()}


def test_a_model_linted_alone_still_inlines_blocks_from_unchanged_files(droplint, write):
    _project(write)
    whole = _layers(droplint, "pkg")
    assert ("dropout", "pkg/blocks.py") in whole["Net"]
    alone = _layers(droplint, "pkg/model.py")
    assert alone["Net"] == whole["Net"]


def test_without_the_cache_a_model_linted_alone_still_follows_its_imports(droplint, write):
    _project(write)
    whole = _layers(droplint, "pkg")
    result = droplint("profile", "pkg/model.py", "--format", "json", "--no-cache")
    (net,) = [m for m in json.loads(result.stdout)["models"] if m["name"] == "Net"]
    assert [(layer["kind"], layer["path"]) for layer in net["layers"]] == whole["Net"]


def test_a_changed_context_file_is_not_served_stale(droplint, write):
    _project(write)
    droplint("profile", "pkg", "--format", "json")
    write("pkg/blocks.py", BLOCKS.replace("self.drop(self.fc(x))", "self.fc(x)").replace("0.5", "0.1"))
    alone = _layers(droplint, "pkg/model.py")
    assert ("dropout", "pkg/blocks.py") not in alone["Net"]


def test_findings_in_context_files_are_not_reported(droplint, write):
    _project(write)
    droplint("check", "pkg", "--select", "ALL")
    result = droplint("check", "pkg/model.py", "--select", "ALL", "--format", "json")
    assert all(d["path"] == "pkg/model.py" for d in json.loads(result.stdout)["diagnostics"])


def _findings(droplint, *paths):
    result = droplint("check", *paths, "--select", "ALL", "--format", "json", "--no-cache")
    return sorted((d["path"], d["line"], d["code"], d["model"]) for d in json.loads(result.stdout)["diagnostics"])


def test_a_block_linted_alone_is_judged_inside_the_models_that_use_it(droplint, write):
    _project(write)
    whole = [f for f in _findings(droplint, "pkg") if f[0] == "pkg/blocks.py"]
    assert whole == [("pkg/blocks.py", 11, "DL102", "Net")]
    assert _findings(droplint, "pkg/blocks.py") == whole
