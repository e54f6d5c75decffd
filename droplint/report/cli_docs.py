"""docs/cli.md, generated from the commands and options click knows (droplint/cli.py).

`python -m droplint.report.cli_docs` rewrites the page; a test fails when it is stale,
so an option cannot be added, renamed or reworded without the page following.
"""

from __future__ import annotations

import click

HEADER = """\
# Command line

<!-- Generated from droplint/cli.py by `python -m droplint.report.cli_docs`. Do not edit by hand. -->

Every command and option of `droplint`, as `droplint COMMAND --help` shows them.
Exit status of `check`: 0 clean, 1 findings (or paths that could not be checked), 2 usage,
configuration or internal error; `--exit-zero` turns 1 into 0. Configuration keys are in
[configuration.md](configuration.md), output shapes in [output.md](output.md).
"""


def render_page() -> str:
    from droplint.cli import main

    context = click.Context(main, info_name="droplint", **main.context_settings)
    sections = [HEADER]
    for name, command in main.commands.items():
        sections.append(_command(name, command, context))
    return "\n".join(sections)


def _command(name: str, command: click.Command, parent: click.Context) -> str:
    context = click.Context(command, info_name=name, parent=parent)
    usage = " ".join(["droplint", name, *command.collect_usage_pieces(context)])
    lines = [f"## droplint {name}", "", "```", usage, "```", "", _paragraphs(command.help or ""), ""]
    options = [p for p in command.get_params(context) if isinstance(p, click.Option)]
    lines.append("| option | value | default | meaning |")
    lines.append("| --- | --- | --- | --- |")
    for option in options:
        lines.append(_row(option, context))
    return "\n".join(lines) + "\n"


def _row(option: click.Option, context: click.Context) -> str:
    # Short names first, then the long ones in the order they are declared (name, alias).
    declared = option.opts + option.secondary_opts
    names = ", ".join(f"`{n}`" for n in sorted(declared, key=lambda n: n.startswith("--")))
    if option.is_flag:
        value = "flag"
    elif isinstance(option.type, click.Choice):
        value = " \\| ".join(f"`{c}`" for c in option.type.choices)
    else:
        value = f"`{option.metavar or option.type.name.upper()}`"
    default = ""
    if not option.is_flag and option.default is not None and option.show_default:
        default = f"`{option.default}`"
    meaning = (option.help or "").replace("|", "\\|").replace("\n", " ")
    return f"| {names} | {value} | {default} | {meaning} |"


def _paragraphs(text: str) -> str:
    """click's help text with its line breaks joined back into paragraphs."""
    paragraphs = [" ".join(part.split()) for part in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
    target.write_text(render_page(), encoding="utf-8")
    print(f"wrote {target}")
