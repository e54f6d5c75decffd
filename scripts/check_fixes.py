"""Apply every fix, safe and unsafe, to copies of fixtures/ and the pinned wheels, and check
that the fix engine never breaks code.

    python scripts/check_fixes.py [--jobs N] [--only fixtures]

For each tree (a fresh copy outside the repository, so nothing here is touched):
1. `droplint check --select ALL --fix --unsafe-fixes` applies every fix;
2. every file still parses (Python's own parser);
3. outside the edited lines, the syntax tree is unchanged: each statement that no edit
   touched has the same AST before and after;
4. a second run finds nothing fixable.
Prints the counts, and every file that fails a check. Exit status 1 if any does.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import wheels  # noqa: E402


def droplint(tree: Path, *args: str, jobs: int | None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "droplint", "check", ".", "--select", "ALL", *args]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    completed = subprocess.run(command, cwd=tree, capture_output=True, text=True, env=env)
    if completed.returncode not in (0, 1):
        sys.exit(f"droplint failed in {tree} ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return completed


def untouched_statements(source: str, changed_lines: set[int]) -> list[str]:
    """AST dumps of the simple statements that no changed line touches, in order."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and not hasattr(node, "body"):
            lines = set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            if not lines & changed_lines:
                found.append((node.lineno, ast.dump(node)))
    return [dump for _, dump in sorted(found)]


def changed_lines(before: list[str], after: list[str]) -> tuple[set[int], set[int]]:
    old, new = set(), set()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            old.update(range(i1 + 1, max(i2, i1 + 1) + 1))
            new.update(range(j1 + 1, max(j2, j1 + 1) + 1))
    return old, new


def check_tree(name: str, source_folder: Path, jobs: int | None) -> bool:
    work = Path(tempfile.mkdtemp(prefix=f"droplint-fixes-{name}-"))
    tree = work / name
    shutil.copytree(source_folder, tree)
    originals = {p: p.read_text(encoding="utf-8", errors="surrogateescape") for p in tree.rglob("*.py")}

    fixing = droplint(tree, "--fix", "--unsafe-fixes", jobs=jobs)
    summary = fixing.stdout.strip().splitlines()[-1] if fixing.stdout.strip() else ""
    problems = []
    changed = 0
    for path, before in originals.items():
        after = path.read_text(encoding="utf-8", errors="surrogateescape")
        if after == before:
            continue
        changed += 1
        try:
            ast.parse(after)
        except SyntaxError as exc:
            problems.append(f"{path.relative_to(work)}: no longer parses: {exc}")
            continue
        old, new = changed_lines(before.splitlines(), after.splitlines())
        if untouched_statements(before, old) != untouched_statements(after, new):
            problems.append(f"{path.relative_to(work)}: a statement outside the edits changed")

    second = json.loads(droplint(tree, "--format", "json", "--unsafe-fixes", jobs=jobs).stdout)
    fixable = [d for d in second["diagnostics"] if d["fix"] is not None]
    for d in fixable:
        problems.append(f"{name}/{d['path']}:{d['line']}: still fixable after the fix run: {d['code']} {d['message']}")
    errors = [e for e in second["errors"] if "fix" in e["message"]]
    problems.extend(f"{name}/{e['path']}: {e['message']}" for e in errors)

    print(f"{name}: {len(originals)} files, {changed} changed by the fixes; fix run: {summary}")
    print(f"{name}: second run: {len(second['diagnostics'])} findings, {len(fixable)} fixable")
    for problem in problems:
        print(f"  PROBLEM {problem}")
    shutil.rmtree(work)
    return not problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--only", choices=("fixtures", "transformers", "keras"))
    args = parser.parse_args()
    trees = {"fixtures": ROOT / "fixtures"}
    for package in wheels.PINNED:
        if args.only in (None, package):
            trees[package] = wheels.fetch(package)
    ok = True
    for name, folder in trees.items():
        if args.only in (None, name):
            ok = check_tree(name, folder, args.jobs) and ok
    print("all fixes verified" if ok else "some fixes failed the checks")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
