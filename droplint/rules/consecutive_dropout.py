"""DL107 consecutive-dropout."""

from __future__ import annotations

from textwrap import dedent

from droplint.edits.rates import rate_edit
from droplint.ir import Edit, Fix, LayerKind
from droplint.model_view import View, finding, has_rate, rate_text, shown
from droplint.rulebook.example_models import marked
from droplint.rulebook.rule import Docs, Example, ModelRule
from droplint.rulebook.shared_docs import SRIVASTAVA_2014

_TORCH_SEQUENTIAL = dedent("""\
    import torch.nn as nn

    net = nn.Sequential(
        nn.Linear(784, 256),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Dropout(0.2),
        nn.Linear(256, 10),
    )
    """)

_TORCH_FORWARD = dedent("""\
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.drop = nn.Dropout(p=0.5)
            self.fc2 = nn.Linear(256, 10)

        def forward(self, x):
            x = self.drop(self.fc1(x).relu())
            x = F.dropout(x, 0.5, training=self.training)
            return self.fc2(x)
    """)

_KERAS = dedent("""\
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((784,)),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.3),
        layers.Dropout(0.2),
        layers.Dense(10),
    ])
    """)


def merged_rate(first: float, second: float) -> float:
    """Two independent inverted dropouts in a row keep a unit with (1-p1)(1-p2)."""
    return 1 - (1 - first) * (1 - second)


def _is_dropout_op(op: str) -> bool:
    # Dropout layers and functions only: an LSTM's or attention's own `dropout=` is a
    # dropout node of the graph too, but not one the user wrote as a layer.
    return "dropout" in op.rsplit(".", 1)[-1].lower()


class ConsecutiveDropout(ModelRule):
    code = "DL107"
    name = "consecutive-dropout"
    severity = "warning"
    fix = "unsafe"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: two dropouts in a row are almost always an accident, but the pair may "
            "come from blocks written separately on purpose (a block's own dropout, then its "
            "user's)."
        ),
        what="Checks for two dropouts applied one after the other, with no layer between them.",
        why=(
            "Two dropouts in a row are one dropout with rate 1 - (1-p1)(1-p2), written in\n"
            "a way that hides it: Dropout(0.3) then Dropout(0.2) drops 44% of the units,\n"
            "not 30% or 20%. It usually comes from a block that ends with dropout placed\n"
            "before another that begins with one, and makes the real rate easy to misjudge\n"
            "(Srivastava et al. 2014 for choosing rates)."
        ),
        example="nn.Dropout(0.3),\nnn.Dropout(0.2),",
        use_instead="nn.Dropout(0.44),",
        fix_safety=(
            "Unsafe: merges the two into the first, with rate 1-(1-p1)(1-p2), and removes the\n"
            "second; training keeps the same expected drop rate, but the layer count (and in\n"
            "an `nn.Sequential`, the indices after it) changes. Offered only when both are\n"
            "the same dropout op, the first rate is a literal in the same file, and the\n"
            "second can be removed as a plain call or list element."
        ),
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(_TORCH_SEQUENTIAL.replace("    nn.Dropout(0.2),\n", "    nn.Linear(256, 256),\n    nn.Dropout(0.2),\n")),
        Example(_KERAS.replace("    layers.Dropout(0.2),\n", "    layers.Dense(256),\n    layers.Dropout(0.2),\n"),
                framework="keras"),
    )
    invalid = (
        Example(
            marked(_TORCH_SEQUENTIAL, "nn.Dropout(0.2),", "DL107"),
            fixed=_TORCH_SEQUENTIAL.replace("    nn.Dropout(0.3),\n    nn.Dropout(0.2),\n", "    nn.Dropout(0.44),\n"),
        ),
        Example(marked(_TORCH_FORWARD, "x = F.dropout(x, 0.5, training=self.training)", "DL107")),
        Example(marked(_KERAS, "layers.Dropout(0.2),", "DL107"), framework="keras",
                fixed=_KERAS.replace("    layers.Dropout(0.3),\n    layers.Dropout(0.2),\n", "    layers.Dropout(0.44),\n")),
    )

    def check_model(self, model, config):
        view = View.of(model)
        for placed in view.dropouts():
            second = placed.layer
            sources = view.inputs_of(second)
            if len(sources) != 1 or not _is_dropout_op(second.op):
                continue
            first = sources[0].layer
            if first.kind != LayerKind.DROPOUT or not has_rate(first) or not _is_dropout_op(first.op):
                continue
            if [c.layer.id for c in view.consumers_of(first)] != [second.id]:
                continue  # the first one's output goes elsewhere too: not a plain chain
            if (first.path, first.span) == (second.path, second.span):
                continue  # one application seen twice (a loop body), not two layers
            if first.rate.value == 0 or second.rate.value == 0:
                continue  # a rate of 0 is no dropout at all (DL204 says so)
            merged = merged_rate(first.rate.value, second.rate.value)
            message = (
                f"{shown(second, model.framework)} directly follows {shown(first, model.framework)} "
                f"(line {first.span.line}), together a dropout of {rate_text(merged)}; "
                f"use one dropout with rate {rate_text(merged)}."
            )
            yield finding(self, model, second, message, self._fix(view, first, second, merged))

    @staticmethod
    def _fix(view: View, first, second, merged: float) -> Fix | None:
        if first.op != second.op or first.path != second.path or second.repeat or first.repeat:
            return None
        if second.rewrite is None or second.rewrite.removal is None:
            return None
        rate = rate_edit(view, first, merged)
        if rate is None:
            return None
        removal: Edit = second.rewrite.removal
        return Fix("unsafe", f"Merge into one dropout with rate {rate_text(merged)}", (rate, removal))
