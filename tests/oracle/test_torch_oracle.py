"""droplint's static profile of each PyTorch fixture against what torch really runs.

For every model file in fixtures/torch/, the fixture's `example()` builds a model and an
input; one training-mode forward pass is traced (tests/oracle/runtime_trace.py) and the
depth model is applied to the traced data flow. droplint, which never runs the code,
must find:

- the same dropout sites in the same order relative to the weighted layers,
- the same rates,
- the same position and depth for every dropout,
- for functional dropouts, the same source line as the call that ran.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
import runtime_trace
import torch

from droplint import engine
from droplint.config import parse
from droplint.discover import discover
from droplint.ir import contract_kind

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "torch"
MODEL_FILES = sorted(
    p for p in FIXTURES.rglob("*.py") if p.name != "__init__.py" and "def example()" in p.read_text(encoding="utf-8")
)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(FIXTURES).with_suffix("").parts)


@pytest.fixture(scope="module")
def static_models():
    """droplint's models of the whole fixture folder, by (file, model name)."""
    config = parse({}, root=FIXTURES)
    targets, errors = discover([str(FIXTURES)], root=FIXTURES)
    result = engine.lint(targets, config, engine.Options(jobs=1, use_cache=False), errors, need_models=True)
    assert result.errors == []
    return {(Path(m.path).resolve(), m.name): m for m in result.models}


@pytest.fixture(scope="module")
def fixture_path():
    sys.path.insert(0, str(FIXTURES))
    yield
    sys.path.remove(str(FIXTURES))


def _runtime(path: Path):
    module = importlib.import_module(_module_name(path))
    model, inputs = module.example()
    name = getattr(module, "ORACLE_MODEL", type(model).__name__)
    return name, runtime_trace.run(model, inputs, str(path))


def _static(static_models, path: Path, name: str):
    model = static_models.get((path.resolve(), name))
    assert model is not None, f"droplint found no model {name} in {path.name}"
    assert model.root, f"{name} should be a root model"
    return model


def test_there_are_enough_fixtures():
    assert len(MODEL_FILES) >= 25


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: _module_name(p))
def test_static_profile_matches_the_traced_forward_pass(path, static_models, fixture_path):
    name, trace = _runtime(path)
    model = _static(static_models, path, name)
    layers = [p for p in model.layers if contract_kind(p.layer.kind) in ("weighted", "dropout")]

    # Same dropout sites in the same order relative to the weighted layers. An opaque step
    # (a module droplint cannot see into, such as an injected backbone) stands for one
    # weighted layer or more, whatever the stand-in the fixture builds holds.
    layers = [p for p in model.layers if contract_kind(p.layer.kind) in ("weighted", "dropout") or p.layer.opaque]
    static_kinds = "".join("O" if p.layer.opaque else "W" if contract_kind(p.layer.kind) == "weighted" else "D" for p in layers)
    runtime_kinds = "".join(kind for kind, _ in trace.sequence())
    pattern = static_kinds.replace("O", "W+")
    assert re.fullmatch(pattern, runtime_kinds), f"{name}: layer order differs: {static_kinds} vs {runtime_kinds}"
    assert trace.dropouts(), f"{path.name} runs no dropout: not a useful fixture"

    # Same rates, each resolved.
    static_rates = [p.layer.rate.value if p.layer.rate else None for p in layers if p.layer.kind == "dropout"]
    runtime_rates = [node.rate for node in trace.dropouts()]
    assert static_rates == pytest.approx(runtime_rates), f"{name}: rates differ"

    # Same positions and depths, by the depth model applied to the traced data flow. The
    # fixtures decide every position; where an opaque step leaves the depth open (None),
    # the position must still match.
    runtime_positions = runtime_trace.positions(trace)
    static_positions = [(p.position, round(p.depth, 2) if p.depth is not None else None)
                        for p in layers if p.layer.kind == "dropout"]
    shown = [(pos, depth if static[1] is not None else None) for (pos, depth), static in zip(runtime_positions, static_positions)]
    assert static_positions == shown, f"{name}: positions differ"

    # A functional dropout is reported on the line of the call that ran.
    for placed, node in zip([p for p in layers if p.layer.kind == "dropout"], trace.dropouts()):
        if node.line is not None:
            assert Path(placed.layer.path).resolve() == path.resolve()
            assert placed.layer.span.line == node.line, f"{name}: {node.what} line"


class _Tail(torch.nn.Module):
    """fc1 -> dropout -> fc2 -> dropout (+ residual or not): positions known by hand."""

    def __init__(self, residual):
        super().__init__()
        self.residual = residual
        self.fc1 = torch.nn.Linear(3, 3)
        self.fc2 = torch.nn.Linear(3, 3)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x):
        h = self.fc2(self.drop(self.fc1(x)))
        h = torch.nn.functional.dropout(h, 0.1, training=self.training)
        return h + x if self.residual else torch.tanh(h)


def test_the_oracle_itself_places_known_dropouts():
    plain = runtime_trace.run(_Tail(residual=False), torch.randn(2, 3), __file__)
    assert [(n.kind, n.rate) for n in plain.dropouts()] == [("dropout", 0.5), ("dropout", 0.1)]
    assert runtime_trace.positions(plain) == [("final-hidden", 0.5), ("output", 1.0)]
    assert plain.dropouts()[1].line == _Tail.forward.__code__.co_firstlineno + 2
    residual = runtime_trace.run(_Tail(residual=True), torch.randn(2, 3), __file__)
    assert runtime_trace.positions(residual) == [("final-hidden", 0.5), ("final-hidden", 1.0)]
