"""Parsing the closure only saves work: every finding and every model with a dropout that
the full parse gives, the closure run gives too, and files outside it are never parsed."""

from __future__ import annotations

import re
import textwrap

import pytest

from conftest import FIXTURES
from droplint import closure, engine
from droplint.config import parse
from droplint.discover import discover


def _lint(monkeypatch, root, paths, closure_run: bool):
    monkeypatch.setattr(engine, "ISOLATE", False)  # the patch below lives in this process
    if not closure_run:
        monkeypatch.setattr(engine, "PREFILTER", re.compile(rb""))  # parse every file
    config = parse({"select": ["ALL"]}, root=root)
    monkeypatch.chdir(root)
    targets, errors = discover(paths, root=root)
    options = engine.Options(jobs=1, use_cache=False)
    return engine.lint(targets, config, options, errors, need_models=True, closure=closure_run)


def _with_dropout(result):
    """Each model that holds a dropout: where, and every layer with its place."""
    return sorted(
        (m.path, m.name, m.root, [(p.layer.kind, p.layer.path, p.layer.span.line, p.position, p.depth) for p in m.layers])
        for m in result.models
        if any(p.layer.kind == "dropout" for p in m.layers)
    )


def test_the_closure_gives_every_finding_and_model_of_the_full_parse(monkeypatch):
    full = _lint(monkeypatch, FIXTURES.parent, ["fixtures"], closure_run=False)
    monkeypatch.undo()
    narrow = _lint(monkeypatch, FIXTURES.parent, ["fixtures"], closure_run=True)
    assert narrow.diagnostics == full.diagnostics
    assert narrow.errors == full.errors
    assert _with_dropout(narrow) == _with_dropout(full)
    assert full.diagnostics and _with_dropout(full), "the fixtures should have findings and models"
    assert narrow.parsed < full.parsed, "some fixture files cannot matter and are left unparsed"


def _project(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (tmp_path / ".git").mkdir()
    return tmp_path


BLOCK = """
    import torch.nn as nn

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 8)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            return self.drop(self.fc(x))
"""
# No word of dropout here: the model is a user of the block, found by its import.
NET = """
    import torch.nn as nn
    from blocks import Head

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = Head()
            self.out = nn.Linear(8, 2)

        def forward(self, x):
            return self.out(self.head(x))
"""
TOOL = """
    import os

    def main():
        return os.getcwd()
"""


@pytest.mark.parametrize("closure_run", [False, True])
def test_a_model_using_a_block_with_dropout_is_parsed_and_decides_the_root(tmp_path, monkeypatch, closure_run):
    root = _project(tmp_path, {"blocks.py": BLOCK, "net.py": NET, "tool.py": TOOL})
    result = _lint(monkeypatch, root, ["."], closure_run)
    # Head inside Net: its dropout feeds Net's output layer, so it is no output dropout.
    assert [d.code for d in result.diagnostics if d.code == "DL102"] == []
    assert [(m.name, m.root) for m in result.models if m.root] == [("Net", True)]
    assert result.parsed == (2 if closure_run else 3)  # tool.py can matter to nothing


def test_a_user_of_a_user_is_reached_too(tmp_path, monkeypatch):
    wrapper = NET.replace("from blocks import Head", "from net import Net").replace("Head()", "Net()") \
        .replace("class Net(", "class Wrapper(")
    root = _project(tmp_path, {"blocks.py": BLOCK, "net.py": NET, "wrapper.py": wrapper, "tool.py": TOOL})
    result = _lint(monkeypatch, root, ["."], closure_run=True)
    assert [m.name for m in result.models if m.root] == ["Wrapper"]
    assert result.parsed == 3


@pytest.mark.parametrize(
    "text",
    [
        "layer = nn.TransformerEncoderLayer(512, 8)\n",  # drops at 0.1 by default
        "out = flash_attn_func(q, k, v, 0.1)\n",
        "mask = np.random.rand(*x.shape) < p\n",
        "x = x * torch.bernoulli(torch.full_like(x, p))\n",
        "y = tf.nn.dropout(x, keep_prob=0.5)\n",
    ],
)
def test_seeds_are_what_can_hold_a_dropout(text):
    assert closure.seeded(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "class Config:\n    hidden_size = 768\n",
        "import random\nseed = random.randint(0, 9)\n",
        "class Model(nn.Module):\n    pass\n",
    ],
)
def test_a_file_without_dropout_is_no_seed(text):
    assert not closure.seeded(text.encode())


COMMENTS = FIXTURES / "closure" / "comments"


def test_a_word_in_a_comment_makes_no_seed_and_the_findings_stay(monkeypatch):
    full = _lint(monkeypatch, COMMENTS, ["."], closure_run=False)
    monkeypatch.undo()
    narrow = _lint(monkeypatch, COMMENTS, ["."], closure_run=True)
    assert narrow.diagnostics == full.diagnostics
    assert _with_dropout(narrow) == _with_dropout(full)
    assert {m.name for m in full.models if m.root} >= {"Net", "Tagger"}
    # tools.py says dropout in comments only; net.py too, but it uses a block with one.
    assert (full.parsed, narrow.parsed) == (5, 4)


@pytest.mark.parametrize(
    "text",
    [
        "# rows are dropped here\nx = 1\n",
        "x = load(path)  # it's the caller's dropout, not ours\n",
        "m = f(x)  # mask = rand(*x.shape) < p\n",
        "y = g(x)  # like nn.TransformerEncoderLayer\n",
    ],
)
def test_seed_words_in_comments_only_make_no_seed(text):
    data = text.encode()
    assert closure.seeded(data)  # the text says it, comments included
    assert not closure.may_be_code(data) and not closure.seeded_in_code(data)


@pytest.mark.parametrize(
    "text",
    [
        'tag = "#"; drop = nn.Dropout(0.1)\n',  # a `#` in a string starts no comment
        'notes = """\n# a note""" ; drop = nn.Dropout(0.1)\n',  # a string ends, code follows
        "x = 1  # dropout\ny = nn.Dropout(0.5)\n",  # also written in code
    ],
)
def test_seed_words_in_code_after_a_hash_still_make_a_seed(text):
    assert closure.seeded_in_code(text.encode())
