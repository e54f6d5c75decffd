"""Oracle: droplint's reading of each runnable Keras fixture against the model Keras builds.

For every fixture in fixtures/keras/ that defines `example()` (the model) and
`example_inputs()` (a batch for it; and `MODEL`, the name of droplint's root model to
compare, when the fixture builds several), Keras 3 (JAX backend, CPU) builds the model and
runs one training-mode forward pass. Every operation Keras calls is recorded with the
tensors it reads and writes, so the runtime graph is what actually ran: the functional
graph as Keras executes it, nested models and custom layers walked down to their leaf
layers, subclassed `call` code as it runs. Then droplint's model (profile) must show:

- the same weighted layers and dropouts, in the same order along the data flow,
- the same dropout rates (as read from the built layers: `layer.rate`, `lstm.dropout`),
- the same position (input / hidden / final-hidden / output) for every dropout, with
  the positions on the runtime side computed by the rules of DESIGN.md.

Two runtime facts need a word. An RNN layer with `dropout=` masks its inputs and with
`recurrent_dropout=` its recurrent state: both come before its weights. A
MultiHeadAttention with `dropout=` drops attention weights, after the query/key/value
projections and before the output projection. Both are read from the built layer,
whose internals are not walked.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras is imported anywhere

import importlib.util
from pathlib import Path

import keras
import pytest
from keras_runtime import Node, is_chain, positions, record, signature

from droplint import engine
from droplint.config import parse
from droplint.discover import discover
from droplint.ir import contract_kind

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "keras"
RUNNABLE = sorted(p.name for p in FIXTURES.glob("*.py") if "\ndef example():" in p.read_text())

# -- droplint's side ---------------------------------------------------------------------


def droplint_model(path: Path, name: str | None = None):
    """The fixture's one root model, or the root named `name` (a fixture that builds
    several models names the one `example()` returns in `MODEL`)."""
    config = parse({}, root=ROOT)
    targets, errors = discover([str(path)], root=ROOT)
    result = engine.lint(targets, config, engine.Options(jobs=1, use_cache=False), errors, need_models=True)
    assert result.errors == []
    roots = [m for m in result.models if m.root and m.framework == "keras" and name in (None, m.name)]
    assert len(roots) == 1, [m.name for m in roots]
    model = roots[0]
    nodes = [
        Node(p.layer.id, contract_kind(p.layer.kind), p.layer.name, p.layer.inputs,
             p.layer.rate.value if p.layer.rate is not None else None,
             p.layer.op.rsplit(".", 1)[-1] in ("Embedding", "ReversibleEmbedding"))
        for p in model.layers
    ]
    return model, nodes


def load_fixture(name: str):
    spec = importlib.util.spec_from_file_location(f"keras_fixture_{name[:-3]}", FIXTURES / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _flow(nodes):
    return [(n.kind, round(n.rate, 6) if n.rate is not None else None)
            for n in nodes if n.kind in ("weighted", "dropout")]


# -- the tests ---------------------------------------------------------------------------


def test_there_are_at_least_fifteen_runnable_fixtures():
    assert len(RUNNABLE) >= 15, RUNNABLE


@pytest.mark.parametrize("name", RUNNABLE)
def test_droplint_matches_the_model_keras_runs(name):
    module = load_fixture(name)
    keras.utils.set_random_seed(0)
    runtime, outputs = record(module.example(), module.example_inputs())
    model, nodes = droplint_model(FIXTURES / name, getattr(module, "MODEL", None))
    static_outputs = tuple(model.outputs)

    # The runtime graph has dropouts and weighted layers, or the fixture proves nothing.
    assert any(n.kind == "dropout" for n in runtime.nodes), name
    assert any(n.kind == "weighted" for n in runtime.nodes), name

    # Same layers in the same data-flow order (exactly the same sequence for a chain).
    assert signature(nodes, static_outputs) == signature(runtime.nodes, outputs)
    if is_chain(runtime.nodes):
        assert _flow(nodes) == _flow(runtime.nodes)

    # Every dropout has the rate Keras built and the position the runtime graph gives.
    runtime_positions = positions(runtime.nodes, outputs)
    expected = sorted((round(n.rate, 6), runtime_positions[n.id]) for n in runtime.nodes if n.kind == "dropout")
    placed = sorted(
        (round(p.layer.rate.value, 6), p.position) for p in model.layers if p.layer.kind == "dropout"
        if p.layer.rate is not None and p.layer.rate.value is not None
    )
    assert all(p.layer.rate is not None and p.layer.rate.value is not None
               for p in model.layers if p.layer.kind == "dropout"), "a runnable fixture's rate went unresolved"
    assert placed == expected
