"""Rule documentation as text: `droplint rule`, and docs/rules.md from the same metadata."""

from __future__ import annotations

from droplint.rulebook import registry


def render_list() -> str:
    lines = [f"{'code':6}  {'name':32}  {'severity':8}  {'default':7}  fix"]
    for rule in registry.all_rules():
        on = "on" if rule.default_on else "off"
        lines.append(f"{rule.code:6}  {rule.name:32}  {rule.severity:8}  {on:7}  {rule.fix or '-'}")
    return "\n".join(lines)


def render_rule(rule) -> str:
    return _markdown(rule, heading="#")


def render_all() -> str:
    return "\n\n".join(render_rule(rule) for rule in registry.all_rules())


def _markdown(rule, heading: str) -> str:
    docs = rule.docs
    state = "on by default" if rule.default_on else "off by default (select it to enable)"
    fix = {"safe": "safe fix", "unsafe": "unsafe fix"}.get(rule.fix, "no fix")
    parts = [
        f"{heading} {rule.code} {rule.name}",
        f"Severity: {rule.severity}; {state}; {fix}; frameworks: {', '.join(rule.frameworks)}.",
        f"{heading}# Severity\n{docs.severity_reason}",
        f"{heading}# What it does\n{docs.what}",
        f"{heading}# Why is this bad?\n{docs.why}",
        f"{heading}# Example\n```python\n{docs.example}\n```",
        f"{heading}# Use instead\n```python\n{docs.use_instead}\n```",
        f"{heading}# Fix safety\n{docs.fix_safety}",
    ]
    if rule.code.startswith("DL4"):
        from droplint.report.reference import rule_section

        parts.append(f"{heading}# Reference implementation\n{rule_section()}")
    parts.append(f"{heading}# Options\n{docs.options}")
    if docs.references:
        parts.append(f"{heading}# References\n" + "\n".join(f"- {r}" for r in docs.references))
    return "\n\n".join(parts)


def render_markdown_page() -> str:
    """docs/rules.md: generated; tests fail when the file is stale."""
    header = (
        "# Rules\n\n"
        "<!-- Generated from the rules' metadata by `python -m droplint.report.rules`. "
        "Do not edit by hand. -->\n\n"
        "A severity is a promise: `error` only where the code is wrong whatever the rest of the "
        "project does, `warning` where a reasonable reading could differ, `info` for advice. "
        "Each rule's Severity section says why it has its own. A finding may carry a lower "
        "severity than its rule when it is only advice in its context (DL203 when the "
        "TensorFlow version is known), never a higher one. `scripts/precision.py` holds the "
        "error and warning findings on five libraries to that promise.\n\n"
        "| code | name | severity | default | fix |\n| --- | --- | --- | --- | --- |\n"
    )
    rows = "".join(
        f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity} | "
        f"{'on' if r.default_on else 'off'} | {r.fix or '-'} |\n"
        for r in registry.all_rules()
    )
    body = "\n\n".join(_markdown(rule, heading="##") for rule in registry.all_rules())
    return header + rows + "\n" + body + "\n"


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    target.write_text(render_markdown_page(), encoding="utf-8")
    print(f"wrote {target}")
