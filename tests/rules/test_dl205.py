"""DL205: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

from rule_snippets import findings


def test_dl205_unknown_layers_or_kwargs_are_not_judged():
    code = """\
    import torch.nn as nn


    def build(n, **kw):
        a = nn.LSTM(8, 8, num_layers=n, dropout=0.2)
        b = nn.LSTM(8, 8, dropout=0.2, **kw)
        c = nn.LSTM(8, 8, 1, dropout=0.2)
        return a, b, c
    """
    assert findings(code, "DL205") == [("DL205", 7)]


def test_dl205_positional_dropout_of_nn_rnn_comes_after_nonlinearity():
    code = """\
    import torch.nn as nn


    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.RNN(8, 8, 1, "tanh", True, True, 0.2)
            self.b = nn.RNN(8, 8, 1, "tanh", True, 0.2)
    """
    # self.b's 0.2 is batch_first (truthy), not dropout.
    assert findings(code, "DL205") == [("DL205", 7)]


def test_dl205_keras_lstm_dropout_is_input_dropout_and_fine():
    code = "from keras import layers\nrnn = layers.LSTM(8, dropout=0.2)\n"
    assert findings(code, "DL205") == []
