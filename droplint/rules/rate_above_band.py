"""DL103 rate-above-band."""

from __future__ import annotations

from droplint.edits.rates import rate_edit
from droplint.ir import Fix, Position
from droplint.model_view import View, band_of, finding, rate_text, shown
from droplint.rulebook.example_models import two_dropout_mlp
from droplint.rulebook.rule import Docs, Example, ModelRule
from droplint.rulebook.shared_docs import BANDS_OPTION, BAND_FIX_SAFETY, SRIVASTAVA_2014

POSITIONS = (Position.HIDDEN, Position.FINAL_HIDDEN)


class RateAboveBand(ModelRule):
    code = "DL103"
    name = "rate-above-band"
    severity = "warning"
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
        fix_safety=BAND_FIX_SAFETY,
        options=BANDS_OPTION,
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(two_dropout_mlp("torch", "0.4", "0.6")),
        Example(two_dropout_mlp("keras", "0.5", "0.7"), framework="keras"),
        Example(two_dropout_mlp("torch", "0.8", "0.5"), config=(("bands", {"hidden": [0.3, 0.8]}),)),
    )
    invalid = (
        Example(two_dropout_mlp("torch", "0.8", "0.5", ("DL103", "")), fixed=two_dropout_mlp("torch", "0.5", "0.5")),
        Example(two_dropout_mlp("torch", "0.4", "0.75", ("", "DL103")), fixed=two_dropout_mlp("torch", "0.4", "0.7")),
        Example(
            two_dropout_mlp("keras", "0.6", "0.5", ("DL103", "")),
            framework="keras",
            fixed=two_dropout_mlp("keras", "0.5", "0.5"),
        ),
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
