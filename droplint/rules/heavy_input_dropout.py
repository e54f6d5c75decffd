"""DL101 heavy-input-dropout."""

from __future__ import annotations

from textwrap import dedent

from droplint.edits.rates import rate_edit
from droplint.ir import Fix, Position
from droplint.model_view import View, band_of, finding, rate_text, shown
from droplint.rulebook.example_models import marker
from droplint.rulebook.rule import Docs, Example, ModelRule
from droplint.rulebook.shared_docs import BANDS_OPTION, BAND_FIX_SAFETY, SRIVASTAVA_2014


def _torch(rate: str, marked: str = "") -> str:
    return dedent(f"""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout({rate})
                self.fc1 = nn.Linear(784, 256)
                self.fc2 = nn.Linear(256, 10)

            def forward(self, x):
                x = self.drop(x){marker(marked)}
                x = self.fc1(x).relu()
                return self.fc2(x)
        """)


def _keras(rate: str, marked: str = "") -> str:
    return dedent(f"""\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input((784,)),
            layers.Dropout({rate}),{marker(marked)}
            layers.Dense(256, activation="relu"),
            layers.Dense(10),
        ])
        """)


class HeavyInputDropout(ModelRule):
    code = "DL101"
    name = "heavy-input-dropout"
    severity = "warning"
    fix = "unsafe"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: the input band is a rule of thumb, and a model may be a block of a "
            "larger one whose real input lies elsewhere; a reasonable design can differ."
        ),
        what=(
            "Checks for input dropout (before the first weighted layer, or right after\n"
            "embeddings) whose rate is above the input band (default 0.1-0.3)."
        ),
        why=(
            "Input dropout removes raw features, which later layers cannot recover: each\n"
            "unit of the input carries information no other unit has. Srivastava et al.\n"
            "found that inputs tolerate far less dropout than hidden units (they kept 0.8 of\n"
            "the inputs, 0.5 of the hidden units); heavy input dropout starves the first\n"
            "layer and slows or stalls training."
        ),
        example="x = self.drop(x)  # nn.Dropout(0.5), before self.fc1",
        use_instead="self.drop = nn.Dropout(0.2)  # within the input band",
        fix_safety=BAND_FIX_SAFETY,
        options=BANDS_OPTION,
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(_torch("0.2")),
        Example(_torch("0.5").replace("def __init__(self):", "def __init__(self, p):").replace("nn.Dropout(0.5)", "nn.Dropout(p)")),
        Example(_keras("0.2"), framework="keras"),
        Example(_torch("0.4"), config=(("bands", {"input": [0.1, 0.4]}),)),
    )
    invalid = (
        Example(_torch("0.5", "DL101"), fixed=_torch("0.3")),
        Example(_keras("0.5", "DL101"), framework="keras", fixed=_keras("0.3")),
        Example(_torch("0.3", "DL101"), config=(("bands", {"input": [0.0, 0.2]}),), fixed=_torch("0.2")),
    )

    def check_model(self, model, config):
        band = band_of(config, Position.INPUT)
        if band is None:
            return
        low, high = band
        view = View.of(model)
        for placed in view.placed_dropouts():
            layer = placed.layer
            if placed.position != Position.INPUT or layer.rate.value <= high + 1e-9:
                continue
            edit = rate_edit(view, layer, high)
            fix = Fix("unsafe", f"Set the rate to {rate_text(high)}, the input band's upper bound", (edit,)) if edit else None
            message = (
                f"{shown(layer, model.framework)} is input dropout (before any weighted layer) above "
                f"the input band {rate_text(low)}-{rate_text(high)}; lower it to {rate_text(high)} or less."
            )
            yield finding(self, model, layer, message, fix)
