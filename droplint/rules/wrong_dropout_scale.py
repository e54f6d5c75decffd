"""DL403 wrong-dropout-scale."""

from __future__ import annotations

from droplint.edits import handrolled as rewrite
from droplint.frontends import handrolled
from droplint.ir import Fix
from droplint.rulebook.example_models import INVERTED_DROPOUT
from droplint.rulebook.rule import Docs, Example, FileRule


class WrongDropoutScale(FileRule):
    code = "DL403"
    name = "wrong-dropout-scale"
    severity = "error"
    fix = "unsafe"
    frameworks = ("numpy", "torch")
    docs = Docs(
        severity_reason=(
            "Error: a training scale other than 1 / keep for the same mask makes training and "
            "inference disagree in expectation."
        ),
        what=(
            "Checks for a hand-rolled dropout scaled by something other than `1/(1-p)` for\n"
            "its own mask: `/ p`, `* (1 - p)` in training, or an inference compensation that\n"
            "is not the keep probability."
        ),
        why=(
            "A mask that keeps units with probability `q = 1 - p` needs the kept units\n"
            "divided by `q`, so that `E[h'] = q * h / q = h`. Dividing by `p` instead gives\n"
            "`E[h'] = (1 - p) / p * h`: with p = 0.2 activations are 4 times too large in\n"
            "training. Multiplying by `q` in training shrinks them twice. Compensating a\n"
            "classic dropout at inference by `p` instead of `1 - p` has the same effect."
        ),
        example=(
            "def dropout(x, p, training, rng):\n"
            "    if not training:\n"
            "        return x\n"
            "    mask = rng.random(x.shape) >= p\n"
            "    return x * mask / p"
        ),
        use_instead=INVERTED_DROPOUT,
        fix_safety=(
            "Unsafe: the fix rewrites the training scale to `/ (1 - p)` (in the code's own\n"
            "name for the keep probability), or a wrongly compensated classic dropout into\n"
            "inverted dropout; activations change in training, so retrain. No fix when the\n"
            "scale is folded into the mask's own definition together with other factors."
        ),
        references=(
            (
                "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from "
                "Overfitting, JMLR 15 (section 10)"
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
            "import torch\n\ndef drop_path(x, drop_prob, training):\n"
            "    if drop_prob == 0.0 or not training:\n        return x\n    keep_prob = 1 - drop_prob\n"
            "    mask = x.new_empty((x.shape[0], 1)).bernoulli_(keep_prob)\n    mask.div_(keep_prob)\n"
            "    return x * mask\n"
        ),
        Example(
            "import numpy as np\n\ndef dropout(x, rate, training):\n    if training:\n"
            "        keep = 1 - rate\n        return np.where(np.random.rand(*x.shape) < keep, x / keep, 0)\n"
            "    return x\n",
            framework="numpy",
        ),
    )
    invalid = (
        Example(
            "def dropout(x, p, training, rng):\n    if not training:\n        return x\n"
            "    mask = rng.random(x.shape) >= p\n    return x * mask / p  # DL403\n",
            framework="numpy",
            fixed=(
                INVERTED_DROPOUT + "\n"
            ),
        ),
        Example(
            "import torch\n\ndef dropout(x, p, training):\n    if training:\n        keep = 1 - p\n"
            "        # scale the survivors\n"
            "        x = x * (torch.rand_like(x) < keep) * keep  # DL403\n"
            "    return x\n",
            fixed=(
                "import torch\n\ndef dropout(x, p, training):\n    if training:\n        keep = 1 - p\n"
                "        # scale the survivors\n        x = x * (torch.rand_like(x) < keep) / keep\n    return x\n"
            ),
        ),
        Example(
            "import torch\n\ndef dropout(x, p, training):\n    mask = torch.rand_like(x) > p\n"
            "    if training:\n        return x * mask\n    return x * p  # DL403\n",
            fixed=(
                "import torch\n\ndef dropout(x, p, training):\n    mask = torch.rand_like(x) > p\n"
                "    if training:\n        return x * mask / (1 - p)\n    return x\n"
            ),
        ),
    )

    def check_file(self, ctx):
        for dropout in handrolled.masks(ctx):
            form = dropout.inverted_form(ctx.module)
            keep = dropout.keep_text()
            scale = [(f, p) for f, p in dropout.scale if p is None or p.value != 1.0]
            if scale and not dropout.scale_is_inverted():
                edits = rewrite.replace_scale(ctx, dropout)
                fix = Fix("unsafe", f"Scale by 1 / {dropout.keep_text(divisor=True)}", tuple(edits)) if edits else None
                written = " ".join(("/ " if f.power == -1 else "* ") + handrolled.snippet(ctx, f.node) for f, _ in scale)
                yield ctx.diagnostic(
                    self,
                    scale[0][0].node,
                    f"{dropout.label}: hand-rolled dropout scales its mask by `{written}`, but the mask "
                    f"keeps units with probability {keep}, so the expected activation changes in "
                    f"training; divide by {keep} instead, as inverted dropout "
                    f"does (`droplint reference` prints it): {form}.",
                    fix=fix,
                )
            elif not scale and dropout.inference.kind == "compensation" and not dropout.compensates_with_keep():
                factors = [f for f, p in dropout.inference.factors]
                written = " ".join(("/ " if f.power == -1 else "* ") + handrolled.snippet(ctx, f.node) for f in factors)
                add = rewrite.add_scale(ctx, dropout)
                remove = rewrite.remove_compensation(ctx, dropout)
                fix = None
                if add and remove:
                    fix = Fix("unsafe", "Rewrite as inverted dropout", tuple(add + remove))
                yield ctx.diagnostic(
                    self,
                    dropout.inference.node,
                    f"{dropout.label}: classic dropout compensates at inference by `{written}`, but its "
                    f"mask keeps units with probability {keep}, so inference activations do not match "
                    f"training; use inverted dropout (`droplint reference` prints it): {form}.",
                    fix=fix,
                )

