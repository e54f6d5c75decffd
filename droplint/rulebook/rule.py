"""What a rule is: a code, a name, a severity, its documentation and its examples.

File rules look at one file's syntax tree (in the worker, cached with the file).
Model rules look at linked models with their dropout positions (after linking).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable

from droplint.ir import Diagnostic


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


@dataclass(frozen=True)
class Example:
    """A snippet for the suite: valid ones give no finding of the rule, invalid ones do.

    `fixed`, on an invalid example, is the exact source after the rule's fix is applied
    (with --unsafe-fixes for an unsafe fix). `files` adds sibling files for rules that
    need more than one file; `config` is a [tool.droplint] table to lint with.
    """

    code: str
    framework: str = "torch"
    fixed: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    config: tuple[tuple[str, object], ...] = ()


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # error | warning | info
    default_on: ClassVar[bool] = True
    scope: ClassVar[str] = "file"  # "file" | "model"
    fix: ClassVar[str | None] = None  # "safe" | "unsafe" | None: the fix it offers
    frameworks: ClassVar[tuple[str, ...]] = ("torch",)
    docs: ClassVar[Docs]
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()

    def check_file(self, ctx) -> Iterable[Diagnostic]:
        """Findings on one parsed file (`droplint.context.FileContext`)."""
        return ()

    def check_model(self, model, project) -> Iterable[Diagnostic]:
        """Findings on one linked root model (`droplint.ir.Model`)."""
        return ()

    @property
    def summary(self) -> str:
        return self.docs.what.strip().split("\n")[0]
