"""Refuse, before libcst sees a file, the shapes that make its parser blow up.

libcst's parser takes time and memory that grow faster than linearly with the nesting of
one expression: 100,000 unary minus signs (a 100 KB file) took 24 GB, 20,000 nested
lambdas or conditionals abort the process, and a 100,000-term `+` chain runs for minutes.
No real model file looks like that. This guard reads the file once with Python's own
tokenizer (linear time) and names the first such shape it finds, so the file is reported
in one clear message instead of taking the run down.

Each limit is far above what written code uses and far below where libcst slows down
(a 300-operator chain parses in a few tenths of a second).
"""

from __future__ import annotations

import io
import keyword
import tokenize
from dataclasses import dataclass, field

MAX_LINE_CHARS = 50_000
MAX_UNARY_RUN = 50  # `- - - x`, `not not x`, `~~x`
MAX_LAMBDA_NESTING = 50
MAX_CONDITIONAL_NESTING = 50  # `a if c else b if d else ...`
MAX_CHAIN = 300  # binary operators, attribute accesses, calls and subscripts in one expression
MAX_BRACKETS = 200  # CPython's own limit ("too many nested parentheses")
MAX_INDENT = 100  # CPython's own limit ("too many levels of indentation")
# All of the above in one expression: libcst's memory grows with the product of the
# kinds (190 brackets around 150 lambdas, conditionals and unary operators: 110 MB for
# 1.5 KB), so together they have a bound of their own.
MAX_NESTING = 400

_BINARY = frozenset(
    "+ - * / // % @ ** << >> & | ^ < > <= >= == != . := ->".split()
) | {"and", "or", "in", "is", "not"}
_UNARY = frozenset({"-", "+", "~", "not", "await"})
_SEPARATORS = frozenset({",", ";", "=", "+=", "-=", "*=", "/=", "//=", "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**="})
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
_NOT_CODE = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.ENCODING, tokenize.ENDMARKER})
_OPERAND_KEYWORDS = frozenset({"True", "False", "None"})


class Refused(Exception):
    """The file has a shape libcst cannot parse in bounded time and memory."""


@dataclass
class _Level:
    """Counts for one bracket level, since its last separator (`,` `;` `=`)."""

    chain: int = 0
    lambdas: int = 0
    conditionals: int = 0
    lambda_params: int = 0  # lambdas whose `:` is still to come: their commas separate nothing


@dataclass
class _Nesting:
    """Running totals over every open bracket level: nesting composes across brackets."""

    levels: list[_Level] = field(default_factory=lambda: [_Level()])
    chain: int = 0
    lambdas: int = 0
    conditionals: int = 0

    def push(self) -> None:
        self.levels.append(_Level())

    def pop(self) -> None:
        if len(self.levels) > 1:  # a stray closing bracket is the parser's to report
            self._forget(self.levels.pop())

    def reset(self) -> None:
        """A separator ends the expressions of the innermost level."""
        level = self.levels[-1]
        if level.lambda_params == 0:
            self._forget(level)
            self.levels[-1] = _Level()

    def open_lambda(self) -> None:
        self.lambdas += 1
        self.levels[-1].lambdas += 1
        self.levels[-1].lambda_params += 1

    def open_conditional(self) -> None:
        self.conditionals += 1
        self.levels[-1].conditionals += 1

    def new_line(self) -> None:
        self.levels = [_Level()]
        self.chain = self.lambdas = self.conditionals = 0

    def _forget(self, level: _Level) -> None:
        self.chain -= level.chain
        self.lambdas -= level.lambdas
        self.conditionals -= level.conditionals


def check(text: str, lines: list[int] | None = None) -> int:
    """Raise Refused naming the first hostile shape in `text`; if there is none, return
    its number of tokens (what its syntax tree grows with: droplint.budget).

    `lines`, if given, gets the line of the first token of each logical line, in order:
    where each statement starts (droplint.positions), at no cost but an append per line.

    A file the tokenizer rejects is left to the parser, which reports it as a syntax
    error (everything up to the error has been checked); its count is the tokens read."""
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE_CHARS:
            raise Refused(f"a line longer than {MAX_LINE_CHARS} characters (line {number})")
    counted = [0]
    try:
        _scan(tokenize.generate_tokens(io.StringIO(text).readline), counted, [] if lines is None else lines)
    except (tokenize.TokenError, SyntaxError):
        pass
    return counted[0]


def _scan(tokens, counted: list[int], lines: list[int]) -> None:
    nesting = _Nesting()
    brackets = indent = unary_run = 0
    after_operand, starting = False, True  # starting: the next token begins a logical line
    for count, (kind, text, (line, _), _, _) in enumerate(tokens, 1):
        counted[0] = count
        if kind in _NOT_CODE:
            continue
        if kind == tokenize.INDENT or kind == tokenize.DEDENT:
            indent += 1 if kind == tokenize.INDENT else -1
            _limit(indent, MAX_INDENT, "indented blocks nested more than {} levels deep", line)
            continue
        if kind == tokenize.NEWLINE:
            nesting.new_line()
            brackets, unary_run, after_operand, starting = 0, 0, False, True
            continue
        if starting:
            lines.append(line)
            starting = False
        is_name = kind == tokenize.NAME
        if text in _OPEN and kind == tokenize.OP:
            if after_operand and text != "{":  # a call or a subscript
                _chain(nesting, line)
            brackets += 1
            _limit(brackets, MAX_BRACKETS, "brackets nested more than {} deep", line)
            nesting.push()
            after_operand = False
        elif text in _CLOSE and kind == tokenize.OP:
            brackets = max(0, brackets - 1)
            nesting.pop()
            after_operand = True
        elif text in _SEPARATORS and kind == tokenize.OP:
            nesting.reset()
            after_operand = False
        elif text == ":" and kind == tokenize.OP and nesting.levels[-1].lambda_params:
            nesting.levels[-1].lambda_params -= 1
            after_operand = False
        elif text == "lambda" and is_name:
            nesting.open_lambda()
            _limit(nesting.lambdas, MAX_LAMBDA_NESTING, "lambdas nested more than {} deep", line)
            after_operand = False
        elif text == "if" and is_name and after_operand:  # a conditional expression
            nesting.open_conditional()
            _limit(nesting.conditionals, MAX_CONDITIONAL_NESTING, "conditional expressions nested more than {} deep", line)
            after_operand = False
        elif text in _UNARY and not after_operand and (kind == tokenize.OP or is_name):
            unary_run += 1
            _limit(unary_run, MAX_UNARY_RUN, "more than {} unary operators in a row", line)
        elif text in _BINARY and (kind == tokenize.OP or is_name):
            _chain(nesting, line)
            after_operand = False
        else:
            after_operand = _ends_operand(kind, text)
            if after_operand:
                unary_run = 0
            continue
        total = brackets + unary_run + nesting.chain + nesting.lambdas + nesting.conditionals
        _limit(total, MAX_NESTING, "an expression nested more than {} levels deep", line)


def _chain(nesting: _Nesting, line: int) -> None:
    nesting.chain += 1
    nesting.levels[-1].chain += 1
    _limit(nesting.chain, MAX_CHAIN, "an expression chains more than {} operators", line)


def _ends_operand(kind: int, text: str) -> bool:
    if kind == tokenize.NAME:
        return text in _OPERAND_KEYWORDS or not keyword.iskeyword(text)
    return kind in (tokenize.NUMBER, tokenize.STRING) or tokenize.tok_name.get(kind) == "FSTRING_END"


def _limit(value: int, bound: int, message: str, line: int) -> None:
    if value > bound:
        raise Refused(f"{message.format(bound)} (line {line})")
