"""One parsed file, indexed once, shared by every frontend and file rule.

A single walk over the tree records every call with its resolved name and the class
and function around it, so that rules query lists instead of walking the tree again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from droplint.frontends import imports
from droplint.ir import Diagnostic, Edit, Fix, Span
from droplint.positions import Positions
from droplint.source import LINE_BREAK
from droplint.syntax import dotted
from droplint.walk import walk

@dataclass(slots=True)
class ClassInfo:
    node: cst.ClassDef
    name: str
    bases: tuple[str, ...]  # qualified where resolvable, else as written
    methods: dict = field(default_factory=dict)  # name -> FunctionDef


@dataclass(slots=True)
class IndexedCall:
    """One call of the file's call index (`FileContext.calls`), with what encloses it."""

    node: cst.Call
    qualname: str | None  # resolved through imports, canonical
    cls: ClassInfo | None  # innermost enclosing class
    function: cst.FunctionDef | None  # innermost enclosing function
    method: cst.FunctionDef | None  # the method of `cls` the call is inside, if any
    # Inside `with pytest.raises(...)` / `with self.assertRaises...(...)`: the code is
    # written to fail, so its invalid values are the point, not a bug.
    expects_error: bool = False


class FileContext:
    def __init__(self, path: str, text: str, module: cst.Module, settings=None):
        self.path = path
        self.settings = settings  # engine settings that shape results (tf-version)
        # What frontends and rules compute once per file and share (scopes, rewrites,
        # hand-rolled dropouts). It lives and dies with this context: module-level caches
        # keyed by the context kept every file's tree alive in long-running workers.
        self.shared: dict = {}
        self.text = text
        self.module = module
        self.imports = imports.build(module, path, getattr(settings, "roots", ()))
        self.positions = Positions(module)
        self.classes: list[ClassInfo] = []
        self.calls: list[IndexedCall] = []
        self.functions: list[cst.FunctionDef] = []
        _Indexer(self).index(module)
        self._by_name = {c.name: c for c in self.classes}

    # -- names ---------------------------------------------------------------
    def qualify(self, node: cst.BaseExpression) -> str | None:
        return self.imports.qualify(node)

    def class_named(self, name: str) -> ClassInfo | None:
        return self._by_name.get(name)

    # -- positions and findings ---------------------------------------------
    def span(self, node: cst.CSTNode) -> Span:
        return self.positions.span(node)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def replacement(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit:
        """An edit that replaces `old` with `new`, generated in place.

        A node's code depends on the indentation around it (a multi-line call inside a
        method), so the new text is cut out of the whole regenerated module: everything
        before and after the node is unchanged by construction.
        """
        span = self.span(old)
        before = self.text
        after = self.module.deep_replace(old, new).code
        start = _offset(before, span.line, span.column)
        end = _offset(before, span.end_line, span.end_column)
        return Edit(span, after[start : len(after) - (len(before) - end)])

    def diagnostic(self, rule, node, message, fix: Fix | None = None, model=None, severity: str | None = None) -> Diagnostic:
        """A finding of `rule` on `node`; `severity` lowers the rule's own for a finding
        that is only advice (never raises it: the rule's severity is its promise)."""
        return Diagnostic(
            path=self.path,
            span=self.span(node),
            code=rule.code,
            name=rule.name,
            severity=severity or rule.severity,
            message=message,
            model=model,
            fix=fix,
        )


def _offset(text: str, line: int, column: int) -> int:
    """Character offset of a 1-based line and column, counting lines as libcst does."""
    start = 0
    for _ in range(line - 1):
        match = LINE_BREAK.search(text, start)
        start = match.end()
    return start + column - 1


def _base_name(ctx_imports, expr: cst.BaseExpression) -> str:
    qualified = ctx_imports.qualify(expr)
    if qualified:
        return qualified
    written = dotted(expr)
    return written or "?"


class _Indexer:
    """One walk over the tree: classes, functions and calls with what encloses them."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.class_stack: list[ClassInfo] = []
        self.function_stack: list[cst.FunctionDef] = []
        self.method_stack: list[cst.FunctionDef | None] = []
        self.raising_withs = 0

    def index(self, module: cst.Module) -> None:
        walk(module, self._enter, self._leave)

    def _enter(self, node) -> None:
        if isinstance(node, cst.Call):
            self.visit_Call(node)
        elif isinstance(node, cst.FunctionDef):
            self.visit_FunctionDef(node)
        elif isinstance(node, cst.ClassDef):
            self.visit_ClassDef(node)
        elif isinstance(node, cst.With):
            self.visit_With(node)

    def _leave(self, node) -> None:
        if isinstance(node, cst.FunctionDef):
            self.leave_FunctionDef(node)
        elif isinstance(node, cst.ClassDef):
            self.leave_ClassDef(node)
        elif isinstance(node, cst.With):
            self.leave_With(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = tuple(_base_name(self.ctx.imports, arg.value) for arg in node.bases if arg.keyword is None)
        info = ClassInfo(node, node.name.value, bases)
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                info.methods[statement.name.value] = statement
        self.ctx.classes.append(info)
        self.class_stack.append(info)
        self.method_stack.append(None)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()
        self.method_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.ctx.functions.append(node)
        if self.class_stack and self.method_stack[-1] is None:
            cls = self.class_stack[-1]
            if cls.methods.get(node.name.value) is node:
                self.method_stack[-1] = node
        self.function_stack.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.function_stack.pop()
        if self.method_stack and self.method_stack[-1] is original_node:
            self.method_stack[-1] = None

    def visit_With(self, node: cst.With) -> None:
        if any(_expects_error(self.ctx.imports, item.item) for item in node.items):
            self.raising_withs += 1

    def leave_With(self, original_node: cst.With) -> None:
        if any(_expects_error(self.ctx.imports, item.item) for item in original_node.items):
            self.raising_withs -= 1

    def visit_Call(self, node: cst.Call) -> None:
        self.ctx.calls.append(
            IndexedCall(
                node=node,
                qualname=self.ctx.imports.qualify(node.func),
                cls=self.class_stack[-1] if self.class_stack else None,
                function=self.function_stack[-1] if self.function_stack else None,
                method=self.method_stack[-1] if self.method_stack else None,
                expects_error=self.raising_withs > 0,
            )
        )


def _expects_error(table, expression: cst.BaseExpression) -> bool:
    if not isinstance(expression, cst.Call):
        return False
    name = dotted(expression.func) or ""
    qualified = table.qualify(expression.func) or ""
    return qualified == "pytest.raises" or name.rsplit(".", 1)[-1].startswith("assertRaises")
