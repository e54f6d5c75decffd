"""What the closure parses in a cold `droplint check .`, why, and how busy the workers are.

    python bench/closure.py [--jobs 2] [--parse] [TREE]

Runs a cold whole-tree check in this process (no cache; `--jobs` workers, forked with a
timing wrapper around `engine.process_file`) on TREE (default: the tree of
`bench/run.py`, /tmp/droplint-bench-tree) and prints:

- the files parsed: seeds (their own text may hold a dropout), and the others, by why the
  closure reached them: downward (a parsed file's summary names one of its classes as a
  base, a built block, a config class, or refers to it otherwise) or upward (it uses a
  class that reaches a dropout); each with its files' analysis seconds (processor
  seconds in the workers) and, with `--parse`, libcst's parse alone (in this process);
- the rounds: batches of files handed to the pool, each waiting for the last (before the
  stream: `engine._process_all` calls), or the steps of the closure's stream (since:
  `engine._Closure._drain`, one per upward step); and the workers' idle time before the
  first task and from it to the last answer (waiting for the parent between files, at
  the end of a round, while the parent works out what to read next);
- the findings, so a change can be checked against them.

Timings are processor seconds where it says so: the machine may be shared.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from droplint import closure, engine, follow  # noqa: E402
from droplint.config import load  # noqa: E402
from droplint.discover import discover  # noqa: E402

TREE = Path(tempfile.gettempdir()) / "droplint-bench-tree"
_LOG = Path(tempfile.mkdtemp(prefix="droplint-closure-bench-"))
_original = engine.process_file


def _timed(display, data, settings=engine._Settings(), syntax_only=False):
    """engine.process_file, with the worker's busy interval and processor time logged."""
    wall, cpu = time.monotonic(), time.process_time()
    result = _original(display, data, settings, syntax_only)
    line = [display, syntax_only, wall, time.monotonic(), time.process_time() - cpu, result.summary is not None]
    with open(_LOG / f"{os.getpid()}.jsonl", "a") as handle:
        handle.write(json.dumps(line) + "\n")
    return result


def run(tree: Path, jobs: int):
    rounds: list[list] = []
    pulled: set[str] = set()
    captured = {}
    process_all, read_all, uses = getattr(engine, "_process_all", None), engine._read_all, closure.Upward.uses

    def timed_rounds(misses, *args, **kwargs):
        started = time.monotonic()
        answers = process_all(misses, *args, **kwargs)
        rounds.append([started, time.monotonic(), len(misses), sum(1 for m in misses if not m[3])])
        return answers

    def capture(*args, **kwargs):
        captured["results"], captured["followed"] = found = read_all(*args, **kwargs)
        captured["layout"] = args[3]
        return found

    def upward(self, path, reach):
        found = uses(self, path, reach)
        if found:
            pulled.add(os.path.realpath(path))
        return found

    def timed_drain(self):  # since the stream: one round per step of the closure
        started = time.monotonic()
        sent = self.reader.sent
        drain(self)
        rounds.append([started, time.monotonic(), self.reader.sent - sent, None])

    if process_all is not None:  # before the stream: one round per batch of files
        engine._process_all = timed_rounds
    else:
        drain = engine._Closure._drain
        engine._Closure._drain = timed_drain
    engine.process_file, engine._read_all = _timed, capture
    closure.Upward.uses = upward
    os.chdir(tree)
    config = load(None, tree)
    targets, errors = discover(["."], exclude=config.exclude, root=config.root)
    started, cpu = time.monotonic(), time.process_time()
    rounds.append([started, started, 0, 0])  # the start, for the idle time before the first task
    result = engine.lint(targets, config, engine.Options(jobs=jobs, use_cache=False), errors)
    wall, parent_cpu = time.monotonic() - started, time.process_time() - cpu
    engine._POOL.close()
    tasks = [json.loads(line) + [log.stem] for log in _LOG.glob("*.jsonl") for line in log.read_text().splitlines()]
    return result, wall, parent_cpu, rounds, tasks, pulled, captured


def reasons(captured, pulled: set[str]) -> dict[str, set[str]]:
    """Why each parsed file that is no seed was parsed (real path -> reasons)."""
    layout = captured["layout"]
    parsed = {**{r.path: r for r in captured["results"].values()}, **captured["followed"]}
    why: dict[str, set[str]] = collections.defaultdict(set)
    for path, result in parsed.items():
        summary = result.summary
        if summary is None:
            continue
        kinds = {"refers": summary.references,
                 "base": [b for d in summary.class_bases for b in d.bases],
                 "builds": [c for cls in summary.classes for c in cls.constructs],
                 "config": [cls.config_class for cls in summary.classes if cls.config_class]}
        for kind, names in kinds.items():
            for name in set(names):
                for file in follow.files(layout, path, name):
                    if layout.real(file) != layout.real(path):
                        why[layout.real(file)].add(kind)
    for path in pulled:
        why[path].add("upward")
    return why


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tree", nargs="?", default=str(TREE))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--parse", action="store_true", help="also time libcst's parse of each parsed file")
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    result, wall, parent_cpu, rounds, tasks, pulled, captured = run(tree, args.jobs)
    full = [t for t in tasks if not t[1]]
    is_seed = getattr(closure, "seeded_in_code", closure.seeded)  # before: comments counted
    seeds = {os.path.realpath(t[0]) for t in full if is_seed(Path(t[0]).read_bytes())}
    why = reasons(captured, pulled)
    groups: dict[str, list] = collections.defaultdict(list)
    for task in full:
        real = os.path.realpath(task[0])
        kind = "seed" if real in seeds else "+".join(sorted(why.get(real, {"?"})))
        groups[kind].append(task)
    print(f"tree {tree}: {len(tasks)} files to the workers, {len(full)} analysed, "
          f"{len(tasks) - len(full)} only compiled; wall {wall:.1f} s, parent processor {parent_cpu:.1f} s, "
          f"workers processor {sum(t[4] for t in tasks):.1f} s")
    print("\n| parsed because | files | analysis cpu s | parse cpu s |\n| --- | ---: | ---: | ---: |")
    for kind, group in sorted(groups.items(), key=lambda item: -len(item[1])):
        parse = f"{_parse_seconds([t[0] for t in group]):.1f}" if args.parse else ""
        print(f"| {kind} | {len(group)} | {sum(t[4] for t in group):.1f} | {parse} |")
    print(f"| only compiled | {len(tasks) - len(full)} | {sum(t[4] for t in tasks if t[1]):.1f} | |")
    _print_rounds(rounds, tasks)
    counts = collections.Counter(d.code for d in result.diagnostics)
    print(f"\nfindings {len(result.diagnostics)}: {dict(sorted(counts.items()))}; errors {len(result.errors)}; "
          f"parsed {result.parsed}")


def _print_rounds(rounds, tasks) -> None:
    """Each round's wall time, and the workers' idle time: before the first task, and
    from the first task to the last answer (between tasks, and at the ends of rounds)."""
    started, rounds = rounds[0][0], rounds[1:]
    print("\n| round | files (analysed) | wall s |\n| --- | ---: | ---: |")
    for number, (start, end, count, analysed) in enumerate(rounds, 1):
        print(f"| {number} | {count} ({'' if analysed is None else analysed}) | {end - start:.2f} |")
    first, last = min(t[2] for t in tasks), max(t[3] for t in tasks)
    workers = sorted({t[6] for t in tasks})
    busy = sum(t[3] - t[2] for t in tasks)
    print(f"\nfirst task {first - started:.2f} s after the start; from it to the last answer {last - first:.2f} s; "
          f"{len(workers)} workers busy {busy:.2f} worker-s, idle {len(workers) * (last - first) - busy:.2f} worker-s")


def _parse_seconds(paths: list[str]) -> float:
    import libcst as cst

    from droplint import tables

    total = 0.0
    for path in paths:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
        read = tables.blank(text, tables.find(text))
        started = time.process_time()
        try:
            cst.parse_module(read)
        except Exception:  # noqa: BLE001 - a file that does not parse still costs its parse
            pass
        total += time.process_time() - started
    return total


if __name__ == "__main__":
    main()
