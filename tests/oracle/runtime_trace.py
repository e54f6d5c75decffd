"""What a PyTorch model really does in one training-mode forward pass, as a data-flow graph.

Independent of droplint's static analysis: the facts come from torch itself.

- Every module of torch's own layer classes (Linear, Conv2d, Dropout, LSTM,
  MultiheadAttention, ...) is one node, recorded by forward hooks when it returns; what
  runs inside it is not traced further.
- Every other torch call made by the model's own code (functional ops, tensor methods,
  `+`, `torch.cat`) is one node, recorded through a TorchFunctionMode. A functional
  dropout (`F.dropout*`, or `scaled_dot_product_attention` with `dropout_p > 0`) is a
  dropout node carrying its rate and the source line of the call.
- Edges are tensors: a node's inputs are the nodes that produced the tensors it reads.

`positions()` then applies the depth model of DESIGN.md to this graph.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

WEIGHTED_MODULES = (
    nn.Linear, nn.Bilinear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
    nn.Embedding, nn.EmbeddingBag, nn.RNNBase, nn.MultiheadAttention, nn.TransformerEncoderLayer,
    nn.TransformerDecoderLayer, nn.Transformer, nn.TransformerEncoder,
)
EMBEDDING_MODULES = (nn.Embedding, nn.EmbeddingBag)
DROPOUT_MODULES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)
DROPOUT_FUNCTIONS = {
    F.dropout: 1, F.dropout1d: 1, F.dropout2d: 1, F.dropout3d: 1, F.alpha_dropout: 1, F.feature_alpha_dropout: 1,
}
WEIGHTED_FUNCTIONS = (F.linear, F.conv1d, F.conv2d, F.conv3d, F.embedding, F.bilinear)
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)


@dataclass
class Node:
    id: int
    kind: str  # input, weighted, dropout, step (one tensor in), merge (several in)
    what: str
    inputs: tuple[int, ...] = ()
    rate: float | None = None
    line: int | None = None  # source line of a functional dropout call
    embedding: bool = False


@dataclass
class Trace:
    nodes: list[Node] = field(default_factory=list)
    outputs: tuple[int, ...] = ()

    def sequence(self) -> list[tuple[str, float | None]]:
        """Weighted layers and dropouts in execution order: ("W", None) / ("D", rate)."""
        return [("W", None) if n.kind == "weighted" else ("D", n.rate) for n in self.nodes if n.kind in ("weighted", "dropout")]

    def dropouts(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "dropout"]


class _Recorder(TorchFunctionMode):
    def __init__(self, source_file: str):
        super().__init__()
        self.source_file = source_file
        self.trace = Trace()
        self.producer: dict[int, int] = {}
        self.alive: list = []  # keeps traced tensors alive so their ids stay unique
        self.inside = 0  # > 0 while a torch layer module runs

    # -- graph building
    def add(self, kind, what, tensors_in, outputs, **extra) -> int:
        inputs = tuple(dict.fromkeys(self.producer[id(t)] for t in tensors_in if id(t) in self.producer))
        node = Node(len(self.trace.nodes), kind, what, inputs, **extra)
        self.trace.nodes.append(node)
        for tensor in _tensors(outputs):
            self.producer[id(tensor)] = node.id
            self.alive.append(tensor)
        return node.id

    def caller_line(self) -> int | None:
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.source_file or frame.f_code.co_filename.startswith(self.source_file):
                return frame.f_lineno
            frame = frame.f_back
        return None

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        if self.inside:
            return result
        tensors_in = _tensors((args, kwargs))
        if getattr(func, "__name__", "") == "__iter__" and isinstance(args[0], torch.Tensor):
            # `q, k, v = t` unpacks through Tensor.__iter__: each part comes from t.
            parts = list(result)
            self.add("step", "unbind", tensors_in, parts)
            return iter(parts)
        if not _tensors(result):
            return result
        if func in DROPOUT_FUNCTIONS:
            p = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
            self.add("dropout", func.__name__, tensors_in[:1], result, rate=float(p), line=self.caller_line())
        elif func is F.scaled_dot_product_attention and float(kwargs.get("dropout_p", args[4] if len(args) > 4 else 0.0)) > 0:
            p = float(kwargs.get("dropout_p", args[4] if len(args) > 4 else 0.0))
            self.add("dropout", "scaled_dot_product_attention", tensors_in, result, rate=p, line=self.caller_line())
        elif func in WEIGHTED_FUNCTIONS:
            self.add("weighted", func.__name__, tensors_in, result, embedding=func is F.embedding)
        else:
            known = {self.producer[id(t)] for t in tensors_in if id(t) in self.producer}
            self.add("merge" if len(known) > 1 else "step", getattr(func, "__name__", str(func)), tensors_in, result)
        return result

    # -- module hooks
    def pre_hook(self, module, args):
        self.inside += 1

    def hook(self, module, args, kwargs, output):
        self.inside -= 1
        if self.inside:
            return
        tensors_in = _tensors((args, kwargs))
        if isinstance(module, DROPOUT_MODULES):
            self.add("dropout", type(module).__name__, tensors_in[:1], output, rate=float(module.p))
        elif isinstance(module, WEIGHTED_MODULES):
            self.add("weighted", type(module).__name__, tensors_in, output, embedding=isinstance(module, EMBEDDING_MODULES))
        else:
            known = {self.producer[id(t)] for t in tensors_in if id(t) in self.producer}
            self.add("merge" if len(known) > 1 else "step", type(module).__name__, tensors_in, output)


def _is_torch_layer(module: nn.Module) -> bool:
    return type(module).__module__.startswith("torch.nn") and not isinstance(module, CONTAINERS)


def _tensors(value) -> list:
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            # an output record: its fields are what the model returns
            stack.extend(reversed([getattr(item, f.name) for f in dataclasses.fields(item)]))
    return found


def run(model: nn.Module, inputs, source_file: str) -> Trace:
    """One training-mode forward pass of `model` on `inputs`, traced."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    model.train()
    recorder = _Recorder(source_file)
    handles = []
    for module in model.modules():
        if _is_torch_layer(module):
            handles.append(module.register_forward_pre_hook(recorder.pre_hook))
            handles.append(module.register_forward_hook(recorder.hook, with_kwargs=True))
    for tensor in inputs:
        recorder.add("input", "input", (), tensor)
    try:
        torch.manual_seed(0)
        with recorder:
            output = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    recorder.trace.outputs = tuple(dict.fromkeys(recorder.producer[id(t)] for t in _tensors(output) if id(t) in recorder.producer))
    return recorder.trace


def positions(trace: Trace) -> list[tuple[str, float]]:
    """(position, depth) of every dropout of the trace, by the depth model of DESIGN.md."""
    nodes = trace.nodes
    weighted = [1 if n.kind == "weighted" else 0 for n in nodes]
    counts_ne = [1 if n.kind == "weighted" and not n.embedding else 0 for n in nodes]
    before = [0] * len(nodes)
    before_ne = [0] * len(nodes)
    for n in nodes:
        for i in n.inputs:
            before[n.id] = max(before[n.id], before[i] + weighted[i])
            before_ne[n.id] = max(before_ne[n.id], before_ne[i] + counts_ne[i])
    consumers = [[] for _ in nodes]
    for n in nodes:
        for i in n.inputs:
            consumers[i].append(n.id)
    after: list[int | None] = [None] * len(nodes)
    plain = [False] * len(nodes)
    for n in reversed(nodes):
        best = 0 if n.id in trace.outputs else None
        is_plain = n.id in trace.outputs
        for c in consumers[n.id]:
            if after[c] is None:
                continue
            best = max(best or 0, after[c] + weighted[c])
            single = nodes[c].kind in ("step", "dropout") and len(nodes[c].inputs) <= 1
            is_plain = is_plain or (single and plain[c])
        after[n.id] = best
        plain[n.id] = is_plain
    found = []
    for n in nodes:
        if n.kind != "dropout":
            continue
        b, a = before[n.id], after[n.id]
        if a is None:
            a = sum(weighted[n.id + 1 :])
            is_plain = True
        else:
            is_plain = plain[n.id]
        if b == 0 or before_ne[n.id] == 0:
            position = "input"
        elif a == 0:
            position = "output" if is_plain else "final-hidden"
        elif a == 1:
            position = "final-hidden"
        else:
            position = "hidden"
        found.append((position, round(b / (b + a), 2) if b + a else 0.0))
    return found
