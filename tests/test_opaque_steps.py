"""Unknown is not empty: static verdicts for steps droplint cannot read.

Library models (torchvision, timm, transformers) cannot be built offline, so these
fixtures are not run by the oracle; the verdicts are asserted here. The oracle runs the
injected-backbone case with a stand-in (fixtures/torch/injected_backbone.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from droplint.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _profile(path):
    result = CliRunner().invoke(main, ["profile", "--no-cache", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    return {m["name"]: m for m in json.loads(result.output)["models"] if m["root"]}


def _check(path, select="DL1"):
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "--select", select, str(path)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)["diagnostics"]


def _dropouts(model):
    return [(l["name"], l["rate"], l["position"]) for l in model["layers"] if l["kind"] == "dropout"]


def test_a_head_on_a_library_model_is_final_hidden():
    models = _profile(FIXTURES / "torch" / "library_backbone.py")
    for name in ("ResNetHead", "TextHead"):
        assert _dropouts(models[name]) == [("self.drop", 0.5, "final-hidden")], name
        (opaque,) = [l for l in models[name]["layers"] if l["opaque"]]
        assert opaque["opaque"] == "deep"
    assert _dropouts(models["TimmHead"]) == [("self.drop", 0.6, "final-hidden")]


def test_a_dropout_before_a_head_from_outside_is_unknown_and_never_judged():
    path = FIXTURES / "torch" / "library_backbone.py"
    models = _profile(path)
    assert _dropouts(models["InjectedHead"]) == [("self.drop", 0.9, "unknown")]
    # 0.9 is above every band, yet no positional rule speaks; nor does DL101 on the heads.
    assert _check(path) == []


def test_the_text_profile_says_why_a_position_is_unknown():
    result = CliRunner().invoke(main, ["profile", "--no-cache", str(FIXTURES / "torch" / "library_backbone.py")])
    assert "position unknown: an opaque step decides it" in result.output
    assert "opaque" in result.output


def test_output_records_of_other_shapes_leave_dl102_standing():
    path = FIXTURES / "torch" / "output_records.py"
    models = _profile(path)
    for name in ("RecordHead", "ImportedRecordHead", "TupleHead"):
        assert _dropouts(models[name]) == [("self.dropout", 0.2, "output")], name
    assert sorted(d["model"] for d in _check(path, "DL102")) == ["ImportedRecordHead", "RecordHead", "TupleHead"]


def test_an_optional_batchnorm_that_is_built_is_applied():
    findings = _check(FIXTURES / "torch" / "optional_norm.py", "DL106")
    assert [(d["code"], d["line"]) for d in findings] == [("DL106", 17)]


def test_wrapped_and_aliased_weights_are_weighted():
    models = _profile(FIXTURES / "torch" / "wrapped_weights.py")
    assert _dropouts(models["WrappedWeights"]) == [("self.drop", 0.5, "hidden")]
    assert [l["kind"] for l in models["WrappedWeights"]["layers"]].count("weighted") == 3
    assert _check(FIXTURES / "torch" / "wrapped_weights.py", "DL101") == []


def test_keras_heads_on_library_and_injected_backbones_are_final_hidden():
    path = FIXTURES / "keras" / "library_backbone.py"
    models = _profile(path)
    for name, opaque in (("transfer_model", "deep"), ("hub_model", "deep"), ("InjectedClassifier", "module")):
        assert [l["position"] for l in models[name]["layers"] if l["kind"] == "dropout"] == ["final-hidden"], name
        assert [l["opaque"] for l in models[name]["layers"] if l["opaque"]] == [opaque], name
    assert _check(path) == []
