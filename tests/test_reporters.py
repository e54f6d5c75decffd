"""Machine-readable output: the JSON contract and SARIF that GitHub code scanning accepts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from conftest import ALWAYS_ON, ROOT

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def test_json_contract(droplint, write):
    write("models/net.py", ALWAYS_ON)
    write("broken.py", "import torch\ndropout = (\n")
    code, report = droplint.json("check", "--no-cache")
    assert code == 1
    assert set(report) == {"droplint", "files", "diagnostics", "errors"}
    assert report["droplint"] == "0.1.0" and report["files"] == 2
    (diagnostic,) = report["diagnostics"]
    assert diagnostic == {
        "path": "models/net.py",
        "line": 7,
        "column": 16,
        "end_line": 7,
        "end_column": 33,
        "code": "DL301",
        "name": "functional-dropout-always-on",
        "severity": "error",
        "message": diagnostic["message"],
        "model": diagnostic["model"],
        "fix": {
            "applicability": "safe",
            "message": "Add `training=self.training`",
            "edits": [
                {"line": 7, "column": 16, "end_line": 7, "end_column": 33,
                 "content": "F.dropout(x, 0.5, training=self.training)"}
            ],
        },
    }
    assert report["errors"] == [{"path": "broken.py", "message": report["errors"][0]["message"]}]
    assert report["errors"][0]["message"].startswith("cannot parse:")


def test_json_paths_stay_as_given(droplint, write, tmp_path):
    write("models/net.py", ALWAYS_ON)
    _, relative = droplint.json("check", "models", "--no-cache")
    assert relative["diagnostics"][0]["path"] == "models/net.py"
    _, absolute = droplint.json("check", str(tmp_path / "models"), "--no-cache")
    assert absolute["diagnostics"][0]["path"] == str(tmp_path / "models" / "net.py")


def _sarif_schema():
    if not SARIF_SCHEMA.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the SARIF schema is missing at {SARIF_SCHEMA}")
        pytest.skip("the shared SARIF schema is not beside this checkout")
    return json.loads(SARIF_SCHEMA.read_text())


def test_sarif_validates_against_the_official_schema(droplint, write):
    write("models/net.py", ALWAYS_ON)
    write("broken.py", "import torch\ndropout = (\n")
    result = droplint("check", "--no-cache", "--format", "sarif")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, _sarif_schema())

    (run,) = document["runs"]
    assert document["version"] == "2.1.0"
    driver = run["tool"]["driver"]
    assert driver["name"] == "droplint"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "DL301" in rule_ids and "DL201" in rule_ids
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["helpUri"].startswith("https://")
    (finding,) = run["results"]
    assert finding["ruleId"] == "DL301" and finding["level"] == "error"
    assert rule_ids[finding["ruleIndex"]] == "DL301"
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "models/net.py"
    assert location["region"] == {"startLine": 7, "startColumn": 16, "endLine": 7, "endColumn": 33}
    assert finding["partialFingerprints"]["primaryLocationLineHash"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


def test_sarif_fingerprint_survives_moving_the_line(droplint, write):
    write("net.py", ALWAYS_ON)
    first = json.loads(droplint("check", "--no-cache", "--format", "sarif").stdout)
    write("net.py", "# a new first line\n" + ALWAYS_ON)
    second = json.loads(droplint("check", "--no-cache", "--format", "sarif").stdout)
    hashes = [d["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"] for d in (first, second)]
    lines = [d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] for d in (first, second)]
    assert hashes[0] == hashes[1] and lines == [7, 8]


def test_sarif_levels_follow_severity():
    from droplint.report.sarif import _LEVELS

    assert _LEVELS == {"error": "error", "warning": "warning", "info": "note"}
