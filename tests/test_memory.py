"""What the droplint process holds while the workers run (issue 13, memory): no file's
bytes, and one copy of each name, number and small tuple across every file's summary."""

from __future__ import annotations

import math
import pickle

from droplint import engine
from droplint.frontends.interpreter import NOTHING, Flow
from droplint.ir import ConfigClass, FileResult, Graph, Layer, LayerKind, Span, forget_shared

NET = (
    "import torch.nn as nn\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(4, 4)\n"
    "        self.drop = nn.Dropout(1.5)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(self.drop(x))\n"
)


def test_a_worker_reads_the_file_it_is_given_by_path(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(NET, encoding="utf-8")
    by_path = engine.process_file("net.py", engine.OnDisk(str(path)))
    assert by_path == engine.process_file("net.py", NET.encode())
    assert [d.code for d in by_path.diagnostics] == ["DL201"]


def test_a_file_gone_before_its_worker_reads_it_is_an_error_not_a_crash(tmp_path):
    result = engine.process_file("gone.py", engine.OnDisk(str(tmp_path / "gone.py")))
    assert result.summary is None and result.error.message.startswith("cannot read")


def test_summaries_from_the_workers_share_their_names(tmp_path):
    """As the pool delivers them: one pickle per file."""
    first, second = (pickle.loads(pickle.dumps(engine.process_file(name, NET.encode())))
                     for name in ("a.py", "b.py"))
    assert isinstance(first, FileResult) and first.summary.classes and second.summary.classes
    one, other = first.summary.classes[0].graph.layers, second.summary.classes[0].graph.layers
    assert [layer.op for layer in one] == [layer.op for layer in other]
    assert all(a.op is b.op and a.kind is b.kind for a, b in zip(one, other))


def _delivered(result):
    """A result as the parent gets it from a worker: one pickle per file."""
    return pickle.loads(pickle.dumps(result))


def test_summaries_from_the_workers_share_tuples_and_numbers():
    text = "\n" * 300 + NET  # line numbers past CPython's small ints
    first, second = (_delivered(engine.process_file(name, text.encode())) for name in ("a.py", "b.py"))
    one, other = first.summary.classes[0], second.summary.classes[0]
    assert one.bases == ("torch.nn.Module",) and one.bases is other.bases
    applied = [(a, b) for a, b in zip(one.graph.layers, other.graph.layers) if a.inputs]
    assert applied and all(a.inputs is b.inputs for a, b in applied)
    assert one.line == 304 and one.line is other.line
    assert one.graph.layers[0].span.line is other.graph.layers[0].span.line


def test_shared_values_keep_their_types():
    """Equal is not interchangeable for True and 1, or for -0.0 and 0.0."""
    flag, number = (_delivered(Graph(outputs=value)) for value in ((True,), (1,)))
    assert type(flag.outputs[0]) is bool and type(number.outputs[0]) is int
    negative, positive = (_delivered(ConfigClass("k", "C", "c.py", ((name, value),)))
                          for name, value in (("p", -0.0), ("p", 0.0)))
    assert math.copysign(1, negative.fields[0][1]) == -1 and math.copysign(1, positive.fields[0][1]) == 1


def test_a_flow_arrives_as_a_plain_tuple_as_from_the_cache():
    layer = Layer(1, LayerKind.DROPOUT, "torch.nn.Dropout", "self.drop", "a.py", Span(1, 1, 1, 5),
                  inputs=Flow((0,)), arguments=(("0", Flow((0,))), ("x", NOTHING)))
    delivered = _delivered(layer)
    assert delivered == layer
    assert type(delivered.inputs) is tuple and delivered.arguments == (("0", (0,)), ("x", ()))
    assert all(type(flow) is tuple for _, flow in delivered.arguments)


def test_sharing_ends_with_the_run_and_what_was_shared_stays_equal():
    before = _delivered(Graph(outputs=(7, 8)))
    forget_shared()
    after = _delivered(Graph(outputs=(7, 8)))
    assert after == before and after.outputs is not before.outputs  # a fresh table
    assert _delivered(Graph(outputs=(7, 8))).outputs is after.outputs
