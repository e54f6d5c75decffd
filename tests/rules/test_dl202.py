"""DL202: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

import pytest

from rule_snippets import findings


@pytest.mark.parametrize(
    "call",
    [
        "nn.Dropout(p=cfg['keep_prob'])",
        "nn.Dropout(cfg.get('keep_prob', 0.9))",
        "nn.Dropout(self.keepProb)",
        "nn.LSTM(8, 8, num_layers=2, dropout=keep_rate)",
        "nn.MultiheadAttention(8, 2, dropout=retain_p)",
    ],
)
def test_dl202_names_that_say_keep(call):
    code = f"import torch.nn as nn\n\n\ndef build(self, cfg, keep_rate, retain_p):\n    return {call}\n"
    assert findings(code, "DL202") == [("DL202", 5)]


def test_dl202_a_comment_on_the_line_above_the_assignment():
    code = """\
    import torch.nn as nn


    def build():
        # probability of keeping a unit
        p = 0.8
        return nn.Dropout(p)
    """
    assert findings(code, "DL202") == [("DL202", 7)]


def test_dl202_a_docstring_that_mentions_both_meanings_is_ambiguous():
    code = '''\
    import torch.nn as nn


    def build(p):
        """p: drop probability, i.e. 1 - keep probability."""
        return nn.Dropout(p)
    '''
    assert findings(code, "DL202") == []


def test_dl202_class_docstring_documents_a_self_attribute():
    code = '''\
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        """A block.

        Args:
            p (float): probability of keeping each activation.
        """

        def __init__(self, p):
            super().__init__()
            self.p = p

        def forward(self, x):
            return F.dropout(x, self.p, self.training)
    '''
    assert findings(code, "DL202") == [("DL202", 17)]


def test_dl202_tf2_positional_keep_prob_name_is_a_rate():
    code = "import tensorflow as tf\n\n\ndef f(x, keep_prob):\n    return tf.nn.dropout(x, keep_prob)\n"
    assert findings(code, "DL202", config=(("tf-version", 2),)) == [("DL202", 5)]
    # TF1 reads the same argument as keep_prob: right.
    assert findings(code, "DL202", config=(("tf-version", 1),)) == []


def test_dl202_literals_at_the_thresholds():
    code = "import torch.nn as nn\na = nn.Dropout(0.89)\nb = nn.Dropout(0.9)\n"
    assert findings(code, "DL202") == [("DL202", 3)]
    keep = "import tensorflow.compat.v1 as tf\n\n\ndef f(x):\n    return tf.nn.dropout(x, keep_prob=0.1)\n"
    assert findings(keep, "DL202") == [("DL202", 5)]


def test_dl202_literals_in_test_files_are_left_alone_but_names_are_not():
    test = "import torch.nn as nn\n\n\ndef test_drop(keep_prob):\n    a = nn.Dropout(0.95)\n    b = nn.Dropout(keep_prob)\n"
    assert findings("import torch.nn as nn\n", "DL202", files=(("tests/test_drop.py", test),)) == [("DL202", 6)]


def test_dl202_constructor_argument_documented_on_the_class():
    code = '''\
    import torch.nn as nn


    class Block(nn.Module):
        """A block.

        Args:
            p: probability of keeping a unit.
        """

        def __init__(self, p=0.9):
            super().__init__()
            self.drop = nn.Dropout(p)
    '''
    assert findings(code, "DL202") == [("DL202", 13)]
