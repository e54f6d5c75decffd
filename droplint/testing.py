"""Run snippets through the whole engine, as the rule-example tests and rule authors do."""

from __future__ import annotations

import tempfile
from pathlib import Path

from droplint import engine, fix
from droplint.config import parse
from droplint.discover import discover


def lint_snippet(code: str, files=(), config=(), select=None, name: str = "example.py"):
    """Lint `code` (plus sibling `files`) in a fresh folder; return the LintResult.

    Paths in the result are relative to that folder (`example.py`).
    """
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / name).write_text(code, encoding="utf-8")
        for relative, text in files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        settings = parse(dict(config), root=root).with_cli(select=select)
        import os

        previous = os.getcwd()
        os.chdir(root)
        try:
            targets, errors = discover(["."], root=root)
            return engine.lint(targets, settings, engine.Options(jobs=1, use_cache=False), errors, need_models=True)
        finally:
            os.chdir(previous)


def fix_snippet(code: str, files=(), config=(), select=None, unsafe=False, name="example.py") -> str:
    """The text of `code` after droplint's fixes (in memory), with the given selection."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / name).write_text(code, encoding="utf-8")
        for relative, text in files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        settings = parse(dict(config), root=root).with_cli(select=select)
        import os

        previous = os.getcwd()
        os.chdir(root)
        try:
            targets, _ = discover(["."], root=root)
            texts = {t.display: Path(t.path).read_text(encoding="utf-8") for t in targets}

            def lint_texts(current):
                encoded = {p: t.encode() for p, t in current.items()}
                options = engine.Options(jobs=1, use_cache=False)
                return engine.lint(targets, settings, options, [], encoded).diagnostics

            outcome = fix.run(lint_texts, texts, unsafe)
            return outcome.fixed.get(name, code)
        finally:
            os.chdir(previous)
