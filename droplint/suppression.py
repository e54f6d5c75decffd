"""`# noqa` comments on a finding's line, and `# droplint: noqa` for a whole file."""

from __future__ import annotations

import io
import re
import tokenize

FILE_NOQA = re.compile(r"#\s*droplint\s*:\s*noqa\b(?!\s*:)", re.IGNORECASE)
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


def _comments(text: str):
    """Real comments only: `noqa` inside a string does not count."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
