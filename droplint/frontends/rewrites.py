"""How a fix may move or remove a layer application: the `ir.Rewrite` of a graph node.

Model rules run after linking, without a syntax tree, so the frontends record here, for
each dropout and norm application, the exact text edits that take it off the forward
path (`removal`) and the part of the source that names the layer (`part`), which two
neighbours can trade to swap places. Only shapes whose rewrite is plainly right get one:

- an element of a `nn.Sequential(...)` / `Sequential([...])` list: leaves the list;
- a module applied to one tensor, `self.drop(x)`, `layers.Dropout(0.5)(x)`, also with
  flag keywords (`training=`): the call becomes `x`, or trades callees;
- a functional dropout, `F.dropout(x, 0.5, training=self.training)`: becomes `x`.

Anything else (a ModuleList loop, a call with more tensors, starred arguments) gets none,
and a fix that needs it is simply not offered.
"""

from __future__ import annotations

import re

import libcst as cst

from droplint import walk

from droplint.ir import Edit, Rewrite, Span
from droplint.syntax import is_self_attr

# Keywords of a layer call that carry no data, so the call passes one tensor on.
FLAG_KEYWORDS = frozenset({"training", "inplace", "deterministic"})
# Expressions that stay one operand wherever the call stood: no parentheses needed.
_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)

# Sequential constructors whose list elements are layers applied in order.
_TORCH_SEQUENTIAL = "torch.nn.Sequential"


class Rewrites:
    """The rewrites of one file: Sequential elements indexed once, calls on demand."""

    @classmethod
    def of(cls, ctx) -> "Rewrites":
        """The one `Rewrites` of a file context (every class of the file shares its index)."""
        found = ctx.shared.get("rewrites")
        if found is None:
            found = ctx.shared["rewrites"] = cls(ctx)
        return found

    def __init__(self, ctx):
        self.ctx = ctx
        self._elements: dict[int, Rewrite] | None = None
        self._rebinds: dict[int, tuple[cst.SimpleStatementLine, str]] | None = None
        self._builds: dict[str, list[tuple[cst.SimpleStatementLine, bool]]] | None = None

    def element(self, node: cst.CSTNode | None) -> Rewrite | None:
        """The rewrite of `node` when it is an element of a Sequential list."""
        if node is None:
            return None
        if self._elements is None:
            self._elements = {}
            for call in self.ctx.calls:
                values = _sequential_elements(call.node, call.qualname)
                if values:
                    self._index(values)
        return self._elements.get(id(node))

    def application(self, call: cst.CSTNode | None) -> Rewrite | None:
        """The rewrite of a module applied to one tensor: `self.drop(x, training=training)`."""
        if not isinstance(call, cst.Call):
            return None
        data = _single_data_argument(call)
        if data is None:
            return None
        ctx = self.ctx
        removal = self._line_removal(call, data) or _replace_with(ctx, call, data)
        construction, unbuild = self._construction(call.func)
        return Rewrite("call", ctx.span(call.func), ctx.code(call.func), removal,
                    construction=construction, unbuild=unbuild)

    def _construction(self, func: cst.BaseExpression) -> tuple[Span | None, Edit | None]:
        """Where `self.NAME` of `self.NAME(x)` is built, and the edit that deletes that
        statement when the attribute has no other use in the file: exactly one
        `self.NAME = Layer(...)` statement, and NAME written nowhere else but there and
        in this call. Any other mention (a second call, a getattr string, a comment)
        keeps the construction: removing it is sure only when nothing can miss it."""
        if not is_self_attr(func):
            return None, None
        if self._builds is None:
            finder = _Constructions()
            walk.visit(self.ctx.module, finder)
            self._builds = finder.found
        found = self._builds.get(func.attr.value, [])
        if len(found) != 1:
            return None, None
        statement, removable = found[0]
        span = self.ctx.span(statement)
        mentions = len(re.findall(rf"\b{re.escape(func.attr.value)}\b", self.ctx.text))
        end_line = span.end_line + (1 if span.end_column > 1 else 0)
        if not removable or mentions != 2 or self.ctx.text.count("\n") < end_line - 1:
            return span, None
        return span, Edit(Span(span.line, 1, end_line, 1), "")

    def functional(self, call: cst.CSTNode | None, keyword: str = "input") -> Rewrite | None:
        """The rewrite of a functional dropout: `F.dropout(x, ...)` can only become `x`."""
        if not isinstance(call, cst.Call) or any(arg.star for arg in call.args):
            return None
        data = None
        if call.args and call.args[0].keyword is None:
            data = call.args[0].value
        else:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in (keyword, "x", "inputs"):
                    data = arg.value
        if data is None:
            return None
        ctx = self.ctx
        return Rewrite("functional", ctx.span(call), ctx.code(call), _replace_with(ctx, call, data))

    def _line_removal(self, call: cst.Call, data: cst.BaseExpression) -> Edit | None:
        """`x = self.drop(x)` on a line of its own goes whole, rather than becoming `x = x`."""
        if self._rebinds is None:
            finder = _Rebinds()
            walk.visit(self.ctx.module, finder)
            self._rebinds = finder.found
        found = self._rebinds.get(id(call))
        if found is None or not isinstance(data, cst.Name) or data.value != found[1]:
            return None
        span = self.ctx.span(found[0])
        end_line = span.end_line + (1 if span.end_column > 1 else 0)
        if self.ctx.text.count("\n") < end_line - 1:
            return None  # the last line of a file without a final newline
        return Edit(Span(span.line, 1, end_line, 1), "")

    def _index(self, values: list[cst.BaseExpression]) -> None:
        ctx = self.ctx
        container = Span(
            ctx.span(values[0]).line, ctx.span(values[0]).column,
            ctx.span(values[-1]).end_line, ctx.span(values[-1]).end_column,
        )
        for index, value in enumerate(values):
            span = ctx.span(value)
            if index + 1 < len(values):
                # Up to the next element: takes this element's comma and the space after it.
                after = ctx.span(values[index + 1])
                removal = Edit(Span(span.line, span.column, after.line, after.column), "")
            elif index > 0:
                # The last one: from the end of the one before, so its comma goes too.
                before = ctx.span(values[index - 1])
                removal = Edit(Span(before.end_line, before.end_column, span.end_line, span.end_column), "")
            else:
                removal = Edit(span, "")
            self._elements[id(value)] = Rewrite("element", span, ctx.code(value), removal, container)


class _Blocks(cst.CSTVisitor):
    """Hands each block's statements (the module's, every indented block's) to `_body`."""

    def visit_Module(self, node: cst.Module) -> None:
        self._body(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._body(node.body)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False  # nothing inside a simple statement is a block

    def _body(self, body) -> None:
        raise NotImplementedError


class _Rebinds(_Blocks):
    """`x = f(...)` statement lines in blocks that keep a statement when one goes,
    by the id of the call: the line can be deleted when `f` passes `x` on unchanged."""

    def __init__(self):
        self.found: dict[int, tuple[cst.SimpleStatementLine, str]] = {}

    def _body(self, body) -> None:
        if len(body) < 2:
            return
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and isinstance(small.value, cst.Call)
            ):
                self.found[id(small.value)] = (statement, small.targets[0].target.value)


class _Constructions(_Blocks):
    """`self.NAME = f(...)` statement lines, by NAME, and whether the statement can go
    (its block keeps another statement, so no block is left empty)."""

    def __init__(self):
        self.found: dict[str, list[tuple[cst.SimpleStatementLine, bool]]] = {}

    def _body(self, body) -> None:
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.value, cst.Call)):
                continue
            target = small.targets[0].target
            if is_self_attr(target):
                self.found.setdefault(target.attr.value, []).append((statement, len(body) > 1))


def _sequential_elements(call: cst.Call, qualname: str | None) -> list[cst.BaseExpression]:
    """The layer expressions of `nn.Sequential(a, b)` or `keras.Sequential([a, b])`."""
    if qualname == _TORCH_SEQUENTIAL:
        if any(arg.star or arg.keyword is not None for arg in call.args):
            return []
        return [arg.value for arg in call.args]
    if qualname is not None and qualname.startswith("keras.") and qualname.rsplit(".", 1)[-1] == "Sequential":
        first = call.args[0] if call.args else None
        if first is None or first.star or (first.keyword is not None and first.keyword.value != "layers"):
            return []
        if isinstance(first.value, (cst.List, cst.Tuple)):
            elements = first.value.elements
            if all(isinstance(e, cst.Element) for e in elements):
                return [e.value for e in elements]
    return []


def _single_data_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The one tensor a call passes on, when every other argument is a flag keyword."""
    data = None
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if data is not None:
                return None
            data = arg.value
        elif arg.keyword.value not in FLAG_KEYWORDS:
            return None
    return data


def _replace_with(ctx, call: cst.Call, data: cst.BaseExpression) -> Edit:
    text = ctx.code(data).strip()
    if not isinstance(data, _ATOMS):
        text = f"({text})"
    return Edit(ctx.span(call), text)
