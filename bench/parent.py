"""The parent process's own work in one `droplint check`: processor seconds, and a profile.

    python bench/parent.py [PATH ...]                   # check . --no-cache on the bench tree
    python bench/parent.py --record /tmp/answers.pkl    # the same, saving the workers' answers
    python bench/parent.py --replay /tmp/answers.pkl    # the parent's work again, in seconds
    python bench/parent.py --replay /tmp/answers.pkl --profile [--sort tottime] [--top 30]

Runs `droplint check PATH...` (default: the whole tree, no cache) in this process, with
the workers forked as usual, and prints the parent's processor seconds (its own, not its
children's: `resource.getrusage(RUSAGE_SELF)`), split into the engine's reading phase
(`_read_all`: the closure's rounds, following imports) and its checking phase (`_check`:
linking, the model rules). The workers' time is `bench/per_file.py`'s business. The tree
defaults to the one `bench/run.py` builds (`/tmp/droplint-bench-tree`).

`--record` / `--replay`: a cold run takes minutes, most of them the workers'. A replayed
run serves every file's result from the recording (a pickle this script wrote: load only
your own) and does exactly the parent's work of a cold run, without its side of the pool
(sending tasks, unpickling results). `--findings FILE` writes the findings, to check that
a change moves none.

Without `--profile` the parent runs unprofiled: cProfile slows small calls down several
times, so compare those figures, not the profile's, before and after a change (alternate
the runs: a shared machine's figures drift).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pickle
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TREE = Path(tempfile.gettempdir()) / "droplint-bench-tree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["."], help="what to check, relative to the tree (default: .)")
    parser.add_argument("--tree", type=Path, default=TREE)
    parser.add_argument("--cache", action="store_true", help="use the cache (default: --no-cache)")
    parser.add_argument("--profile", action="store_true", help="profile the parent and print its hottest functions")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime, ncalls)")
    parser.add_argument("--stats", type=Path, help="save the profile (pstats) to this file")
    parser.add_argument("--findings", type=Path, help="write the findings (concise) to this file, to compare runs")
    parser.add_argument("--record", type=Path, help="save every worker's answer to this file (pickle)")
    parser.add_argument("--replay", type=Path, help="answer from a --record file instead of the workers")
    args = parser.parse_args()
    if not args.tree.is_dir():
        sys.exit(f"no tree at {args.tree}: `python bench/run.py` builds it (bench/wheels.py)")
    os.chdir(args.tree)
    sys.setrecursionlimit(10_000)

    from droplint.cli import main as cli

    if args.record or args.replay:
        _answers(args.record, args.replay)
    phases = _time_phases()

    argv = ["check", *args.paths, "--quiet", "--output-format", "concise"]
    if not args.cache:
        argv.append("--no-cache")
    # Processor time, not wall time: the machine is shared, and the parent waits for its
    # workers (time that is theirs, not its own).
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    stdout = sys.stdout
    sys.stdout = io.StringIO()  # the findings: counted, not printed
    try:
        cli.main(argv, standalone_mode=False)
    except SystemExit:
        pass
    finally:
        if profiler is not None:
            profiler.disable()
        findings, sys.stdout = sys.stdout.getvalue(), stdout
    ended, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - wall
    own = (ended.ru_utime - started.ru_utime) + (ended.ru_stime - started.ru_stime)
    lines = findings.count("\n")
    if args.findings is not None:
        args.findings.write_text(findings, encoding="utf-8")
    print(f"parent processor seconds: {own:.2f} (wall {wall:.2f} s; {lines} lines of findings)")
    print("  of which " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items()))
    if profiler is not None and args.stats is not None:
        profiler.dump_stats(args.stats)
    if profiler is not None:
        pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)


def _time_phases() -> dict[str, float]:
    """Processor seconds of the engine's phases in this process: reading (the closure,
    following imports; the workers' answers awaited) and checking (linking, model rules)."""
    from droplint import engine

    phases: dict[str, float] = {}
    for name in ("_read_all", "_check"):
        original = getattr(engine, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                phases[_name] = phases.get(_name, 0.0) + time.process_time() - started

        setattr(engine, name, timed)
    return phases


def _answers(record: Path | None, replay: Path | None) -> None:
    """Record the workers' answers, or replay them: a replayed run does the parent's work
    exactly as a cold one (same results) with no worker to wait for, so the parent's
    serial phases can be measured in seconds instead of minutes. What it leaves out is
    the parent's side of the pool (sending tasks, unpickling results). A task the
    recording lacks is analysed in this process (and recorded)."""
    from droplint import engine

    saved = pickle.loads(replay.read_bytes()) if replay else {}
    real_stream = engine._Stream

    class Stream:
        """engine._Stream, answering from `saved` where it can."""

        def __init__(self, jobs):
            self.real = None if replay else real_stream(jobs)
            self.keys: dict[int, tuple] = {}  # ticket -> (display, syntax_only)
            self.ready: list[tuple[int, object]] = []
            self.count = 0

        def put(self, task: tuple) -> int:
            key = (task[0], len(task) == 4 and task[3])
            if self.real is not None:
                ticket = self.real.put(task)
            else:
                ticket, self.count = self.count, self.count + 1
                answer = saved.get(key)
                if answer is None:
                    answer = saved[key] = engine.process_file(task[0], engine._bytes_of(task[1]), *task[2:])
                self.ready.append((ticket, answer))
            self.keys[ticket] = key
            return ticket

        def __iter__(self):
            if self.real is not None:
                for ticket, answer in self.real:
                    saved[self.keys[ticket]] = answer
                    yield ticket, answer
            while self.ready:
                yield self.ready.pop(0)
            if record:
                record.write_bytes(pickle.dumps(saved))

    engine._Stream = Stream


if __name__ == "__main__":
    main()
