"""DL406 handrolled-dropout-always-on."""

from __future__ import annotations

from droplint.frontends import handrolled
from droplint.rulebook.example_models import INVERTED_DROPOUT
from droplint.rulebook.rule import Docs, Example, FileRule


class HandrolledDropoutAlwaysOn(FileRule):
    code = "DL406"
    name = "handrolled-dropout-always-on"
    severity = "error"
    frameworks = ("numpy", "torch", "tensorflow")
    docs = Docs(
        severity_reason=(
            "Error: a hand-rolled mask in a model method (or a function with a training flag) "
            "that runs unconditionally drops units at inference."
        ),
        what=(
            "Checks for a hand-rolled dropout mask applied with no training / inference branch\n"
            "where a training flag is at hand: in `forward` / `call` of a module or layer, or\n"
            "in a function that takes `training` (or `train`, `is_training`, `deterministic`)."
        ),
        why=(
            "Dropout is a training-time regulariser: at inference every unit must be active.\n"
            "A mask drawn unconditionally makes predictions random and, unless scaled,\n"
            "systematically smaller. A function that takes `training` and ignores it is the\n"
            "classic form of this bug; a module's `forward` has `self.training`."
        ),
        example=(
            "def dropout(x, p, training, rng):\n"
            "    mask = rng.random(x.shape) >= p\n"
            "    return x * mask / (1 - p)"
        ),
        use_instead=INVERTED_DROPOUT,
        fix_safety=(
            "No fix: which flag gates the branch (`training`, `self.training`, a mode string)\n"
            "is the author's choice. Deliberately stochastic inference (MC dropout, Tacotron's\n"
            "prenet) is marked with `# noqa: DL406`."
        ),
        options=(
            "None. Helper functions without a training flag (a dropout primitive whose caller\n"
            "decides, a `train_step`) are not flagged."
        ),
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval",
            (
                "Gal and Ghahramani 2016, Dropout as a Bayesian Approximation (MC dropout, the "
                "legitimate always-on use)"
            ),
        ),
    )
    valid = (
        Example(
            INVERTED_DROPOUT + "\n",
            framework="numpy",
        ),
        Example(
            "import torch\nfrom torch import nn\n\nclass Drop(nn.Module):\n    def forward(self, x):\n"
            "        if self.training:\n            x = x * (torch.rand_like(x) >= self.p) / (1 - self.p)\n"
            "        return x\n"
        ),
        Example(
            "import numpy as np\n\ndef dropout(x, rate, seed=None):\n"
            "    keep = 1.0 - rate\n    mask = np.random.default_rng(seed).uniform(size=x.shape) < keep\n"
            "    return np.where(mask, x / keep, 0)\n",
            framework="numpy",
        ),
        Example(
            "import tensorflow as tf\n\ndef dropout(x, keep_prob, mode):\n    if mode == 'train':\n"
            "        x = x * tf.cast(tf.random.uniform(tf.shape(x)) < keep_prob, x.dtype) / keep_prob\n"
            "    return x\n",
            framework="tensorflow",
        ),
    )
    invalid = (
        Example(
            "def dropout(x, p, training, rng):\n    mask = rng.random(x.shape) >= p\n"
            "    return x * mask / (1 - p)  # DL406\n",
            framework="numpy",
        ),
        Example(
            "import torch\nfrom torch import nn\n\nclass Drop(nn.Module):\n    def forward(self, x):\n"
            "        keep = 1 - self.p\n        return x * (torch.rand_like(x) < keep) / keep  # DL406\n"
        ),
        Example(
            "import tensorflow as tf\nfrom tensorflow import keras\n\nclass Drop(keras.layers.Layer):\n"
            "    def call(self, x, training=None):\n"
            "        mask = tf.cast(tf.random.uniform(tf.shape(x)) >= self.rate, x.dtype)\n"
            "        return x * mask / (1 - self.rate)  # DL406\n",
            framework="tensorflow",
        ),
    )

    def check_file(self, ctx):
        for dropout in handrolled.masks(ctx):
            if dropout.gated or not dropout.branch_expected:
                continue
            flag = "self.training" if dropout.label.endswith(".forward()") else "training"
            app = dropout.application
            yield ctx.diagnostic(
                self,
                app.value,
                f"{dropout.label}: hand-rolled dropout `{handrolled.snippet(ctx, app.value)}` "
                f"runs in training and inference alike; apply it only when {flag} is true and return "
                f"the input unchanged otherwise, as inverted dropout does (`droplint reference` prints it): "
                f"{dropout.inverted_form(ctx.module)}.",
            )
