"""The named values of droplint/ir.py (framework, layer kind, position, training state)
are `StrEnum`s that read, compare and serialise exactly as the strings they replace, so
the JSON, profile and SARIF contracts and the cache do not change."""

from __future__ import annotations

import dataclasses
import json
import pickle
from enum import Enum
from pathlib import Path

import msgspec
import pytest

from droplint import engine, ir
from droplint.config import load
from droplint.discover import discover
from droplint.report import json as json_report
from droplint.report import profile, sarif

ROOT = Path(__file__).resolve().parents[1]
ENUMS = [ir.Framework, ir.LayerKind, ir.Position, ir.TrainingState]


@pytest.mark.parametrize("member", [m for enum in ENUMS for m in enum], ids=repr)
def test_a_member_is_its_string_everywhere(member):
    value = member.value
    assert member == value and hash(member) == hash(value) and value in {member}
    assert str(member) == f"{member}" == "%s" % member == value
    assert json.dumps({"k": member}) == json.dumps({"k": value})
    assert msgspec.msgpack.encode(member) == msgspec.msgpack.encode(value)
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(value), type=type(member)) is member
    assert pickle.loads(pickle.dumps(member)) is member


def test_contract_tuples_keep_their_strings():
    assert ir.LAYER_KINDS == ("weighted", "dropout", "norm", "activation", "pool", "other")
    assert ir.POSITIONS == ("input", "hidden", "final-hidden", "output", "unknown")
    assert {str(f) for f in ir.Framework} == {"torch", "keras"}


def _plain(value):
    """`value` with every enum member inside it replaced by its plain string."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                                             if f.init})
    return value


def test_outputs_on_the_fixtures_are_byte_identical_with_plain_strings():
    config = load(None, start=ROOT)
    targets, errors = discover([str(ROOT / "fixtures")], exclude=config.exclude, root=config.root)
    result = engine.lint(targets, config, engine.Options(jobs=1, use_cache=False), errors, need_models=True)
    kinds = {p.layer.kind for m in result.models for p in m.layers}
    assert kinds and all(isinstance(k, ir.LayerKind) for k in kinds)  # the enums are really in use
    assert all(isinstance(m.framework, ir.Framework) for m in result.models)
    plain = dataclasses.replace(result, models=_plain(result.models), diagnostics=_plain(result.diagnostics))
    assert not any(isinstance(p.layer.kind, Enum) for m in plain.models for p in m.layers)
    for output_format in profile.REPORTERS:
        assert profile.render(result, output_format, config) == profile.render(plain, output_format, config)
    assert json_report.render(result) == json_report.render(plain)
    assert sarif.render(result) == sarif.render(plain)


def test_an_embedding_is_its_own_kind_and_the_profile_reports_it_weighted():
    from droplint.testing import lint_snippet

    code = (
        "import torch.nn as nn\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.emb = nn.Embedding(100, 8)\n"
        "        self.drop = nn.Dropout(0.1)\n"
        "        self.fc = nn.Linear(8, 2)\n"
        "    def forward(self, x):\n"
        "        return self.fc(self.drop(self.emb(x)))\n"
    )
    (net,) = lint_snippet(code).models
    assert [(p.layer.kind, p.position) for p in net.layers] == [
        (ir.LayerKind.EMBEDDING, None), (ir.LayerKind.DROPOUT, ir.Position.INPUT), (ir.LayerKind.WEIGHTED, None)]
    assert [layer["kind"] for layer in profile.to_json(ir.LintResult(1, [], [], [net]))["models"][0]["layers"]] == [
        "weighted", "dropout", "weighted"]
