"""What a Keras 3 model really does in one training-mode forward pass, as a data-flow graph.

Independent of droplint's static analysis: the facts come from Keras itself. Every
operation Keras calls is recorded with the tensors it reads and writes: the functional
graph as Keras executes it, nested models and custom layers walked down to their leaf
layers, subclassed `call` code as it runs. `positions()` then applies the depth model of
DESIGN.md to this graph. Used by tests/oracle/test_keras_oracle.py on the fixtures and by
scripts/truth.py on keras.applications.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras is imported anywhere

from dataclasses import dataclass, field

import keras
from keras.src.ops.operation import Operation

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
    op: int | None = None  # id() of the layer that ran, for callers that need to know which


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
        first = len(rec.nodes)
        rec.produced(_leaf_nodes(rec, op, sources), outputs)
        for node in rec.nodes[first:]:
            node.op = id(op)
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
