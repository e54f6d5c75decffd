"""`check --add-noqa`: silence every current finding with `# noqa: CODE` on its line.

For adopting droplint on a large code base: the findings of today are marked, new ones
fail. A line's existing `# noqa: X` gets the new codes merged in, any other comment is
kept and the directive follows it, and a line that cannot take a comment (inside a
multi-line string, after a backslash) is left alone and reported. Running it twice
changes nothing the second time: a silenced finding is no longer a finding.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from droplint import suppression

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")  # the line breaks Python counts lines by


@dataclass
class Added:
    text: str
    directives: int = 0  # codes written
    refused: list[int] = field(default_factory=list)  # lines that cannot take a comment


def add(text: str, wanted: dict[int, set[str]]) -> Added:
    """`text` with `# noqa: codes` on each line of `wanted` (line -> codes)."""
    lines = split_lines(text)
    closed, comments = _line_ends(text, lines)
    done = Added(text)
    for number, codes in sorted(wanted.items()):
        if number > len(lines) or number not in closed:
            done.refused.append(number)
            continue
        body = lines[number - 1].rstrip("\r\n")
        ending = lines[number - 1][len(body):]
        new_body, added = _with_codes(body, comments.get(number), codes)
        lines[number - 1] = new_body + ending
        done.directives += added
    done.text = "".join(lines)
    return done


def _with_codes(body: str, comment: str | None, codes: set[str]) -> tuple[str, int]:
    """The line with its noqa comment holding `codes` too, and how many codes were new."""
    if comment is not None:
        found = suppression.LINE_NOQA.search(comment)
        if found and not found.group("codes"):
            return body, 0  # a bare `# noqa` already silences every code
        if found:
            have = set(re.split(r"[\s,]+", found.group("codes").upper()))
            new = sorted(codes - have)
            if not new:
                return body, 0
            merged = found.group("codes") + ", " + ", ".join(new)
            start = body.rindex(comment) + found.start("codes")
            end = body.rindex(comment) + found.end("codes")
            return body[:start] + merged + body[end:], len(new)
    return f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}", len(codes)


def split_lines(text: str) -> list[str]:
    """The lines with their line breaks, numbered as Python and libcst number them."""
    return [m.group() for m in _LINE.finditer(text) if m.group()]


def _line_ends(text: str, lines: list[str]) -> tuple[set[int], dict[int, str]]:
    """The lines whose end is Python code (not inside a multi-line string, not continued
    with a backslash), where an added comment is a comment and the file still parses;
    and the comment each line ends with."""
    open_lines: set[int] = set()
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string
            elif token.start[0] != token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
                open_lines.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return set(), {}
    closed = {
        n for n, line in enumerate(lines, start=1)
        if n not in open_lines and not line.rstrip().endswith("\\")
    }
    return closed, comments


@dataclass
class Written:
    directives: int = 0
    files: int = 0
    refused: list[tuple[str, int]] = field(default_factory=list)  # (path, line)
    errors: list = field(default_factory=list)  # ir.FileError


def write_directives(diagnostics) -> Written:
    """Add the directives for `diagnostics` to their files, each written atomically after
    it re-parses and its new comments silence what they should (fix.write_verified)."""
    from droplint import fix, source
    from droplint.ir import FileError

    wanted: dict[str, dict[int, set[str]]] = {}
    for d in diagnostics:
        wanted.setdefault(d.path, {}).setdefault(d.span.line, set()).add(d.code)
    written = Written()
    for path, lines in sorted(wanted.items()):
        try:
            original = source.read(path).text
        except source.SourceError as exc:
            written.errors.append(FileError(path, str(exc)))
            continue
        added = add(original, lines)
        written.refused.extend((path, line) for line in added.refused)
        if not added.directives:
            continue
        directives = suppression.line_directives(added.text)
        missing = [
            line for line, codes in lines.items()
            if line not in added.refused and not all(suppression.suppressed(c, line, directives) for c in codes)
        ]
        if missing:
            written.errors.append(FileError(path, f"noqa comments would not silence lines {missing}; not written"))
            continue
        problem = fix.write_verified(path, original, added.text)
        if problem is not None:
            written.errors.append(FileError(path, problem))
            continue
        written.directives += added.directives
        written.files += 1
    return written
