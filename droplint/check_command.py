"""`droplint check`: from the parsed options to an exit status.

cli.py declares the options; this module decides what a combination of them does (which
files, which mode: lint, fix, diff, add-noqa, show-*), and hands the result to a reporter.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import click

from droplint import engine, progress, source
from droplint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, colour_for, fail, load_config, stdin_target
from droplint.discover import discover
from droplint.report import escape
from droplint.report.reporters import REPORTERS
from droplint.report.text import STYLES, TextOptions


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[str, ...]
    apply_fix: bool
    unsafe_fixes: bool
    diff: bool
    fix_only: bool
    exit_non_zero_on_fix: bool
    show_fixes: bool
    add_noqa: bool
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    extend_select: tuple[str, ...]
    output_format: str
    statistics: bool
    quiet: bool
    color: str
    exit_zero: bool
    stdin_filename: str | None
    config_file: str | None
    no_cache: bool
    cache_dir: str | None
    jobs: int | None
    show_settings: bool
    show_files: bool


def run(request: CheckRequest) -> int:
    from_stdin = _reads_stdin(request)
    paths = request.paths or (".",)
    _refuse_conflicts(request, from_stdin)
    config = load_config(request.config_file, Path(request.stdin_filename or paths[0]))
    config = config.with_cli(request.select, request.ignore, request.extend_select)
    if request.show_settings:
        from droplint.report.settings import render

        click.echo(render(config))
        return EXIT_CLEAN
    if from_stdin:
        targets, given = stdin_target(request.stdin_filename or "stdin.py")
        errors = []
    else:
        targets, errors = discover(paths, exclude=config.exclude, root=config.root)
        given = {}
    if request.show_files:
        return _show_files(targets, errors)
    shown = progress.Progress(sys.stderr)
    options = engine.Options(jobs=request.jobs, use_cache=not request.no_cache, cache_dir=request.cache_dir,
                             progress=shown)
    if request.add_noqa:
        return _add_noqa(targets, errors, config, options)
    if request.apply_fix or request.fix_only or request.diff:
        code = _fix(request, targets, errors, given, config, options, from_stdin)
    else:
        result = engine.lint(targets, config, options, errors, given)
        shown.close()
        _report(request, result, given_texts(given))
        code = exit_code(result)
    return EXIT_CLEAN if request.exit_zero and code == EXIT_FINDINGS else code


def _reads_stdin(request: CheckRequest) -> bool:
    """`-` as the only path, or `--stdin-filename` with no path, as ruff reads it."""
    if "-" in request.paths and request.paths != ("-",):
        fail("'-' (stdin) cannot be combined with other paths")
    if request.stdin_filename and request.paths not in ((), ("-",)):
        fail("--stdin-filename reads the source from stdin; name no paths with it (or only '-')")
    return request.paths == ("-",) or bool(request.stdin_filename)


def _refuse_conflicts(request: CheckRequest, from_stdin: bool) -> None:
    if request.add_noqa and (request.apply_fix or request.fix_only or request.diff):
        fail("--add-noqa cannot be combined with --fix, --fix-only or --diff")
    if request.add_noqa and from_stdin:
        fail("--add-noqa writes files; it cannot read the source from stdin")


def given_texts(given: dict[str, bytes]) -> dict[str, str]:
    texts = {}
    for path, data in given.items():
        try:
            texts[path] = source.decode(data).text
        except source.SourceError:
            pass
    return texts


def exit_code(result) -> int:
    if any(e.message.startswith("internal error") for e in result.errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if result.diagnostics or result.errors else EXIT_CLEAN


def _show_files(targets, errors) -> int:
    from droplint.report.text import error_line

    for target in sorted(targets, key=lambda t: t.display):
        click.echo(escape.path(target.display))
    for error in errors:
        click.echo(error_line(error, colour=False), err=True)
    return EXIT_FINDINGS if errors else EXIT_CLEAN


def _add_noqa(targets, errors, config, options) -> int:
    from droplint.add_noqa import write_directives
    from droplint.report.text import error_line

    result = engine.lint(targets, config, options, errors)
    options.progress.close()
    written = write_directives(result.diagnostics)
    for error in result.errors + written.errors:
        click.echo(error_line(error, colour=False), err=True)
    for path, line in written.refused:
        click.echo(f"{escape.path(path)}:{line}: cannot take a comment (inside a string or after a backslash); "
                   f"not silenced", err=True)
    count = written.directives
    click.echo(f"Added {count} noqa directive{'s' if count != 1 else ''} "
               f"in {written.files} file{'s' if written.files != 1 else ''}.")
    problems = result.errors or written.errors or written.refused
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def _fix(request, targets, errors, given, config, options, from_stdin) -> int:
    from droplint import fix, fixing

    write = not request.diff and not from_stdin
    done = fixing.run(targets, errors, given, config, options, request.unsafe_fixes, write)
    options.progress.close()
    applied = sum(sum(c.values()) for c in done.outcome.counts.values())
    if request.diff:
        for path in sorted(done.outcome.fixed):
            click.echo(fix.unified_diff(path, done.originals[path], done.outcome.fixed[path]), nl=False)
        from droplint.report.text import error_line

        for error in done.errors:
            click.echo(error_line(error, colour=False), err=True)
        return EXIT_FINDINGS if done.outcome.fixed or done.errors else EXIT_CLEAN
    result = done.result
    if from_stdin:
        for path in done.final:
            sys.stdout.write(done.final[path])
            sys.stdout.flush()
    _report(request, result, done.final, fixed=done.outcome.counts, err=from_stdin)
    # --fix-only: the findings left are not this run's business, unreadable files are.
    code = exit_code(replace(result, diagnostics=[]) if request.fix_only else result)
    if request.exit_non_zero_on_fix and applied and code == EXIT_CLEAN:
        code = EXIT_FINDINGS
    return code


def _report(request, result, texts: dict[str, str], fixed=None, err=False) -> None:
    fmt = request.output_format
    if request.fix_only:
        result = replace(result, diagnostics=[])
    stream = sys.stderr if err else sys.stdout
    colour = colour_for(request.color, stream)
    style = fmt if fmt in STYLES else ("full" if _is_terminal(stream) else "concise")
    options = TextOptions(
        style=style,
        colour=colour,
        statistics=request.statistics,
        quiet=request.quiet,
        unsafe=request.unsafe_fixes,
        show_fixes=request.show_fixes,
        fixed=fixed or {},
        source_of=_source_reader(texts),
    )
    text = REPORTERS[fmt](result, options)
    if text:
        click.echo(text, err=err, color=colour)


def _is_terminal(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def _source_reader(texts: dict[str, str]):
    """A finding's file as the run saw it (stdin, fixed text), else as it is on disk."""
    cache = dict(texts)

    def read(path: str) -> str | None:
        if path not in cache:
            try:
                cache[path] = source.read(path).text
            except source.SourceError:
                cache[path] = None
        return cache[path]

    return read

