"""What `check --fix`, `--fix-only` and `--diff` do to files: read them, fix them in
memory until nothing changes (`fix.run`), write each one atomically after it re-parses
(`fix.write_verified`), and lint the result again. The command line only reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from droplint import engine, source
from droplint.ir import FileError


@dataclass
class Sources:
    """The files of a run as droplint read them: display path -> text and encoding."""

    texts: dict[str, str] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)

    def encoded(self, texts: dict[str, str]) -> dict[str, bytes]:
        return {p: t.encode(self.encodings[p]) for p, t in texts.items()}


def read_all(targets, given: dict[str, bytes]) -> Sources:
    """Read every target (or take its bytes from `given`: stdin); unreadable ones become errors."""
    read = Sources()
    for target in targets:
        try:
            if target.display in given:
                found = source.decode(given[target.display])
            else:
                found = source.read(target.path)
        except source.SourceError as exc:
            read.errors.append(FileError(target.display, str(exc)))
            continue
        read.texts[target.display] = found.text
        read.encodings[target.display] = found.encoding
    return read


@dataclass
class FixRun:
    outcome: object  # fix.FixOutcome
    originals: dict[str, str]
    final: dict[str, str]  # every file's text after the run (written, or not for --diff)
    errors: list[FileError]
    result: object | None = None  # engine.LintResult of the final texts; None for --diff


def run(targets, errors, given, config, options, unsafe: bool, write: bool) -> FixRun:
    """Fix the targets. `write`: replace the files on disk (not for --diff, not for stdin)."""
    from droplint import fix  # brings libcst; a plain check served from the cache needs neither

    read = read_all(targets, given)
    errors = list(errors) + read.errors
    readable = [t for t in targets if t.display in read.texts]

    def lint_texts(current: dict[str, str]):
        return engine.lint(readable, config, options, [], read.encoded(current)).diagnostics

    outcome = fix.run(lint_texts, read.texts, unsafe)
    errors.extend(outcome.errors)
    final = dict(read.texts)
    for path, text in outcome.fixed.items():
        if not write:
            final[path] = text
            continue
        problem = fix.write_verified(path, read.texts[path], text)
        if problem is None:
            final[path] = text
        else:
            errors.append(FileError(path, problem))
            outcome.counts.pop(path, None)  # not written: nothing was fixed there
    done = FixRun(outcome, read.texts, final, errors)
    done.result = engine.lint(readable, config, options, errors, read.encoded(final))
    return done
