"""The prefilter only saves work: it never hides a finding or a model the full parse gives."""

from __future__ import annotations

import re

from conftest import FIXTURES
from droplint import engine
from droplint.config import parse
from droplint.discover import discover


def _lint_everything(monkeypatch, prefilter):
    monkeypatch.setattr(engine, "PREFILTER", prefilter)
    monkeypatch.setattr(engine, "ISOLATE", False)  # the patch lives in this process
    config = parse({"select": ["ALL"]}, root=FIXTURES.parent)
    monkeypatch.chdir(FIXTURES.parent)
    targets, errors = discover(["fixtures"], root=FIXTURES.parent)
    return engine.lint(targets, config, engine.Options(jobs=1, use_cache=False), errors)


def _profile(result):
    return [(m.path, m.name, [(p.layer.kind, p.layer.span.line, p.position) for p in m.layers])
            for m in result.models]


def test_prefilter_hides_nothing_on_the_fixtures(monkeypatch):
    filtered = _lint_everything(monkeypatch, engine.PREFILTER)
    everything = _lint_everything(monkeypatch, re.compile(rb""))
    assert filtered.diagnostics == everything.diagnostics
    assert filtered.errors == everything.errors
    assert _profile(filtered) == _profile(everything)
    assert filtered.diagnostics, "the fixtures should have findings"


def test_prefilter_skips_a_file_that_cannot_matter():
    data = b"import os\n\ndef main():\n    print(os.getcwd())\n"
    assert engine.process_file("tool.py", data).skipped


def test_prefilter_keeps_a_hand_rolled_mask_without_the_word_dropout():
    data = b"import numpy as np\n\ndef f(x, p):\n    return x * (np.random.rand(*x.shape) > p)\n"
    assert not engine.process_file("mask.py", data).skipped
