"""DL204 noop-dropout."""

from __future__ import annotations

from droplint.facts.rates import DROPOUT, RATE, rate_arguments
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import literal_number


class NoopDropout(FileRule):
    code = "DL204"
    name = "noop-dropout"
    severity = "info"
    default_on = False
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Info, off by default: a rate of 0 does nothing, which is often deliberate (a "
            "configurable rate set to 0)."
        ),
        what="Checks for dropout layers and calls whose rate is literally 0.",
        why=(
            "A dropout with rate 0 drops nothing and scales by 1: it is an identity that\n"
            "still shows up in the model, in its profile and in checkpoints' module lists.\n"
            "It is often a leftover of an experiment, or a placeholder whose rate was\n"
            "meant to come from a configuration. Off by default: some code keeps such\n"
            "layers on purpose so that a later run can turn them on."
        ),
        example="self.drop = nn.Dropout(0.0)",
        use_instead="self.drop = nn.Dropout(config.hidden_dropout)  # or remove the layer",
        fix_safety="No fix: whether to delete the layer or wire in a rate is the author's call.",
        references=("Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from Overfitting, JMLR 15.",),
    )
    valid = (
        Example("import torch.nn as nn\ndrop = nn.Dropout(0.1)\n"),
        Example("import torch.nn as nn\nattn = nn.MultiheadAttention(64, 4, dropout=0.0)\n"),
        Example("from keras import layers\nd = layers.Dropout(0.2)\n", framework="keras"),
    )
    invalid = (
        Example("import torch.nn as nn\ndrop = nn.Dropout(p=0.0)  # DL204\n"),
        Example("import torch.nn.functional as F\n\ndef f(x):\n    return F.dropout(x, 0, training=False)  # DL204\n"),
        Example("from keras import layers\nd = layers.Dropout(rate=0)  # DL204\n", framework="keras"),
    )

    def check_file(self, ctx):
        for found in rate_arguments(ctx):
            if found.meaning != RATE or found.kind != DROPOUT:
                continue  # `MultiheadAttention(dropout=0.0)` is a choice, not a dead layer
            value = literal_number(found.value)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
                op = ctx.code(found.call.node.func)
                yield ctx.diagnostic(
                    self,
                    found.value,
                    f"{op}({found.keyword}={ctx.code(found.value)}) drops nothing and scales by 1; "
                    "remove it or give it the rate it was meant to have.",
                )
