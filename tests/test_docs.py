"""docs/rules.md is generated from the rules' metadata; `droplint rule` reads the same."""

from __future__ import annotations

from conftest import ROOT
from droplint.report.rules import render_markdown_page
from droplint.rules import registry


def test_rules_page_is_in_sync_with_the_metadata():
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == render_markdown_page(), (
        "docs/rules.md is stale: run `python -m droplint.report.rules`"
    )


def test_rule_command_prints_the_docs(droplint):
    result = droplint("rule", "DL301")
    assert result.exit_code == 0
    for heading in ("# DL301 functional-dropout-always-on", "## What it does", "## Why is this bad?",
                    "## Example", "## Use instead", "## Fix safety", "## Options"):
        assert heading in result.stdout
    assert registry.get("DL301").docs.why.splitlines()[0] in result.stdout


def test_rule_by_name(droplint):
    assert droplint("rule", "invalid-rate").stdout.startswith("# DL201 invalid-rate")


def test_rule_lists_every_rule(droplint):
    result = droplint("rule")
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:]}
    assert rows == {rule.code: rule.name for rule in registry.all_rules()}


def test_unknown_rule_exits_two(droplint):
    result = droplint("rule", "DL999")
    assert result.exit_code == 2
    assert "unknown rule 'DL999'" in result.stderr
