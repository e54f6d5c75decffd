"""Fast walks over libcst trees.

libcst's visitor protocol rebuilds each node's children through generic machinery and
costs several times the parse itself; droplint's walks only need to see nodes, so they
read the dataclass fields directly, skip the fields that only hold whitespace and
punctuation, and use an explicit stack (no recursion limit to hit).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Callable, Iterator

import libcst as cst
from libcst import MaybeSentinel

# Fields that never hold expressions or statements: formatting and punctuation only.
_SKIPPED_PREFIXES = ("whitespace", "leading_lines", "lines_after", "lpar", "rpar", "header", "footer")
_SKIPPED = frozenset({"comma", "semicolon", "equal", "colon", "dot", "star_tok", "operator",
                      "newline", "arrow", "asynchronous", "indent", "lbracket", "rbracket",
                      "lbrace", "rbrace", "relative", "semicolon"})

_FIELDS: dict[type, tuple[str, ...]] = {}


# Where a node's fields are declared in another order than they appear in the source,
# children must still come in source order (rules and frontends read them in order).
_SOURCE_ORDER = {
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.Arg: ("keyword", "value"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.MatchCase: ("pattern", "guard", "body"),
}


def _fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes (by their annotations), in
    source order: a `Name` or a number has none, so the walk stops there at once."""
    names = _FIELDS.get(kind)
    if names is None:
        declared = [
            f.name
            for f in dataclasses.fields(kind)
            if not f.name.startswith(_SKIPPED_PREFIXES) and f.name not in _SKIPPED
            and not f.name.endswith(("colon", "_tok")) and _holds_nodes(f.type)
        ]
        first = [n for n in _SOURCE_ORDER.get(kind, ()) if n in declared]
        names = tuple(first + [n for n in declared if n not in first])
        _FIELDS[kind] = names
    return names


def _holds_nodes(annotation) -> bool:
    if isinstance(annotation, typing.ForwardRef):
        return True  # a node class named before its definition (`Optional["CompFor"]`)
    if isinstance(annotation, type):
        return issubclass(annotation, cst.CSTNode)
    return any(_holds_nodes(inner) for inner in typing.get_args(annotation))


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's child nodes in source order, without whitespace and punctuation."""
    found = []
    # Type tests by identity: libcst's node classes are ABCs, and `isinstance` against an
    # ABC costs a dozen times more, on every field of every node.
    for name in _fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            found.extend(value)  # a field annotated with nodes holds a sequence of nodes
        elif value is not None and kind is not MaybeSentinel:
            found.append(value)
    return found


def walk(
    root: cst.CSTNode,
    enter: Callable[[cst.CSTNode], bool | None],
    leave: Callable[[cst.CSTNode], None] | None = None,
    leave_only: tuple[type, ...] | frozenset[type] | None = None,
) -> None:
    """Pre-order walk: `enter(node)` returning False skips the node's children;
    `leave(node)` runs after them (with `leave_only`, only for nodes of those exact types)."""
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, leaving = pop()
        if leaving:
            leave(node)
            continue
        if enter(node) is False:
            continue
        if leave is not None and (leave_only is None or type(node) in leave_only):
            push((node, True))
        for child in reversed(children(node)):
            push((child, False))


def nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under root (root included), pre-order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


_BODY_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")
_STATEMENT_KINDS: dict[type, bool] = {}  # node type -> is a compound statement, class or def


def _is_compound(kind: type) -> bool:
    found = _STATEMENT_KINDS.get(kind)
    if found is None:
        found = _STATEMENT_KINDS[kind] = issubclass(kind, (cst.BaseCompoundStatement, cst.ClassDef, cst.FunctionDef))
    return found


def statements(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every statement (compound, and the small statements of simple lines), never
    descending into expressions: the cheap way to find imports or assignments."""
    stack = [root]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.SimpleStatementLine:
            yield from node.body
            continue
        if _is_compound(kind):
            yield node
        inner = []
        for name in _BODY_FIELDS:
            value = getattr(node, name, None)
            if type(value) is tuple or type(value) is list:
                inner.extend(value)
            elif value is not None and type(value) is not MaybeSentinel:
                inner.append(value)
        stack.extend(reversed(inner))


def visit(root: cst.CSTNode, visitor) -> None:
    """Run a CSTVisitor-style object (`visit_<Node>` returning False to skip children,
    `leave_<Node>`, or its own `on_visit` / `on_leave`) over the tree with the fast walk
    instead of libcst's machinery."""
    if type(visitor).on_visit is not cst.CSTVisitor.on_visit:
        walk(root, visitor.on_visit, visitor.on_leave)
        return
    methods: dict[type, tuple] = {}

    def lookup(kind: type) -> tuple:
        found = methods.get(kind)
        if found is None:
            name = kind.__name__
            found = (getattr(visitor, f"visit_{name}", None), getattr(visitor, f"leave_{name}", None))
            methods[kind] = found
        return found

    def enter(node):
        on_visit = lookup(type(node))[0]
        if on_visit is not None and on_visit(node) is False:
            return False
        return True

    def leave(node):
        on_leave = lookup(type(node))[1]
        if on_leave is not None:
            on_leave(node)

    walk(root, enter, leave)
