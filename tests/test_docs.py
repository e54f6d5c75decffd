"""docs/rules.md is generated from the rules' metadata; `droplint rule` reads the same."""

from __future__ import annotations

from conftest import ROOT
from droplint.report.rules import render_markdown_page
from droplint.rulebook import registry


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


def test_cli_page_is_in_sync_with_the_command_line():
    from droplint.report.cli_docs import render_page

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == render_page(), "docs/cli.md is stale: run `python -m droplint.report.cli_docs`"


def test_cli_page_names_every_option_of_every_command():
    import click

    from droplint.cli import main

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        section = page.split(f"## droplint {name}\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts + param.secondary_opts:
                    assert f"`{option}`" in section, f"droplint {name} {option} is missing from docs/cli.md"
