"""Peak memory only: the parse floor and a cold `droplint check .`, each process's peak.

    python bench/memory.py [--jobs 2] [--tree DIR] [--keep]

The issue-13 row "peak RSS of any process" without the rest of bench/run.py (a cold run
and the floor, on the same pinned tree). Each command's peak is the largest resident set
of any one of its processes, taken two ways that must agree:

- `wait4`: the kernel's `ru_maxrss` for the command and every child it waited for (what
  bench/run.py reports);
- `/proc`: every process of the command's tree, sampled while it runs, each one's own
  high-water mark (`VmHWM`), printed per process so a peak can be placed (the parent, or
  a worker).

The tree goes to `--tree` (default: a folder of its own in the temporary directory, so
it does not race bench/run.py's) and is deleted afterwards unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wheels  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FLOOR = REPO / "bench" / "parse_floor.py"
_SAMPLE_SECONDS = 0.05


def prepare(tree: Path) -> int:
    if tree.exists():
        shutil.rmtree(tree)
    for name in wheels.PINNED:
        shutil.copytree(wheels.fetch(name), tree / name)
    return sum(1 for _ in tree.rglob("*.py"))


def measure(command: list[str], cwd: Path) -> tuple[float, int, dict[int, tuple[str, int]], str]:
    """Seconds, `ru_maxrss` (KiB) of the command and its waited-for children, each
    process's sampled `VmHWM` (pid -> (role, KiB)), and stdout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    seen: dict[int, tuple[str, int]] = {}
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        while True:
            _sample(process.pid, seen)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(_SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed with status {status}")
        out.seek(0)
        return seconds, usage.ru_maxrss, seen, out.read().decode()


def _sample(root: int, seen: dict[int, tuple[str, int]]) -> None:
    """Record the high-water mark of `root` and of every descendant alive now."""
    for pid in _tree(root):
        hwm = _status_kib(pid, "VmHWM")
        if hwm is not None:
            role = "parent" if pid == root else "child"
            seen[pid] = (role, max(hwm, seen.get(pid, (role, 0))[1]))


def _tree(root: int) -> list[int]:
    found, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                children = [int(p) for p in handle.read().split()]
        except OSError:
            continue
        found.extend(children)
        frontier.extend(children)
    return found


def _status_kib(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def show(name: str, seconds: float, peak: int, seen: dict[int, tuple[str, int]]) -> None:
    sampled = max((kib for _, kib in seen.values()), default=0)
    parts = ", ".join(f"{role} {pid}: {kib / 1024:.0f}" for pid, (role, kib) in sorted(seen.items()))
    print(f"{name}: {seconds:.1f} s; peak of any process {peak / 1024:.0f} MiB (wait4), "
          f"{sampled / 1024:.0f} MiB (sampled)")
    print(f"  per process (MiB): {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tree", type=Path, default=Path(tempfile.gettempdir()) / f"droplint-memory-tree-{os.getpid()}")
    parser.add_argument("--keep", action="store_true", help="keep the tree afterwards")
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()
    count = prepare(args.tree)
    print(f"tree: {count} Python files (transformers {wheels.PINNED['transformers']} + keras "
          f"{wheels.PINNED['keras']}); {args.jobs} processes")
    try:
        if not args.skip_floor:
            seconds, peak, seen, out = measure([sys.executable, str(FLOOR), str(args.jobs), "."], args.tree)
            show(f"parse floor ({json.loads(out.strip().splitlines()[-1])['parsed']} files)", seconds, peak, seen)
        droplint = [sys.executable, "-m", "droplint", "check", "--exit-zero", "--format", "json",
                    "--jobs", str(args.jobs), "."]
        shutil.rmtree(args.tree / ".droplint_cache", ignore_errors=True)
        seconds, peak, seen, out = measure(droplint, args.tree)
        show("droplint check . (cold: no cache)", seconds, peak, seen)
        print(f"  findings: {len(json.loads(out).get('diagnostics', []))}")
    finally:
        if not args.keep:
            shutil.rmtree(args.tree, ignore_errors=True)


if __name__ == "__main__":
    main()
