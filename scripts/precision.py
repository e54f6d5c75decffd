"""Precision on code droplint was never developed against: every error and warning, judged.

    python scripts/precision.py                    # all five pinned libraries
    python scripts/precision.py --library keras    # one of them
    python scripts/precision.py --samples 5        # more info findings per rule to read

Checks the pinned wheels of bench/wheels.py PRECISION (transformers, keras, torchvision,
torch_geometric, torchaudio; fetched once with `pip download --no-deps`, unpacked into
bench/.cache/, never imported) with `droplint check --select ALL`, then lists every
error- and warning-level finding next to its verdict in tests/precision/judged.toml:

    [[finding]]
    path = "torchvision/models/inception.py"   # inside the wheel
    line = 149                                  # where it was judged (a hint)
    code = "DL101"
    text = "x = self.dropout(x)"                # the stripped source line: the match key
    verdict = false
    evidence = "one line: why"

A finding matches an entry by path, code and source text, so small edits of a library
above the line do not lose the verdict. The run fails (exit 1) on any error or warning
that is not judged, and on any judged-false finding that comes back: a false finding is
a bug to fix in droplint, never a line to keep here. Info findings are advice: a few of
each rule are printed (seeded) for a human to judge, and a rule whose samples are mostly
noise stays off by default. Last, a table: files, findings by severity, true, false.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import wheels as pinned  # noqa: E402 - the pinned downloads, importable from the root

JUDGED = ROOT / "tests" / "precision" / "judged.toml"
JUDGED_SEVERITIES = ("error", "warning")


def lint(package: Path, jobs: int | None, cache: bool) -> tuple[int, list[dict]]:
    """(files, diagnostics) of `droplint check --select ALL` over one unpacked package."""
    command = [sys.executable, "-m", "droplint", "check", "--format", "json", "--select", "ALL", "--exit-zero"]
    if not cache:
        command.append("--no-cache")
    if jobs:
        command += ["--jobs", str(jobs)]
    # Named one by one: bench/.cache/ is gitignored, and droplint skips ignored folders it
    # walks into but lints a file it is given by name.
    files = sorted(str(p.relative_to(ROOT)) for p in package.rglob("*.py"))
    completed = subprocess.run(command + files, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"droplint failed on {package} ({completed.returncode}):\n{completed.stderr}")
    report = json.loads(completed.stdout)
    return len(files), report["diagnostics"]


def inside_wheel(path: str, package: Path) -> str:
    """`bench/.cache/unpacked/keras-3.15.1/keras/src/x.py` -> `keras/src/x.py`."""
    return str((ROOT / path).resolve().relative_to(package.resolve().parent))


def source_line(path: str, line: int) -> str:
    with open(ROOT / path, encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if number == line:
                return text.strip()
    return ""


def load_judged() -> dict[tuple[str, str, str], list[dict]]:
    """Judged entries by (path, code, source text)."""
    with open(JUDGED, "rb") as handle:
        entries = tomllib.load(handle).get("finding", [])
    judged: dict[tuple[str, str, str], list[dict]] = collections.defaultdict(list)
    for entry in entries:
        missing = {"path", "line", "code", "text", "verdict", "evidence"} - set(entry)
        if missing:
            sys.exit(f"{JUDGED}: an entry lacks {sorted(missing)}: {entry}")
        if not isinstance(entry["verdict"], bool) or not entry["evidence"].strip():
            sys.exit(f"{JUDGED}: verdict must be true/false with one line of evidence: {entry}")
        judged[(entry["path"], entry["code"], entry["text"])].append(entry)
    return judged


def verdict_of(finding: dict, judged) -> dict | None:
    """The judged entry of a finding: same path, code and source text; nearest line wins."""
    entries = judged.get((finding["wheel_path"], finding["code"], finding["text"]), [])
    if not entries:
        return None
    return min(entries, key=lambda e: abs(e["line"] - finding["line"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", action="append", choices=sorted(pinned.PRECISION), help="only these libraries")
    parser.add_argument("--samples", type=int, default=3, help="info findings printed per rule (default 3)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-cache", action="store_true", help="lint every file afresh")
    options = parser.parse_args()

    judged = load_judged()
    rows, judged_findings, info = [], [], collections.defaultdict(list)
    for name in options.library or list(pinned.PRECISION):
        package = pinned.fetch(name)
        files, diagnostics = lint(package, options.jobs, cache=not options.no_cache)
        counts = collections.Counter(d["severity"] for d in diagnostics)
        verdicts = collections.Counter()
        for d in diagnostics:
            d["library"] = f"{name} {pinned.PRECISION[name]}"
            d["wheel_path"] = inside_wheel(d["path"], package)
            d["text"] = source_line(d["path"], d["line"])
            if d["severity"] not in JUDGED_SEVERITIES:
                info[d["code"]].append(d)
                continue
            entry = verdict_of(d, judged)
            d["verdict"] = None if entry is None else entry["verdict"]
            d["evidence"] = "" if entry is None else entry["evidence"]
            verdicts[{True: "true", False: "false", None: "unjudged"}[d["verdict"]]] += 1
            judged_findings.append(d)
        rows.append((d_library(name), files, counts, verdicts))

    print("Error and warning findings (verdicts from tests/precision/judged.toml):\n")
    for d in judged_findings:
        mark = {True: "true ", False: "FALSE", None: "NEW  "}[d["verdict"]]
        print(f"[{mark}] {d['wheel_path']}:{d['line']} {d['code']} {d['severity']}: {d['message']}")
        print(f"         {d['text']}")
        if d["evidence"]:
            print(f"         evidence: {d['evidence']}")
    print("\nInfo findings, a seeded sample of each rule for a human to judge:\n")
    chooser = random.Random(11)
    for code in sorted(info):
        found = info[code]
        print(f"{code}: {len(found)} findings")
        for d in chooser.sample(found, min(options.samples, len(found))):
            print(f"    {d['wheel_path']}:{d['line']}: {d['message']}")
            print(f"        {d['text']}")
    print()
    print_table(rows)

    unjudged = [d for d in judged_findings if d["verdict"] is None]
    false = [d for d in judged_findings if d["verdict"] is False]
    if unjudged or false:
        print(f"\nFAIL: {len(unjudged)} unjudged and {len(false)} judged-false error/warning findings.")
        return 1
    print("\nOK: every error and warning finding is judged true.")
    return 0


def d_library(name: str) -> str:
    return f"{name} {pinned.PRECISION[name]}"


def print_table(rows) -> None:
    header = ("library", "files", "error", "warning", "info", "true", "false", "unjudged")
    table = [header]
    totals = collections.Counter()
    for library, files, counts, verdicts in rows:
        values = (files, counts["error"], counts["warning"], counts["info"],
                  verdicts["true"], verdicts["false"], verdicts["unjudged"])
        totals.update(dict(zip(header[1:], values)))
        table.append((library, *map(str, values)))
    table.append(("total", *(str(totals[h]) for h in header[1:])))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in table[1:]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")


if __name__ == "__main__":
    sys.exit(main())
