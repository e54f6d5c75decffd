"""Processor seconds of one file's parse and of its analysis, file by file.

    python bench/per_file.py [--runs N] PATH...

Per-file cost is what `droplint check` pays on a cold run for every file it parses: the
libcst parse, then the analysis (the file context, the file rules and the summary, as
`engine._analyse` runs them). Each figure is the least processor time of N runs (the
process's own CPU time: the machine's load does not inflate it), and "positions" is the
part of the analysis spent answering for source positions (`Positions.span`).

To compare with another checkout, put it first on the path (this script's own folder
comes before it, the installed droplint after it):

    PYTHONPATH=/path/to/other/checkout python bench/per_file.py FILES
"""

from __future__ import annotations

import argparse
import time

import libcst as cst

from droplint import positions, tables
from droplint.context import FileContext
from droplint.engine import _Settings
from droplint.frontends.summarize import summarize
from droplint.rulebook import registry


def _analyse(path: str, text: str, module: cst.Module):
    ctx = FileContext(path, text, module, _Settings())
    diagnostics = [d for rule in registry.file_rules() for d in rule.check_file(ctx)]
    return summarize(ctx), diagnostics


class _SpanClock:
    """Processor seconds spent answering `Positions.span` (wrapped for the bench only)."""

    def __init__(self):
        self.seconds = 0.0
        self._span = positions.Positions.span

    def __enter__(self):
        clock, span = self, self._span

        def timed(self, node):
            started = time.process_time()
            try:
                return span(self, node)
            finally:
                clock.seconds += time.process_time() - started

        positions.Positions.span = timed
        return self

    def __exit__(self, *exc_info):
        positions.Positions.span = self._span


def measure(path: str, runs: int) -> dict:
    with open(path, encoding="utf-8") as handle:
        raw = handle.read()
    text = tables.blank(raw, tables.find(raw))
    parse = analysis = spans = float("inf")
    for _ in range(runs):
        started = time.process_time()
        module = cst.parse_module(text)
        parsed = time.process_time()
        with _SpanClock() as clock:
            _analyse(path, text, module)
        done = time.process_time()
        parse, analysis = min(parse, parsed - started), min(analysis, done - parsed)
        spans = min(spans, clock.seconds)
    return {"parse": parse, "analysis": analysis, "positions": spans}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    print(f"{'parse s':>8} {'analysis s':>10} {'ratio':>6} {'positions s':>11}  file")
    totals = [0.0, 0.0, 0.0]
    for path in args.paths:
        row = measure(path, args.runs)
        totals[0] += row["parse"]
        totals[1] += row["analysis"]
        totals[2] += row["positions"]
        print(f"{row['parse']:8.3f} {row['analysis']:10.3f} {row['analysis'] / row['parse']:6.2f} "
              f"{row['positions']:11.3f}  {path}")
    print(f"{totals[0]:8.3f} {totals[1]:10.3f} {totals[1] / totals[0]:6.2f} {totals[2]:11.3f}  total")


if __name__ == "__main__":
    main()
