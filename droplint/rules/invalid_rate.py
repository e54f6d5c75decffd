"""DL201 invalid-rate."""

from __future__ import annotations

import math

import libcst as cst

from droplint.facts.constants import module_constant
from droplint.facts.rates import DROPOUT, RATE, rate_arguments
from droplint.frontends import catalog
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import literal_number


class InvalidRate(FileRule):
    code = "DL201"
    name = "invalid-rate"
    severity = "error"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Error: a rate outside [0, 1), NaN, infinity, a bool or a layer width is wrong "
            "under every reading: the call raises or drops everything."
        ),
        what=(
            "Checks for dropout rates outside [0, 1), NaN and infinities, booleans, and integers\n"
            "such as `Dropout(256)`, written as literals or as module constants (`RATE = 256`,\n"
            "then `Dropout(RATE)`; only a name the file binds once)."
        ),
        why=(
            "A dropout rate is the probability of dropping a unit. PyTorch raises at\n"
            "construction for a rate outside [0, 1]; a rate of 1 drops every unit, so the\n"
            "layer's output is always zero in training. A bool is silently read as 0 or 1.\n"
            "An integer of 2 or more is almost always a layer width typed into the wrong\n"
            "layer: `Dropout(256)` where `Dense(256)` or `Linear(..., 256)` was meant."
        ),
        example="self.drop = nn.Dropout(256)",
        use_instead="self.fc = nn.Linear(128, 256)\nself.drop = nn.Dropout(0.5)",
        fix_safety="No fix: only the author knows which rate or layer was meant.",
        options=(
            "None. Calls inside `with pytest.raises(...)` or `with self.assertRaises...(...)`\n"
            "are left alone: such tests check that the framework rejects the rate."
        ),
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html",
            "https://keras.io/api/layers/regularization_layers/dropout/",
        ),
    )
    valid = (
        Example(
            "import pytest\nfrom torch import nn\n\ndef test_rejects_rate():\n"
            "    with pytest.raises(ValueError):\n        nn.Dropout(1.5)\n"
        ),
        Example(
            "import unittest\nfrom keras import layers\n\nclass T(unittest.TestCase):\n"
            "    def test_rate(self):\n        with self.assertRaisesRegex(ValueError, 'rate'):\n"
            "            layers.Dropout(rate=-0.5)\n",
            framework="keras",
        ),
        Example("import torch.nn as nn\ndrop = nn.Dropout(0.5)\n"),
        Example("import torch.nn.functional as F\ndef f(x):\n    return F.dropout(x, 0.0, training=False)\n"),
        Example("from keras import layers\nd = layers.Dropout(rate=0.3)\n", framework="keras"),
        # keep_prob=1.0 keeps every unit: a valid keep probability, not a rate
        Example("import tensorflow as tf\ndef f(x):\n    return tf.nn.dropout(x, keep_prob=1.0)\n", framework="keras"),
        Example("from keras import layers\nrnn = layers.GRU(8, dropout=0.2, recurrent_dropout=0.1)\n", framework="keras"),
        Example("def Dropout(n):\n    return n\nd = Dropout(256)\n"),
        # a name bound more than once in the file is no constant: never a guess
        Example("import torch.nn as nn\nRATE = 2\n\ndef block(RATE=0.5):\n    return nn.Dropout(RATE)\n"),
    )
    invalid = (
        Example("import torch.nn as nn\ndrop = nn.Dropout(256)  # DL201\n"),
        Example("import torch.nn as nn\ndrop = nn.Dropout(p=1.0)  # DL201\n"),
        Example("import torch\ndrop = torch.nn.Dropout2d(-0.1)  # DL201\n"),
        Example("from torch.nn.functional import dropout\ndef f(x):\n    return dropout(x, True)  # DL201\n"),
        Example("from tensorflow.keras.layers import Dropout\nd = Dropout(128)  # DL201\n", framework="keras"),
        Example("import keras\nd = keras.layers.SpatialDropout2D(1.5)  # DL201\n", framework="keras"),
        # not a number, and infinities however they are spelled
        Example('import torch.nn as nn\ndrop = nn.Dropout(float("nan"))  # DL201\n'),
        Example("import math\nimport torch.nn as nn\ndrop = nn.Dropout(math.inf)  # DL201\n"),
        Example("import torch.nn as nn\ndrop = nn.Dropout(1e400)  # DL201\n"),
        # through a module constant bound once
        Example('import torch.nn as nn\nRATE = float("nan")\ndrop = nn.Dropout(RATE)  # DL201\n'),
        # every place Keras and TensorFlow take a drop rate
        Example("import keras\ndef f(x):\n    return keras.random.dropout(x, 1.5)  # DL201\n", framework="keras"),
        Example(
            "import tensorflow as tf\ndef f(x):\n    return tf.nn.dropout(x, rate=2)  # DL201\n", framework="keras"
        ),
        Example("from keras import layers\nrnn = layers.LSTM(8, recurrent_dropout=1.0)  # DL201\n", framework="keras"),
        Example(
            "from keras import layers\nmha = layers.MultiHeadAttention(2, 8, dropout=-0.1)  # DL201\n",
            framework="keras",
        ),
    )

    def check_file(self, ctx):
        # Every drop-rate argument of both frameworks: dropout layers and functions,
        # tf.nn.dropout's rate, attention dropout_p, LSTM(dropout=, recurrent_dropout=).
        for found in rate_arguments(ctx):
            if found.meaning != RATE:
                continue  # keep probabilities are DL202's business
            if found.call.expects_error:
                continue  # a test that checks the framework rejects this rate
            value, constant = _value(ctx, found.value)
            is_layer = catalog.dropout_layer(found.call.qualname) is not None
            keyword = None if found.kind == DROPOUT else found.keyword
            problem = _problem(value, found.call.qualname, is_layer, keyword, constant)
            if problem:
                yield ctx.diagnostic(self, found.value, problem)


def _value(ctx, expression):
    """The rate's value, and the module constant it was read from (None: a literal)."""
    value = literal_number(expression)
    if value is None and isinstance(expression, cst.Name):
        bound = module_constant(ctx, expression.value)
        if bound is not None:
            return literal_number(bound), expression.value
    return value, None


def _problem(value, qualname: str, is_layer: bool, keyword: str | None = None, constant: str | None = None) -> str | None:
    # A layer's own dropout argument is named by it: `LSTM recurrent_dropout 1.0`; a
    # constant by its name: `Dropout rate RATE = 1.5`.
    op = qualname.rsplit(".", 1)[-1] + (f" {keyword}" if keyword else "")
    if isinstance(value, bool):
        passed = f"{constant} = {value}" if constant else value
        return f"{op}({passed}) passes a bool as the rate; it is read as {int(value)}. Pass a float in [0, 1)."
    if not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and math.isnan(value):
        named = f" {constant}" if constant else ""
        return f"{op} rate{named} is NaN, which is no probability (every comparison with it is false); pass a rate in [0, 1)."
    shown = _number(value) if constant is None else f"{constant} = {_number(value)}"
    if isinstance(value, int) and value >= 2:
        if is_layer and len(str(value)) <= _MAX_DIGITS:
            dense = "Linear(..., {0})" if qualname.startswith("torch") else "Dense({0})"
            hint = f" did you mean {dense.format(value)}? Otherwise"
        else:
            hint = ""
        return f"{op} rate {shown} is not a probability;{hint or ''} pass a rate in [0, 1)."
    if value < 0:
        return f"{op} rate {shown} is negative, which is no probability; pass a rate in [0, 1)."
    if value >= 1:
        return f"{op} rate {shown} is outside [0, 1); a rate of 1 or more drops every unit. Pass a rate in [0, 1)."
    return None


_MAX_DIGITS = 20


def _number(value: int | float) -> str:
    """The rate as written, or its first digits and its length when it is absurdly long."""
    text = str(value)
    if len(text) <= _MAX_DIGITS:
        return text
    return f"{text[:8]}... ({len(text.lstrip('-'))} digits)"
