"""droplint's file rules as a flake8 plugin: `flake8 --select DL`.

A thin adapter: flake8 hands over one file at a time, the engine lints it, and its
findings come back in flake8's shape. Only file rules (DL2xx, DL3xx, DL4xx) are
reported: model rules (DL1xx) place dropout along a model's forward pass, which may
run through blocks and config classes in other files, so they need the whole project
and run only in `droplint check`. A model rule judged on one file alone would be
wrong whenever that file's classes are used elsewhere.

droplint's own configuration still applies (`select`, `ignore`, `per-file-ignores`,
`tf-version` from `[tool.droplint]`), and so do flake8's `--select`, `--ignore`,
`--per-file-ignores` and `# noqa` comments, after it. The engine runs without its cache:
flake8 owns the file list and the parallelism.
"""

from __future__ import annotations

from pathlib import Path

from droplint import __version__, engine
from droplint.config import ConfigError, load
from droplint.discover import Target
from droplint.report.escape import controls
from droplint.rulebook import registry

_OPTIONS = engine.Options(jobs=1, use_cache=False)


class DroplintChecker:
    """flake8 calls it with the parameters it names. `tree` (flake8's ast) makes it a
    "tree" plugin, run once per file; droplint reads the lines with libcst instead."""

    name = "droplint"
    version = __version__

    def __init__(self, tree, filename: str, lines: list[str]):
        self.filename = filename
        self.lines = lines

    def run(self):
        try:
            config = load(None, start=Path(self.filename).resolve())
        except ConfigError as exc:
            yield 1, 0, f"DL000 droplint configuration error: {controls(str(exc))}", type(self)
            return
        data = "".join(self.lines).encode("utf-8")
        target = Target(self.filename, self.filename)
        result = engine.lint([target], config, _OPTIONS, texts={self.filename: data})
        file_codes = {rule.code for rule in registry.file_rules()}
        for diagnostic in result.diagnostics:
            if diagnostic.code in file_codes:
                # Messages quote the source, and flake8 prints them to a terminal.
                message = f"{diagnostic.code} {controls(diagnostic.message)}"
                yield diagnostic.span.line, diagnostic.span.column - 1, message, type(self)
