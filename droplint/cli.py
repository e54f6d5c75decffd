"""The command line: parse options, call the engine, pick a reporter. Nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from droplint import __version__, engine, source
from droplint.config import ConfigError, load
from droplint.discover import Target, discover
from droplint.ir import FileError
from droplint.report import escape
from droplint.report.text import error_line
from droplint.rules import registry

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")


def _codes(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not registry.matches_any(code):
            raise click.BadParameter(f"unknown rule code '{code}'")
    return codes


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


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="droplint")
def main() -> None:
    """droplint: a static linter for dropout in PyTorch and Keras models."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fix", "apply_fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (with --fix or --diff).")
@click.option("--diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option("--select", callback=lambda c, p, v: _codes(v), help="Only these codes or prefixes (DL1,DL301).")
@click.option("--ignore", callback=lambda c, p, v: _codes(v), help="Leave out these codes or prefixes.")
@click.option("--extend-select", callback=lambda c, p, v: _codes(v), help="Add these codes to the selection.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", metavar="NAME", help="Name of the file whose source comes on stdin ('-').")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .droplint_cache/.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="DROPLINT_CACHE_DIR",
              help="Cache folder (default: .droplint_cache/ in the project root).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option("--statistics", is_flag=True, help="Count the findings per rule.")
def check(paths, apply_fix, unsafe_fixes, diff, select, ignore, extend_select, output_format,
          exit_zero, stdin_filename, config_file, no_cache, cache_dir, jobs, statistics):
    """Lint PATHS (default: .) for dropout problems.

    Exit status: 0 clean, 1 findings (or files that could not be checked),
    2 usage, configuration or internal error.
    """
    paths = paths or (".",)
    from_stdin = paths == ("-",)
    if "-" in paths and not from_stdin:
        _fail("'-' (stdin) cannot be combined with other paths")
    config = _config(config_file, Path(stdin_filename or paths[0]))
    config = config.with_cli(select, ignore, extend_select)
    options = engine.Options(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir)

    if from_stdin:
        name = stdin_filename or "stdin.py"
        data = sys.stdin.buffer.read()
        targets, errors, texts = [Target(name, name)], [], {name: data}
    else:
        targets, errors = discover(paths, exclude=config.exclude, root=config.root)
        texts = {}

    if apply_fix or diff:
        code = _run_fixes(targets, errors, texts, config, options, unsafe_fixes, diff,
                          from_stdin, output_format, statistics)
    else:
        result = engine.lint(targets, config, options, errors, texts)
        _report(result, output_format, statistics, config.root)
        code = _exit_code(result)
    sys.exit(EXIT_CLEAN if exit_zero and code == EXIT_FINDINGS else code)


def _run_fixes(targets, errors, texts, config, options, unsafe, diff_only, from_stdin,
               output_format, statistics) -> int:
    from droplint import fix  # brings libcst; a plain check served from the cache needs neither

    originals: dict[str, str] = {}
    encodings: dict[str, str] = {}
    errors = list(errors)
    for target in targets:
        try:
            read = source.decode(texts[target.display]) if target.display in texts else source.read(target.path)
        except source.SourceError as exc:
            errors.append(FileError(target.display, str(exc)))
            continue
        originals[target.display] = read.text
        encodings[target.display] = read.encoding
    readable = [t for t in targets if t.display in originals]

    def lint_texts(current: dict[str, str]):
        encoded = {p: t.encode(encodings[p]) for p, t in current.items()}
        return engine.lint(readable, config, options, [], encoded).diagnostics

    outcome = fix.run(lint_texts, originals, unsafe)
    errors.extend(outcome.errors)

    if diff_only:
        for path in sorted(outcome.fixed):
            click.echo(fix.unified_diff(path, originals[path], outcome.fixed[path]), nl=False)
        for error in errors:
            click.echo(error_line(error), err=True)
        return EXIT_FINDINGS if outcome.fixed or errors else EXIT_CLEAN

    final = dict(originals)
    fixed = 0  # counted in the files actually written: a refused or failed write fixed nothing
    for path, text in outcome.fixed.items():
        problem = None if from_stdin else fix.write_verified(path, originals[path], text)
        if problem is None:
            final[path] = text
            fixed += outcome.applied_by_path.get(path, 0)
        else:
            errors.append(FileError(path, problem))
    encoded = {p: t.encode(encodings[p]) for p, t in final.items()}
    result = engine.lint(readable, config, options, errors, encoded)
    if from_stdin:
        name = readable[0].display if readable else None
        if name is not None:
            sys.stdout.write(final[name])
            sys.stdout.flush()
        _report(result, output_format, statistics, config.root, err=True, fixed=fixed)
    else:
        _report(result, output_format, statistics, config.root, fixed=fixed)
    return _exit_code(result)


def _exit_code(result) -> int:
    if any(e.message.startswith("internal error") for e in result.errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if result.diagnostics or result.errors else EXIT_CLEAN


def _report(result, output_format, statistics, root, err=False, fixed=0) -> None:
    if output_format == "json":
        from droplint.report import json as reporter

        text = reporter.render(result)
    elif output_format == "sarif":
        from droplint.report import sarif as reporter

        text = reporter.render(result, root=Path.cwd())
    elif output_format == "github":
        from droplint.report import github as reporter

        text = reporter.render(result)
    else:
        from droplint.report import text as reporter

        colour = _colour(sys.stderr if err else sys.stdout)
        text = reporter.render(result, colour=colour, statistics=statistics, fixed=fixed)
        click.echo(text, err=err, color=colour)
        return
    if text:
        click.echo(text, err=err)


def _colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _config(config_file, start: Path):
    try:
        return load(Path(config_file) if config_file else None, start=start)
    except ConfigError as exc:
        _fail(str(exc))


def _fail(message: str) -> None:
    # Configuration messages quote the repository's own keys and paths.
    click.echo(f"droplint: error: {escape.controls(message)}", err=True)
    sys.exit(EXIT_ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(("text", "json", "html")), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .droplint_cache/.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="DROPLINT_CACHE_DIR",
              help="Cache folder (default: .droplint_cache/ in the project root).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
def profile(paths, output_format, config_file, no_cache, cache_dir, jobs):
    """Show every model's layers in forward order, with dropout positions and rates."""
    from droplint.report import profile as reporter

    paths = paths or (".",)
    config = _config(config_file, Path(paths[0]))
    targets, errors = discover(paths, exclude=config.exclude, root=config.root)
    options = engine.Options(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir)
    result = engine.lint(targets, config, options, errors, need_models=True)
    click.echo(reporter.render(result, output_format, config))
    for error in result.errors:
        click.echo(error_line(error), err=True)
    sys.exit(EXIT_ERROR if _exit_code(result) == EXIT_ERROR else EXIT_CLEAN)


@main.command()
def server():
    """Run the language server (LSP over stdin/stdout) for editors; see docs/editors.md."""
    try:
        from droplint.server import run
    except ImportError as exc:
        _fail(f"the language server needs pygls ({exc}); install it with: pip install 'droplint[server]'")
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
        _fail(f"unknown rule '{code}'; `droplint rule` lists them")
    click.echo(reporter.render_rule(found))
