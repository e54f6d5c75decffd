"""Every rule's valid and invalid examples, run through the whole engine.

An invalid example marks each finding it gives (`nn.Dropout(0.9)  # DL103`): the suite
checks the code, the file and the line of every finding, and their number, exactly.
`pytest tests/rules -k DL302` runs one rule's examples and its edge cases.
"""

from __future__ import annotations

import pytest

from droplint.rulebook import registry
from droplint.testing import fix_snippet
from rule_snippets import check_invalid_example, check_valid_example, lint_example


def _cases(kind):
    for rule in registry.all_rules():
        for index, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}-{example.framework}")


@pytest.mark.parametrize("rule,example", list(_cases("valid")))
def test_valid_example_gives_no_finding(rule, example):
    check_valid_example(rule, example)


@pytest.mark.parametrize("rule,example", list(_cases("invalid")))
def test_invalid_example_gives_exactly_its_marked_findings(rule, example):
    found = check_invalid_example(rule, example)
    order = ("info", "warning", "error")
    for diagnostic in found:
        # A finding may be lowered to advice (DL203 with a known TF version), never raised.
        assert order.index(diagnostic.severity) <= order.index(rule.severity)
        assert diagnostic.name == rule.name
        assert diagnostic.message


@pytest.mark.parametrize(
    "rule,example", [p for p in _cases("invalid") if p.values[1].fixed is not None]
)
def test_fix_gives_the_documented_text(rule, example):
    fixed = fix_snippet(
        example.source, example.sibling_files, example.config, select=(rule.code,), unsafe=rule.fix == "unsafe"
    )
    assert fixed == example.fixed
    # A fixed example is clean for this rule.
    assert [d for d in lint_example(rule, example, fixed).diagnostics if d.code == rule.code and d.fix is not None] == []


def test_every_rule_is_documented_and_has_examples():
    for rule in registry.all_rules():
        docs = rule.docs
        for field in ("what", "why", "example", "use_instead", "fix_safety", "options"):
            assert getattr(docs, field).strip(), f"{rule.code} lacks docs.{field}"
        assert rule.valid and rule.invalid, f"{rule.code} needs valid and invalid examples"
        for framework in rule.frameworks:
            assert any(e.framework == framework for e in rule.invalid), (
                f"{rule.code} has no invalid example for {framework}"
            )
        if rule.fix:
            assert any(e.fixed is not None for e in rule.invalid), f"{rule.code} fix has no before/after"
