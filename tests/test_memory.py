"""What the droplint process holds while the workers run (issue 13, memory): no file's
bytes, and one copy of each name across every file's summary."""

from __future__ import annotations

import pickle

from droplint import engine
from droplint.ir import FileResult

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
