"""A linted repository cannot take the run down: every hostile file costs itself only.

Each test lints a hostile file beside a good one in a separate `droplint` process (capped
at 3 GiB, so a regression cannot take the machine down), and checks the one message for
the hostile file, that the good file's finding is still reported, and the exit status.
The inputs are small versions of the attacks in scripts/hostile.py: big enough to trip
the same bound. Time limits here only guard against a hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ALWAYS_ON, ROOT
from droplint import guard

# Dropout in code, not only in a comment: a seed of the closure, so the file is parsed.
HEADER = "import torch\nDROP = torch.nn.Dropout\n"
CAP_BYTES = 3 * 2**30


# `python -m droplint` under an address-space cap, set by the child itself (a
# preexec_fn would fork this process, which JAX has made multithreaded).
DROPLINT = [
    sys.executable, "-c",
    f"import resource, runpy; resource.setrlimit(resource.RLIMIT_AS, ({CAP_BYTES}, {CAP_BYTES})); "
    "runpy.run_module('droplint', run_name='__main__', alter_sys=True)",
]


def _run(folder: Path, *args, env=None, timeout=120):
    return subprocess.run(
        [*DROPLINT, "check", "--no-cache", *args],
        cwd=folder, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def _wrapped(parts: list[str], per_line: int = 20) -> str:
    """Parts spread over lines inside brackets: short lines, one expression."""
    return "\n".join("".join(parts[i : i + per_line]) for i in range(0, len(parts), per_line))


SHAPES = {
    "unary": ("x = (" + _wrapped(["-"] * (guard.MAX_UNARY_RUN + 10)) + "1)\n",
              f"more than {guard.MAX_UNARY_RUN} unary operators in a row"),
    "lambda": ("f = (" + _wrapped(["lambda a, b=1: "] * (guard.MAX_LAMBDA_NESTING + 10)) + "0)\n",
               f"lambdas nested more than {guard.MAX_LAMBDA_NESTING} deep"),
    "conditional": ("x = (" + _wrapped(["1 if y else "] * (guard.MAX_CONDITIONAL_NESTING + 10)) + "0)\n",
                    f"conditional expressions nested more than {guard.MAX_CONDITIONAL_NESTING} deep"),
    "plus": ("x = (" + _wrapped(["a + "] * (guard.MAX_CHAIN + 10)) + "a)\n",
             f"an expression chains more than {guard.MAX_CHAIN} operators"),
    "attribute": ("x = (a" + _wrapped([".b"] * (guard.MAX_CHAIN + 10)) + ")\n",
                  f"an expression chains more than {guard.MAX_CHAIN} operators"),
    "call": ("x = (f" + _wrapped(["()"] * (guard.MAX_CHAIN + 10)) + ")\n",
             f"an expression chains more than {guard.MAX_CHAIN} operators"),
    "long line": ("x = [" + ", ".join(["1"] * (guard.MAX_LINE_CHARS // 3 + 10)) + "]\n",
                  f"a line longer than {guard.MAX_LINE_CHARS} characters"),
}


def _project(tmp_path: Path, hostile: str, extra: int = 0) -> Path:
    (tmp_path / "bad.py").write_text(HEADER + hostile)
    (tmp_path / "good.py").write_text(ALWAYS_ON)
    for i in range(extra):  # enough files for a pool of several workers
        (tmp_path / f"other{i}.py").write_text("from torch import nn\nd = nn.Dropout(0.1)\n")
    return tmp_path


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_guard_names_the_shape_and_the_run_goes_on(tmp_path, shape, jobs):
    text, message = SHAPES[shape]
    completed = _run(_project(tmp_path, text, extra=8), "-j", jobs)
    assert completed.returncode == 1, completed.stderr
    errors = [line for line in completed.stdout.splitlines() if line.startswith("bad.py: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"bad.py: error: skipped: {message} (line ")
    assert "good.py:7:16: DL301" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_guard_accepts_what_real_code_writes():
    deep_but_fine = (
        "x = -1 if not a else ~b\n"
        "f = lambda a, b=1: lambda c: a if b else c\n"
        "y = a.b.c(d)[e].f(g=lambda: h)\n"
        + "z = (" + " + ".join(["a"] * 100) + ")\n"
        + "w = [" + ", ".join(["lambda: 0 if a else 1"] * 200) + "]\n"
    )
    guard.check(deep_but_fine)


def test_guard_accepts_every_fixture():
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        guard.check(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, message", [
    ("x = " + "(" * 201 + "1" + ")" * 201 + "\n", "brackets nested more than 200 deep (line 1)"),
    ("".join("    " * i + f"if a{i}:\n" for i in range(102)) + "    " * 102 + "pass\n",
     "indented blocks nested more than 100 levels deep (line 102)"),
    ("x = [" + ", ".join(["- - 1"] * 1000) + "]\n", None),  # siblings are not a chain
    ("f = " + "lambda a, b: " * 51 + "0\n", "lambdas nested more than 50 deep (line 1)"),
    ("x = " + "(" * 150 + "lambda: " * 50 + "a if b else " * 50 + "a + " * 160 + "a" + ")" * 150 + "\n",
     "an expression nested more than 400 levels deep (line 1)"),
], ids=["brackets", "indentation", "siblings", "lambda parameters", "every kind at once"])
def test_guard_counts_nesting_not_siblings(text, message):
    if message is None:
        guard.check(text)
        return
    with pytest.raises(guard.Refused) as refused:
        guard.check(text)
    assert str(refused.value) == message


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_over_its_time_budget_costs_its_file_only(tmp_path, jobs):
    # Under every guard bound, yet about 15 processor seconds of parsing: many long
    # chains. The budget is far above what the small files need.
    slow = "".join(f"x{i} = (" + _wrapped(["a + "] * (guard.MAX_CHAIN - 10)) + "a)\n" for i in range(600))
    # The token budget (droplint.budget) would refuse it first: lifted, to reach the clock.
    completed = _run(_project(tmp_path, slow, extra=8), "-j", jobs,
                     env={"DROPLINT_MAX_SECONDS": "2", "DROPLINT_MAX_TOKENS": "1000000"})
    assert completed.returncode == 1, completed.stderr
    assert "bad.py: error: skipped: the analysis took more than 2 s of processor time" in completed.stdout
    assert "good.py:7:16: DL301" in completed.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_over_its_memory_limit_costs_its_file_only(tmp_path, jobs):
    big = "".join(f"x{i} = [" + ", ".join(["1"] * 2000) + "]\n" for i in range(100))
    # The token budget (droplint.budget) would refuse it first: lifted, to reach the limit.
    completed = _run(_project(tmp_path, big, extra=8), "-j", jobs,
                     env={"DROPLINT_MAX_MEMORY": "100", "DROPLINT_MAX_TOKENS": "1000000"})
    assert completed.returncode == 1, completed.stderr
    bad = [line for line in completed.stdout.splitlines() if line.startswith("bad.py: error:")]
    assert len(bad) == 1
    assert "memory limit (100 MiB)" in bad[0]
    assert "good.py:7:16: DL301" in completed.stdout
    assert "Traceback" not in completed.stderr and "memory allocation" not in completed.stderr


def test_blocks_that_reuse_blocks_are_counted_not_copied(tmp_path):
    classes = [
        "from torch import nn\n\n",
        "class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n        self.drop = nn.Dropout(0.1)\n\n"
        "    def forward(self, x):\n        return self.drop(self.fc(x))\n\n",
    ]
    for i in range(1, 21):  # twenty classes, each using the previous one twice: 2**20 layers
        classes.append(
            f"class C{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            f"        self.a = C{i - 1}()\n        self.b = C{i - 1}()\n\n"
            f"    def forward(self, x):\n        return self.b(self.a(x))\n\n"
        )
    (tmp_path / "good.py").write_text(ALWAYS_ON)
    (tmp_path / "bad.py").write_text("".join(classes))
    completed = _run(tmp_path, "-j", "1", timeout=60)
    assert completed.returncode == 1, completed.stderr
    assert "bad.py: error: model C20 not checked: it inlines to 2097152 layers" in completed.stdout
    assert "good.py:7:16: DL301" in completed.stdout


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_workers_die_with_a_killed_parent(tmp_path, jobs):
    slow = "".join(f"x{i} = (" + _wrapped(["a + "] * (guard.MAX_CHAIN - 10)) + "a)\n" for i in range(400))
    _project(tmp_path, slow, extra=8)
    parent = subprocess.Popen(
        [*DROPLINT, "check", "--no-cache", "-j", jobs],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < int(jobs):
            workers = _children(parent.pid)
            time.sleep(0.1)
        assert len(workers) >= int(jobs), "the workers never started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers)
        # Nothing holds the parent's stdout open any more: reading it ends.
        assert parent.stdout.read() is not None
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()
