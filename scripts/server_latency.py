"""How long an editor waits for `droplint server`: start, first diagnostics, each edit.

    python scripts/server_latency.py [FILE] [--edits 5]

Copies fixtures/ to a temporary folder (nothing here is touched), starts the real
server there with pygls's client (the one tests/test_server.py drives), opens FILE
(relative to fixtures/), then sends edits one at a time and times each until its
diagnostics arrive. The default 300 ms debounce is part of every edit's figure. Prints
the server's own log lines, which say how many files each analysis parsed.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from test_server import Editor  # noqa: E402  (the test suite's LSP client)


async def measure(root: Path, name: str, edits: int) -> None:
    editor = Editor(root)
    started = time.perf_counter()
    await editor.start()
    text = (root / name).read_text()
    editor.open(name, text)
    await editor.diagnostics(name, 1)
    print(f"start, workspace lint and first diagnostics: {time.perf_counter() - started:.2f} s")
    for version in range(2, edits + 2):
        started = time.perf_counter()
        editor.change(name, text + "\n" * version, version)
        await editor.diagnostics(name, version)
        print(f"edit (version {version}): diagnostics after {time.perf_counter() - started:.2f} s")
    await asyncio.sleep(0.5)  # the last log line follows its diagnostics
    for line in editor.logs:
        print("  server:", line.replace(root.as_uri(), ".").replace(str(root), "."))
    print("exit status after shutdown and exit:", await editor.stop())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default="torch/transformer_encoder.py")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "fixtures"
        shutil.copytree(REPO / "fixtures", root)
        asyncio.run(measure(root, args.file, args.edits))


if __name__ == "__main__":
    main()
