"""Run snippets through the whole engine, as the rule-example tests and rule authors do."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from droplint import engine, fix
from droplint.config import parse
from droplint.discover import discover

_OPTIONS = engine.Options(jobs=1, use_cache=False)


@contextlib.contextmanager
def _project(code: str, files, config, select, name: str):
    """A fresh folder holding the snippet (and siblings), entered as the working folder;
    yields (settings, targets, errors) for it."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for relative, text in ((name, code), *files):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        settings = parse(dict(config), root=root).with_cli(select=select)
        previous = os.getcwd()
        os.chdir(root)
        try:
            targets, errors = discover(["."], root=root)
            yield settings, targets, errors
        finally:
            os.chdir(previous)


def lint_snippet(code: str, files=(), config=(), select=None, name: str = "example.py"):
    """Lint `code` (plus sibling `files`) in a fresh folder; return the LintResult.

    Paths in the result are relative to that folder (`example.py`).
    """
    with _project(code, files, config, select, name) as (settings, targets, errors):
        return engine.lint(targets, settings, _OPTIONS, errors, need_models=True)


def fix_snippet(code: str, files=(), config=(), select=None, unsafe=False, name="example.py") -> str:
    """The text of `code` after droplint's fixes (in memory), with the given selection."""
    with _project(code, files, config, select, name) as (settings, targets, _):
        texts = {t.display: Path(t.path).read_text(encoding="utf-8") for t in targets}

        def lint_texts(current):
            encoded = {p: t.encode() for p, t in current.items()}
            return engine.lint(targets, settings, _OPTIONS, [], encoded).diagnostics

        return fix.run(lint_texts, texts, unsafe).fixed.get(name, code)
