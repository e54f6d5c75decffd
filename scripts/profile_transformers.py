"""Profile real code we did not write: every model of the `transformers` 5.x wheel.

    python scripts/profile_transformers.py [--cache bench/.cache] [--jobs N]

Downloads the wheel with `pip download --no-deps` (once, into the cache folder), unpacks
it, runs `droplint profile --format json` over `transformers/models/`, and prints how
many model classes and dropout sites it found, how many rates it resolved (by
rate_source), and every file it could not handle. Exits 1 if any file failed.
Not part of the unit suite: it needs the network once and takes a minute.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fetch(cache: str, unpack_to: str) -> str:
    """The unpacked `transformers` package folder, downloading the wheel if needed.

    It is unpacked outside the repository: droplint honours .gitignore, and the cache
    folder is ignored."""
    os.makedirs(cache, exist_ok=True)
    wheels = sorted(glob.glob(os.path.join(cache, "transformers-5.*.whl")))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "transformers>=5,<6", "-d", cache],
            check=True,
        )
        wheels = sorted(glob.glob(os.path.join(cache, "transformers-5.*.whl")))
    wheel = wheels[-1]
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpack_to)
    print(f"wheel: {os.path.basename(wheel)}")
    return os.path.join(unpack_to, "transformers")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=os.path.join(ROOT, "bench", ".cache"))
    parser.add_argument("--jobs", type=int, default=None)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="droplint-transformers-") as unpacked:
        return profile(fetch(options.cache, unpacked), options)


def profile(package: str, options) -> int:
    models_dir = os.path.join(package, "models")
    command = [sys.executable, "-m", "droplint", "profile", "--format", "json", "--no-cache", models_dir]
    if options.jobs:
        command[4:4] = ["--jobs", str(options.jobs)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if not run.stdout.strip():
        print(run.stderr, file=sys.stderr)
        return 1
    profile = json.loads(run.stdout)
    errors = [line for line in run.stderr.splitlines() if ": error: " in line]

    models = profile["models"]
    modeling_files = sorted(glob.glob(os.path.join(models_dir, "*", "modeling_*.py")))
    files_with_models = {m["path"] for m in models}
    sites = [layer for m in models for layer in m["layers"] if layer["kind"] == "dropout"]
    root_sites = [layer for m in models if m["root"] for layer in m["layers"] if layer["kind"] == "dropout"]
    # A block inlined into many models appears in each: count each written site once,
    # resolved when any model that applies it resolves its rate (a block's own
    # parameter is bound by the model that builds it).
    unique: dict[tuple, dict] = {}
    for site in sites:
        key = (site["path"], site["line"], site["column"])
        if key not in unique or (unique[key]["rate"] is None and site["rate"] is not None):
            unique[key] = site
    by_source = collections.Counter(s["rate_source"] for s in unique.values())
    positions = collections.Counter(s["position"] for s in root_sites)
    site_files = {s["path"] for s in unique.values()}
    no_sites = [f for f in modeling_files if f not in site_files and "dropout" in Path(f).read_text(encoding="utf-8").lower()]

    print(f"transformers package:          {package}")
    print(f"modeling_*.py files:           {len(modeling_files)}")
    print(f"files with model classes:      {len(files_with_models)}")
    print(f"model classes:                 {len(models)} ({sum(m['root'] for m in models)} roots)")
    print(f"dropout sites (unique):        {len(unique)}")
    print(f"dropout sites in roots:        {len(root_sites)} (placed: {dict(positions)})")
    resolved = sum(1 for s in unique.values() if s["rate"] is not None)
    print(f"rates resolved:                {resolved} of {len(unique)} ({100 * resolved / max(1, len(unique)):.1f}%)")
    for source, count in by_source.most_common():
        print(f"  rate_source {source:<10} {count}")
    print(f"files naming dropout without a site found: {len(no_sites)}")
    for path in no_sites:
        print(f"  {os.path.relpath(path, package)}")
    print(f"files with errors:             {len(errors)}")
    for line in errors:
        print(f"  {line}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
