"""The engine's figures against the parse floor: cold whole tree, and pre-commit runs.

    python bench/precommit.py [--runs 3] [--tree transformers keras]

Copies the pinned wheels (bench/wheels.py) to a temporary tree outside the repository
and measures, in processor seconds of one process (median of `--runs`), each in a fresh
interpreter that counts its own start-up and imports:

- floor: libcst's parse of the files that mention dropout (start-up included, as in
  droplint's figure);
- cold: droplint's whole-tree check with no cache;
- pre-commit 1 / 10: a check of the files the hook passes, with a warm cache, after 1
  or 10 modeling files that mention dropout changed (a comment appended); against the
  parse of those files alone (the start-up of an interpreter that imports libcst taken
  off, measured on its own).

Processor time, not wall time: it is what a run costs whatever else the machine does
(a shared machine's wall times vary tenfold), and it divides by the number of processes
on an idle one. droplint runs its analysis in-process here (`engine.ISOLATE = False`),
so the workers' time is counted too; `python bench/run.py` has the wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TREE = Path(tempfile.gettempdir()) / "droplint-precommit-tree"


def _harness_parse(paths: list[str]) -> None:
    import libcst as cst

    for path in paths:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
        try:
            cst.parse_module(text)
        except Exception:  # noqa: BLE001 - a file that does not parse still costs its parse
            pass


def _harness_lint(paths: list[str]) -> None:
    from droplint import engine
    from droplint.config import load
    from droplint.discover import discover

    engine.ISOLATE = False  # count the analysis in this process
    config = load(None, Path(paths[0]))
    targets, errors = discover(paths, exclude=config.exclude, root=config.root)
    result = engine.lint(targets, config, engine.Options(), errors)
    print(json.dumps({"parsed": result.parsed, "findings": len(result.diagnostics)}), file=sys.stderr)


def cpu_seconds(kind: str, paths: list[str]) -> tuple[float, dict]:
    """Processor seconds of a fresh interpreter running one harness, start-up included."""
    code = (f"import sys, time; sys.path.insert(0, {str(REPO)!r}); sys.setrecursionlimit(10000); "
            f"from bench import precommit; precommit._harness_{kind}(sys.argv[1:]); "
            "print(time.process_time())")
    done = subprocess.run([sys.executable, "-c", code, *paths], cwd=TREE, capture_output=True, text=True, check=True)
    extra = json.loads(done.stderr.strip().splitlines()[-1]) if kind == "lint" else {}
    return float(done.stdout.strip().splitlines()[-1]), extra


def change(files: list[Path], mark: str) -> None:
    for path in files:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\n# benchmark {mark}\n")


def main() -> None:
    from bench import wheels

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", nargs="+", default=sorted(wheels.PINNED))
    args = parser.parse_args()

    shutil.rmtree(TREE, ignore_errors=True)
    for name in args.tree:
        shutil.copytree(wheels.fetch(name), TREE / name)
    files = sorted(TREE.rglob("*.py"))
    relative = lambda paths: [str(p.relative_to(TREE)) for p in paths]  # noqa: E731
    dropout = [p for p in files if b"dropout" in p.read_bytes().lower()]
    modeling = [p for p in dropout if p.name.startswith("modeling_")] or dropout
    one, ten = modeling[:1], modeling[1:11]

    figures: dict[str, list[float]] = {}
    counts: dict[str, dict] = {}
    for round_number in range(args.runs):
        started = time.perf_counter()
        figures.setdefault("start-up", []).append(cpu_seconds("parse", [])[0])  # python + libcst import
        figures.setdefault("floor", []).append(cpu_seconds("parse", relative(dropout))[0])
        shutil.rmtree(TREE / ".droplint_cache", ignore_errors=True)
        seconds, counts["cold"] = cpu_seconds("lint", ["."])
        figures.setdefault("cold", []).append(seconds)
        for label, chosen in (("1", one), ("10", ten)):
            figures.setdefault(f"parse {label}", []).append(cpu_seconds("parse", relative(chosen))[0])
            change(chosen, f"{label}/{round_number}")
            seconds, counts[label] = cpu_seconds("lint", relative(chosen))
            figures.setdefault(f"pre-commit {label}", []).append(seconds)
        print(f"round {round_number + 1}/{args.runs}: {time.perf_counter() - started:.0f} s wall", file=sys.stderr)

    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"tree: {len(files)} Python files ({', '.join(args.tree)}), {len(dropout)} mention dropout; "
          f"droplint parsed {counts['cold']['parsed']} cold. Processor seconds, median of {args.runs}.\n")
    print("| run | cpu seconds | against | target |")
    print("| --- | ---: | --- | --- |")
    print(f"| libcst parse of the files that mention dropout | {median['floor']:.1f} | | |")
    print(f"| `droplint check .` cold | {median['cold']:.1f} | {median['cold'] / median['floor']:.2f} x floor | <= 1.2 x |")
    print(f"| python start-up and `import libcst` | {median['start-up']:.2f} | | |")
    for label, allowance in (("1", 0.2), ("10", 0.3)):
        parse, run = median[f"parse {label}"] - median["start-up"], median[f"pre-commit {label}"]
        print(f"| pre-commit, {label} changed (parsed {counts[label]['parsed']}) | {run:.2f} | "
              f"parse alone {parse:.2f}: 1.2 x parse {run - 1.2 * parse:+.2f} s | 1.2 x parse + {allowance} s |")


if __name__ == "__main__":
    main()
