"""The smaller items of issue 12, part A: internal errors exit 2, and rates that are no
numbers (NaN, infinities, 401-digit literals) are DL201 findings, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ALWAYS_ON

HUGE = "1" * 401
RATES = (
    "import math\n"
    "from torch import nn\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(4, 4)\n"
    f"        self.a = nn.Dropout({HUGE})\n"
    '        self.b = nn.Dropout(float("nan"))\n'
    '        self.c = nn.Dropout(float("-inf"))\n'
    "        self.d = nn.Dropout(1e400)\n"
    "        self.e = nn.Dropout(math.nan)\n"
    f"        self.f = nn.Dropout({HUGE} * 0.5)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(self.f(self.e(self.d(self.c(self.b(self.a(x)))))))\n"
)


def _strict_json(text: str):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_rates_that_are_no_numbers_are_dl201_findings(droplint, write):
    write("net.py", RATES)
    code, report = droplint.json("check", "net.py", "--no-cache")
    assert report["errors"] == []
    lines = sorted(d["line"] for d in report["diagnostics"] if d["code"] == "DL201")
    assert lines == [9, 10, 11, 12, 13]  # the product is no literal rate: unresolved, not a crash
    messages = " ".join(d["message"] for d in report["diagnostics"])
    assert "NaN" in messages and "(401 digits)" in messages and HUGE not in messages
    assert code == 1


def test_profile_json_stays_json_with_such_rates(droplint, write):
    write("net.py", RATES)
    result = droplint("profile", "net.py", "--no-cache", "--format", "json")
    assert result.exit_code == 0
    layers = _strict_json(result.stdout)["models"][0]["layers"]
    assert [layer["rate"] for layer in layers if layer["kind"] == "dropout"] == [None] * 6


def test_an_internal_error_exits_2_with_one_line(droplint, write, monkeypatch):
    from droplint.analysis import link as link_module

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in linking")

    monkeypatch.setattr(link_module, "Project", broken)  # what `check` links with
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.strip() == "droplint: internal error: RuntimeError: a bug in linking"


# The same rates through module constants: each name is bound once in the file, so its
# value is the rate (issue 12: `RATE = 1` and 400 zeros gave no finding).
CONSTANTS = (
    "import math\n"
    "from torch import nn\n\n"
    f"RATE = 1{'0' * 400}\n"
    'NAN = float("nan")\n'
    "INF: float = math.inf\n"
    "MINUS_INF = -math.inf\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(4, 4)\n"
    "        self.a = nn.Dropout(RATE)\n"
    "        self.b = nn.Dropout(NAN)\n"
    "        self.c = nn.Dropout(p=INF)\n"
    "        self.d = nn.Dropout(MINUS_INF)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(self.d(self.c(self.b(self.a(x)))))\n"
)


def test_rates_that_are_no_numbers_through_constants_are_dl201_findings(droplint, write):
    write("net.py", CONSTANTS)
    code, report = droplint.json("check", "net.py", "--no-cache")
    assert report["errors"] == []
    found = {d["line"]: d["message"] for d in report["diagnostics"] if d["code"] == "DL201"}
    assert sorted(found) == [14, 15, 16, 17]
    assert "RATE = 10000000... (401 digits) is not a probability" in found[14]
    assert "rate NAN is NaN" in found[15]
    assert "INF = inf is outside [0, 1)" in found[16]
    assert "MINUS_INF = -inf is negative" in found[17]
    assert code == 1
    result = droplint("profile", "net.py", "--no-cache", "--format", "json")
    assert result.exit_code == 0
    _strict_json(result.stdout)


def test_a_name_bound_more_than_once_is_no_constant(droplint, write):
    """DL201 is an error: a name rebound anywhere (here a parameter of the same name, a
    second assignment, a loop) may hold another value where the call runs, so it is not read."""
    write("net.py", (
        "from torch import nn\n\n"
        "RATE = 2\nTWICE = 2\nTWICE = 0.5\nLOOP = 2\n"
        "for LOOP in (0.1, 0.2):\n    pass\n\n\n"
        "def build(RATE=0.5):\n    return nn.Dropout(RATE)\n\n\n"
        "twice = nn.Dropout(TWICE)\nloop = nn.Dropout(LOOP)\n"
    ))
    code, report = droplint.json("check", "net.py", "--no-cache", "--select", "DL201")
    assert report["diagnostics"] == [] and code == 0


def _hostile_droplint_package(folder):
    """A linted tree that ships its own `droplint/` package: importing it leaves a mark."""
    marker = folder / "linted-code-ran.txt"
    (folder / "droplint").mkdir()
    for name in ("__init__.py", "__main__.py"):
        (folder / "droplint" / name).write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    (folder / "net.py").write_text(ALWAYS_ON)
    return marker


def test_the_droplint_command_never_imports_a_droplint_package_of_the_linted_tree(tmp_path):
    """The supported entry in an untrusted tree (SECURITY.md): the console script's own
    folder, not the working folder, is first on its sys.path."""
    script = Path(sys.executable).parent / "droplint"
    assert script.exists(), "droplint must be installed (pip install -e .) for this test"
    marker = _hostile_droplint_package(tmp_path)
    done = subprocess.run([str(script), "check", "net.py", "--no-cache"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert not marker.exists(), done.stderr
    assert "DL301" in done.stdout and done.returncode == 1


def test_python_dash_capital_p_never_imports_a_droplint_package_of_the_linted_tree(tmp_path):
    """`python -P -m droplint` (Python 3.11+) leaves the working folder off sys.path. Plain
    `python -m droplint` cannot be made safe from inside droplint: Python imports the
    tree's `droplint/` in place of droplint's own before any of droplint's code runs (so a
    check in droplint/__main__.py would never run either)."""
    marker = _hostile_droplint_package(tmp_path)
    done = subprocess.run([sys.executable, "-P", "-m", "droplint", "check", "net.py", "--no-cache"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert not marker.exists(), done.stderr
    assert "DL301" in done.stdout and done.returncode == 1
    plain = subprocess.run([sys.executable, "-m", "droplint", "check", "net.py", "--no-cache"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert marker.exists() and "DL301" not in plain.stdout  # why SECURITY.md says not to
