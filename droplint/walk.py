"""Fast walks over libcst trees.

libcst's visitor protocol rebuilds each node's children through generic machinery and
costs several times the parse itself; droplint's walks only need to see nodes, so they
read the dataclass fields directly, skip the fields that only hold whitespace and
punctuation, and use an explicit stack (no recursion limit to hit).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

import libcst as cst

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
    names = _FIELDS.get(kind)
    if names is None:
        declared = [
            f.name
            for f in dataclasses.fields(kind)
            if not f.name.startswith(_SKIPPED_PREFIXES) and f.name not in _SKIPPED
            and not f.name.endswith(("colon", "_tok"))
        ]
        first = [n for n in _SOURCE_ORDER.get(kind, ()) if n in declared]
        names = tuple(first + [n for n in declared if n not in first])
        _FIELDS[kind] = names
    return names


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's child nodes in source order, without whitespace and punctuation."""
    found = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found


def walk(
    root: cst.CSTNode,
    enter: Callable[[cst.CSTNode], bool | None],
    leave: Callable[[cst.CSTNode], None] | None = None,
) -> None:
    """Pre-order walk: `enter(node)` returning False skips the node's children;
    `leave(node)` runs after them."""
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, leaving = pop()
        if leaving:
            leave(node)
            continue
        if enter(node) is False:
            continue
        if leave is not None:
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


def statements(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every statement (compound, and the small statements of simple lines), never
    descending into expressions: the cheap way to find imports or assignments."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            yield from node.body
            continue
        if isinstance(node, (cst.BaseCompoundStatement, cst.ClassDef, cst.FunctionDef)):
            yield node
        inner = []
        for name in _BODY_FIELDS:
            value = getattr(node, name, None)
            if isinstance(value, cst.CSTNode):
                inner.append(value)
            elif isinstance(value, (list, tuple)):
                inner.extend(v for v in value if isinstance(v, cst.CSTNode))
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
