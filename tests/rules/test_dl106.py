"""DL106: edge cases its examples do not show (moved from tests/test_model_rules.py)."""

from __future__ import annotations

from textwrap import dedent

from droplint.testing import fix_snippet, lint_snippet
from rule_snippets import found_by


def test_dropout_before_batchnorm_in_a_sequential_warns_about_indices():
    model = dedent("""\
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(784, 256), nn.Dropout(0.5), nn.BatchNorm1d(256), nn.Linear(256, 10))
        """)
    found = found_by(lint_snippet(model, select=("DL106",)), "DL106")
    assert len(found) == 1
    assert "checkpoint keys" in found[0].fix.message
    assert fix_snippet(model, select=("DL106",), unsafe=True) == model.replace(
        "nn.Dropout(0.5), nn.BatchNorm1d(256)", "nn.BatchNorm1d(256), nn.Dropout(0.5)"
    )


def test_dropout_before_batchnorm_with_a_second_reader_is_found_but_not_moved():
    model = dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 64)
                self.drop = nn.Dropout(0.3)
                self.bn = nn.BatchNorm1d(64)
                self.fc2 = nn.Linear(64, 10)

            def forward(self, x):
                h = self.drop(self.fc1(x).relu())
                return self.fc2(self.bn(h))
        """)
    found = found_by(lint_snippet(model, select=("DL106",)), "DL106")
    assert len(found) == 1 and found[0].fix is not None
    # Swapping the callees of `self.drop(...)` and `self.bn(h)` is exact while h has one
    # reader; with a second reader of h it would change what that reader sees.
    shared = model.replace("return self.fc2(self.bn(h))", "return self.fc2(self.bn(h)) + h")
    found = found_by(lint_snippet(shared, select=("DL106",)), "DL106")
    assert len(found) == 1 and found[0].fix is None
