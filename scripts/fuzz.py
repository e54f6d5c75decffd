"""Fuzz droplint for as long as you like: the properties of tests/test_fuzz.py, many examples.

    python scripts/fuzz.py --examples 20000 [--jobs 2] [--minutes 60] [--seed 0] [--out fuzz-failures]

Half the examples are valid Python from hypothesmith's grammar, half mutated fixtures.
Runs in batches of 100 with successive seeds (batch n draws with seed `--seed + n`), in
`--jobs` processes; stops at --examples or after --minutes, whichever comes first, and
prints what it did: examples, crashes (each written to --out), and the slowest input.
Exit status 1 when anything crashed.

Resumable: after each batch the tally is saved in `--out/state.json`; running the same
command again (same --seed) goes on from the batches not yet done, so a long run survives
an interruption and its figures still count every example once.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import Failure, check_source, mutated_fixture, valid_python  # noqa: E402

BATCH = 100


class Tally:
    """What the batches did: examples, crashes, the slowest input (seconds, code)."""

    def __init__(self, out: Path, state: dict | None = None):
        state = state or {}
        self.out = out
        self.examples = state.get("examples", 0)
        self.crashes = state.get("crashes", 0)
        self.slowest = tuple(state.get("slowest", (0.0, "")))
        self.done = set(state.get("batches", ()))
        self.seed = state.get("seed")

    def add(self, number: int, batch: dict) -> None:
        self.done.add(number)
        self.examples += batch["examples"]
        for code, reason in batch["crashes"]:
            self.crashes += 1
            self.out.mkdir(parents=True, exist_ok=True)
            text = f"# {reason.splitlines()[0]}\n{code}"
            (self.out / f"crash-{self.crashes}.py").write_text(text, encoding="utf-8", errors="replace")
            print(f"crash {self.crashes}: {reason.splitlines()[0]}", flush=True)
        if batch["slowest"][0] > self.slowest[0]:
            self.slowest = tuple(batch["slowest"])

    def save(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        state = {"seed": self.seed, "examples": self.examples, "crashes": self.crashes,
                 "slowest": list(self.slowest), "batches": sorted(self.done)}
        temporary = self.out / "state.json.tmp"
        temporary.write_text(json.dumps(state), encoding="utf-8")
        temporary.replace(self.out / "state.json")


@functools.cache
def _strategy(valid: bool):
    # Built once per process: hypothesmith compiles Python's grammar into a parser each
    # time (seconds), which made every other batch a third slower.
    return valid_python() if valid else mutated_fixture()


def run_batch(task: tuple[int, int]) -> tuple[int, dict]:
    """One batch, in a worker process: (batch number, its figures)."""
    number, examples = task
    strategy = _strategy(number % 2 == 0)
    found = {"examples": 0, "crashes": [], "slowest": (0.0, "")}

    @seed(number)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(strategy)
    def run(code):
        found["examples"] += 1
        started = time.perf_counter()
        try:
            check_source(code)
        except Failure as exc:
            found["crashes"].append((code, str(exc)))
        except Exception as exc:  # noqa: BLE001 - the harness itself must keep going
            found["crashes"].append((code, f"{type(exc).__name__}: {exc}"))
        elapsed = time.perf_counter() - started
        if elapsed > found["slowest"][0]:
            found["slowest"] = (elapsed, code)

    run()
    return number, found


def _batches(tally: Tally, first: int, examples: int):
    """(batch number, size) for every batch still to run, in order."""
    number, planned = first, 0
    while planned < examples:
        size = min(BATCH, examples - planned)
        if number not in tally.done:
            yield number, size
        planned += size
        number += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1, help="processes running batches side by side")
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()

    state_file = args.out / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else None
    if state is not None and state.get("seed") != args.seed:
        state = None  # another run's batches: start afresh
    tally = Tally(args.out, state)
    tally.seed = args.seed
    if tally.done:
        print(f"resuming: {tally.examples} examples in {len(tally.done)} batches already done", flush=True)
    started = time.monotonic()
    stop = started + args.minutes * 60 if args.minutes else None
    todo = list(_batches(tally, args.seed, args.examples))
    # Plain (not daemonic) processes: droplint in them analyses in its own worker
    # processes, with their limits, as it does for users.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max(1, args.jobs), mp_context=context) as pool:
        running = {pool.submit(run_batch, task) for task in todo[: args.jobs]}
        queued = todo[args.jobs:]
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                tally.add(*future.result())
                tally.save()
                print(f"{tally.examples} examples, {tally.crashes} crashes, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
            if stop is not None and time.monotonic() > stop:
                queued = []  # the batches still running finish and count
            while queued and len(running) < args.jobs:
                running.add(pool.submit(run_batch, queued.pop(0)))

    seconds, code = tally.slowest
    print(f"examples: {tally.examples}")
    print(f"crashes: {tally.crashes}")
    print(f"slowest input: {seconds:.2f} s ({len(code)} characters): {code[:200]!r}")
    print(f"wall time (this session): {time.monotonic() - started:.0f} s")
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
