"""Oracle: droplint's reading of each runnable Keras fixture against the model Keras builds.

For every fixture in fixtures/keras/ that defines `example()` (the model) and
`example_inputs()` (a batch for it), Keras 3 (JAX backend, CPU) builds the model and
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
from dataclasses import dataclass, field
from pathlib import Path

import keras
import pytest
from keras.src.ops.operation import Operation

from droplint import engine
from droplint.config import parse
from droplint.discover import discover

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "keras"
RUNNABLE = sorted(p.name for p in FIXTURES.glob("*.py") if "\ndef example():" in p.read_text())

L = keras.layers
WEIGHTED = (L.Dense, L.EinsumDense, L.Embedding, L.Conv1D, L.Conv2D, L.Conv3D, L.Conv1DTranspose,
            L.Conv2DTranspose, L.SeparableConv1D, L.SeparableConv2D, L.DepthwiseConv1D,
            L.DepthwiseConv2D, L.RNN, L.MultiHeadAttention)
DROPOUTS = (L.Dropout, L.SpatialDropout1D, L.SpatialDropout2D, L.SpatialDropout3D, L.AlphaDropout,
            L.GaussianDropout)
NORMS = (L.BatchNormalization, L.LayerNormalization, L.GroupNormalization, L.UnitNormalization)
ACTIVATIONS = (L.Activation, L.ReLU, L.Softmax, L.LeakyReLU, L.ELU, L.PReLU)


# -- the runtime graph -------------------------------------------------------------------


@dataclass
class Node:
    id: int
    kind: str
    label: str
    inputs: tuple[int, ...] = ()
    rate: float | None = None
    embedding: bool = False


@dataclass
class Recording:
    nodes: list[Node] = field(default_factory=list)
    producer: dict[int, int] = field(default_factory=dict)  # id(tensor) -> node id
    alive: list = field(default_factory=list)  # keeps tensors alive so ids stay unique
    inside_leaf: int = 0

    def add(self, kind, label, inputs, rate=None, embedding=False) -> int:
        node = Node(len(self.nodes), kind, label, tuple(dict.fromkeys(inputs)), rate, embedding)
        self.nodes.append(node)
        return node.id

    def sources(self, values) -> tuple[int, ...]:
        """Producers of the tensors passed to a call. A tensor made by plain Python
        arithmetic in `call` (`x + h`) has no recorded producer: the latest node stands in."""
        found = []
        for value in _tensors(values):
            if id(value) in self.producer:
                found.append(self.producer[id(value)])
            elif self.nodes:
                found.append(self.nodes[-1].id)
        return tuple(dict.fromkeys(found))

    def produced(self, node_id, outputs) -> None:
        for value in _tensors(outputs):
            self.producer[id(value)] = node_id
            self.alive.append(value)


def _tensors(values):
    if isinstance(values, dict):
        for value in values.values():
            yield from _tensors(value)
    elif isinstance(values, (list, tuple)):
        for value in values:
            yield from _tensors(value)
    elif hasattr(values, "shape") and hasattr(values, "dtype"):
        yield values


def _is_leaf(op) -> bool:
    """A built-in layer or op; models, Sequential and custom layers are walked into. A
    project subclass of a built-in weighted or dropout layer is that layer (it runs the
    layer's own computation, dropout included)."""
    module = type(op).__module__
    if isinstance(op, (keras.Model, keras.Sequential)):
        return False
    return module.startswith("keras.") or isinstance(op, WEIGHTED + DROPOUTS)


def _kind(op) -> str:
    if isinstance(op, WEIGHTED):
        return "weighted"
    if isinstance(op, DROPOUTS):
        return "dropout"
    if isinstance(op, NORMS):
        return "norm"
    if isinstance(op, ACTIVATIONS):
        return "activation"
    if "Pooling" in type(op).__name__:
        return "pool"
    return "other"


def record(model, inputs) -> tuple[Recording, tuple[int, ...]]:
    """Run one training-mode forward pass; return the runtime graph and its outputs."""
    rec = Recording()
    inputs = [keras.ops.convert_to_tensor(x) for x in inputs]
    batch = inputs if len(inputs) > 1 else inputs[0]
    # Build first: a Sequential without an Input builds itself on its first call by a
    # symbolic pass, which is not the forward pass to record.
    model(batch, training=True)
    for index, value in enumerate(inputs):
        rec.produced(rec.add("input", f"input{index}", ()), value)
    original_call = Operation.__call__
    original_dropout = keras.random.dropout

    def call(op, *args, **kwargs):
        if rec.inside_leaf or not _is_leaf(op):
            return original_call(op, *args, **kwargs)
        data = (args, {k: v for k, v in kwargs.items() if k not in ("training", "mask")})
        sources = rec.sources(data)
        rec.inside_leaf += 1
        try:
            outputs = original_call(op, *args, **kwargs)
        finally:
            rec.inside_leaf -= 1
        rec.produced(_leaf_nodes(rec, op, sources), outputs)
        return outputs

    def random_dropout(x, rate, *args, **kwargs):
        outputs = original_dropout(x, rate, *args, **kwargs)
        if not rec.inside_leaf:
            rec.produced(rec.add("dropout", "keras.random.dropout", rec.sources(x), rate=float(rate)), outputs)
        return outputs

    Operation.__call__ = call
    keras.random.dropout = random_dropout
    try:
        result = model(batch, training=True)
    finally:
        Operation.__call__ = original_call
        keras.random.dropout = original_dropout
    outputs = tuple(dict.fromkeys(rec.producer[id(t)] for t in _tensors(result)))
    return rec, outputs


def _leaf_nodes(rec: Recording, op, sources) -> int:
    """Add the node(s) one built-in layer stands for; return the id of its output node."""
    name = type(op).__name__
    kind = _kind(op)
    if isinstance(op, L.RNN):
        masks = []
        for attribute in ("dropout", "recurrent_dropout"):
            rate = float(getattr(op, attribute, 0.0) or 0.0)
            if rate > 0:
                masks.append(rec.add("dropout", f"{name}.{attribute}", sources, rate=rate))
        return rec.add("weighted", name, tuple(masks) or sources)
    if isinstance(op, L.MultiHeadAttention) and float(op.dropout) > 0:
        projections = rec.add("weighted", f"{name} projections", sources)
        dropped = rec.add("dropout", f"{name}.dropout", (projections,), rate=float(op.dropout))
        return rec.add("weighted", f"{name} output", (dropped,))
    if kind == "other" and len(sources) > 1:
        kind = "merge"
    rate = float(op.rate) if kind == "dropout" else None
    return rec.add(kind, name, sources, rate=rate, embedding=isinstance(op, L.Embedding))


# -- the depth model, computed on any graph ------------------------------------------------


def longest_paths(nodes, outputs):
    """(b, a, plain) per node: weighted layers before / after on the longest paths, and
    whether it reaches an output through single-input weightless steps only."""
    by_id = {n.id: n for n in nodes}
    before, before_ne = {}, {}
    for n in nodes:
        b = [before[i] + (by_id[i].kind == "weighted") for i in n.inputs if i in before]
        ne = [before_ne[i] + (by_id[i].kind == "weighted" and not by_id[i].embedding) for i in n.inputs if i in before]
        before[n.id], before_ne[n.id] = max(b, default=0), max(ne, default=0)
    consumers = {n.id: [] for n in nodes}
    for n in nodes:
        for i in dict.fromkeys(n.inputs):
            consumers.setdefault(i, []).append(n.id)
    after, plain = {}, {}
    for n in reversed(nodes):
        candidates = [after[c] + (by_id[c].kind == "weighted") for c in consumers[n.id] if c in after]
        if n.id in outputs:
            candidates.append(0)
        if candidates:
            after[n.id] = max(candidates)
            plain[n.id] = n.id in outputs or any(
                c in plain and plain[c] and by_id[c].kind in ("dropout", "norm", "activation", "pool", "other")
                and len(by_id[c].inputs) <= 1
                for c in consumers[n.id]
            )
    return before, before_ne, after, plain


def positions(nodes, outputs) -> dict[int, str]:
    before, before_ne, after, plain = longest_paths(nodes, outputs)
    found = {}
    for n in nodes:
        if n.kind != "dropout":
            continue
        b, a = before[n.id], after.get(n.id, 0)
        if b == 0 or before_ne[n.id] == 0:
            found[n.id] = "input"
        elif a == 0:
            found[n.id] = "output" if plain.get(n.id, True) else "final-hidden"
        elif a == 1:
            found[n.id] = "final-hidden"
        else:
            found[n.id] = "hidden"
    return found


def signature(nodes, outputs):
    """Weighted layers and dropouts with their place in the data flow: an order that
    does not depend on how independent branches happen to be listed."""
    before, _, after, _ = longest_paths(nodes, outputs)
    return sorted(
        (before[n.id], -after.get(n.id, 0), n.kind, round(n.rate, 6) if n.rate is not None else None)
        for n in nodes
        if n.kind in ("weighted", "dropout")
    )


def is_chain(nodes) -> bool:
    consumers = {}
    for n in nodes:
        for i in n.inputs:
            consumers[i] = consumers.get(i, 0) + 1
    flows = [n for n in nodes if n.kind != "input"]
    return all(len(n.inputs) <= 1 for n in flows) and all(c <= 1 for c in consumers.values())


# -- droplint's side ---------------------------------------------------------------------


def droplint_model(path: Path):
    config = parse({}, root=ROOT)
    targets, errors = discover([str(path)], root=ROOT)
    result = engine.lint(targets, config, engine.Options(jobs=1, use_cache=False), errors, need_models=True)
    assert result.errors == []
    roots = [m for m in result.models if m.root and m.framework == "keras"]
    assert len(roots) == 1, [m.name for m in roots]
    model = roots[0]
    nodes = [
        Node(p.layer.id, p.layer.kind, p.layer.name, p.layer.inputs,
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
    model, nodes = droplint_model(FIXTURES / name)
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
