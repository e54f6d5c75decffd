"""What the runtime sides of scripts/truth.py (truth_torch.py, truth_keras.py) share: their
command line, and the JSON lines they print for truth.py to read.

One `{"starting": name}` line before each model (so a process that dies names the model
that killed it), one record per model, and `{"end": true}` after the last. Imports
nothing of droplint: it runs in each library's own virtual environment.
"""

from __future__ import annotations

import argparse
import json
import os
import traceback


def arguments(description: str, libraries: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("library", choices=libraries)
    parser.add_argument("--limit", type=int, default=None, help="run at most N models")
    parser.add_argument("--only", action="append", default=[], help="only models with this name")
    parser.add_argument("--skip", type=int, default=0, help="start after the first N models")
    return parser.parse_args()


def selected(models, options):
    """(name, item) of the models to run now, each announced before it runs."""
    count = 0
    for name, item in models:
        if options.only and name not in options.only:
            continue
        if options.limit is not None and count >= options.limit:
            break
        count += 1
        if count <= options.skip:
            continue
        emit({"starting": name})
        yield name, item
    emit({"end": True})


def failure(name: str, exc: Exception) -> dict:
    """The record of a model that could not be built or run here."""
    if os.environ.get("TRUTH_DEBUG"):
        traceback.print_exc()
    return {"model": name, "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)
