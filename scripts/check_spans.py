"""Spans per statement against the whole-module pass, on every file of a tree.

    python scripts/check_spans.py [PATH...]   (default: the pinned wheels, bench/.cache/unpacked)

droplint computes a span by generating the statement that holds the node alone
(droplint/positions.py). This asks, for every file, every node the index walk saw, of a
fresh `Positions` per statement, and compares each span with the whole-module pass
(which tests/test_positions.py keeps identical to libcst's PositionProvider). Prints the
files, nodes and whole-pass fallbacks, and each mismatch; exits 1 if there is one.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import libcst as cst  # noqa: E402

from droplint import guard, tables  # noqa: E402
from droplint.context import FileContext  # noqa: E402
from droplint.positions import Positions, all_positions  # noqa: E402


def check(text: str) -> tuple[int, bool, list[str]]:
    """(nodes compared, whether the file fell back to the whole pass, mismatches)."""
    rows: list[int] = []
    guard.check(text, rows)
    read = tables.blank(text, tables.find(text))
    module = cst.parse_module(read)
    ctx = FileContext("file.py", read, module, rows=rows)
    whole = all_positions(module)
    by_statement: dict[int, list] = {}
    for node_id, statement in ctx.statement_of.items():
        if statement is not module:
            by_statement.setdefault(id(statement), []).append(node_id)
    nodes = {id(n): n for n in _nodes(module)}
    compared, fell_back, wrong = 0, False, []
    for node_ids in by_statement.values():
        positions = Positions(module, ctx.statement_of, ctx._rows)
        for node_id in reversed(node_ids):
            span = positions.span(nodes[node_id])
            (line, column), (end_line, end_column) = whole[node_id]
            if (span.line, span.column, span.end_line, span.end_column) != (line, column + 1, end_line, end_column + 1):
                wrong.append(f"{type(nodes[node_id]).__name__} at {line}:{column + 1}: {span}")
            compared += 1
        fell_back = fell_back or positions.whole
    return compared, fell_back, wrong


def _nodes(root: cst.CSTNode):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def main() -> None:
    roots = [Path(p) for p in sys.argv[1:]] or [REPO / "bench" / ".cache" / "unpacked"]
    files = sorted(p for root in roots for p in ([root] if root.is_file() else root.rglob("*.py")))
    counted = {"files": 0, "nodes": 0, "whole-pass fallbacks": 0, "not parsed": 0, "mismatches": 0}
    for path in files:
        try:
            found = check(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, cst.ParserSyntaxError, guard.Refused, RecursionError):
            counted["not parsed"] += 1
            continue
        compared, fell_back, wrong = found
        counted["files"] += 1
        counted["nodes"] += compared
        counted["whole-pass fallbacks"] += fell_back
        counted["mismatches"] += len(wrong)
        for line in wrong[:5]:
            print(f"{path}: {line}", flush=True)
    print(counted)
    sys.exit(1 if counted["mismatches"] else 0)


if __name__ == "__main__":
    main()
