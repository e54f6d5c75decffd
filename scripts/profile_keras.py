"""Run `droplint profile` over real Keras code and our Keras fixtures, and count what it finds.

    python scripts/profile_keras.py [--wheel PATH]

Downloads the keras 3.x wheel (`pip download --no-deps`) into bench/.cache/ (gitignored)
once, unpacks it, and profiles `keras/src/applications/` and `fixtures/keras/`. For each
it prints: files, models found (roots), dropout sites, sites whose rate droplint
resolved (by source), and files droplint could not read. Nothing here imports the
profiled code: droplint reads it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"


def fetch_wheel(explicit: str | None) -> Path:
    """The keras 3.x wheel: the one given, one already in the cache, or a fresh download."""
    if explicit:
        return Path(explicit)
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("keras-3*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "keras>=3,<4", "--dest", str(CACHE)],
            check=True,
        )
        found = sorted(CACHE.glob("keras-3*.whl"))
    if not found:
        sys.exit("no keras 3 wheel in bench/.cache/ after pip download")
    return found[-1]


def unpack(wheel: Path) -> Path:
    target = CACHE / wheel.stem
    if not (target / "keras").is_dir():
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return target


def profile(path: Path) -> tuple[dict, list[str], float]:
    """droplint's profile of `path` (JSON), the error lines it printed, and its wall time."""
    # Files are named one by one: bench/.cache/ is gitignored, and droplint's discovery
    # honours .gitignore for folders (a file named on the command line is always read).
    files = sorted(str(f) for f in path.rglob("*.py"))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "droplint", "profile", "--format", "json", "--no-cache", *files],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"droplint profile failed ({done.returncode}):\n{done.stderr}")
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    return json.loads(done.stdout), errors, elapsed


def counts(report: dict) -> dict:
    models = [m for m in report["models"] if m["framework"] == "keras"]
    roots = [m for m in models if m["root"]]
    # A dropout site is a place in the source; blocks inlined into several roots, and a
    # layer applied twice, count once.
    sites = {}
    for model in models:
        for layer in model["layers"]:
            if layer["kind"] == "dropout":
                key = (layer["path"], layer["line"], layer["column"], layer["name"])
                if key not in sites or layer["rate"] is not None:
                    sites[key] = layer
    resolved = [s for s in sites.values() if s["rate"] is not None]
    positions = Counter(
        layer["position"] for model in roots for layer in model["layers"] if layer["kind"] == "dropout"
    )
    return {
        "models": len(models),
        "roots": len(roots),
        "dropout_sites": len(sites),
        "resolved": len(resolved),
        "sources": Counter(s["rate_source"] for s in resolved),
        "positions": positions,
        "root_names": sorted(m["name"] for m in roots),
    }


def files_in(path: Path) -> int:
    return sum(1 for _ in path.rglob("*.py"))


def show(title: str, path: Path) -> None:
    report, errors, elapsed = profile(path)
    found = counts(report)
    print(f"== {title}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"   files                {files_in(path)}")
    print(f"   models (keras)       {found['models']} ({found['roots']} roots)")
    print(f"   dropout sites        {found['dropout_sites']}")
    print(f"   rates resolved       {found['resolved']} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(found['sources'].items())) or 'none'})")
    print(f"   positions in roots   {', '.join(f'{k} {v}' for k, v in sorted(found['positions'].items(), key=str))}")
    print(f"   files with errors    {len(errors)}")
    for line in errors:
        print(f"     {line}")
    print(f"   roots                {', '.join(found['root_names'])}")
    print(f"   wall time            {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="a keras 3 wheel to use instead of downloading one")
    args = parser.parse_args()
    wheel = fetch_wheel(args.wheel)
    source = unpack(wheel)
    print(f"keras wheel: {wheel.name}")
    show("keras applications", source / "keras" / "src" / "applications")
    show("droplint fixtures", ROOT / "fixtures" / "keras")


if __name__ == "__main__":
    main()
