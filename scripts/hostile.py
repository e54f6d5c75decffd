"""Replay every resource attack of issue 12 and show what each costs.

    python scripts/hostile.py [--jobs 1] [--only NAME ...]

For each attack: a temporary folder with the hostile file and a good file beside it
(`good.py`, one DL301 finding), then `python -m droplint check --no-cache -j JOBS` in a
fresh process. Printed per attack: wall time, CPU time (droplint and its workers), the peak resident memory of any process of
that run (droplint or one of its workers: `getrusage(RUSAGE_CHILDREN)` of a process that
does nothing else), droplint's exit status, its message for the hostile file, and whether
good.py's finding was still reported. Each run is capped at 4 GiB of address space and
10 minutes, so a regression shows as a failure here instead of taking the machine down.

Targets: one message per hostile file, within the time budget, no process above 1 GiB,
good.py's finding reported. Exit status 1 when any attack misses one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "# dropout\nimport torch\nfrom torch import nn\n"
GOOD = (
    "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
    "class Net(nn.Module):\n"
    "    def forward(self, x):\n"
    "        return F.dropout(x, 0.5)\n"
)
CAP_BYTES = 4 * 2**30
LIMIT_MIB = 1024


def _wrapped(parts: list[str], per_line: int = 20) -> str:
    return "\n".join("".join(parts[i : i + per_line]) for i in range(0, len(parts), per_line))


def _classes(count: int) -> str:
    parts = [
        "class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n        self.drop = nn.Dropout(0.1)\n\n"
        "    def forward(self, x):\n        return self.drop(self.fc(x))\n\n"
    ]
    for i in range(1, count + 1):
        parts.append(
            f"class C{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            f"        self.a = C{i - 1}()\n        self.b = C{i - 1}()\n\n"
            f"    def forward(self, x):\n        return self.b(self.a(x))\n\n"
        )
    return "".join(parts)


def attacks() -> dict[str, tuple[str, dict]]:
    """Name -> (the hostile file's text at the issue's sizes, environment for the run)."""
    every_kind = "(" * 150 + "lambda: " * 50 + "a if b else " * 50 + "a + " * 160 + "a" + ")" * 150
    return {
        "100,000 unary minus, one line": ("x = " + "-" * 100_000 + "1\n", {}),
        "100,000 unary minus, short lines": ("x = (" + _wrapped(["-"] * 100_000) + "1)\n", {}),
        "20,000 nested lambdas": ("f = (" + _wrapped(["lambda: "] * 20_000) + "0)\n", {}),
        "20,000 nested lambdas, one line": ("f = " + "lambda: " * 20_000 + "0\n", {}),
        "20,000 nested if-else": ("x = (" + _wrapped(["1 if y else "] * 20_000) + "0)\n", {}),
        "100,000-term + chain": ("x = (" + _wrapped(["a + "] * 100_000) + "a)\n", {}),
        "100,000-term attribute chain": ("x = (a" + _wrapped([".b"] * 100_000) + ")\n", {}),
        "100,000-term call chain": ("x = (f" + _wrapped(["()"] * 100_000) + ")\n", {}),
        "every kind of nesting in one expression": ("x = " + every_kind + "\n", {}),
        "5 MB single line": ("x = [" + ", ".join(["1"] * 1_700_000) + "]\n", {}),
        "20 classes, each using the previous twice": (_classes(20), {}),
        "2.6 MB of plain statements (memory limit)": ("".join(
            f"x{i} = [" + ", ".join("abcdefghijklmnopqrstuvwxyz") + "]\n" for i in range(30_000)
        ), {}),
        # Under every guard bound; no file reaches 60 processor seconds before 1 GiB, so
        # this one shows the time budget with a budget of 5 s.
        "600 chains under every guard bound (5 s budget)": ("".join(
            f"x{i} = (" + _wrapped(["a + "] * 290) + "a)\n" for i in range(600)
        ), {"DROPLINT_MAX_SECONDS": "5"}),
    }


def _measure(folder: str, jobs: str, env: dict) -> None:
    """Child mode: run droplint once and print its figures as JSON (this process does
    nothing else, so RUSAGE_CHILDREN is droplint's and its workers')."""
    started = time.monotonic()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "droplint", "check", "--no-cache", "-j", jobs, "."],
            cwd=folder, capture_output=True, text=True, timeout=600,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES)),
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        )
        code, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
    except subprocess.TimeoutExpired as exc:
        code, stdout, stderr = "timeout", exc.stdout or "", exc.stderr or ""
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mib": usage.ru_maxrss / 1024, "code": code,
                      "stdout": stdout if isinstance(stdout, str) else stdout.decode(errors="replace"),
                      "stderr": stderr if isinstance(stderr, str) else stderr.decode(errors="replace")}))


def _replay(name: str, text: str, env: dict, jobs: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "hostile.py").write_text(HEADER + text)
        Path(folder, "good.py").write_text(GOOD)
        measured = subprocess.run(
            [sys.executable, __file__, "--measure", folder, "--jobs", jobs, "--env", json.dumps(env)],
            capture_output=True, text=True, check=True,
        )
    figures = json.loads(measured.stdout)
    lines = figures["stdout"].splitlines()
    messages = [line.split(": error: ", 1)[1] for line in lines if line.startswith("hostile.py: error: ")]
    good = any(line.startswith("good.py:7:16: DL301") for line in lines)
    ok = (len(messages) == 1 and good and figures["code"] == 1 and figures["peak_mib"] <= LIMIT_MIB
          and "Traceback" not in figures["stderr"])
    return {"name": name, "size": len(HEADER + text), **figures, "messages": messages, "good": good, "ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1")
    parser.add_argument("--only", nargs="*", help="attacks whose name contains one of these")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--env", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure, args.jobs, json.loads(args.env))
        return 0

    print(f"droplint check --no-cache -j {args.jobs}; limits: "
          f"{os.environ.get('DROPLINT_MAX_MEMORY', '1024')} MiB, {os.environ.get('DROPLINT_MAX_SECONDS', '60')} s per file\n")
    print("| attack | size | seconds | cpu-s | peak MiB | exit | message | good.py reported |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    failed = 0
    for name, (text, env) in attacks().items():
        if args.only and not any(part in name for part in args.only):
            continue
        row = _replay(name, text, env, args.jobs)
        failed += not row["ok"]
        message = " / ".join(row["messages"]) or "(none)"
        print(f"| {name} | {row['size']:,} | {row['seconds']:.1f} | {row['cpu']:.1f} | {row['peak_mib']:.0f} | {row['code']} "
              f"| {message} | {'yes' if row['good'] else 'NO'} |", flush=True)
    print(f"\n{failed} attack(s) missed a target." if failed else "\nEvery attack ended in one message within its bounds.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
