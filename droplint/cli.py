"""The command line: parse options, call the engine, pick a reporter. Nothing else.

`docs/cli.md` is generated from the options declared here (`python -m
droplint.report.cli_docs`); a test keeps it in sync.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from droplint import __version__, engine
from droplint.config import ConfigError, load
from droplint.discover import Target, discover
from droplint.report import escape
from droplint.report.profile import REPORTERS as PROFILE_REPORTERS
from droplint.report.reporters import REPORTERS
from droplint.rulebook import registry

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = tuple(REPORTERS)
PROFILE_FORMATS = tuple(PROFILE_REPORTERS)
COLOR_CHOICES = ("auto", "always", "never")


def _codes(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not registry.matches_any(code):
            raise click.BadParameter(f"unknown rule code '{code}'")
    return codes


def _code_option(*names, help):
    return click.option(*names, metavar="CODES", callback=lambda c, p, v: _codes(v), help=help)


class _Guarded(click.Group):
    """A bug in droplint exits 2 with one line, never 1 (which means findings)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the last guard of the command line
            click.echo(f"droplint: internal error: {type(exc).__name__}: {escape.controls(str(exc))}", err=True)
            sys.exit(EXIT_ERROR)


def _cache_dir_option(function):
    return click.option("--cache-dir", type=click.Path(file_okay=False), envvar="DROPLINT_CACHE_DIR",
                        help="Cache folder (default: .droplint_cache/ in the project root).")(function)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="droplint")
def main() -> None:
    """droplint: a static linter for dropout in PyTorch and Keras models."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fix", "apply_fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (with --fix or --diff); with neither, count them as fixable.")
@click.option("--diff", is_flag=True, help="Print the fixes as a diff; write nothing. Exit 1 if anything would change.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report only what was fixed, not the findings left; implies --fix.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was applied, even if no finding is left.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file and rule.")
@click.option("--add-noqa", is_flag=True, help="Write `# noqa: CODE` on the line of every current finding (keeps existing comments).")
@_code_option("--select", help="Only these codes or prefixes (DL1,DL301).")
@_code_option("--ignore", help="Leave out these codes or prefixes.")
@_code_option("--extend-select", help="Add these codes to the selection.")
@click.option("--output-format", "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: full on a terminal, else concise. --format is an alias.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary line.")
@click.option("--color", "color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the text output; auto follows NO_COLOR, FORCE_COLOR and the terminal.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", metavar="NAME", help="Read the source from stdin, linted as if it were the file NAME.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file (droplint.toml, or a pyproject.toml with [tool.droplint]).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .droplint_cache/.")
@_cache_dir_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N", help="Worker processes (default: cores).")
@click.option("--show-settings", is_flag=True, help="Print the configuration in effect, and exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted, and exit.")
def check(paths, **options):
    """Lint PATHS (default: .) for dropout problems.

    Exit status: 0 clean, 1 findings (or files that could not be checked),
    2 usage, configuration or internal error.
    """
    from droplint.check_command import CheckRequest, run

    request = CheckRequest(paths=tuple(paths), **options)
    sys.exit(run(request))


def load_config(config_file, start: Path):
    try:
        return load(Path(config_file) if config_file else None, start=start)
    except ConfigError as exc:
        fail(str(exc))


def fail(message: str) -> None:
    # Configuration messages quote the repository's own keys and paths.
    click.echo(f"droplint: error: {escape.controls(message)}", err=True)
    sys.exit(EXIT_ERROR)


def colour_for(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output-format", "--format", "output_format", type=click.Choice(PROFILE_FORMATS), default="text",
              show_default=True, help="--format is an alias.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .droplint_cache/.")
@_cache_dir_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N", help="Worker processes (default: cores).")
def profile(paths, output_format, config_file, no_cache, cache_dir, jobs):
    """Show every model's layers in forward order, with dropout positions and rates.

    Exit status: 0, 1 when a file could not be checked, 2 usage, configuration or
    internal error.
    """
    from droplint.report import profile as reporter
    from droplint.report.text import error_line

    paths = paths or (".",)
    config = load_config(config_file, Path(paths[0]))
    targets, errors = discover(paths, exclude=config.exclude, root=config.root)
    from droplint import progress

    with progress.on(sys.stderr) as shown:
        options = engine.Options(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir, progress=shown)
        result = engine.lint(targets, config, options, errors, need_models=True)
    click.echo(reporter.render(result, output_format, config))
    for error in result.errors:
        click.echo(error_line(error, colour=False), err=True)
    internal = any(e.message.startswith("internal error") for e in result.errors)
    sys.exit(EXIT_ERROR if internal else EXIT_FINDINGS if result.errors else EXIT_CLEAN)


@main.command()
def server():
    """Run the language server (LSP over stdin/stdout) for editors; see docs/editors.md."""
    try:
        from droplint.server import run
    except ImportError as exc:
        fail(f"the language server needs pygls ({exc}); install it with: pip install 'droplint[server]'")
    run()


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print the full documentation of every rule.")
def rule(code, show_all):
    """Explain one rule (by code or name), or list them all."""
    from droplint.report import rules as reporter

    if code is None:
        text = reporter.render_all() if show_all else reporter.render_list()
        click.echo(text)
        return
    found = registry.get(code.upper()) or registry.get(code)
    if found is None:
        fail(f"unknown rule '{code}'; `droplint rule` lists them")
    click.echo(reporter.render_rule(found))


@main.command()
def reference():
    """Print droplint.reference, the NumPy dropout the DL4xx fixes rewrite into, with an example."""
    from droplint.report.reference import render

    click.echo(render())


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False), default=".")
def init(folder):
    """Write a commented [tool.droplint] block into FOLDER/pyproject.toml (default: .).

    The file is created if absent; an existing [tool.droplint] block is never changed
    (exit 2).
    """
    from droplint.scaffold import InitError
    from droplint.scaffold import init as write_block

    try:
        written = write_block(Path(folder))
    except InitError as exc:
        fail(str(exc))
    click.echo(f"Wrote a commented [tool.droplint] block to {written}; every key shows its default.")


def stdin_target(name: str) -> tuple[list[Target], dict[str, bytes]]:
    data = sys.stdin.buffer.read()
    return [Target(name, name)], {name: data}

