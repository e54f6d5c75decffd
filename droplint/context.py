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


@dataclass(slots=True)
class AssignedCall:
    """A statement line that assigns one call to one target: `x = f(...)`,
    `self.drop = nn.Dropout(...)` (fixes delete such lines whole)."""

    line: cst.SimpleStatementLine
    target: cst.BaseAssignTargetExpression
    call: cst.Call
    block_size: int  # statements in its block: a block of one cannot lose it


class FileContext:
    def __init__(self, path: str, text: str, module: cst.Module, settings=None, rows: list[int] | None = None):
        """`rows`: the first line of each logical line of `text` (droplint.guard), so that
        a span is computed from its own statement alone (droplint.positions)."""
        self.path = path
        self.settings = settings  # engine settings that shape results (tf-version)
        # What frontends and rules compute once per file and share (scopes, rewrites,
        # hand-rolled dropouts). It lives and dies with this context: module-level caches
        # keyed by the context kept every file's tree alive in long-running workers.
        self.shared: dict = {}
        self.text = text
        self.module = module
        self.imports = imports.build(module, path, getattr(settings, "roots", ()))
        self.classes: list[ClassInfo] = []
        self.calls: list[IndexedCall] = []
        self.functions: list[cst.FunctionDef] = []
        self.assigned_calls: list[AssignedCall] = []
        # id(expression) -> (expression, its qualified name): the index qualifies every
        # callee, frontends and rules ask again. The entry holds its node, so that an
        # id reused by a later node (one built by a fix) is never mistaken for it.
        self.qualified: dict[int, tuple[cst.BaseExpression, str | None]] = {}
        # id(node) -> the statement of a block (or the module) that holds it.
        self.statement_of: dict[int, cst.CSTNode] = {}
        _Indexer(self).index(module)
        self._by_name = {c.name: c for c in self.classes}
        if rows is not None and _lone_carriage_return(text):
            rows = None  # a line break to libcst, not to Python's tokenizer
        self._rows = rows
        self.positions = Positions(module, self.statement_of, rows)

    def close(self) -> None:
        """The file is done: drop what analysis built on the tree. Analysis objects that
        refer to each other can keep this context alive until the garbage collector finds
        them; they need not keep the shared results and every node's position too
        (droplint/collector.py)."""
        self.shared.clear()
        self.positions = Positions(self.module, self.statement_of, self._rows)

    # -- names ---------------------------------------------------------------
    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The qualified, canonical name of a dotted expression, or None; once per node."""
        known = self.qualified.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        name = self.imports.qualify(node)
        self.qualified[id(node)] = (node, name)
        return name

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


def _lone_carriage_return(text: str) -> bool:
    return "\r" in text and text.count("\r") != text.count("\r\n")


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
    """One walk over the tree: classes, functions and calls with what encloses them, and
    the statement lines that assign a call (`x = f(...)`, `self.x = f(...)`)."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.class_stack: list[ClassInfo] = []
        self.function_stack: list[cst.FunctionDef] = []
        self.method_stack: list[cst.FunctionDef | None] = []
        self.raising_withs: list[bool] = []  # per enclosing `with`: it expects an error
        self.raising = 0
        self.elifs: set[int] = set()  # ids of `If` nodes that are an `elif` of another
        # Dispatch by exact type: `isinstance` against libcst's node classes (ABCs) costs
        # far more, and this runs on every node of the file.
        self.on_enter = {
            cst.Call: self.visit_Call,
            cst.FunctionDef: self.visit_FunctionDef,
            cst.ClassDef: self.visit_ClassDef,
            cst.With: self.visit_With,
            cst.IndentedBlock: self.visit_block,
            cst.Module: self.visit_block,
        }
        self.on_leave = {
            cst.FunctionDef: self.leave_FunctionDef,
            cst.ClassDef: self.leave_ClassDef,
            cst.With: self.leave_With,
        }

    def index(self, module: cst.Module) -> None:
        on_enter, on_leave = self.on_enter, self.on_leave
        statement_of, elifs = self.ctx.statement_of, self.elifs
        around = [module]  # the statements the walk is in, innermost last

        def enter(node) -> None:
            kind = type(node)
            if kind in _STATEMENTS:
                if kind is cst.If:
                    if type(node.orelse) is cst.If:
                        elifs.add(id(node.orelse))
                    if id(node) not in elifs:
                        around.append(node)
                else:
                    around.append(node)
            statement_of[id(node)] = around[-1]
            visit = on_enter.get(kind)
            if visit is not None:
                visit(node)

        def leave(node) -> None:
            if node is around[-1]:
                around.pop()
            found = on_leave.get(type(node))
            if found is not None:
                found(node)

        walk(module, enter, leave, leave_only=_STATEMENTS)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = tuple(_base_name(self.ctx.imports, arg.value) for arg in node.bases if arg.keyword is None)
        info = ClassInfo(node, node.name.value, bases)
        for statement in node.body.body:
            if type(statement) is cst.FunctionDef:
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
        raising = any(_expects_error(self.ctx.imports, item.item) for item in node.items)
        self.raising_withs.append(raising)
        self.raising += raising

    def leave_With(self, original_node: cst.With) -> None:
        self.raising -= self.raising_withs.pop()

    def visit_block(self, node: cst.Module | cst.IndentedBlock) -> None:
        for statement in node.body:
            if type(statement) is not cst.SimpleStatementLine or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if type(small) is cst.Assign and len(small.targets) == 1 and type(small.value) is cst.Call:
                self.ctx.assigned_calls.append(
                    AssignedCall(statement, small.targets[0].target, small.value, len(node.body))
                )

    def visit_Call(self, node: cst.Call) -> None:
        qualname = self.ctx.qualify(node.func)
        self.ctx.calls.append(
            IndexedCall(
                node=node,
                qualname=qualname,
                cls=self.class_stack[-1] if self.class_stack else None,
                function=self.function_stack[-1] if self.function_stack else None,
                method=self.method_stack[-1] if self.method_stack else None,
                expects_error=self.raising > 0,
            )
        )


# The statements of a block: what a span is generated from (droplint.positions).
_STATEMENTS = frozenset({cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef, cst.If, cst.For, cst.While,
                         cst.With, cst.Try, cst.TryStar, cst.Match})


def _expects_error(table, expression: cst.BaseExpression) -> bool:
    if not isinstance(expression, cst.Call):
        return False
    name = dotted(expression.func) or ""
    qualified = table.qualify(expression.func) or ""
    return qualified == "pytest.raises" or name.rsplit(".", 1)[-1].startswith("assertRaises")
