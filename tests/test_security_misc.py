"""The smaller items of issue 12, part A: internal errors exit 2, and rates that are no
numbers (NaN, infinities, 401-digit literals) are DL201 findings, never a crash."""

from __future__ import annotations

import json

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

    monkeypatch.setattr(link_module, "link", broken)
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.strip() == "droplint: internal error: RuntimeError: a bug in linking"
