"""DL404 double-dropout-scaling."""

from __future__ import annotations

from droplint.edits import handrolled as rewrite
from droplint.frontends import handrolled
from droplint.ir import Fix
from droplint.rulebook.example_models import INVERTED_DROPOUT
from droplint.rulebook.rule import Docs, Example, FileRule


class DoubleDropoutScaling(FileRule):
    code = "DL404"
    name = "double-dropout-scaling"
    severity = "error"
    fix = "unsafe"
    frameworks = ("numpy", "torch")
    docs = Docs(
        severity_reason=(
            "Error: scaling in training and again at inference shifts inference outputs by "
            "the keep probability."
        ),
        what=(
            "Checks for hand-rolled dropout that scales kept units in training and multiplies\n"
            "by the keep probability again at inference."
        ),
        why=(
            "Inverted dropout (`x * mask / (1 - p)` in training) already keeps the expected\n"
            "activation equal to `x`; inference must pass `x` through unchanged. Multiplying\n"
            "by `1 - p` at inference as well (the classic-dropout compensation) shrinks every\n"
            "activation by `1 - p` at test time: the model is evaluated on inputs it never saw."
        ),
        example=(
            "def dropout(x, p, training, rng):\n"
            "    if not training:\n"
            "        return x * (1 - p)\n"
            "    mask = rng.random(x.shape) >= p\n"
            "    return x * mask / (1 - p)"
        ),
        use_instead=INVERTED_DROPOUT,
        fix_safety=(
            "Unsafe: the fix removes the inference-time factor, which changes every\n"
            "prediction of a trained model (to what its training meant). No fix for an\n"
            "in-place compensation (`x *= keep`)."
        ),
        references=(
            (
                "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from "
                "Overfitting, JMLR 15 (section 10)"
            ),
            (
                "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html (outputs are "
                "scaled by 1/(1-p) during training; identity during evaluation)"
            ),
        ),
    )
    valid = (
        Example(
            INVERTED_DROPOUT + "\n",
            framework="numpy",
        ),
        Example(
            "import torch\n\ndef dropout(x, p, training):\n    if training:\n"
            "        return x * (torch.rand_like(x) >= p)\n    return x * (1 - p)\n"
        ),
    )
    invalid = (
        Example(
            "def dropout(x, p, training, rng):\n    if not training:\n        return x * (1 - p)  # DL404\n"
            "    mask = rng.random(x.shape) >= p\n    return x * mask / (1 - p)\n",
            framework="numpy",
            fixed=(
                INVERTED_DROPOUT + "\n"
            ),
        ),
        Example(
            "import torch\nfrom torch import nn\n\nclass Drop(nn.Module):\n"
            "    def forward(self, x):\n        keep = 1 - self.p\n        if self.training:\n"
            "            out = x * (torch.rand_like(x) < keep) / keep\n        else:\n"
            "            out = keep * x  # match the training scale  # DL404\n        return out\n",
            fixed=(
                "import torch\nfrom torch import nn\n\nclass Drop(nn.Module):\n"
                "    def forward(self, x):\n        keep = 1 - self.p\n        if self.training:\n"
                "            out = x * (torch.rand_like(x) < keep) / keep\n        else:\n"
                "            out = x  # match the training scale\n        return out\n"
            ),
        ),
    )

    def check_file(self, ctx):
        for dropout in handrolled.masks(ctx):
            scale = [f for f, p in dropout.scale if p is None or p.value != 1.0]
            if not scale or dropout.inference.kind != "compensation":
                continue
            edits = rewrite.remove_compensation(ctx, dropout)
            fix = Fix("unsafe", "Pass the input through unchanged at inference", tuple(edits)) if edits else None
            written = handrolled.snippet(ctx, dropout.inference.node)
            yield ctx.diagnostic(
                self,
                dropout.inference.node,
                f"{dropout.label}: hand-rolled dropout already divides by {dropout.keep_text()} in "
                f"training, and inference scales again with `{written}`, so inference outputs are "
                f"{dropout.keep_text(divisor=True)} * x where training averaged x; use inverted dropout "
                f"(`droplint reference` prints it): {dropout.inverted_form(ctx.module)}.",
                fix=fix,
            )
