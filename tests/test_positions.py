"""droplint's position pass gives exactly what libcst's PositionProvider gives."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from conftest import FIXTURES
from droplint.positions import all_positions

SAMPLE = '''\
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):  # a comment
    def forward(self, x):
        x = F.dropout(
            x,
            p=0.2,
        )\r
        y = """multi
line"""
        return self.fc(x) + (lambda: 1)()
'''


def _check(source: str) -> int:
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    ours = all_positions(module)
    for node, code_range in expected.items():
        start, end = ours[node]
        assert start == (code_range.start.line, code_range.start.column), node
        assert end == (code_range.end.line, code_range.end.column), node
    return len(expected)


def test_positions_match_libcst_on_a_sample():
    assert _check(SAMPLE) > 50


def test_positions_match_libcst_on_every_fixture():
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        checked += _check(path.read_text(encoding="utf-8"))
    assert checked > 500
