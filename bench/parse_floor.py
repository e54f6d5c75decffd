"""The libcst parse floor: parse the files that mention dropout, with as many processes.

    python bench/parse_floor.py JOBS PATH...

droplint cannot be faster than parsing what it must read: its runs are measured against
this. Prints one JSON line: the files found, those parsed, and the seconds the parse took
(from the first file handed out to the last one parsed: the interpreter's start and
imports are not parse).
"""

from __future__ import annotations

import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import libcst as cst

from droplint.discover import discover

MENTIONS_DROPOUT = re.compile(rb"dropout", re.IGNORECASE)


def _parse(path: str) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    if not MENTIONS_DROPOUT.search(data):
        return 0
    try:
        cst.parse_module(data.decode("utf-8"))
    except Exception:  # noqa: BLE001 - a file droplint reports as an error still costs its parse
        pass
    return 1


def main(paths: list[str], jobs: int) -> None:
    targets, _ = discover(paths)
    files = [t.path for t in targets]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(int, range(jobs)))  # the workers are up before the clock starts
        started = time.perf_counter()
        parsed = sum(pool.map(_parse, files, chunksize=max(1, len(files) // (jobs * 8))))
        seconds = time.perf_counter() - started
    print(json.dumps({"files": len(files), "parsed": parsed, "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[2:], int(sys.argv[1]))
