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

Why the whole module and not only the nodes asked for: in a modeling file the spans
asked for (every layer of every forward pass, every class, sites and rates in the
constructors) lie in statements holding over a third of the tree, and to generate a
statement alone one must first find it (a walk of the tree) and know its first line
(Python's `ast`): each of those costs a fifth of this pass, so a partial pass saves
nothing on the files where positions cost the most.
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

    def __exit__(self, *exc_info) -> bool:
        computed = self.computed
        start = computed[id(self.start_node)][0] if self.start_node is not None else self.start
        end = computed[id(self.end_node)][1] if self.end_node is not None else self.where()
        computed[id(self.node)] = (start, end)
        return False


def _install_hooks(state: _State, computed: dict) -> None:
    """Make `state` count lines and columns and record every node's range in `computed`:
    id(node) -> ((line, column), (end_line, end_column)), 1-based lines, 0-based columns.
    No hook refers to `state` itself, so the pass leaves no reference cycle behind."""
    line, column = 1, 0
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


def all_positions(module: cst.Module) -> dict[int, tuple]:
    """id(node) -> ((line, column), (end_line, end_column)) for every node of `module`,
    with libcst's 1-based lines and 0-based columns."""
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
    computed: dict[int, tuple] = {}
    _install_hooks(state, computed)
    collecting = gc.isenabled()
    gc.disable()
    try:
        module._codegen(state)
    finally:
        if collecting:
            gc.enable()
    return computed


class Positions:
    def __init__(self, module: cst.Module):
        self._module = module
        self._computed: dict[int, tuple] | None = None

    def span(self, node: cst.CSTNode) -> Span:
        """Where `node` is; KeyError for a node that is not part of this module."""
        if self._computed is None:
            self._computed = all_positions(self._module)
        (line, column), (end_line, end_column) = self._computed[id(node)]
        # libcst columns are 0-based; the contract's are 1-based.
        return Span(line, column + 1, end_line, end_column + 1)
