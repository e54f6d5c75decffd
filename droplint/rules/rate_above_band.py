"""DL103 rate-above-band."""

from __future__ import annotations

from textwrap import dedent

from droplint.ir import Fix
from droplint.rulebook.rule import Docs, Example, Rule
from droplint.model_view import BANDS_OPTION, SRIVASTAVA_2014, View, band_of, finding, rate_edit, rate_text, shown

POSITIONS = ("hidden", "final-hidden")


def _torch(first: str, second: str) -> str:
    return dedent(f"""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 512)
                self.drop1 = nn.Dropout({first})
                self.fc2 = nn.Linear(512, 256)
                self.drop2 = nn.Dropout(p={second})
                self.fc3 = nn.Linear(256, 10)

            def forward(self, x):
                x = self.drop1(self.fc1(x).relu())
                x = self.drop2(self.fc2(x).relu())
                return self.fc3(x)
        """)


def _keras(first: str, second: str) -> str:
    return dedent(f"""\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input((784,)),
            layers.Dense(512, activation="relu"),
            layers.Dropout({first}),
            layers.Dense(256, activation="relu"),
            layers.Dropout(rate={second}),
            layers.Dense(10),
        ])
        """)


class RateAboveBand(Rule):
    code = "DL103"
    name = "rate-above-band"
    severity = "warning"
    scope = "model"
    fix = "unsafe"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: the bands are rules of thumb; a tuned model may need a heavier rate on "
            "purpose."
        ),
        what=(
            "Checks for dropout between weighted layers whose rate is above the band of its\n"
            "position: hidden (default 0.3-0.5) or final hidden, feeding the last weighted\n"
            "layer (default 0.5-0.7)."
        ),
        why=(
            "Past about 0.5 in hidden layers, each step trains a network so thinned that it\n"
            "underfits: the remaining units must be scaled by 1/(1-p), which grows fast (x5\n"
            "at p=0.8), so gradients get noisy and training needs many more epochs for no\n"
            "gain in generalisation (Srivastava et al. 2014). Only the layer\n"
            "feeding the classifier tolerates more."
        ),
        example="self.drop1 = nn.Dropout(0.8)  # between fc1 and fc2",
        use_instead="self.drop1 = nn.Dropout(0.5)",
        fix_safety=(
            "Unsafe: sets the rate to the band's upper bound where it is written as a\n"
            "literal, which changes training. Not offered when the rate is a name, a\n"
            "default, a config value, or a literal shared with other dropouts."
        ),
        options=BANDS_OPTION,
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(_torch("0.4", "0.6")),
        Example(_keras("0.5", "0.7"), framework="keras"),
        Example(_torch("0.8", "0.5"), config=(("bands", {"hidden": [0.3, 0.8]}),)),
    )
    invalid = (
        Example(_torch("0.8", "0.5"), fixed=_torch("0.5", "0.5")),
        Example(_torch("0.4", "0.75"), fixed=_torch("0.4", "0.7")),
        Example(_keras("0.6", "0.5"), framework="keras", fixed=_keras("0.5", "0.5")),
    )

    def check_model(self, model, config):
        view = View.of(model)
        for placed in view.placed_dropouts():
            band = band_of(config, placed.position) if placed.position in POSITIONS else None
            layer = placed.layer
            if band is None or layer.rate.value <= band[1] + 1e-9:
                continue
            low, high = band
            edit = rate_edit(view, layer, high)
            fix = None
            if edit is not None:
                fix = Fix("unsafe", f"Set the rate to {rate_text(high)}, the {placed.position} band's upper bound", (edit,))
            depth = f" (depth {placed.depth:.2f})" if placed.depth is not None else ""
            message = (
                f"{shown(layer, model.framework)} is {placed.position} dropout{depth} above the "
                f"{placed.position} band {rate_text(low)}-{rate_text(high)}; lower it to {rate_text(high)} or less."
            )
            yield finding(self, model, layer, message, fix)
