"""`droplint profile` as a user runs it: the JSON contract, the text table, the HTML page."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from droplint.cli import main
from droplint.ir import LAYER_KINDS, POSITIONS, RATE_SOURCES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"
LAYER_KEYS = {"kind", "op", "name", "path", "line", "column", "rate", "rate_source", "position", "depth", "repeat", "opaque"}


def _profile(*args):
    result = CliRunner().invoke(main, ["profile", "--no-cache", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_follows_the_contract():
    data = json.loads(_profile("--format", "json", str(FIXTURES)))
    assert set(data) == {"droplint", "models"}
    assert len([m for m in data["models"] if m["root"]]) >= 25
    for model in data["models"]:
        assert {"path", "name", "line", "framework", "root", "layers"} <= set(model)
        for layer in model["layers"]:
            assert set(layer) == LAYER_KEYS
            assert layer["kind"] in LAYER_KINDS
            assert layer["rate_source"] in RATE_SOURCES + (None,)
            assert layer["opaque"] in (None, "module", "deep", "call")
            if layer["kind"] == "dropout" and model["root"]:
                assert layer["position"] in POSITIONS
                # An opaque step on its paths leaves the depth open.
                assert layer["depth"] is None or 0.0 <= layer["depth"] <= 1.0
                if layer["position"] == "unknown":
                    assert layer["depth"] is None
            if not model["root"]:
                assert layer["position"] is None and layer["depth"] is None


def test_json_of_the_mlp_is_exact():
    data = json.loads(_profile("--format", "json", str(FIXTURES / "mlp_basic.py")))
    (model,) = data["models"]
    dropouts = [(l["name"], l["line"], l["rate"], l["rate_source"], l["position"], l["depth"])
                for l in model["layers"] if l["kind"] == "dropout"]
    assert dropouts == [
        ("self.drop", 19, 0.5, "literal", "hidden", 0.33),
        ("self.drop2", 21, 0.4, "literal", "final-hidden", 0.67),
    ]


def test_text_table_highlights_dropouts_against_their_band():
    text = _profile(str(FIXTURES / "output_dropout.py"), str(FIXTURES / "mlp_basic.py"))
    assert "OutputDropout" in text and "MLP" in text
    drop_rows = [line for line in text.splitlines() if line.startswith("  > ")]
    assert len(drop_rows) == 3
    assert any("output" in row and "remove it" in row for row in drop_rows)
    assert any("self.drop2" in row and "final-hidden" in row and "below 0.5-0.7" in row for row in drop_rows)
    assert text.rstrip().endswith("* = repeated (loop body shown once)")


def test_html_is_one_escaped_page():
    page = _profile("--format", "html", str(FIXTURES / "concat_branches.py"))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "TwoTower" in page
    assert page.count("<li class='kind-dropout") == 2
    assert page.count("<svg class='depth-chart'") == 1
    assert "<script" not in page
