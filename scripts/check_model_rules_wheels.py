"""Lint real models with the model rules (DL1xx): their false-positive check.

    python scripts/check_model_rules_wheels.py [--select DL1] [--package transformers|keras] [--jobs N]

Downloads the transformers 5.x and keras 3.x wheels once (`pip download --no-deps`) into
bench/.cache/ (gitignored), unpacks them there, runs
`droplint check --format json --select DL1 --no-cache` over `transformers/models/` and
keras's `applications/`, and prints the number of findings per rule, then every error-
and warning-level finding with its source line, for a human to read. Not a test: a
finding is judged by reading it. droplint reads the wheels' source; nothing is imported.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
# package -> (requirement, folder inside the unpacked wheel that holds the models)
WHEELS = {
    "transformers": ("transformers>=5,<6", "transformers/models"),
    "keras": ("keras>=3,<4", "keras/src/applications"),
}


def download(requirement: str, folder: Path) -> Path:
    """The wheel for `requirement`, downloaded once into `folder`."""
    name = requirement.split(">")[0].split("=")[0].split("<")[0]
    existing = sorted(folder.glob(f"{name}-*.whl"))
    if existing:
        return existing[-1]
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(folder), requirement],
        check=True,
    )
    return sorted(folder.glob(f"{name}-*.whl"))[-1]


def unpack(wheel: Path) -> Path:
    target = wheel.parent / wheel.name[: -len(".whl")]
    if not target.is_dir():
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return target


def lint(folder: Path, select: str, jobs: int | None) -> dict:
    command = [sys.executable, "-m", "droplint", "check", "--format", "json", "--select", select, "--no-cache"]
    if jobs:
        command += ["--jobs", str(jobs)]
    # Files are named one by one: bench/.cache/ is gitignored, and droplint skips ignored
    # folders it walks into, but lints a file it is given by name.
    files = sorted(str(p.relative_to(ROOT)) for p in folder.rglob("*.py"))
    completed = subprocess.run(command + files, cwd=ROOT, capture_output=True, text=True)
    if completed.returncode not in (0, 1):
        sys.exit(f"droplint failed on {folder} ({completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stdout)


def source_line(path: str, line: int) -> str:
    try:
        with open(ROOT / path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return "?"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--select", default="DL1")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--package", choices=sorted(WHEELS), action="append", help="only this wheel (repeatable)")
    args = parser.parse_args(argv)

    for package in args.package or sorted(WHEELS):
        requirement, inside = WHEELS[package]
        wheel = download(requirement, CACHE / "wheels")
        folder = unpack(wheel) / inside
        report = lint(folder, args.select, args.jobs)
        diagnostics = report["diagnostics"]
        counts = collections.Counter((d["code"], d["name"], d["severity"]) for d in diagnostics)
        print(f"== {wheel.name} ({inside}): {report['files']} files, {len(diagnostics)} findings, "
              f"{len(report['errors'])} unreadable files")
        for (code, name, severity), count in sorted(counts.items()):
            print(f"  {code} {name} ({severity}): {count}")
        for error in report["errors"]:
            print(f"  unreadable: {error['path']}: {error['message']}")
        for d in diagnostics:
            if d["severity"] in ("error", "warning"):
                print(f"\n{d['path']}:{d['line']}:{d['column']}: {d['code']} [{d['model']}] {d['message']}")
                print(f"    {source_line(d['path'], d['line'])}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
