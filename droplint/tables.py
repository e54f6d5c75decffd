"""Data tables: literal displays whose syntax tree would dwarf their source, left unread.

A 400 KiB test data table (a list of tens of thousands of numbers) makes a libcst tree of
about 250 MiB: every number, comma and space is an object. Such a table can hold no layer,
call or rate, so droplint blanks its inside before parsing: every character between its
brackets becomes a space, line breaks kept, so the file parses to an empty display and
every position outside it (spans, fixes, `# noqa` lines) is where it was. The tree then
grows with the table's lines, not its items.

A table is a bracketed display (list, tuple, dict, set, or nested ones) made of literals
only (numbers, strings, True/False/None, signs, `:`), with at least `MIN_ITEMS` commas.
`--fix` never edits across a table (`fix.choose` reserves its range): the fixed text is
cut from the blanked tree's code.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

MIN_ITEMS = 5_000  # commas in one display: ~10,000 tokens, some 25 MiB of tree
_DATA_OPERATORS = frozenset(",:-+([{)]}")
_DATA_NAMES = frozenset({"True", "False", "None"})
_DATA_KINDS = frozenset({tokenize.NUMBER, tokenize.STRING, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT})


@dataclass(frozen=True)
class Table:
    """A data table, brackets included: 1-based lines, 0-based columns (tokenize's)."""

    start: tuple[int, int]
    end: tuple[int, int]
    items: int


def find(text: str) -> list[Table]:
    """The outermost data tables of `text`, in order; none when it has too few commas to
    hold one (the common case costs one count), or line breaks other than `\\n`, `\\r\\n`."""
    if text.count(",") < MIN_ITEMS or re.search(r"\r(?!\n)", text):
        return []
    try:
        return _scan(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []  # the parser reports the file


def blank(text: str, tables: list[Table]) -> str:
    """`text` with the inside of each table replaced by spaces, line breaks kept."""
    if not tables:
        return text
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    pieces, cursor = [], 0
    for table in tables:
        inside = starts[table.start[0] - 1] + table.start[1] + 1  # after the opening bracket
        closing = starts[table.end[0] - 1] + table.end[1] - 1  # the closing bracket
        pieces.append(text[cursor:inside])
        pieces.append(re.sub(r"[^\r\n]", " ", text[inside:closing]))
        cursor = closing
    pieces.append(text[cursor:])
    return "".join(pieces)


@dataclass
class _Open:
    start: tuple[int, int]
    pure: bool = True
    items: int = 0


def _scan(tokens) -> list[Table]:
    stack: list[_Open] = []
    found: list[Table] = []
    for token in tokens:
        kind, text = token.type, token.string
        if not stack:
            if kind == tokenize.OP and text in "([{":
                stack.append(_Open(token.start))
            continue
        top = stack[-1]
        if kind == tokenize.OP and text in ("(", "[", "{"):
            stack.append(_Open(token.start))
        elif kind == tokenize.OP and text in (")", "]", "}"):
            stack.pop()
            if top.pure and top.items >= MIN_ITEMS:
                while found and found[-1].start >= top.start:
                    found.pop()  # a table inside this one
                found.append(Table(top.start, token.end, top.items))
            if stack:
                stack[-1].items += top.items
                stack[-1].pure = stack[-1].pure and top.pure
        elif kind == tokenize.OP and text == ",":
            top.items += 1
        elif not (kind in _DATA_KINDS or (kind == tokenize.OP and text in _DATA_OPERATORS)
                  or (kind == tokenize.NAME and text in _DATA_NAMES)):
            top.pure = False
    return found
