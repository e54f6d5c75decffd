"""Small hand-built graphs for the link and depth tests."""

from __future__ import annotations

from droplint.ir import Binding, ClassSummary, Graph, Layer, LayerKind, Rate, Span

OPS = {
    "input": "input",
    "weighted": "torch.nn.Linear",
    "embedding": "torch.nn.Embedding",
    "dropout": "torch.nn.Dropout",
    "activation": "torch.nn.ReLU",
    "norm": "torch.nn.LayerNorm",
    "merge": "+",
}


class GraphBuilder:
    """`g.add("weighted", inputs)` appends a node and returns its id."""

    def __init__(self, path="net.py"):
        self.layers: list[Layer] = []
        self.path = path

    def add(self, kind, *inputs, rate=None, op=None, name=None, bindings=(), repeat=False, arguments=()):
        node = Layer(
            id=len(self.layers),
            kind=LayerKind(kind),
            op=op or OPS.get(kind, kind),
            name=name or f"self.{kind}{len(self.layers)}",
            path=self.path,
            span=Span(len(self.layers) + 1, 1, len(self.layers) + 1, 2),
            inputs=tuple(inputs),
            rate=rate,
            bindings=tuple(bindings),
            repeat=repeat,
            arguments=tuple(arguments),
        )
        self.layers.append(node)
        return node.id

    def chain(self, *kinds, start=None):
        last = self.add("input") if start is None else start
        for kind in kinds:
            last = self.add(kind, last)
        return last

    def summary(self, key, outputs, params=(), is_model=True):
        return ClassSummary(
            key=key,
            name=key.rsplit(".", 1)[-1],
            path=self.path,
            line=1,
            framework="torch",
            bases=("torch.nn.Module",),
            graph=Graph(tuple(self.layers), tuple(outputs)),
            params=tuple(params),
            is_model=is_model,
        )


def literal(value):
    return Rate(value, "literal", repr(value))


def param(name, default):
    return Rate(default, "default" if default is not None else "null", name, param=name)


def config(attr):
    return Rate(None, "null", f"config.{attr}", config_attr=attr)


def bind(name, rate, index=-1):
    return Binding(name, index, rate)
