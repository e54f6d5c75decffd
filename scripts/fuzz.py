"""Fuzz droplint for as long as you like: the properties of tests/test_fuzz.py, many examples.

    python scripts/fuzz.py --examples 20000 [--minutes 60] [--seed 0] [--out fuzz-failures]

Half the examples are valid Python from hypothesmith's grammar, half mutated fixtures.
Runs in batches with successive seeds; stops at --examples or after --minutes, whichever
comes first, and prints what it did: examples, crashes (each written to --out), and the
slowest input. Exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import Failure, check_source, mutated_fixture, valid_python  # noqa: E402

BATCH = 100


class Tally:
    def __init__(self, out: Path):
        self.examples = 0
        self.crashes = 0
        self.slowest = (0.0, "")
        self.out = out

    def run(self, code: str) -> None:
        self.examples += 1
        started = time.perf_counter()
        try:
            check_source(code)
        except Failure as exc:
            self._crash(code, str(exc))
        except Exception as exc:  # noqa: BLE001 - the harness itself must keep going
            self._crash(code, f"{type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - started
        if elapsed > self.slowest[0]:
            self.slowest = (elapsed, code)

    def _crash(self, code: str, reason: str) -> None:
        self.crashes += 1
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / f"crash-{self.crashes}.py").write_text(f"# {reason.splitlines()[0]}\n{code}", encoding="utf-8", errors="replace")
        print(f"crash {self.crashes}: {reason.splitlines()[0]}", flush=True)


def _batch(tally: Tally, strategy, number: int, examples: int) -> None:
    @seed(number)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(strategy)
    def run(code):
        tally.run(code)

    run()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()

    tally = Tally(args.out)
    started = time.monotonic()
    stop = started + args.minutes * 60 if args.minutes else None
    number = args.seed
    while tally.examples < args.examples and (stop is None or time.monotonic() < stop):
        strategy = valid_python() if number % 2 == 0 else mutated_fixture()
        _batch(tally, strategy, number, min(BATCH, args.examples - tally.examples))
        number += 1
        print(f"{tally.examples} examples, {tally.crashes} crashes, "
              f"{time.monotonic() - started:.0f} s", flush=True)

    seconds, code = tally.slowest
    print(f"examples: {tally.examples}")
    print(f"crashes: {tally.crashes}")
    print(f"slowest input: {seconds:.2f} s ({len(code)} characters): {code[:200]!r}")
    print(f"wall time: {time.monotonic() - started:.0f} s")
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
