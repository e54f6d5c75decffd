"""DL306: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

from rule_snippets import findings, attention


def test_dl306_nested_function_in_forward_and_unpacking():
    code = """\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.1)
            self.drop.p = 0.2

        def forward(self, x):
            def anneal():
                self.drop.p = 0.3
            anneal()
            self.drop.p, y = 0.4, x
            return self.drop(y)
    """
    assert findings(code, "DL306") == [("DL306", 12), ("DL306", 14)]


def test_dl306_attribute_used_as_a_functional_rate():
    code = attention("self.p = self.p * 0.5\nreturn F.dropout(q, self.p, self.training)\n")
    assert findings(code, "DL306") == [("DL306", 11)]


def test_dl306_a_same_named_attribute_of_another_class_is_not_a_rate():
    code = """\
    import torch.nn as nn
    import torch.nn.functional as F


    class A(nn.Module):
        def forward(self, x):
            return F.dropout(x, self.p, self.training)


    class B(nn.Module):
        def forward(self, x):
            self.p = 3
            return x
    """
    assert findings(code, "DL306") == []
