"""DL106 dropout-before-batchnorm."""

from __future__ import annotations

from textwrap import dedent

from droplint.ir import Edit, Fix, LayerKind
from droplint.model_view import View, finding, shown
from droplint.rulebook.example_models import marked
from droplint.rulebook.rule import Docs, Example, ModelRule

LI_2019 = (
    "Li, Chen, Hu & Yang 2019, Understanding the Disharmony between Dropout and Batch "
    "Normalization by Variance Shift, CVPR (https://arxiv.org/abs/1801.05134)."
)
# Steps between the dropout and the BatchNorm that keep the variance shift: activations.
_THROUGH = (LayerKind.ACTIVATION,)

_TORCH_SEQUENTIAL = dedent("""\
    import torch.nn as nn

    net = nn.Sequential(
        nn.Linear(784, 256),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.BatchNorm1d(256),
        nn.Linear(256, 10),
    )
    """)

_TORCH_FORWARD = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 32, 3)
            self.drop = nn.Dropout2d(0.2)
            self.bn = nn.BatchNorm2d(32)
            self.conv2 = nn.Conv2d(32, 64, 3)

        def forward(self, x):
            x = self.conv1(x).relu()
            x = self.drop(x)
            x = self.bn(x)
            return self.conv2(x)
    """)

_KERAS = dedent("""\
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((784,)),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.3),
        layers.BatchNormalization(),
        layers.Dense(10),
    ])
    """)

_KERAS_FUNCTIONAL = dedent("""\
    import keras
    from keras import layers

    inputs = keras.Input((784,))
    x = layers.Dense(256, activation="relu")(inputs)
    x = layers.Dropout(0.3)(x)
    x = layers.BatchNormalization()(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs)
    """)


def _swap(text: str, first: str, second: str) -> str:
    """`text` with the first occurrences of two snippets trading places."""
    marker = "\0"
    return text.replace(first, marker, 1).replace(second, first, 1).replace(marker, second, 1)


def is_batch_norm(op: str) -> bool:
    name = op.rsplit(".", 1)[-1]
    return "BatchNorm" in name or name == "batch_norm"


class DropoutBeforeBatchnorm(ModelRule):
    code = "DL106"
    name = "dropout-before-batchnorm"
    severity = "warning"
    fix = "unsafe"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: the variance shift is real, but how much it hurts depends on the model "
            "and on how BatchNorm's statistics are used."
        ),
        what="Checks for dropout whose output feeds straight into a BatchNorm layer (activations aside).",
        why=(
            "In training, BatchNorm learns its running variance from activations that\n"
            "dropout has thinned and scaled by 1/(1-p); at inference dropout is off and the\n"
            "variance of what reaches BatchNorm is different. BatchNorm then normalises with\n"
            "the wrong statistics, a 'variance shift' that Li et al. (2019) show costs\n"
            "accuracy. Put dropout after the BatchNorm (or after the last BatchNorm of the\n"
            "block), where no normalisation statistics are learned from its output."
        ),
        example="nn.Dropout(0.5),\nnn.BatchNorm1d(256),",
        use_instead="nn.BatchNorm1d(256),\nnn.Dropout(0.5),",
        fix_safety=(
            "Unsafe: moves the dropout after the BatchNorm, which changes training. In an\n"
            "`nn.Sequential` the two layers trade indices, so the BatchNorm's checkpoint keys\n"
            "change (`net.3.weight` becomes `net.2.weight`): old checkpoints need their keys\n"
            "renamed. Offered only for two neighbouring elements of one list, or two module\n"
            "calls in one file, where the dropout feeds nothing but the BatchNorm."
        ),
        references=(LI_2019,),
    )
    valid = (
        Example(_swap(_TORCH_SEQUENTIAL, "nn.Dropout(0.5)", "nn.BatchNorm1d(256)")),
        Example(_TORCH_SEQUENTIAL.replace("nn.BatchNorm1d(256)", "nn.LayerNorm(256)")),
        Example(_swap(_KERAS, "layers.Dropout(0.3)", "layers.BatchNormalization()"), framework="keras"),
    )
    invalid = (
        Example(
            marked(_TORCH_SEQUENTIAL, "nn.Dropout(0.5),", "DL106"),
            fixed=_swap(_TORCH_SEQUENTIAL, "nn.Dropout(0.5)", "nn.BatchNorm1d(256)"),
        ),
        Example(
            marked(_TORCH_FORWARD, "x = self.drop(x)", "DL106"),
            fixed=_swap(_TORCH_FORWARD, "x = self.drop(x)", "x = self.bn(x)"),
        ),
        Example(
            marked(_KERAS, "layers.Dropout(0.3),", "DL106"),
            framework="keras",
            fixed=_swap(_KERAS, "layers.Dropout(0.3)", "layers.BatchNormalization()"),
        ),
        Example(marked(_KERAS_FUNCTIONAL, "x = layers.Dropout(0.3)(x)", "DL106"), framework="keras",
                fixed=_swap(_KERAS_FUNCTIONAL, "layers.Dropout(0.3)", "layers.BatchNormalization()")),
    )

    def check_model(self, model, config):
        view = View.of(model)
        for placed in view.dropouts():
            layer = placed.layer
            if layer.rate.value == 0:
                continue
            norm = self._batch_norm_after(view, layer)
            if norm is None:
                continue
            fix = self._fix(view, layer, norm)
            message = (
                f"{shown(layer, model.framework)} feeds straight into {norm.name}, which then learns its "
                f"variance from dropped activations and normalises with the wrong one at inference "
                f"(variance shift); move the dropout after {norm.name}."
            )
            yield finding(self, model, layer, message, fix)

    @staticmethod
    def _batch_norm_after(view: View, layer):
        for placed in view.single_path(layer, downstream=True):
            nxt = placed.layer
            if nxt.kind == LayerKind.NORM and is_batch_norm(nxt.op):
                return nxt
            if nxt.kind not in _THROUGH or len(nxt.inputs) != 1:
                return None
        return None

    @staticmethod
    def _fix(view: View, dropout, norm) -> Fix | None:
        """Trade the two layers' places, when they are plain neighbours of one kind."""
        a, b = dropout.rewrite, norm.rewrite
        if a is None or b is None or a.shape != b.shape or a.shape not in ("call", "element"):
            return None
        if dropout.path != norm.path or norm.inputs != (dropout.id,) or dropout.id in view.outputs:
            return None
        if a.shape == "element" and (a.container is None or a.container != b.container):
            return None
        edits = (Edit(a.part, b.text), Edit(b.part, a.text))
        if a.shape == "element":
            message = (
                f"Move {dropout.name} after {norm.name}; the Sequential indices of both change, "
                f"and with them the BatchNorm's checkpoint keys"
            )
        else:
            message = f"Move {dropout.name} after {norm.name}"
        return Fix("unsafe", message, edits)
