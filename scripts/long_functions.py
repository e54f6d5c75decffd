"""List every function of droplint/ longer than the house limit (60 lines).

    python scripts/long_functions.py [--limit 60] [PATH ...]

A function's length runs from its first decorator (or its `def`) to its last line, so
its docstring, comments and blank lines count: they are what a reader scrolls through.
A nested function counts on its own and inside the function that holds it.
Prints `lines path:line qualified.name`, longest first, then the count. Exit status 1
when a function is over the limit and not in EXCEPTIONS.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60

# `path::qualified.name` -> why it may stay long for now. Keep it empty where you can;
# tests/test_long_functions.py fails when an entry is no longer needed.
EXCEPTIONS = {
    "droplint/engine.py::lint": (
        "engine.lint belongs to the pre-commit latency work of issue 13, which is reshaping "
        "it this session; it is split there, not here, so the two do not fight."
    ),
}


def function_lengths(path: Path, root: Path = ROOT):
    """(lines, where, `path::name`) for every function and method in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.resolve().relative_to(root.resolve()).as_posix()

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([d.lineno for d in child.decorator_list] + [child.lineno])
                name = prefix + child.name
                yield child.end_lineno - first + 1, f"{relative}:{child.lineno}", f"{relative}::{name}"
                yield from visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, prefix + child.name + ".")
            else:
                yield from visit(child, prefix)

    yield from visit(tree, "")


def long_functions(paths, limit: int = LIMIT, root: Path = ROOT):
    """Every function over `limit` lines in the files below `paths`, longest first."""
    found = []
    for top in paths:
        files = [top] if top.is_file() else sorted(top.rglob("*.py"))
        for path in files:
            found.extend(item for item in function_lengths(path, root) if item[0] > limit)
    return sorted(found, key=lambda item: (-item[0], item[1]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "droplint"])
    parser.add_argument("--limit", type=int, default=LIMIT)
    args = parser.parse_args(argv)
    found = long_functions(args.paths, args.limit)
    for lines, where, key in found:
        note = "  (exception: see EXCEPTIONS)" if key in EXCEPTIONS else ""
        print(f"{lines:4d} {where} {key.split('::')[1]}{note}")
    print(f"{len(found)} function(s) over {args.limit} lines")
    return 1 if any(key not in EXCEPTIONS for _, _, key in found) else 0


if __name__ == "__main__":
    sys.exit(main())
