"""The tree budget: a file whose syntax tree would outgrow a worker is read in outline.

libcst's tree takes about 2 KiB per token (keras's `ops/numpy_test.py`, 437 KiB and
134,000 tokens of test code, makes a tree of some 360 MiB; the largest transformers
modeling file, 31,000 tokens, about 64 MiB). A file of more than `MAX_TOKENS` tokens is
parsed in outline: the body of every function that mentions no dropout word (the
closure's seed test, droplint.closure) is replaced by `pass`, line breaks kept, so every
position outside it is where it was. What is left is the file's imports, classes and
module code, and every function that can hold a dropout. A file still over the budget in
outline is skipped with a message.

The price, in such a file only: a forward pass that applies its dropout through a block
defined elsewhere, without naming any dropout word itself, is not read.
"""

from __future__ import annotations

import io
import os
import tokenize
from dataclasses import dataclass

from droplint import closure

# About 100 MiB of tree: 1.5x the largest modeling file of transformers 5.24. Like the
# workers' limits, `DROPLINT_MAX_TOKENS` in the environment (never the linted tree's
# configuration) sets another.
MAX_TOKENS = 48_000


def max_tokens() -> int:
    try:
        chosen = int(os.environ.get("DROPLINT_MAX_TOKENS") or 0)
    except ValueError:
        chosen = 0
    return chosen if chosen > 0 else MAX_TOKENS


class OverBudget(Exception):
    """The file is over the token budget even in outline."""


@dataclass
class _Body:
    indent: str  # the body's indentation, as written
    first: int  # 1-based line of its first statement
    tokens: int  # the token count when it opened
    last: int = 0  # 1-based line of its last statement
    inner: list[tuple[int, int, str, int]] | None = None  # outlined bodies nested in it


def fit(text: str, tokens: int) -> str:
    """`text` itself when it is within the budget (`tokens` is its count, or more),
    else its outline; OverBudget when even the outline has more than `max_tokens()`."""
    limit = max_tokens()
    if tokens <= limit:
        return text
    try:
        count, outlined = _outline(text)
    except (tokenize.TokenError, SyntaxError):
        raise OverBudget(f"{tokens} tokens, more than the {limit} one file may have") from None
    if count <= limit:
        return text
    kept = count - sum(item[3] for item in outlined)
    if kept > limit:
        raise OverBudget(
            f"{kept} tokens outside the functions that mention no dropout, more than the "
            f"{limit} one file may have (a syntax tree of about {kept * 2 // 1024} MiB)"
        )
    return _blank(text, outlined)


def outlined(text: str) -> list[tuple[int, int]]:
    """The lines (first, last) of the bodies `fit` leaves out of `text`: none for a file
    within the budget. A fix must not touch them: its code was cut from the outline."""
    limit = max_tokens()
    if 2 * len(text) + 2 <= limit:  # every token but a DEDENT takes a character
        return []
    try:
        count, bodies = _outline(text)
    except (tokenize.TokenError, SyntaxError):
        return []
    return [(first, last) for first, last, _, _ in bodies] if count > limit else []


def _outline(text: str) -> tuple[int, list[tuple[int, int, str, int]]]:
    """The file's tokens, and the bodies to blank: (first line, last line, indentation,
    tokens)."""
    lines = text.splitlines(keepends=True)
    count = last_newline = brackets = 0
    open_bodies: list[_Body] = []
    header = ended = False  # in a `def` header; past its `:` and NEWLINE
    outlined: list[tuple[int, int, str, int]] = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        count += 1
        kind, string = token.type, token.string
        if kind == tokenize.INDENT:
            if header and ended:
                open_bodies.append(_Body(string, token.start[0], count, inner=[]))
            else:
                open_bodies.append(None)  # a block of any other statement
            header = False
            continue
        if kind == tokenize.DEDENT:
            body = open_bodies.pop()
            if body is not None:
                body.last = last_newline
                _close(body, count, lines, open_bodies, outlined)
            continue
        if kind in (tokenize.NL, tokenize.COMMENT):
            continue
        if ended:  # a one-line body (`def f(): ...`): nothing to outline
            header = ended = False
        if kind == tokenize.NAME and string == "def" and brackets == 0:
            header = True
        elif kind == tokenize.OP and string in "([{":
            brackets += 1
        elif kind == tokenize.OP and string in ")]}":
            brackets = max(0, brackets - 1)
        elif kind == tokenize.NEWLINE:
            last_newline = token.start[0]
            ended = header
    return count, outlined


def _close(body: _Body, count: int, lines: list[str], open_bodies: list, outlined: list) -> None:
    """A body ended: outline it if it mentions no dropout word, else keep the outlines
    of the bodies inside it."""
    text = "".join(lines[body.first - 1 : body.last])
    if closure.seeded(text.encode("utf-8", "surrogatepass")):
        chosen = body.inner
    else:
        chosen = [(body.first, body.last, body.indent, count - body.tokens)]
    enclosing = next((b for b in reversed(open_bodies) if b is not None), None)
    (enclosing.inner if enclosing is not None else outlined).extend(chosen)


def _blank(text: str, outlined: list[tuple[int, int, str, int]]) -> str:
    lines = text.splitlines(keepends=True)
    for first, last, indent, _ in outlined:
        for number in range(first, last + 1):
            line = lines[number - 1]
            ending = line[len(line.rstrip("\r\n")):]
            lines[number - 1] = (indent + "pass" if number == first else "") + ending
    return "".join(lines)
