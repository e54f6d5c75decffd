"""docs/contributing.md's worked example is a rule that works: the suite registers it beside
the real rules and holds it to what every rule is held to."""

from __future__ import annotations

import re
import types

import pytest

from conftest import ROOT
from droplint import engine
from droplint.report.rules import render_rule
from droplint.rulebook import registry
from droplint.rulebook.rule import FileRule
from rule_snippets import check_invalid_example, check_valid_example

_RULE_BLOCK = re.compile(r"```python\n(\"\"\"DL\d{3} .*?)```", re.DOTALL)


def _worked_example() -> FileRule:
    page = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    blocks = _RULE_BLOCK.findall(page)
    assert len(blocks) == 1, "docs/contributing.md shows one whole rule"
    module = types.ModuleType("droplint.rules.worked_example")
    exec(compile(blocks[0], "docs/contributing.md", "exec"), module.__dict__)
    (rule_class,) = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
    return rule_class()


@pytest.fixture
def worked_example(monkeypatch):
    """The documented rule, registered beside the real ones for one test."""
    rule = _worked_example()
    monkeypatch.setattr(engine, "ISOLATE", False)  # the registered rule lives in this process
    rules = {**registry._rules(), rule.code: rule}
    monkeypatch.setattr(registry, "_rules", lambda: rules)
    registry.file_rules.cache_clear()
    registry.model_rules.cache_clear()
    yield rule
    registry.file_rules.cache_clear()
    registry.model_rules.cache_clear()


def test_the_worked_example_is_a_new_file_rule_with_docs(worked_example):
    assert isinstance(worked_example, FileRule)
    assert worked_example.code not in {rule.code for rule in registry.all_rules() if rule is not worked_example}
    assert render_rule(worked_example).startswith(f"# {worked_example.code} {worked_example.name}")


def test_the_worked_example_runs_its_examples(worked_example):
    assert worked_example in registry.file_rules()
    for example in worked_example.valid:
        check_valid_example(worked_example, example)
    for example in worked_example.invalid:
        assert len(check_invalid_example(worked_example, example)) == 2
