"""Run the hand-rolled dropout rules (DL4) over the transformers 5.x and keras 3.x wheels.

    python scripts/check_handrolled_wheels.py [--jobs N]

Downloads the wheels with `pip download --no-deps` into bench/.cache/ (gitignored) unless
they are there already, unpacks them, runs `droplint check --select DL4 --no-cache
--format json` on each package, and prints the count per rule and every finding, so that
each error and warning can be read and explained. Exit status 0: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "bench", ".cache")
WHEELS = {"transformers": "transformers>=5,<6", "keras": "keras>=3,<4"}


def wheel(name: str, requirement: str) -> str:
    found = sorted(glob.glob(os.path.join(CACHE, f"{name}-*.whl")))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", requirement, "-d", CACHE],
            check=True,
        )
        found = sorted(glob.glob(os.path.join(CACHE, f"{name}-*.whl")))
    return found[-1]


def unpacked(path: str, name: str) -> str:
    target = os.path.join(CACHE, name)
    marker = os.path.join(target, ".unpacked-from")
    if not (os.path.exists(marker) and _read(marker) == os.path.basename(path)):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(target)
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(os.path.basename(path))
    return os.path.join(target, name)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def check(package: str, jobs: int) -> dict:
    # bench/.cache is gitignored, and droplint honours .gitignore when it walks a folder;
    # files named on the command line are linted all the same.
    files = sorted(glob.glob(os.path.join(package, "**", "*.py"), recursive=True))
    command = [sys.executable, "-m", "droplint", "check", *files, "--select", "DL4", "--no-cache",
               "--format", "json", "--exit-zero", "--jobs", str(jobs)]
    result = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"droplint failed on {package}:\n{result.stderr}")
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(CACHE, exist_ok=True)
    for name, requirement in WHEELS.items():
        path = wheel(name, requirement)
        report = check(unpacked(path, name), args.jobs)
        counts = collections.Counter((d["code"], d["severity"]) for d in report["diagnostics"])
        print(f"== {os.path.basename(path)}: {report['files']} files, "
              f"{len(report['diagnostics'])} DL4 findings, {len(report['errors'])} file errors")
        for (code, severity), count in sorted(counts.items()):
            print(f"   {code} ({severity}): {count}")
        for diagnostic in report["diagnostics"]:
            location = os.path.relpath(diagnostic["path"], CACHE)
            print(f"   {location}:{diagnostic['line']}:{diagnostic['column']}: "
                  f"{diagnostic['code']} [{diagnostic['severity']}] {diagnostic['message']}")
        for error in report["errors"]:
            print(f"   error: {error['path']}: {error['message']}")


if __name__ == "__main__":
    main()
