"""DL205 rnn-dropout-ignored."""

from __future__ import annotations

from droplint.frontends import catalog
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import argument, has_star_args, literal_number


class RnnDropoutIgnored(FileRule):
    code = "DL205"
    name = "rnn-dropout-ignored"
    severity = "warning"
    frameworks = ("torch",)
    docs = Docs(
        severity_reason=(
            "Warning: the dropout has no effect (PyTorch applies it between stacked layers "
            "only); nothing breaks, but the code says something it does not do."
        ),
        what="Checks for `nn.LSTM`, `nn.GRU` and `nn.RNN` with `dropout > 0` and a single layer.",
        why=(
            "PyTorch's recurrent layers apply `dropout` only between stacked layers, on the\n"
            "outputs of every layer except the last. With `num_layers=1` (the default)\n"
            "there is no such output: the rate is ignored (PyTorch only warns at\n"
            "construction), and the model trains without the regularisation its author\n"
            "configured."
        ),
        example="self.rnn = nn.LSTM(128, 256, dropout=0.3)",
        use_instead=(
            "self.rnn = nn.LSTM(128, 256)\n"
            "self.drop = nn.Dropout(0.3)  # applied to the LSTM's output in forward"
        ),
        fix_safety="No fix: adding a dropout layer changes training, and where it goes is a design choice.",
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html",
            "Zaremba et al. 2014, Recurrent Neural Network Regularization, arXiv:1409.2329.",
        ),
    )
    valid = (
        Example("import torch.nn as nn\nrnn = nn.LSTM(128, 256, num_layers=2, dropout=0.3)\n"),
        Example("import torch.nn as nn\nrnn = nn.GRU(128, 256, dropout=0.0)\n"),
        Example("import torch.nn as nn\n\ndef build(n):\n    return nn.LSTM(128, 256, num_layers=n, dropout=0.3)\n"),
    )
    invalid = (
        Example("import torch.nn as nn\nrnn = nn.LSTM(128, 256, dropout=0.3)  # DL205\n"),
        Example(
            "from torch import nn\n\nclass Encoder(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        self.rnn = nn.GRU(128, 256, 1, True, True, 0.2)  # DL205\n"
        ),
        Example("import torch\nrnn = torch.nn.RNN(16, 32, num_layers=1, dropout=0.5, batch_first=True)  # DL205\n"),
    )

    def check_file(self, ctx):
        for site in ctx.calls:
            if site.qualname not in catalog.TORCH_RNN_MODULES or has_star_args(site.node):
                continue
            if any(a.star == "**" for a in site.node.args):
                continue
            spec = catalog.TORCH_RNN_DROPOUT[site.qualname]  # nn.RNN has `nonlinearity` first
            dropout = argument(site.node, spec.keyword, spec.index)
            if dropout is None:
                continue
            rate = literal_number(dropout.value)
            if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate <= 0:
                continue
            layers_arg = argument(site.node, catalog.TORCH_RNN_NUM_LAYERS.keyword, catalog.TORCH_RNN_NUM_LAYERS.index)
            layers = 1 if layers_arg is None else literal_number(layers_arg.value)
            if layers != 1 or isinstance(layers, bool):
                continue
            op = ctx.code(site.node.func)
            yield ctx.diagnostic(
                self,
                dropout.value,
                f"{op}(dropout={ctx.code(dropout.value)}) has a single layer, so the rate is ignored "
                "(it applies only between stacked layers); set num_layers > 1 or apply nn.Dropout to its output.",
            )
