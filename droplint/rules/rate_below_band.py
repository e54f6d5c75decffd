"""DL105 rate-below-band."""

from __future__ import annotations

from textwrap import dedent

from droplint.model_view import View, band_of, finding, rate_text, shown
from droplint.rulebook.example_models import marker
from droplint.rulebook.rule import Docs, Example, ModelRule
from droplint.rulebook.shared_docs import BANDS_OPTION, SRIVASTAVA_2014


def _torch(rate: str, marked: str = "") -> str:
    return dedent(f"""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 512)
                self.drop = nn.Dropout({rate})
                self.fc2 = nn.Linear(512, 256)
                self.fc3 = nn.Linear(256, 10)

            def forward(self, x):
                x = self.drop(self.fc1(x).relu()){marker(marked)}
                return self.fc3(self.fc2(x).relu())
        """)


def _keras(rate: str, marked: str = "") -> str:
    return dedent(f"""\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input((784,)),
            layers.Dense(512, activation="relu"),
            layers.Dropout({rate}),{marker(marked)}
            layers.Dense(256, activation="relu"),
            layers.Dense(10),
        ])
        """)


class RateBelowBand(ModelRule):
    code = "DL105"
    name = "rate-below-band"
    severity = "info"
    default_on = False
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Info, off by default: rates below a band are normal practice (transformers use "
            "0.1 everywhere)."
        ),
        what=(
            "Checks for dropout whose rate is below the band of its position (input,\n"
            "hidden, final hidden). A rate of 0 is left to DL204 noop-dropout."
        ),
        why=(
            "A rate well below the band regularises little: at p=0.05 a hidden layer barely\n"
            "changes between training and inference. That is often deliberate (transformers\n"
            "use 0.1 everywhere, with other regularisers), so this rule is informational and\n"
            "off by default; turn it on when a small model overfits (Srivastava et al. 2014)."
        ),
        example="self.drop = nn.Dropout(0.1)  # between fc1 and fc2",
        use_instead="self.drop = nn.Dropout(0.3)",
        fix_safety="No fix: a light rate may be deliberate.",
        options=BANDS_OPTION + " Turn the rule on with `extend-select = [\"DL105\"]`.",
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(_torch("0.4")),
        Example(_torch("0.0")),
        Example(_keras("0.3"), framework="keras"),
        Example(_torch("0.1"), config=(("bands", {"hidden": [0.1, 0.5]}),)),
    )
    invalid = (
        Example(_torch("0.1", "DL105")),
        Example(_keras("0.05", "DL105"), framework="keras"),
    )

    def check_model(self, model, config):
        view = View.of(model)
        for placed in view.placed_dropouts():
            band = band_of(config, placed.position)
            layer = placed.layer
            if band is None or layer.rate.value == 0 or layer.rate.value >= band[0] - 1e-9:
                continue
            low, high = band
            message = (
                f"{shown(layer, model.framework)} is {placed.position} dropout below the {placed.position} "
                f"band {rate_text(low)}-{rate_text(high)}; raise it toward {rate_text(low)} if the model overfits."
            )
            yield finding(self, model, layer, message)
