"""`# noqa` comments on a finding's line, and `# droplint: noqa` for a whole file."""

from __future__ import annotations

import io
import re
import tokenize

FILE_NOQA = re.compile(r"#\s*droplint\s*:\s*noqa\b(?!\s*:)", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n?|\n")
LINE_NOQA = re.compile(r"#\s*noqa\b(?:\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def skips_file(text: str) -> bool:
    return FILE_NOQA.search(text) is not None and any(
        FILE_NOQA.search(comment) for _, comment in _comments(text)
    )


def line_directives(text: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(line, codes) for every `# noqa` comment; empty codes mean all codes."""
    if "noqa" not in text.lower():
        return ()
    found = []
    for line, comment in _comments(text):
        match = LINE_NOQA.search(comment)
        if match:
            codes = match.group("codes")
            found.append((line, tuple(re.split(r"[\s,]+", codes.upper())) if codes else ()))
    return tuple(found)


def suppressed(code: str, line: int, directives) -> bool:
    for noqa_line, codes in directives:
        if noqa_line == line and (not codes or any(code.startswith(c) for c in codes)):
            return True
    return False


def with_noqa(text: str, line: int, code: str) -> str | None:
    """Line `line` (1-based) of `text`, without its line ending, with `code` added to its
    `# noqa:` comment (or a new one); None where that cannot silence `code` there: a
    bare `# noqa` or the code already silences it, or the line ends inside a string
    or after a backslash, where no comment can go."""
    lines = _NEWLINE.split(text)
    if not 1 <= line <= len(lines):
        return None
    current = lines[line - 1]
    comment = next(((column, body) for (row, column), body in _comment_tokens(text) if row == line), None)
    match = LINE_NOQA.search(comment[1]) if comment else None
    if match is None:
        if comment is None and current.rstrip().endswith("\\"):
            return None  # a comment after a line continuation is a syntax error
        changed = current.rstrip() + f"  # noqa: {code}"
    elif not match.group("codes") or suppressed(code, line, line_directives(text)):
        return None
    else:
        column, body = comment
        changed = current[:column] + body[: match.end()] + f", {code}" + body[match.end() :]
    lines[line - 1] = changed
    separators = _NEWLINE.findall(text)
    rebuilt = "".join(part + sep for part, sep in zip(lines, separators + [""]))
    if not suppressed(code, line, line_directives(rebuilt)):
        return None
    return changed


def _comments(text: str):
    """Real comments only: `noqa` inside a string does not count."""
    for (line, _), comment in _comment_tokens(text):
        yield line, comment


def _comment_tokens(text: str):
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start, token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
