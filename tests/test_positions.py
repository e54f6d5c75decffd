"""droplint's position pass gives exactly what libcst's PositionProvider gives.

Every node of every sample is checked, through `Positions.span` (what frontends, rules and
fixes ask), against libcst's own provider: the layouts below are the ones where a line or
column is easy to get wrong.
"""

from __future__ import annotations

import gc

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from conftest import FIXTURES
from droplint import guard, tables
from droplint.context import FileContext
from droplint.ir import Span
from droplint.positions import Positions, all_positions

SAMPLE = '''\
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):  # a comment
    def forward(self, x):
        x = F.dropout(
            x,
            p=0.2,
        )\r
        y = """multi
line"""
        return self.fc(x) + (lambda: 1)()
'''

LAYOUTS = {
    "decorators": (
        "# leading comment\n\n"
        "@first\n"
        "# between decorators\n"
        "@second(\n    1,\n    2,\n)\n"
        "\n"
        "def f(): pass\n\n\n"
        "class A:\n"
        "    @property  # trailing\n\n"
        "    @ other . attr\n"
        "    def g(self):\n        return 1\n"
    ),
    "comments and blank lines": (
        "#!/usr/bin/env python\n# header\n\nimport os\n\n\n# before a class\n\n"
        "class B:\n    # first in body\n\n    x = 1\n        # deeper comment\n    y = 2\n"
        "# dedented comment\n    z = 3\n# trailing comment\n"
    ),
    "statements sharing a line": "a = 1; b = 2;  c = F.dropout(a, 0.5)\nif a: b; c\nclass C: x = 1; y = 2\n",
    "multi-line strings": (
        'doc = """one\ntwo\n    three"""\n'
        "s = ('implicit'\n     'concatenation' \\\n     f'{doc!r:>10}'\n     \"\"\"and\nmore\"\"\")\n"
        "t = f'''{doc}\n{s}'''; u = 1\n"
        "v = 1 + \\\n    2\n"
    ),
    "windows line endings": "import torch\r\n\r\nclass D:\r\n    def f(self):\r\n        return (1,\r\n                2)\r\n",
    "old mac line endings": "x = 1\ry = (\r  2,\r)\rdef f():\r    return x\r",
    "tabs": "class E:\n\tdef f(self):\n\t\tif True:\n\t\t\treturn (1,\n\t\t\t\t2)\n\t\treturn \t3\n",
    "deep in class bodies": (
        "def outer():\n    class Inner:\n        class Deeper(nn.Module):\n"
        "            def forward(self, x):\n                for i in range(3):\n"
        "                    with torch.no_grad():\n                        x = self.drop(x[i])\n"
        "                return x\n    return Inner\n"
    ),
    "no trailing newline": "x = [1,\n     2]\ny = x",
    "empty": "",
    "only a comment": "# nothing else",
    "wide characters": "名前 = 'ünïcödé 🚨'; x = F.dropout(名前, 0.1)\nclass Ç: pass\n",
    "form feed and continuation": "x = 1\n\x0c\ny = \\\n  x\n",
}


def _expected(module: cst.Module) -> dict:
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _check(source: str) -> int:
    """Every node's span from `Positions`, compared with libcst's; how many were compared."""
    module = cst.parse_module(source)
    positions = Positions(module)
    expected = _expected(module)
    for node, code_range in expected.items():
        start, end = code_range.start, code_range.end
        assert positions.span(node) == Span(start.line, start.column + 1, end.line, end.column + 1), node
    assert len(all_positions(module)) == len(expected)
    return len(expected)


def test_positions_match_libcst_on_a_sample():
    assert _check(SAMPLE) > 50


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_positions_match_libcst_on_each_layout(name):
    assert _check(LAYOUTS[name]) >= 1


def test_positions_match_libcst_on_every_fixture():
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        checked += _check(path.read_text(encoding="utf-8"))
    assert checked > 500


def test_a_blanked_data_table_keeps_every_position_around_it():
    table = "[" + ", ".join(str(i % 10) for i in range(tables.MIN_ITEMS + 10)) + "]"
    text = (
        "import torch.nn.functional as F\n\nDATA = " + table.replace(", 50", ",\n    50") + "\n\n"
        "class Net:\n    def forward(self, x):\n        return F.dropout(x, 0.5)\n"
    )
    read = tables.blank(text, tables.find(text))
    assert read != text and len(read) == len(text)
    module = cst.parse_module(read)
    ctx = FileContext("table.py", read, module)
    expected = _expected(module)
    for node, code_range in expected.items():
        assert (ctx.span(node).line, ctx.span(node).column) == (code_range.start.line, code_range.start.column + 1)
    dropout = next(site.node for site in ctx.calls if site.qualname == "torch.nn.functional.dropout")
    lines = text.splitlines()
    span = ctx.span(dropout)
    assert lines[span.line - 1][span.column - 1 : span.end_column - 1] == "F.dropout(x, 0.5)"


def test_a_node_from_another_tree_has_no_span():
    positions = Positions(cst.parse_module("x = 1\n"))
    with pytest.raises(KeyError):
        positions.span(cst.Name("x"))


@pytest.mark.parametrize("enabled", [True, False])
def test_the_pass_leaves_the_garbage_collector_as_it_found_it(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        all_positions(cst.parse_module(SAMPLE))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_pass_leaves_no_reference_cycle_behind():
    # A cycle would keep every position (a tuple per node) alive until the garbage
    # collector ran: the pass must be freed by reference counting alone.
    module = cst.parse_module(SAMPLE)
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        positions = Positions(module)
        positions.span(module.body[0])
        del positions
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


# -- spans per statement ---------------------------------------------------------------
# A file analysed by the engine comes with the first line of each logical line (the
# guard's tokenizer pass), and a span is generated from its own statement alone.


def _context(source: str) -> FileContext:
    rows: list[int] = []
    guard.check(source, rows)
    return FileContext("sample.py", source, cst.parse_module(source), rows=rows)


def _check_per_statement(source: str) -> int:
    """Every node the index walk saw, asked first of a fresh `Positions` for each
    statement (so each statement's header, and then the whole of it, is generated on
    its own), against libcst's provider; how many were compared."""
    ctx = _context(source)
    module = ctx.module
    expected = _expected(module)
    by_statement: dict[int, list] = {}
    for node in expected:
        statement = ctx.statement_of.get(id(node))
        if statement is not None and statement is not module:
            by_statement.setdefault(id(statement), []).append(node)
    compared = 0
    for nodes in by_statement.values():
        positions = Positions(module, ctx.statement_of, ctx._rows)
        for node in reversed(nodes):  # the innermost and last first: the header pass stops early
            start, end = expected[node].start, expected[node].end
            assert positions.span(node) == Span(start.line, start.column + 1, end.line, end.column + 1), node
            compared += 1
        assert not positions.whole or ctx._rows is None
    return compared


def test_spans_per_statement_match_libcst_on_a_sample():
    assert _check_per_statement(SAMPLE) > 30


@pytest.mark.parametrize("name", sorted(set(LAYOUTS) - {"empty", "only a comment"}))
def test_spans_per_statement_match_libcst_on_each_layout(name):
    assert _check_per_statement(LAYOUTS[name]) >= 1


def test_spans_per_statement_match_libcst_on_every_fixture():
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        checked += _check_per_statement(path.read_text(encoding="utf-8"))
    assert checked > 500


MORE_LAYOUTS = (
    "if a:\n    x = 1\nelif b(\n    2):  # two lines\n    x = 2\nelif c: x = 3\nelse:\n    x = 4\n",
    "try:\n    import torch\nexcept (ImportError,\n        OSError) as e:\n    torch = None\nelse:\n    y = 1\n"
    "finally:\n    z = 2\n",
    "for i in range(3):\n    pass\nelse:\n    done = True\nwhile f(i):\n    i -= 1\nelse: pass\n",
    "match command:\n    case [x, y]:\n        go(x)\n    case {'k': v} if v > 1:\n        stop(v)\n    case _: pass\n",
    "async def f():\n    async with a as b, c:\n        await b\n    async for x in y:\n        yield x\n",
    "with (\n    open('a') as a,\n    open('b') as b,\n):\n    pass\n",
    "class A(\n    B,\n    metaclass=M,\n):\n    '''doc\n    string'''\n\n    def f(self, x: int = (\n        1)) -> int:\n"
    "        return x\n",
)


@pytest.mark.parametrize("source", MORE_LAYOUTS)
def test_spans_per_statement_match_libcst_on_compound_statements(source):
    assert _check_per_statement(source) >= 5


def test_a_name_in_a_header_generates_the_header_only():
    source = "class Net(nn.Module):\n" + "".join(f"    def f{i}(self):\n        return {i}\n" for i in range(50))
    ctx = _context(source)
    positions = ctx.positions
    assert positions.span(ctx.module.body[0].name) == Span(1, 7, 1, 10)
    assert len(positions._computed) < 30  # the class's header, not its fifty methods
    method = ctx.module.body[0].body.body[49]
    assert positions.span(method.name) == Span(100, 9, 100, 12)
    assert positions.span(ctx.module.body[0]) == Span(1, 1, 101, 18)  # now the whole class
    assert not positions.whole


def test_the_statement_of_an_elif_test_is_the_whole_if():
    ctx = _context("if a:\n    pass\nelif b:\n    pass\n")
    outer = ctx.module.body[0]
    assert ctx.statement_of[id(outer.orelse.test)] is outer
    assert ctx.statement_of[id(outer.body.body[0].body[0])] is outer.body.body[0]
    assert ctx.span(outer.orelse.test) == Span(3, 6, 3, 7)


def test_lines_that_do_not_match_the_tree_fall_back_to_the_whole_pass():
    source = "x = 1\ny = 2\n"
    module = cst.parse_module(source)
    ctx = FileContext("sample.py", source, module, rows=[1])  # one line short
    assert ctx.span(module.body[1]) == Span(2, 1, 2, 6)
    assert ctx.positions.whole


def test_a_lone_carriage_return_takes_the_whole_pass():
    # Python's tokenizer does not break lines at a lone "\r"; libcst does.
    ctx = _context(LAYOUTS["old mac line endings"])
    ctx.span(ctx.module.body[-1])
    assert ctx.positions.whole


def test_the_guard_gives_the_first_line_of_each_logical_line():
    rows: list[int] = []
    guard.check("import os\n\n# note\nx = (1,\n     2)\nif x:\n    y = 3; z = 4\n", rows)
    assert rows == [1, 4, 6, 7]
