"""`droplint profile` and `droplint check` give one verdict per dropout, over every fixture.

The profile's verdict column (droplint.report.profile_text.verdict) and the placement
rules read the same positions: a dropout on the output is DL102 in both, one above its
band is DL101 (input) or DL103 (hidden, final-hidden), one below is DL105, and a dropout
at an `unknown` position gets no positional finding at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from droplint.cli import main
from droplint.config import DEFAULT_BANDS
from droplint.report.profile_text import verdict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POSITIONAL = ("DL101", "DL102", "DL103", "DL105")


def _run(*args):
    result = CliRunner().invoke(main, [*args, "--no-cache", str(FIXTURES)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def _expected(position, rate, bands) -> str | None:
    text = verdict(position, rate, bands)
    if text.startswith("!!"):
        return "DL102" if rate else None  # a rate of 0 drops nothing (DL204's business)
    if text.startswith("!"):
        return "DL101" if position == "input" else "DL103"
    if text.startswith("below"):
        return "DL105"
    return None


def test_every_profile_verdict_is_the_check_finding():
    profile = _run("profile", "--format", "json")
    check = _run("check", "--format", "json", "--select", ",".join(POSITIONAL))
    found = {(d["path"], d["line"], d["column"], d["model"], d["code"]) for d in check["diagnostics"]}
    bands = dict(DEFAULT_BANDS)
    expected = set()
    unknown = set()
    for model in profile["models"]:
        if not model["root"]:
            continue
        for layer in model["layers"]:
            if layer["kind"] != "dropout" or layer["rate"] is None or not 0 <= layer["rate"] < 1:
                continue
            where = (layer["path"], layer["line"], layer["column"], model["name"])
            if layer["position"] == "unknown":
                unknown.add(where)
            code = _expected(layer["position"], layer["rate"], bands)
            if code is not None:
                expected.add((*where, code))
    # check says a finding once when several roots share its site (a block, or a model
    # inherited from a base): one of the models that place it there names it.
    assert {f[:3] + f[4:] for f in found} == {e[:3] + e[4:] for e in expected}
    assert found <= expected
    assert not {f for f in found if f[:4] in unknown}
    # The fixtures exercise each verdict, unknown included.
    assert {code for *_, code in expected} == set(POSITIONAL)
    assert unknown
