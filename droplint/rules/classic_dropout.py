"""DL405 classic-dropout."""

from __future__ import annotations

from droplint.frontends import handrolled
from droplint.rulebook.rule import Docs, Example, FileRule


class ClassicDropout(FileRule):
    code = "DL405"
    name = "classic-dropout"
    severity = "info"
    frameworks = ("numpy", "torch")
    docs = Docs(
        severity_reason=(
            "Info: classic dropout is consistent, only not the inverted form the frameworks "
            "use; advice."
        ),
        what=(
            "Reports hand-rolled classic (non-inverted) dropout: an unscaled mask in training\n"
            "and a multiplication by the keep probability at inference."
        ),
        why=(
            "Classic dropout is correct: both modes have the expected activation `(1 - p) x`.\n"
            "But every framework's dropout is inverted, so weights trained with classic\n"
            "dropout are scaled differently from what `nn.Dropout` / `keras.layers.Dropout`\n"
            "would give, the inference path carries a multiplication that is easy to lose when\n"
            "the code is refactored or exported, and swapping in the library layer silently\n"
            "changes the model. Information only."
        ),
        example=(
            "def dropout(x, p, training, rng):\n"
            "    if training:\n"
            "        return x * (rng.random(x.shape) >= p)\n"
            "    return x * (1 - p)"
        ),
        use_instead=(
            "def dropout(x, p, training, rng):\n"
            "    if training:\n"
            "        return x * (rng.random(x.shape) >= p) / (1 - p)\n"
            "    return x"
        ),
        fix_safety=(
            "No fix: converting changes the scale of trained weights' activations; for an\n"
            "existing checkpoint the classic form is the right one."
        ),
        references=(
            (
                "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from "
                "Overfitting, JMLR 15 (section 2: weights scaled by p at test time)"
            ),
            "https://cs231n.github.io/neural-networks-2/#reg (inverted dropout)",
        ),
    )
    valid = (
        Example(
            "def dropout(x, p, training, rng):\n    if training:\n"
            "        return x * (rng.random(x.shape) >= p) / (1 - p)\n    return x\n",
            framework="numpy",
        ),
        Example(
            "import torch\n\ndef dropout(x, p, training):\n    if training:\n"
            "        return x * (torch.rand_like(x) >= p) / (1 - p)\n    return x\n"
        ),
    )
    invalid = (
        Example(
            "def dropout(x, p, training, rng):\n    if training:\n"
            "        return x * (rng.random(x.shape) >= p)  # DL405\n    return x * (1 - p)\n",
            framework="numpy",
        ),
        Example(
            "import torch\nfrom torch import nn\n\nclass Drop(nn.Module):\n"
            "    def forward(self, x):\n        if not self.training:\n            return x * self.keep_prob\n"
            "        mask = torch.bernoulli(torch.full_like(x, self.keep_prob))\n        return x * mask  # DL405\n"
        ),
    )

    def check_file(self, ctx):
        for dropout in handrolled.masks(ctx):
            if dropout.scale or dropout.inference.kind != "compensation" or not dropout.compensates_with_keep():
                continue
            if dropout.keeps_with_drop or dropout.mask.kind == "normal":
                continue  # DL402 says what is wrong first
            yield ctx.diagnostic(
                self,
                dropout.application.value,
                f"{dropout.label}: hand-rolled classic dropout (unscaled mask in training, "
                f"`* {dropout.keep_text(divisor=True)}` at inference) is consistent but not what framework "
                f"dropout does; prefer inverted dropout (`droplint reference` prints it): "
                f"{dropout.inverted_form(ctx.module)}.",
            )
