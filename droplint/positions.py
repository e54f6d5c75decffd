"""Source positions of syntax nodes, computed once per file and only when asked for.

libcst's PositionProvider, even without MetadataWrapper's deep copy, costs one and a
half parses per file: its code generator records every node through a generator-based
context manager and splits every token with a regular expression. This module runs
the same code generation protocol (`before_codegen`, `after_codegen`,
`record_syntactic_position`) with plain closures and a newline fast path, and gives the
same positions at a fraction of the cost. tests/test_positions.py checks that they stay
identical to libcst's own provider.

Where the pass's time goes (transformers' largest modeling files, `bench/per_file.py`):
libcst's own code generation, with no position tracking at all, is over half of it and
cannot be avoided by any pass built on it. What is ours is kept small: the hooks are
closures over local counters (no attribute lookups per token), nodes are keyed by
`id()` (libcst's `__hash__` is a Python call), and the garbage collector is paused
while the pass allocates a tuple per node: the pass makes no reference cycles, and each
collection it would trigger walks the whole tree again (a fifth of the pass).

Only the statements that hold an asked-for node are generated (issue 13): a span is
asked for of a few hundred nodes in a modeling file of 300,000, and the statements that
hold them (a class's header for its name, a line of a forward pass for its layer call)
are a sixth of its tree. Generating a statement alone needs the line it starts on and
the indentation around it: the file's index walk (droplint.context) records the
statement of every node, and the guard's tokenizer pass (droplint.guard), which every
file gets anyway, gives the first line of each logical line, matched in order with the
statements and clause headers of the tree (`_Layout`). Where they do not match (a lone
carriage return, a file read in outline, a tree the tokenizer could not finish), one
pass over the whole module computes every span, as before.
"""

from __future__ import annotations

import gc

import libcst as cst
from libcst._nodes.internal import CodegenState

from droplint.ir import Span
from droplint.source import LINE_BREAK

_split_lines = LINE_BREAK.split


class _State(CodegenState):
    """libcst's state with an instance dictionary, so the hooks can be closures."""


class _Enough(Exception):
    """A statement's pass stops at its body: the node asked for is in its header."""


class _SyntacticRange:
    """What libcst nodes open around their syntactic extent (a generator-based context
    manager in libcst: three times the cost). Defined here, not beside the hooks: a class
    made inside a function would hold the positions in a reference cycle, and only the
    garbage collector would ever free them."""

    __slots__ = ("where", "computed", "node", "start_node", "end_node", "start")

    def __init__(self, where, computed, node, start_node, end_node):
        self.where, self.computed = where, computed
        self.node, self.start_node, self.end_node = node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.where()

    def __exit__(self, kind, *exc_info) -> bool:
        if kind is not None:  # a pass stopped early: this node's end was never reached
            return False
        computed = self.computed
        start = computed[id(self.start_node)][0] if self.start_node is not None else self.start
        end = computed[id(self.end_node)][1] if self.end_node is not None else self.where()
        computed[id(self.node)] = (start, end)
        return False


def _install_hooks(state: _State, computed: dict, line: int = 1, stop=None, wanted: int = 0) -> None:
    """Make `state` count lines and columns, from `line`, column 0, and record every
    node's range in `computed`: id(node) -> ((line, column), (end_line, end_column)),
    1-based lines, 0-based columns. With `stop`, the pass ends (`_Enough`) where `stop`
    would begin if the node of id `wanted` has been recorded by then.
    No hook refers to `state` itself, so the pass leaves no reference cycle behind."""
    column = 0
    starts: list[tuple[int, int]] = []
    push, pop = starts.append, starts.pop
    keep = state.tokens.append  # `Module` asks whether anything was written at all
    indent_tokens = state.indent_tokens  # the one list `increase_indent` grows

    def add_token(value: str) -> None:
        nonlocal line, column
        keep(value)
        if "\n" in value or "\r" in value:
            parts = _split_lines(value)
            line += len(parts) - 1
            column = len(parts[-1])
        else:
            column += len(value)

    def add_indent_tokens() -> None:
        for token in indent_tokens:
            add_token(token)

    def before_codegen(node) -> None:
        if node is stop and wanted in computed:
            raise _Enough()
        push((line, column))

    def after_codegen(node) -> None:
        start = pop()
        key = id(node)
        if key not in computed:  # a syntactic range, recorded inside, wins
            computed[key] = (start, (line, column))

    def where() -> tuple[int, int]:
        return line, column

    def record_syntactic_position(node, *, start_node=None, end_node=None):
        return _SyntacticRange(where, computed, node, start_node, end_node)

    state.add_token = add_token
    state.add_indent_tokens = add_indent_tokens
    state.before_codegen = before_codegen
    state.after_codegen = after_codegen
    state.record_syntactic_position = record_syntactic_position


def _generate(node: cst.CSTNode, state: _State) -> None:
    """Run libcst's code generation of `node` with the collector paused: the pass makes
    no reference cycles, and each collection it would trigger walks the whole tree."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        node._codegen(state)
    except _Enough:
        pass
    finally:
        if collecting:
            gc.enable()


def all_positions(module: cst.Module) -> dict[int, tuple]:
    """id(node) -> ((line, column), (end_line, end_column)) for every node of `module`,
    with libcst's 1-based lines and 0-based columns."""
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
    computed: dict[int, tuple] = {}
    _install_hooks(state, computed)
    _generate(module, state)
    return computed


# Statements with a body of their own, whose header may be generated alone.
_COMPOUND = (cst.FunctionDef, cst.ClassDef, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match)


class _Mismatch(Exception):
    """The tree has a statement the layout does not know: positions take the whole pass."""


class _Layout:
    """Where each statement of a block starts: id(statement) -> (first line of its code,
    comments above it included; the indentation around it). Read from the first line of
    each logical line (the guard's tokenizer pass, droplint.guard), matched in order with
    the statements and clause headers of the tree; None if they do not match."""

    def __init__(self, module: cst.Module, rows: list[int]):
        self.module, self.rows, self.next = module, rows, 0
        self.places: dict[int, tuple[int, tuple[str, ...]]] = {}

    @classmethod
    def of(cls, module: cst.Module, rows: list[int]) -> dict | None:
        layout = cls(module, rows)
        try:
            layout.block(module.body, ())
        except (IndexError, _Mismatch):
            return None
        return layout.places if layout.next == len(rows) else None

    def line(self) -> int:
        """The first line of the next logical line, consumed."""
        row = self.rows[self.next]
        self.next += 1
        return row

    def block(self, statements, indents: tuple[str, ...]) -> None:
        for statement in statements:
            self.statement(statement, indents)

    def suite(self, body, indents: tuple[str, ...]) -> None:
        """A clause's body: statements of their own on an indented block; a suite on the
        clause's line adds no logical line."""
        if type(body) is cst.IndentedBlock:
            indent = self.module.default_indent if body.indent is None else body.indent
            self.block(body.body, (*indents, indent))

    def clause(self, clause, indents: tuple[str, ...]) -> None:
        """`else:`, `except ...:`, `finally:`, `case ...:`: a header line, then a body."""
        if clause is not None:
            self.line()
            self.suite(clause.body, indents)

    def statement(self, statement, indents: tuple[str, ...]) -> None:
        kind = type(statement)
        above = len(statement.leading_lines)
        decorators = getattr(statement, "decorators", ())
        if decorators:
            above += len(decorators[0].leading_lines)
            first = self.line()
            for _ in decorators[1:]:
                self.line()
            self.line()  # `def` / `class`
        else:
            first = self.line()
        self.places[id(statement)] = (first - above, indents)
        if kind is cst.SimpleStatementLine:
            return
        if kind not in _COMPOUND:
            raise _Mismatch(kind.__name__)
        if kind is cst.Match:
            inner = (*indents, self.module.default_indent if statement.indent is None else statement.indent)
            for case in statement.cases:
                self.clause(case, inner)
            return
        self.suite(statement.body, indents)
        if kind is cst.If:
            orelse = statement.orelse
            while type(orelse) is cst.If:  # `elif`: a header line and a body
                self.line()
                self.suite(orelse.body, indents)
                orelse = orelse.orelse
            self.clause(orelse, indents)
        elif kind in (cst.Try, cst.TryStar):
            for handler in statement.handlers:
                self.clause(handler, indents)
            self.clause(statement.orelse, indents)
            self.clause(statement.finalbody, indents)
        elif kind in (cst.For, cst.While):
            self.clause(statement.orelse, indents)


class Positions:
    """Spans of a module's nodes, computed when first asked for.

    With `statement_of` (id(node) -> the statement of a block that holds it, from the
    file's index walk) and `rows` (the first line of each logical line), a span asked for
    is computed by generating that statement alone, from the line it starts on: its
    header alone when the node is in it (a class's name, a function's signature), else the
    whole statement. Without them, or when they do not match the tree, one pass over the
    whole module computes every node's span."""

    def __init__(self, module: cst.Module, statement_of: dict | None = None, rows: list[int] | None = None):
        self._module = module
        self._statement_of = statement_of
        self._rows = rows
        self._places: dict | None = None
        self._computed: dict[int, tuple] = {}
        self._whole = False

    def span(self, node: cst.CSTNode) -> Span:
        """Where `node` is; KeyError for a node that is not part of this module."""
        found = self._computed.get(id(node))
        if found is None:
            self._compute(node)
            found = self._computed[id(node)]
        (line, column), (end_line, end_column) = found
        # libcst columns are 0-based; the contract's are 1-based.
        return Span(line, column + 1, end_line, end_column + 1)

    @property
    def whole(self) -> bool:
        """The whole module has been generated (no statement map, or it did not fit)."""
        return self._whole

    def _compute(self, node: cst.CSTNode) -> None:
        if self._whole:
            return
        statement = self._statement_of.get(id(node)) if self._statement_of is not None else None
        place = self._place(statement) if statement is not None else None
        if place is None:
            self._computed = all_positions(self._module)
            self._whole = True
            return
        line, indents = place
        module = self._module
        state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
        state.indent_tokens.extend(indents)
        stop = statement.body if type(statement) in _COMPOUND and type(statement) is not cst.Match else None
        _install_hooks(state, self._computed, line, stop, id(node))
        _generate(statement, state)

    def _place(self, statement) -> tuple | None:
        if self._places is None:
            self._places = (_Layout.of(self._module, self._rows) if self._rows else None) or {}
        return self._places.get(id(statement))
