"""Every output format of `droplint check`, by name: one protocol, one table.

A reporter turns a lint result into the text to print. The command line picks one by the
`--output-format` the user gave; adding a format is one entry here. Each reporter imports
its module when it runs, so that a run pays only for the format it prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from droplint.report.text import TextOptions


class Reporter(Protocol):
    def __call__(self, result, options: TextOptions) -> str:
        """The output for `result` (a `droplint.ir.LintResult`); "" prints nothing."""


def _text(result, options: TextOptions) -> str:
    from droplint.report import text

    return text.render(result, options)


def _json(result, options: TextOptions) -> str:
    from droplint.report import json

    return json.render(result)


def _sarif(result, options: TextOptions) -> str:
    from droplint.report import sarif

    # Locations are relative to where droplint runs, as code scanning reads them.
    return sarif.render(result, root=Path.cwd())


def _github(result, options: TextOptions) -> str:
    from droplint.report import github

    return github.render(result)


# "text" is concise when the output is not a terminal (scripts, CI, pre-commit) and full
# on a terminal; "concise" and "full" choose one whatever the output is.
REPORTERS: dict[str, Reporter] = {
    "text": _text,
    "concise": _text,
    "full": _text,
    "json": _json,
    "sarif": _sarif,
    "github": _github,
}
