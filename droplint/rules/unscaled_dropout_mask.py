"""DL401 unscaled-dropout-mask."""

from __future__ import annotations

from droplint.edits import handrolled as rewrite
from droplint.frontends import handrolled
from droplint.ir import Fix
from droplint.rulebook.example_models import INVERTED_DROPOUT
from droplint.rulebook.rule import Docs, Example, FileRule


class UnscaledDropoutMask(FileRule):
    code = "DL401"
    name = "unscaled-dropout-mask"
    severity = "error"
    fix = "unsafe"
    frameworks = ("numpy", "torch", "tensorflow")
    docs = Docs(
        severity_reason=(
            "Error: a 0/1 mask that is never scaled makes training outputs average (1 - p) "
            "times what inference sees, whatever the rest of the project does; a scale "
            "anywhere on the data flow (before, inside or after the mask) counts."
        ),
        what=(
            "Checks for a hand-rolled dropout mask applied without the `1/(1-p)` scale and\n"
            "without compensation at inference."
        ),
        why=(
            "A mask that keeps each unit with probability `1 - p` shrinks the expected\n"
            "activation to `(1 - p) * x` in training. Inverted dropout divides kept units by\n"
            "`1 - p` so that `E[h'] = h`; classic dropout multiplies by `1 - p` at inference\n"
            "instead. With neither, the next layer sees activations `1/(1-p)` times larger at\n"
            "inference than it was trained on."
        ),
        example=(
            "def dropout(x, p, training, rng):\n"
            "    if not training:\n"
            "        return x\n"
            "    mask = rng.random(x.shape) >= p\n"
            "    return x * mask"
        ),
        use_instead=INVERTED_DROPOUT,
        fix_safety=(
            "Unsafe: dividing by the keep probability changes the training-time activations\n"
            "(and so what a trained model's later layers expect); it matches\n"
            "`droplint.reference.inverted_dropout` (`droplint reference` prints it), but\n"
            "retraining is needed."
        ),
        references=(
            (
                "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from "
                "Overfitting, JMLR 15 (section 2 and 10)"
            ),
            "https://cs231n.github.io/neural-networks-2/#reg (inverted dropout)",
        ),
    )
    valid = (
        Example(
            INVERTED_DROPOUT + "\n",
            framework="numpy",
        ),
        Example(
            "import torch\n\ndef dropout(x, p, training):\n    if not training:\n        return x\n"
            "    keep = 1 - p\n    mask = (torch.rand_like(x) < keep).float()\n    return x * mask / keep\n"
        ),
        Example(
            "import numpy as np\n\ndef classic(x, keep, training):\n    if training:\n"
            "        return x * (np.random.rand(*x.shape) < keep)\n    return x * keep\n",
            framework="numpy",
        ),
        Example(
            "import torch\n\ndef layerdrop(layers, x, p):\n    for layer in layers:\n"
            "        if torch.rand([]) < p:\n            continue\n        x = layer(x)\n    return x\n"
        ),
    )
    invalid = (
        Example(
            "def dropout(x, p, training, rng):\n    if not training:\n        return x\n"
            "    mask = rng.random(x.shape) >= p\n    return x * mask  # DL401\n",
            framework="numpy",
            fixed=(
                INVERTED_DROPOUT + "\n"
            ),
        ),
        Example(
            "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n"
            "    def forward(self, x):\n        if self.training:\n"
            "            keep_prob = 1 - self.p\n"
            "            x = x * (torch.rand_like(x) < keep_prob)  # drop units  # DL401\n"
            "        return x\n",
            fixed=(
                "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n"
                "    def forward(self, x):\n        if self.training:\n"
                "            keep_prob = 1 - self.p\n"
                "            x = x * (torch.rand_like(x) < keep_prob) / keep_prob  # drop units\n"
                "        return x\n"
            ),
        ),
        Example(
            "import tensorflow as tf\n\ndef dropout(x, rate, training):\n    if training:\n"
            "        x *= tf.cast(tf.random.uniform(tf.shape(x)) >= rate, x.dtype)  # DL401\n    return x\n",
            framework="tensorflow",
            fixed=(
                "import tensorflow as tf\n\ndef dropout(x, rate, training):\n    if training:\n"
                "        x *= tf.cast(tf.random.uniform(tf.shape(x)) >= rate, x.dtype) / (1 - rate)\n"
                "    return x\n"
            ),
        ),
    )

    def check_file(self, ctx):
        for dropout in handrolled.masks(ctx):
            if dropout.scale or dropout.inference.kind not in ("identity", "none"):
                continue
            app = dropout.application
            keep = dropout.keep_text()
            edits = rewrite.add_scale(ctx, dropout)
            fix = Fix("unsafe", f"Divide the masked value by {keep}", tuple(edits)) if edits else None
            yield ctx.diagnostic(
                self,
                app.value,
                f"{dropout.label}: hand-rolled dropout `{handrolled.snippet(ctx, app.statement if app.augmented else app.value)}` "
                f"keeps units with probability {keep} but never divides by it and nothing compensates "
                f"at inference, so training outputs average {dropout.keep_text(divisor=True)} * x while "
                f"inference passes x; use inverted dropout (`droplint reference` prints it): "
                f"{dropout.inverted_form(ctx.module)}.",
                fix=fix,
            )

