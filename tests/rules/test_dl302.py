"""DL302: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

from rule_snippets import findings, messages, TORCH_ATTENTION, attention


def test_dl302_keras_layer_bound_to_a_local_name():
    code = """\
    from keras import layers


    def build(inputs):
        drop = layers.Dropout(0.5)
        return drop(inputs, training=True)
    """
    assert findings(code, "DL302") == [("DL302", 6)]


def test_dl302_training_only_branch_and_gated_rate_are_harmless():
    code = attention(
        """\
        if self.training:
            q = F.dropout(q, 0.1, training=True)
        k = F.dropout(k, self.p if self.training else 0.0, training=True)
        return q + k
        """
    )
    assert findings(code, "DL302") == []


def test_dl302_a_method_named_dropout_of_a_model_is_still_judged():
    code = TORCH_ATTENTION + "        return q\n\n    def apply_dropout(self, x):\n        return F.dropout(x, self.p, training=True)\n"
    assert findings(code, "DL302") == [("DL302", 14)]


def test_dl302_torch_dropout_module_call_and_other_layers_are_not_dropout():
    code = """\
    import torch.nn as nn
    from keras import layers


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.1)
            self.norm = layers.LayerNormalization()

        def forward(self, x):
            return self.norm(self.drop(x), training=True)
    """
    assert findings(code, "DL302") == []


def test_dl302_message_names_mc_dropout_and_noqa():
    code = "import torch.nn.functional as F\n\n\ndef f(x):\n    return F.dropout(x, 0.2, True)\n"
    (message,) = messages(code, "DL302")
    assert "Monte Carlo" in message and "# noqa: DL302" in message and "0.2" in message


def test_dl302_forced_dropout_in_an_eval_only_branch_is_found():
    code = attention("if not self.training:\n    q = F.dropout(q, 0.1, training=True)\nreturn q\n")
    assert findings(code, "DL302") == [("DL302", 12)]


def test_dl302_keras_layer_called_with_a_positional_true():
    code = """\
    import keras


    def build(inputs):
        return keras.layers.Dropout(0.3)(inputs, True)
    """
    assert findings(code, "DL302") == [("DL302", 5)]
