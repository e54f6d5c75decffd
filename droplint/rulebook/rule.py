"""What a rule is: a code, a name, a severity, its documentation and its examples.

Two kinds, two types: a `FileRule` looks at one file's syntax tree (in the worker, cached
with the file); a `ModelRule` looks at one linked model with its dropout positions (after
linking), and the run's configuration (its rate bands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable

from droplint.ir import Diagnostic, Model

if TYPE_CHECKING:  # for the signatures only: a rule module must stay cheap to import
    from droplint.config import Config
    from droplint.context import FileContext


@dataclass(frozen=True)
class Docs:
    what: str
    why: str
    example: str
    use_instead: str
    fix_safety: str
    options: str = "None."
    references: tuple[str, ...] = ()
    # Why the rule has its severity (issue 11: a severity is a promise): error only where
    # the code is wrong whatever the rest of the project does, warning where a reasonable
    # reading could differ, info for advice.
    severity_reason: str = ""


# An expected finding, marked at the end of its line as flake8-bugbear's tests mark them:
# `nn.Dropout(0.9)  # DL103`, or `# DL107 DL107` for two findings on one line. Words
# between `#` and the codes make an ordinary comment: `# noqa: DL103` is no marker.
_MARKER = re.compile(r"[ \t]*#[ \t]*((?:DL\d{3}[ \t]*)+)$", re.MULTILINE)


def strip_markers(text: str) -> str:
    """`text` as it is linted, fixed and shown: without its finding markers."""
    return _MARKER.sub("", text)


def markers(text: str) -> list[tuple[int, str]]:
    """(line, code) of every finding `text` marks, one entry a finding, in order."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            found.extend((number, code) for code in match.group(1).split())
    return found


@dataclass(frozen=True)
class Example:
    """A snippet for the suite: valid ones give no finding of the rule, invalid ones give
    exactly the findings their markers state (code, line and number; see `_MARKER`).

    `fixed`, on an invalid example, is the exact source after the rule's fix is applied
    (with --unsafe-fixes for an unsafe fix), written without markers. `files` adds sibling
    files for rules that need more than one file (a marker there marks a finding reported
    in that file); `config` is a [tool.droplint] table to lint with.
    """

    code: str
    framework: str = "torch"
    fixed: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    config: tuple[tuple[str, object], ...] = ()

    @property
    def source(self) -> str:
        """The snippet as it is linted (`example.py`), markers stripped."""
        return strip_markers(self.code)

    @property
    def sibling_files(self) -> tuple[tuple[str, str], ...]:
        return tuple((path, strip_markers(text)) for path, text in self.files)

    def expected(self) -> list[tuple[str, int, str]]:
        """(path, line, code) of every finding the markers state, sorted."""
        found = [("example.py", line, code) for line, code in markers(self.code)]
        for path, text in self.files:
            found.extend((path, line, code) for line, code in markers(text))
        return sorted(found)


class Rule:
    """What every rule has: its code, name, severity, docs and examples.

    A rule is a `FileRule` or a `ModelRule`, never this class itself: the two kinds run
    at different stages and see different things.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # error | warning | info
    default_on: ClassVar[bool] = True
    fix: ClassVar[str | None] = None  # "safe" | "unsafe" | None: the fix it offers
    frameworks: ClassVar[tuple[str, ...]] = ("torch",)
    docs: ClassVar[Docs]
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()

    @property
    def summary(self) -> str:
        return self.docs.what.strip().split("\n")[0]


class FileRule(Rule):
    """Judges one file's syntax tree, in the worker; its findings are cached with the file."""

    def check_file(self, ctx: FileContext) -> Iterable[Diagnostic]:
        raise NotImplementedError


class ModelRule(Rule):
    """Judges one linked root model with its dropout positions, after linking."""

    def check_model(self, model: Model, config: Config) -> Iterable[Diagnostic]:
        raise NotImplementedError
