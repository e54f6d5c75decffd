"""droplint's benchmark: one command, every figure of docs/performance.md.

    python bench/run.py [--runs 5] [--jobs N]

Measures on pinned `transformers` and `keras` wheels (bench/wheels.py), alternating the
commands within each round and taking medians: droplint cold (empty cache), warm
(nothing changed), with 10 changed files (warm cache otherwise); the libcst parse
floor of the files droplint parses, with the same process count; `grep -ril dropout`;
and, when installed, `ruff check --select ALL --no-cache` and `fixit lint`. Peak memory
is the largest resident set of any one process of a droplint run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
import wheels  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Outside the repository: droplint respects .gitignore, and bench/.cache/ is ignored.
TREE = Path(tempfile.gettempdir()) / "droplint-bench-tree"


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and the peak RSS (KiB) of the largest process in the command's tree."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed with exit status {process.returncode}")
    return elapsed, usage.ru_maxrss


def prepare_tree() -> list[Path]:
    if TREE.exists():
        shutil.rmtree(TREE)
    for name in wheels.PINNED:
        shutil.copytree(wheels.fetch(name), TREE / name)
    files = sorted(TREE.rglob("*.py"))
    return files


def change(files: list[Path], round_number: int) -> None:
    """Change 10 files that droplint parses (a comment, so results stay the same)."""
    for path in files:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\n# benchmark round {round_number}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--peer-runs", type=int, default=1,
                        help="runs of ruff and fixit (reference figures; fixit alone takes minutes)")
    args = parser.parse_args()

    files = prepare_tree()
    changed = [p for p in files if "dropout" in p.read_text(encoding="utf-8", errors="replace")][:10]
    python = sys.executable
    droplint = [python, "-m", "droplint", "check", ".", "--exit-zero", "--format", "json", "--jobs", str(args.jobs)]
    commands = {
        "droplint cold": droplint,
        "droplint warm": droplint,
        "droplint 10 changed": droplint,
        "libcst parse floor": [python, str(REPO / "bench" / "parse_floor.py"), str(args.jobs), "."],
        "grep -ril dropout": ["grep", "-ril", "dropout", "."],
    }
    ruff, fixit = _tool("ruff"), _tool("fixit")
    if ruff:
        commands["ruff check --select ALL --no-cache"] = [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "-q", "."]
    if fixit:
        commands["fixit lint"] = [fixit, "lint", "."]

    times: dict[str, list[float]] = {name: [] for name in commands}
    memory: dict[str, int] = {name: 0 for name in commands}
    peers = {name for name in commands if name.startswith(("ruff", "fixit"))}
    for round_number in range(args.runs):
        for name, command in commands.items():
            if name in peers and round_number >= args.peer_runs:
                continue
            if name == "droplint cold":
                shutil.rmtree(TREE / ".droplint_cache", ignore_errors=True)
            if name == "droplint 10 changed":
                change(changed, round_number)
            seconds, peak = measure(command, TREE)
            times[name].append(seconds)
            memory[name] = max(memory[name], peak)
        print(f"round {round_number + 1}/{args.runs} done", file=sys.stderr)

    commands = {name: command for name, command in commands.items() if times[name]}
    median = {name: statistics.median(times[name]) for name in commands}
    parsed = sum(1 for p in files if _parsed(p))
    print(f"tree: {len(files)} Python files ({parsed} parsed by droplint), "
          f"transformers {wheels.PINNED['transformers']} + keras {wheels.PINNED['keras']}; "
          f"{args.jobs} processes; median of {args.runs} runs\n")
    print("| command | median seconds | peak RSS per process (MiB) |")
    print("| --- | ---: | ---: |")
    for name in commands:
        print(f"| {name} | {median[name]:.2f} | {memory[name] / 1024:.0f} |")
    print()
    cold = median["droplint cold"]
    print(f"droplint cold / libcst parse floor: {cold / median['libcst parse floor']:.2f}")
    for name in commands:
        if name.startswith(("ruff", "fixit", "grep")):
            print(f"droplint cold / {name}: {cold / median[name]:.2f}")
    print(f"droplint warm: {median['droplint warm']:.2f} s (target <= 1 s)")
    print(f"droplint 10 changed: {median['droplint 10 changed']:.2f} s (target <= 0.5 s)")


def _tool(name: str) -> str | None:
    """A peer tool on PATH or beside this Python (an activated or not virtualenv)."""
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def _parsed(path: Path) -> bool:
    from droplint.engine import PREFILTER

    return bool(PREFILTER.search(path.read_bytes()))


if __name__ == "__main__":
    main()
