"""DL102 output-layer-dropout."""

from __future__ import annotations

from textwrap import dedent

from droplint.ir import Fix, Position
from droplint.model_view import View, finding, shown
from droplint.rulebook.example_models import marked
from droplint.rulebook.rule import Docs, Example, ModelRule
from droplint.rulebook.shared_docs import SRIVASTAVA_2014

_TORCH = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 10)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            x = self.fc1(x).relu()
            x = self.fc2(x)
            return self.drop(x)
    """)

_KERAS = dedent("""\
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(10),
        layers.Dropout(0.5),
    ])
    """)

_KERAS_FUNCTIONAL = dedent("""\
    import keras
    from keras import layers

    inputs = keras.Input((784,))
    x = layers.Dense(256, activation="relu")(inputs)
    x = layers.Dense(10)(x)
    outputs = layers.Dropout(0.2)(x)
    model = keras.Model(inputs, outputs)
    """)

# The output dropout's construction goes with it: nothing else uses `self.out_drop`.
_TORCH_FIXED = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 10)

        def forward(self, x):
            x = self.fc1(x).relu()
            x = self.fc2(x)
            return x
    """)

# `self.drop` is also applied between the layers: its construction stays.
_TORCH_SHARED = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 10)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            x = self.drop(self.fc1(x).relu())
            x = self.fc2(x)
            x = self.drop(x)
            return x
    """)
_TORCH_SHARED_FIXED = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 10)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            x = self.drop(self.fc1(x).relu())
            x = self.fc2(x)
            return x
    """)

_KERAS_SUBCLASSED = dedent("""\
    import keras
    from keras import layers


    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(256, activation="relu")
            self.logits = layers.Dense(10)
            self.out_drop = layers.Dropout(0.5)

        def call(self, x, training=None):
            x = self.logits(self.hidden(x))
            return self.out_drop(x, training=training)
    """)
_KERAS_SUBCLASSED_FIXED = dedent("""\
    import keras
    from keras import layers


    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(256, activation="relu")
            self.logits = layers.Dense(10)

        def call(self, x, training=None):
            x = self.logits(self.hidden(x))
            return x
    """)

# A residual block at the end of a backbone: the dropout merges with the skip path, so it
# is final-hidden, not output (DESIGN.md's depth model).
_TORCH_RESIDUAL_TAIL = dedent("""\
    import torch.nn as nn


    class Backbone(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(256, 1024)
            self.fc2 = nn.Linear(1024, 256)
            self.drop = nn.Dropout(0.1)

        def forward(self, x):
            h = self.fc2(self.fc1(x).relu())
            return x + self.drop(h)
    """)

_KERAS_RESIDUAL_TAIL = dedent("""\
    import keras
    from keras import layers

    inputs = keras.Input((256,))
    h = layers.Dense(1024, activation="relu")(inputs)
    h = layers.Dense(256)(h)
    outputs = layers.Add()([inputs, layers.Dropout(0.1)(h)])
    model = keras.Model(inputs, outputs)
    """)


class OutputLayerDropout(ModelRule):
    code = "DL102"
    name = "output-layer-dropout"
    severity = "error"
    fix = "unsafe"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Error: dropout on a root model's final output zeroes and rescales its "
            "predictions in training, whatever the rest of the project does; blocks are "
            "judged only where a root uses them, and an undecidable position is never "
            "flagged."
        ),
        what=(
            "Checks for dropout applied to the model's output: after its last weighted layer,\n"
            "reaching the returned value through single-input steps only (activation, norm,\n"
            "reshape, pooling). A dropout whose result merges with another tensor on the way\n"
            "out, or that sits after the residual merge at the end of a backbone, is not\n"
            "flagged."
        ),
        why=(
            "Dropout on the output zeroes some of the model's predictions (logits, a\n"
            "regression value) at random during training and scales the rest by 1/(1-p).\n"
            "The loss then trains on corrupted predictions rather than on features, which\n"
            "injects noise into the targets' gradient without regularising any learned\n"
            "representation; dropout belongs between weighted layers (Srivastava et al. 2014)."
        ),
        example="return self.drop(self.fc2(x))",
        use_instead="x = self.drop(x)\nreturn self.fc2(x)",
        fix_safety=(
            "Unsafe: removes the dropout from the output path (the call becomes its input,\n"
            "or the element leaves the Sequential list), which changes training. When the\n"
            "dropout is an attribute (`self.out_drop = nn.Dropout(0.5)`) that nothing else in\n"
            "the file names, its construction is removed too. Not offered where the\n"
            "application is not a plain one-tensor call or list element."
        ),
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(_TORCH.replace("        x = self.fc2(x)\n        return self.drop(x)",
                               "        x = self.drop(x)\n        return self.fc2(x)")),
        Example(_TORCH_RESIDUAL_TAIL),
        Example(_KERAS_RESIDUAL_TAIL, framework="keras"),
        Example(_KERAS.replace("    layers.Dense(10),\n    layers.Dropout(0.5),\n",
                               "    layers.Dropout(0.5),\n    layers.Dense(10),\n"), framework="keras"),
    )
    invalid = (
        Example(marked(_TORCH, "return self.drop(x)", "DL102"), fixed=_TORCH_FIXED),
        Example(marked(_TORCH_SHARED, "x = self.drop(x)", "DL102"), fixed=_TORCH_SHARED_FIXED),
        Example(
            marked(_KERAS_SUBCLASSED, "return self.out_drop(x, training=training)", "DL102"),
            framework="keras",
            fixed=_KERAS_SUBCLASSED_FIXED,
        ),
        Example(
            marked(_KERAS, "layers.Dropout(0.5),", "DL102"),
            framework="keras",
            fixed=_KERAS.replace("\n    layers.Dropout(0.5),", ""),
        ),
        Example(marked(_KERAS_FUNCTIONAL, "outputs = layers.Dropout(0.2)(x)", "DL102"), framework="keras",
                fixed=_KERAS_FUNCTIONAL.replace("layers.Dropout(0.2)(x)", "x")),
    )

    def check_model(self, model, config):
        view = View.of(model)
        for placed in view.placed_dropouts():
            if placed.position != Position.OUTPUT or placed.layer.rate.value == 0:
                continue
            layer = placed.layer
            last = view.weighted_before(layer)
            if last is None:
                # A merge (a residual add) between the last weighted layer and the dropout:
                # the tail of a backbone, whose output is features for a head, not a
                # prediction; the depth model's contract reads it the same way.
                continue
            where = f"is applied to the output of {last.layer.name}, the model's last layer"
            remedy = f"move it before {last.layer.name} or remove it"
            fix = None
            if layer.rewrite is not None and layer.rewrite.removal is not None:
                edits = (layer.rewrite.removal,)
                message = f"Remove {layer.name} from the output path"
                if layer.rewrite.unbuild is not None:
                    # Nothing else uses the attribute: its construction goes too, or the
                    # fix would leave a layer built for nothing.
                    edits += (layer.rewrite.unbuild,)
                    message += " and its construction"
                fix = Fix("unsafe", message, edits)
            yield finding(self, model, layer, f"{shown(layer, model.framework)} {where}; {remedy}.", fix)
