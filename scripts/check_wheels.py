"""Lint the transformers 5.x and keras 3.x wheels: the false-positive check of the file rules.

    python scripts/check_wheels.py [--select DL2,DL3] [--jobs N] [--wheel LOCAL.whl ...]
    python scripts/check_wheels.py --select DL1     # placement rules
    python scripts/check_wheels.py --select DL4     # hand-rolled dropout

Fetches the pinned wheels once through bench/wheels.py (`pip download --no-deps` into
bench/.cache/, gitignored), unpacks them there, runs `droplint check --format json --no-cache` over each, and
prints the number of findings per rule, then every error- and warning-level finding
with its source line, for a human to read. Nothing here is a test: a finding is judged
by reading it.
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
sys.path.insert(0, str(ROOT))
# The shared, pinned download of bench/.cache/ (bench/wheels.py), importable from the root.
from bench import wheels as pinned

CACHE = pinned.CACHE


def unpack(wheel: Path) -> Path:
    """A local wheel (`--wheel`), unpacked once beside the pinned ones."""
    target = CACHE / "unpacked" / wheel.name[: -len(".whl")]
    if not target.is_dir():
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return target


def lint(folder: Path, select: str, jobs: int | None) -> dict:
    command = [sys.executable, "-m", "droplint", "check", "--format", "json", "--select", select, "--no-cache"]
    if jobs:
        command += ["--jobs", str(jobs)]
    # The files are named one by one: bench/.cache/ is gitignored, and droplint (like
    # git) skips ignored folders it walks into, but lints a file it is given by name.
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*.py"))
    # Exit status 1 means findings, which is what this script is for: checked below.
    completed = subprocess.run(command + files, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode not in (0, 1):
        sys.exit(f"droplint failed on {folder} ({completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stdout)


def source_line(path: str, line: int) -> str:
    try:
        with open(ROOT / path if not Path(path).is_absolute() else path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return "?"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--select", default="DL2,DL3")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--package", choices=sorted(pinned.PINNED), action="append", help="only this wheel (repeatable)")
    parser.add_argument(
        "--wheel", type=Path, action="append", default=[], help="also a local wheel file (timm, peft, ...)"
    )
    args = parser.parse_args(argv)

    folders = [(f"{p}-{pinned.PINNED[p]}", pinned.fetch(p)) for p in args.package or sorted(pinned.PINNED)]
    folders += [(extra.name, unpack(extra)) for extra in args.wheel]
    for label, folder in folders:
        report = lint(folder.relative_to(ROOT), args.select, args.jobs)
        diagnostics = report["diagnostics"]
        counts = collections.Counter((d["code"], d["name"], d["severity"]) for d in diagnostics)
        print(f"== {label}: {report['files']} files, {len(diagnostics)} findings, {len(report['errors'])} errors")
        for (code, name, severity), count in sorted(counts.items()):
            print(f"  {code} {name} ({severity}): {count}")
        for error in report["errors"]:
            print(f"  error: {error['path']}: {error['message']}")
        for d in diagnostics:
            if d["severity"] in ("error", "warning"):
                print(f"\n{d['path']}:{d['line']}:{d['column']}: {d['code']} {d['message']}")
                print(f"    {source_line(d['path'], d['line'])}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
