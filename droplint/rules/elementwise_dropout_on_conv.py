"""DL108 elementwise-dropout-on-conv."""

from __future__ import annotations

import re
from textwrap import dedent

from droplint.ir import LayerKind, WEIGHTED_KINDS
from droplint.model_view import View, finding, shown
from droplint.rulebook.example_models import marker
from droplint.rulebook.rule import Docs, Example, ModelRule

TOMPSON_2015 = (
    "Tompson, Goroshin, Jain, LeCun & Bregler 2015, Efficient Object Localization Using "
    "Convolutional Networks, CVPR (https://arxiv.org/abs/1411.4280)."
)
# Dropout that zeroes single values; its channel-wise siblings are what this rule suggests.
ELEMENTWISE = frozenset({
    "torch.nn.Dropout", "torch.nn.functional.dropout", "torch.dropout",
    "keras.layers.Dropout", "keras.random.dropout",
})
_CONV = re.compile(r"^(?:torch\.nn\.(?:Lazy)?Conv(?:Transpose)?(?P<t>[123])d"
                   r"|keras\.layers\.(?:Separable|Depthwise)?Conv(?:olution)?(?P<k>[123])D(?:Transpose)?)$")
# Steps that keep a conv's output a feature map: activations, norms, local pooling.
_KEEPS_MAPS = (LayerKind.ACTIVATION, LayerKind.NORM, LayerKind.POOL)


def _torch(drop: str, marked: str = "") -> str:
    return dedent(f"""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 32, 3)
                self.drop = {drop}
                self.conv2 = nn.Conv2d(32, 64, 3)

            def forward(self, x):
                x = self.drop(self.conv1(x).relu()){marker(marked)}
                return self.conv2(x)
        """)


def _keras(drop: str, marked: str = "") -> str:
    return dedent(f"""\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            {drop},{marker(marked)}
            layers.Conv2D(64, 3),
        ])
        """)


def conv_dimensions(op: str) -> int | None:
    match = _CONV.match(op)
    if match is None:
        return None
    return int(match.group("t") or match.group("k"))


class ElementwiseDropoutOnConv(ModelRule):
    code = "DL108"
    name = "elementwise-dropout-on-conv"
    severity = "info"
    default_on = False
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Info, off by default: element-wise dropout on feature maps works, only less well "
            "than channel dropout."
        ),
        what=(
            "Checks for plain (element-wise) dropout applied to convolutional feature maps,\n"
            "where channel-wise dropout (`nn.Dropout2d`, `SpatialDropout2D`) fits."
        ),
        why=(
            "Neighbouring values of a feature map are strongly correlated, so zeroing single\n"
            "values barely removes information: the next convolution recovers it from the\n"
            "neighbours, and the dropout mostly adds noise. Tompson et al. (2015) drop whole\n"
            "channels instead (spatial dropout), which regularises convolutional layers the\n"
            "way element-wise dropout regularises dense ones. Off by default: element-wise\n"
            "dropout on feature maps is sometimes chosen on purpose."
        ),
        example="x = self.drop(self.conv1(x).relu())  # self.drop = nn.Dropout(0.2)",
        use_instead="self.drop = nn.Dropout2d(0.2)",
        fix_safety="No fix: the channel layout (channels first or last) decides which class fits.",
        options="None. Turn it on with `extend-select = [\"DL108\"]`.",
        references=(TOMPSON_2015,),
    )
    valid = (
        Example(_torch("nn.Dropout2d(0.2)")),
        Example(_keras("layers.SpatialDropout2D(0.2)"), framework="keras"),
        Example(_keras("layers.Dropout(0.2)").replace("layers.MaxPooling2D()", "layers.GlobalAveragePooling2D()")
                .replace("layers.Conv2D(64, 3)", "layers.Dense(10)"), framework="keras"),
        # A classifier head of 1x1 convolutions on globally pooled maps (MobileNetV3).
        Example(_keras("layers.Dropout(0.2)").replace(
            '    layers.Conv2D(32, 3, activation="relu"),\n    layers.MaxPooling2D(),\n',
            '    layers.GlobalAveragePooling2D(keepdims=True),\n    layers.Conv2D(32, 1, activation="relu"),\n'),
            framework="keras"),
    )
    invalid = (
        Example(_torch("nn.Dropout(0.2)", "DL108")),
        Example(_keras("layers.Dropout(0.2)", "DL108"), framework="keras"),
    )

    def check_model(self, model, config):
        view = View.of(model)
        for placed in view.dropouts():
            layer = placed.layer
            if layer.op not in ELEMENTWISE or layer.rate.value == 0:
                continue
            conv = self._conv_before(view, layer)
            if conv is None:
                continue
            dims = conv_dimensions(conv.op)
            better = f"nn.Dropout{dims}d" if model.framework == "torch" else f"layers.SpatialDropout{dims}D"
            message = (
                f"{shown(layer, model.framework)} zeroes single values of the feature maps of {conv.name}, "
                f"which neighbouring values restore; use {better} to drop whole channels."
            )
            yield finding(self, model, layer, message)

    @staticmethod
    def _conv_before(view: View, layer):
        for placed in view.single_path(layer):
            source = placed.layer
            if source.kind in WEIGHTED_KINDS:
                if conv_dimensions(source.op) is None or ElementwiseDropoutOnConv._pooled_before(view, source):
                    return None
                return source
            if source.kind not in _KEEPS_MAPS or _collapses(source.op):
                return None
        return None

    @staticmethod
    def _pooled_before(view: View, conv) -> bool:
        """The conv runs on globally pooled 1x1 maps (a classifier head written as
        `GlobalAveragePooling2D(keepdims=True)` then `Conv2D(classes, 1)`): a dense layer."""
        for placed in view.single_path(conv):
            if placed.layer.kind in WEIGHTED_KINDS:
                return False
            if _collapses(placed.layer.op):
                return True
        return False


def _collapses(op: str) -> bool:
    """Global and adaptive pooling turn feature maps into vectors."""
    name = op.rsplit(".", 1)[-1]
    return name.startswith(("Global", "Adaptive", "adaptive"))
