"""droplint's benchmark: every target of docs/performance.md, measured in one run.

    python bench/run.py [--runs 1] [--jobs 2] [--peers]

On the pinned `transformers` and `keras` wheels (bench/wheels.py), copied to a tree
outside the repository, each round measures, alternating the commands:

- the libcst parse floor: `bench/parse_floor.py`, libcst's parse of the files that mention
  dropout, with `--jobs` processes;
- `droplint check .` cold (no cache) and warm (nothing changed);
- pre-commit with 1 changed file and with 10 changed modeling files: `droplint check FILE...`
  (what the hook runs) after appending a comment to them, the cache warm otherwise; each
  against the parse floor of the same files;
- the peak resident set of any one process of every droplint run, against the floor's.

It prints the medians and a table of each row against its target (issue 13), with the
ratio and pass or fail. `--peers` adds `grep -ril dropout`, ruff and fixit when installed
(reference figures; fixit alone takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wheels  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Outside the repository: droplint respects .gitignore, and bench/.cache/ is ignored.
TREE = Path(tempfile.gettempdir()) / "droplint-bench-tree"
FLOOR = REPO / "bench" / "parse_floor.py"
MENTIONS_DROPOUT = re.compile(rb"dropout", re.IGNORECASE)
ONE_CHANGED = "transformers/models/bert/modeling_bert.py"


@dataclass
class Figures:
    """Seconds (one per round) and the largest peak RSS (KiB) of any process, per row."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    parsed: int = 0  # files of the tree that mention dropout

    def add(self, name: str, seconds: float, peak: int) -> None:
        self.seconds.setdefault(name, []).append(seconds)
        self.peak[name] = max(self.peak.get(name, 0), peak)

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])


def run(command: list[str], cwd: Path = TREE) -> tuple[float, int, str]:
    """Wall seconds, the peak RSS (KiB) of the largest process of the command's tree (the
    command and the children it waited for), and its stdout.

    `wait4`'s `ru_maxrss` is the largest of the command's own peak and those of the
    descendants it reaped, not their sum: the issue's "peak RSS of any process", for
    droplint (its workers are joined) and the floor (its pool's too) alike.
    bench/memory.py checks it against each process's `VmHWM`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed with exit status {code}")
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read().decode()


def floor(paths: list[str], jobs: int) -> tuple[float, int, int]:
    """Seconds libcst takes to parse the files of `paths` that mention dropout, their
    count, and the floor command's peak RSS (KiB)."""
    _, peak, out = run([sys.executable, str(FLOOR), str(jobs), *paths])
    figures = json.loads(out.strip().splitlines()[-1])
    return figures["seconds"], figures["parsed"], peak


def prepare_tree() -> list[Path]:
    if TREE.exists():
        shutil.rmtree(TREE)
    for name in wheels.PINNED:
        shutil.copytree(wheels.fetch(name), TREE / name)
    return sorted(TREE.rglob("*.py"))


def modeling_files(files: list[Path], count: int) -> list[str]:
    """The first `count` transformers modeling files that mention dropout."""
    chosen = [p for p in files if p.name.startswith("modeling_") and MENTIONS_DROPOUT.search(p.read_bytes())]
    return [str(p.relative_to(TREE)) for p in chosen[:count]]


def change(paths: list[str], mark: str) -> None:
    """A pre-commit edit: a comment at the end, so findings stay the same."""
    for path in paths:
        with open(TREE / path, "a", encoding="utf-8") as handle:
            handle.write(f"\n# benchmark {mark}\n")


def measure(args, files: list[Path]) -> Figures:
    droplint = [sys.executable, "-m", "droplint", "check", "--exit-zero", "--format", "json", "--jobs", str(args.jobs)]
    ten = modeling_files(files, 10)
    figures = Figures()
    for round_number in range(args.runs):
        seconds, parsed, peak = floor(["."], args.jobs)
        figures.add("floor", seconds, peak)
        figures.parsed = parsed
        shutil.rmtree(TREE / ".droplint_cache", ignore_errors=True)
        figures.add("cold", *run(droplint + ["."])[:2])
        figures.add("warm", *run(droplint + ["."])[:2])
        change([ONE_CHANGED], f"round {round_number}")
        figures.add("1 changed", *run(droplint + [ONE_CHANGED])[:2])
        seconds, _, peak = floor([ONE_CHANGED], 1)
        figures.add("floor 1", seconds, peak)
        change(ten, f"round {round_number}")
        figures.add("10 changed", *run(droplint + ten)[:2])
        seconds, _, peak = floor(ten, args.jobs)
        figures.add("floor 10", seconds, peak)
        if args.peers:
            _peers(figures)
        print(f"round {round_number + 1}/{args.runs} done", file=sys.stderr)
    return figures


def _peers(figures: Figures) -> None:
    figures.add("grep -ril dropout", *run(["grep", "-ril", "dropout", "."])[:2])
    for name, command in (("ruff check --select ALL --no-cache", ["check", "--select", "ALL", "--no-cache", "--exit-zero", "-q", "."]),
                          ("fixit lint", ["lint", "."])):
        tool = shutil.which(name.split()[0]) or shutil.which(name.split()[0], path=str(Path(sys.executable).parent))
        if tool:
            figures.add(name, *run([tool, *command])[:2])


def table(figures: Figures) -> list[str]:
    """Each target of issue 13: the measured figure, the target, the ratio, pass or fail."""
    m = figures.median
    mib = {name: peak / 1024 for name, peak in figures.peak.items()}
    droplint_peak = max(mib[name] for name in ("cold", "warm", "1 changed", "10 changed"))
    rows = [
        ("cold, whole tree", m("cold"), 1.2 * m("floor"), "1.2 x floor", m("cold") / m("floor"), "s"),
        ("warm, nothing changed", m("warm"), 0.3, "0.3 s", m("warm") / 0.3, "s"),
        ("pre-commit, 1 changed file", m("1 changed"), 1.2 * m("floor 1") + 0.2,
         "1.2 x its parse + 0.2 s", m("1 changed") / (1.2 * m("floor 1") + 0.2), "s"),
        ("pre-commit, 10 changed modeling files", m("10 changed"), 1.2 * m("floor 10") + 0.3,
         "1.2 x their parse + 0.3 s", m("10 changed") / (1.2 * m("floor 10") + 0.3), "s"),
        ("peak RSS of any process", droplint_peak, mib["floor"], "floor's own peak", droplint_peak / mib["floor"], "MiB"),
    ]
    lines = ["| run | measured | target | target value | measured / target | |", "| --- | ---: | --- | ---: | ---: | --- |"]
    for name, measured, target, described, ratio, unit in rows:
        shown = f"{measured:.0f} {unit}" if unit == "MiB" else f"{measured:.2f} {unit}"
        goal = f"{target:.0f} {unit}" if unit == "MiB" else f"{target:.2f} {unit}"
        lines.append(f"| {name} | {shown} | {described} | {goal} | {ratio:.2f} | {'pass' if ratio <= 1 else 'FAIL'} |")
    return lines


def report(args, files: list[Path], figures: Figures) -> None:
    print(f"tree: {len(files)} Python files, {figures.parsed} of which mention dropout; transformers "
          f"{wheels.PINNED['transformers']} + keras {wheels.PINNED['keras']}; {args.jobs} processes; "
          f"median of {args.runs} run{'s' if args.runs != 1 else ''}\n")
    print("| command | median seconds | peak RSS of any process (MiB) |")
    print("| --- | ---: | ---: |")
    described = {
        "floor": "libcst parse floor: the files that mention dropout",
        "cold": "`droplint check .` cold (no cache)",
        "warm": "`droplint check .` warm (nothing changed)",
        "1 changed": f"`droplint check {ONE_CHANGED}` (1 changed file, warm cache)",
        "floor 1": "libcst parse of that file (1 process)",
        "10 changed": "`droplint check` on 10 changed modeling files (warm cache)",
        "floor 10": "libcst parse of those 10 files",
    }
    for name in figures.seconds:
        print(f"| {described.get(name, name)} | {figures.median(name):.2f} | {figures.peak[name] / 1024:.0f} |")
    print()
    print("\n".join(table(figures)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="processes for droplint and the parse floor")
    parser.add_argument("--peers", action="store_true", help="also grep, ruff and fixit (reference figures)")
    args = parser.parse_args()
    files = prepare_tree()
    before = os.getloadavg()[1]
    figures = measure(args, files)
    report(args, files, figures)
    # Ratios hold up on a busy machine; absolute times, and above all the short runs
    # (warm, pre-commit), do not: say how busy it was.
    print(f"\nload average (5 min) of the machine: {before:.1f} at the start, {os.getloadavg()[1]:.1f} at the end")


if __name__ == "__main__":
    main()
