"""Per-file cost: droplint's analysis of one file against its libcst parse.

    python bench/per_file.py [--runs 3] [--largest 5] [--keras 20] [--profile N] [--phases] [PATH...]

On the pinned wheels (bench/wheels.py unpacks them under bench/.cache/unpacked) it takes
the `--largest` transformers modeling files and `--keras` keras files spread evenly over
their sizes (or the PATHs given), and measures in this process, in processor seconds
(the minimum of `--runs`, after one warm-up run):

- parse: `libcst.parse_module` of the text droplint parses (data tables blanked);
- analyse: `engine.process_file`, everything droplint learns from the file (its parse
  included), as a worker runs it.

The ratio analyse / parse is what issue 13 asks to bring to the floor. `--profile N`
prints the N costliest functions (cumulative) of one analysis of every file; `--phases`
times, over all the files, each phase of the analysis as `engine._analyse` runs them
(the guard's tokenizer pass, the parse, the file's index, the file rules, the summary).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import libcst as cst  # noqa: E402

from droplint import budget, collector, deepstack, engine, guard, tables  # noqa: E402

UNPACKED = REPO / "bench" / ".cache" / "unpacked"


def default_files(largest: int, keras: int) -> list[Path]:
    """The largest transformers modeling files and keras files spread over their sizes
    (of those the prefilter lets through): the same list on every machine."""
    modeling = sorted(UNPACKED.glob("transformers-*/transformers/models/*/modeling_*.py"),
                      key=lambda p: (-p.stat().st_size, str(p)))
    layers = sorted((p for p in UNPACKED.glob("keras-*/keras/src/**/*.py")
                     if "_test" not in p.name and engine.PREFILTER.search(p.read_bytes())),
                    key=lambda p: (p.stat().st_size, str(p)))
    step = max(1, len(layers) // keras) if keras else 0
    spread = layers[::step][:keras] if keras else []
    return modeling[:largest] + spread


def _seconds(function, runs: int) -> float:
    function()  # warm-up: imports and per-type caches
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def measure(path: Path, runs: int) -> dict:
    data = path.read_bytes()
    text = data.decode("utf-8")
    read = tables.blank(text, tables.find(text))
    parse = _seconds(lambda: cst.parse_module(read), runs)
    analyse = _seconds(lambda: engine.process_file(str(path), data), runs)
    return {"file": str(path.relative_to(UNPACKED)) if path.is_relative_to(UNPACKED) else str(path),
            "kib": round(len(data) / 1024), "parse": round(parse, 4), "analyse": round(analyse, 4),
            "ratio": round(analyse / parse, 2) if parse else None}


def profile(files: list[Path], top: int) -> None:
    payload = [(str(p), p.read_bytes()) for p in files]
    for display, data in payload:
        engine.process_file(display, data)  # warm-up
    profiler = cProfile.Profile()
    # The analysis runs on droplint's big-stack thread: profile it there.
    deepstack.run(profiler.enable)
    for display, data in payload:
        engine.process_file(display, data)
    deepstack.run(profiler.disable)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


PHASES = ("guard", "parse", "index", "file rules", "summary")


def _phases_of(text: str, spent: list[float]) -> None:
    """One file's analysis as `engine._analyse` runs it, each phase's processor time
    added to `spent`."""
    from droplint.context import FileContext
    from droplint.frontends.summarize import summarize
    from droplint.rulebook import registry

    clock = [time.process_time()]

    def lap(phase: int) -> None:
        now = time.process_time()
        spent[phase] += now - clock[0]
        clock[0] = now

    rows: list[int] = []
    tokens = guard.check(text, rows)
    lap(0)
    read = tables.blank(text, tables.find(text))
    outline = budget.fit(read, tokens)
    module = cst.parse_module(outline)
    collector.tree_built()
    lap(1)
    ctx = FileContext("file.py", outline, module, rows=rows if outline is read else None)
    lap(2)
    for rule in registry.file_rules():
        list(rule.check_file(ctx))
    lap(3)
    summarize(ctx)
    ctx.close()
    lap(4)


def phases(files: list[Path], runs: int) -> dict:
    """Processor seconds of each phase over all `files`: the least of `runs` passes."""
    texts = [p.read_bytes().decode("utf-8") for p in files]
    best = None
    for _ in range(runs + 1):  # the first pass warms up
        spent = [0.0] * len(PHASES)
        for text in texts:
            with collector.paused():
                deepstack.run(_phases_of, text, spent)
        best = spent if best is None else [min(a, b) for a, b in zip(best, spent)]
    return {phase: round(seconds, 3) for phase, seconds in zip(PHASES, best)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--largest", type=int, default=5)
    parser.add_argument("--keras", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--phases", action="store_true")
    args = parser.parse_args()
    files = args.paths or default_files(args.largest, args.keras)
    if args.phases:
        print(json.dumps(phases(files, args.runs)))
        return
    if args.profile:
        profile(files, args.profile)
        return
    rows = [measure(path, args.runs) for path in files]
    for row in rows:
        print(json.dumps(row))
    parse, analyse = sum(r["parse"] for r in rows), sum(r["analyse"] for r in rows)
    print(json.dumps({"files": len(rows), "parse": round(parse, 3), "analyse": round(analyse, 3),
                      "ratio": round(analyse / parse, 2)}))


if __name__ == "__main__":
    main()
