"""scripts/precision.py: the judged list it reads, and how a finding finds its verdict."""

from __future__ import annotations

import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def harness():
    spec = importlib.util.spec_from_file_location("precision", ROOT / "scripts" / "precision.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_judged_entry_is_complete_and_has_one_line_of_evidence():
    judged = harness().load_judged()
    entries = [entry for group in judged.values() for entry in group]
    assert entries
    for entry in entries:
        assert entry["code"].startswith("DL") and entry["line"] > 0
        assert "\n" not in entry["evidence"].strip()
        assert entry["text"] == entry["text"].strip() and entry["text"]


def test_a_verdict_follows_its_source_line_when_the_line_number_moves():
    module = harness()
    entry = {"path": "lib/a.py", "line": 10, "code": "DL107", "text": "x = self.drop(x)",
             "verdict": True, "evidence": "two dropouts in a row"}
    judged = {("lib/a.py", "DL107", "x = self.drop(x)"): [entry]}
    moved = {"wheel_path": "lib/a.py", "line": 14, "code": "DL107", "text": "x = self.drop(x)"}
    assert module.verdict_of(moved, judged) is entry
    other_text = dict(moved, text="x = self.drop2(x)")
    assert module.verdict_of(other_text, judged) is None
    other_code = dict(moved, code="DL106")
    assert module.verdict_of(other_code, judged) is None


def test_of_two_verdicts_for_one_source_line_the_nearest_line_wins():
    module = harness()
    first = {"line": 10, "verdict": True}
    second = {"line": 50, "verdict": False}
    judged = {("lib/a.py", "DL107", "x = self.drop(x)"): [first, second]}
    finding = {"wheel_path": "lib/a.py", "line": 47, "code": "DL107", "text": "x = self.drop(x)"}
    assert module.verdict_of(finding, judged) is second
