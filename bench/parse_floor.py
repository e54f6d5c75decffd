"""The libcst parse floor: parse exactly the files droplint parses, with as many processes.

droplint cannot be faster than parsing what it must read; its cold run is measured
against this.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor

import libcst as cst

from droplint.discover import discover
from droplint.engine import PREFILTER


def _parse(path: str) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    if not PREFILTER.search(data):
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
        parsed = sum(pool.map(_parse, files, chunksize=max(1, len(files) // (jobs * 8))))
    print(f"parsed {parsed} of {len(files)} files", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[2:], int(sys.argv[1]))
