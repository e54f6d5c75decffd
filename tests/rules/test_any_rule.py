"""What no rule may do: flag look-alike names, fail on odd code, or guess on odd models.

Moved from tests/test_file_rules.py and tests/test_model_rules.py.
"""

from __future__ import annotations

import textwrap
from textwrap import dedent

import pytest

from droplint.testing import lint_snippet


ODD = [
    "import torch.nn as nn\nd = nn.Dropout(*args, **kwargs)\n",
    "import torch.nn.functional as F\nF.dropout()\n",
    "import tensorflow as tf\ntf.nn.dropout()\ntf.nn.dropout(x, *rest)\n",
    "import torch.nn.functional as F\nF.scaled_dot_product_attention(q, k, v, dropout_p=(lambda: 0.1)())\n",
    (
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass A(nn.Module):\n"
        "    forward = lambda self, x: F.dropout(x, training=True)\n"
    ),
    "import keras\nx = keras.layers.Dropout(0.5)(x, training=True, **kw)\n",
    (
        "import torch.nn as nn\n\n\nclass A(nn.Module):\n    def forward(self, x):\n"
        "        self.drop.p, *rest = 1, 2, 3\n        [self.q] = [0.5]\n        return x\n"
    ),
    "import torch.nn as nn\nd = nn.Dropout(p=cfg['keep'][0])\nd = nn.Dropout(p=cfg[0])\nd = nn.Dropout(p=x.get())\n",
    "import torch.nn as nn\nd = nn.Dropout(1e400)\nd = nn.Dropout(-0.0)\nd = nn.Dropout(0x10)\n",
    "import tensorflow.compat.v1 as tf\n\n\nasync def f(x):\n    return tf.layers.dropout(await x)\n",
    (
        "import torch.nn.functional as F\n\n\nclass A:\n    def forward(self, x):\n"
        "        while (p := self.p):\n            x = F.scaled_dot_product_attention(x, x, x, dropout_p=p)\n"
    ),
    "import torch.nn as nn\n# keep probability: 'quoted # hash'\np = 0.8  # keep prob\nd = nn.Dropout(p)\n",
]


def test_lookalike_names_are_not_flagged():
    code = """\
    from mylib import nn, F, tf, layers


    class Net(nn.Module):
        def forward(self, x):
            self.drop.p = 0.9
            x = F.dropout(x, 0.95, training=True)
            x = F.scaled_dot_product_attention(x, x, x, dropout_p=0.1)
            x = tf.nn.dropout(x, 0.5)
            x = tf.compat.v1.layers.dropout(x)
            x = nn.LSTM(8, 8, dropout=0.5)
            return layers.Dropout(0.0)(x, training=True)
    """
    result = lint_snippet(textwrap.dedent(code), select=("DL2", "DL3"))
    assert result.errors == [] and result.diagnostics == []


@pytest.mark.parametrize("code", ODD)
def test_odd_code_gives_no_error(code):
    result = lint_snippet(code, select=("DL2", "DL3"))
    assert result.errors == []


def test_odd_models_give_no_crash_and_no_guess():
    odd = dedent("""\
        import torch.nn as nn
        import torch.nn.functional as F

        extra = [nn.Dropout(0.9)]
        net = nn.Sequential(nn.Linear(4, 4), *extra, nn.Dropout(True), nn.Dropout(1.5), nn.Linear(4, 2))


        class Odd(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.drop = nn.Dropout(0.9)

            def forward(self, x, y):
                x = self.drop(x, y)
                return F.dropout(self.fc(x), *y)
        """)
    result = lint_snippet(odd, select=("DL1",))
    assert result.errors == []
    # Rates that are no probability (True, 1.5) are DL201's business, never judged here.
    assert all("True" not in d.message and "1.5" not in d.message for d in result.diagnostics)
    # The rate of F.dropout(..., *y) is unknown: no default is assumed, nothing is judged.
    assert [d.span.line for d in result.diagnostics] == [15]
    # self.drop(x, y) passes two tensors: no edit removes it, but its rate literal can change.
    assert [e.content for e in result.diagnostics[0].fix.edits] == ["0.3"]
