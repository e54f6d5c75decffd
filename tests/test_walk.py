"""droplint's fast walk sees the nodes libcst's visitor sees, in the same source order."""

from __future__ import annotations

import libcst as cst

from conftest import FIXTURES, ROOT
from droplint import walk

SAMPLE = '''\
@decorate(arg=1)
class A(Base, metaclass=M):
    def f(self, x: int = 2) -> int:
        try:
            y = x[1:2] if x else {k: v for k, v in x}
        except (ValueError, TypeError) as err:
            raise err
        match x:
            case [a, b] if a > b:
                return a
        return lambda z: z + y
from .pkg import (name as alias)
'''


def _libcst_order(module: cst.Module) -> list:
    seen = []

    class Recorder(cst.CSTVisitor):
        def on_visit(self, node):
            seen.append(node)
            return True

    module.visit(Recorder())
    return seen


def _assert_same_order(source: str) -> int:
    module = cst.parse_module(source)
    ours = list(walk.nodes(module))
    ids = {id(node) for node in ours}
    theirs = [node for node in _libcst_order(module) if id(node) in ids]
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        assert mine is reference, (type(mine).__name__, type(reference).__name__)
    return len(ours)


def test_order_on_a_sample_of_every_construct():
    module = cst.parse_module(SAMPLE)
    kinds = {type(n) for n in walk.nodes(module)}
    assert {cst.Call, cst.Arg, cst.IfExp, cst.ExceptHandler, cst.MatchCase, cst.Lambda} <= kinds
    assert _assert_same_order(SAMPLE) > 60


def test_order_on_every_fixture_and_on_droplint_itself():
    total = 0
    for path in sorted([*FIXTURES.rglob("*.py"), *(ROOT / "droplint").rglob("*.py")]):
        total += _assert_same_order(path.read_text(encoding="utf-8"))
    assert total > 10_000


def test_every_call_is_seen():
    module = cst.parse_module(SAMPLE)
    calls = [n for n in walk.nodes(module) if isinstance(n, cst.Call)]
    assert [module.code_for_node(c.func) for c in calls] == ["decorate"]


def test_statements_never_enter_expressions():
    module = cst.parse_module(SAMPLE)
    found = [type(s).__name__ for s in walk.statements(module)]
    assert found == ["ClassDef", "FunctionDef", "Try", "Assign", "Raise", "Match", "Return", "Return", "ImportFrom"]


def test_walk_enters_in_source_order_and_leaves_after_the_children():
    module = cst.parse_module(SAMPLE)
    ours = []
    walk.walk(module, lambda node: ours.append(("enter", node)), lambda node: ours.append(("leave", node)))
    seen = {id(node) for _, node in ours}
    theirs = []

    class Recorder(cst.CSTVisitor):
        def on_visit(self, node):
            if id(node) in seen:
                theirs.append(("enter", node))
            return True

        def on_leave(self, original_node):
            if id(original_node) in seen:
                theirs.append(("leave", original_node))

    module.visit(Recorder())
    assert len(ours) == len(theirs) > 120
    for (event, node), (expected, reference) in zip(ours, theirs):
        assert event == expected and node is reference, (event, type(node).__name__)


def test_walk_leaves_only_the_kinds_asked_and_skips_what_enter_refuses():
    module = cst.parse_module(SAMPLE)
    left, entered = [], []

    def enter(node):
        entered.append(node)
        return type(node) is not cst.Lambda  # nothing inside a lambda

    walk.walk(module, enter, left.append, leave_only=frozenset({cst.FunctionDef, cst.Lambda}))
    assert [type(n) for n in left] == [cst.FunctionDef]  # a refused node is not left either
    assert not any(type(n) is cst.Name and n.value == "z" for n in entered)
