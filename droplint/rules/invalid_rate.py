"""DL201 invalid-rate."""

from __future__ import annotations

from droplint.context import argument, literal_number
from droplint.frontends import catalog
from droplint.rules.base import Docs, Example, Rule


class InvalidRate(Rule):
    code = "DL201"
    name = "invalid-rate"
    severity = "error"
    frameworks = ("torch", "keras")
    docs = Docs(
        what="Checks for dropout rates outside [0, 1), booleans, and integers such as `Dropout(256)`.",
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
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html",
            "https://keras.io/api/layers/regularization_layers/dropout/",
        ),
    )
    valid = (
        Example("import torch.nn as nn\ndrop = nn.Dropout(0.5)\n"),
        Example("import torch.nn.functional as F\ndef f(x):\n    return F.dropout(x, 0.0, training=False)\n"),
        Example("from keras import layers\nd = layers.Dropout(rate=0.3)\n", framework="keras"),
        Example("def Dropout(n):\n    return n\nd = Dropout(256)\n"),
    )
    invalid = (
        Example("import torch.nn as nn\ndrop = nn.Dropout(256)\n"),
        Example("import torch.nn as nn\ndrop = nn.Dropout(p=1.0)\n"),
        Example("import torch\ndrop = torch.nn.Dropout2d(-0.1)\n"),
        Example("from torch.nn.functional import dropout\ndef f(x):\n    return dropout(x, True)\n"),
        Example("from tensorflow.keras.layers import Dropout\nd = Dropout(128)\n", framework="keras"),
        Example("import keras\nd = keras.layers.SpatialDropout2D(1.5)\n", framework="keras"),
    )

    def check_file(self, ctx):
        for site in ctx.calls:
            layer = catalog.dropout_layer(site.qualname)
            spec = layer or catalog.torch_functional_dropout(site.qualname)
            if spec is None:
                continue
            arg = argument(site.node, spec.keyword, spec.index)
            if arg is None:
                continue
            value = literal_number(arg.value)
            problem = _problem(value, site.qualname, is_layer=layer is not None)
            if problem:
                yield ctx.diagnostic(self, arg.value, problem)


def _problem(value, qualname: str, is_layer: bool) -> str | None:
    op = qualname.rsplit(".", 1)[-1]
    if isinstance(value, bool):
        return f"{op}({value}) passes a bool as the rate; it is read as {int(value)}. Pass a float in [0, 1)."
    if not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and value >= 2:
        if is_layer:
            dense = "Linear(..., {0})" if qualname.startswith("torch") else "Dense({0})"
            hint = f" did you mean {dense.format(value)}?"
        else:
            hint = ""
        return f"{op} rate {value} is not a probability;{hint} A rate must be in [0, 1)."
    if value < 0 or value >= 1:
        return f"{op} rate {value} is outside [0, 1); a rate of 1 or more drops every unit."
    return None
