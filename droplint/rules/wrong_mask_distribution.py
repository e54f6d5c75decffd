"""DL402 wrong-mask-distribution."""

from __future__ import annotations

from droplint.edits import handrolled as rewrite
from droplint.frontends import handrolled
from droplint.ir import Fix
from droplint.rulebook.example_models import INVERTED_DROPOUT
from droplint.rulebook.rule import Docs, Example, FileRule


class WrongMaskDistribution(FileRule):
    code = "DL402"
    name = "wrong-mask-distribution"
    severity = "error"
    fix = "unsafe"
    frameworks = ("numpy", "torch", "tensorflow")
    docs = Docs(
        severity_reason=(
            "Error: a mask from a normal draw, a mask that keeps units with the drop "
            "probability, or continuous noise that is never floored has the wrong "
            "distribution under every reading."
        ),
        what=(
            "Checks for a hand-rolled dropout mask drawn from a normal distribution, or one\n"
            "that keeps units with the drop probability instead of the keep probability."
        ),
        why=(
            "Dropout keeps each unit with probability `1 - p`: a uniform draw `u` in [0, 1)\n"
            "keeps a unit when `u >= p` (equivalently `u < 1 - p`). `randn(...) < keep` is a\n"
            "normal draw, whose comparison with a probability keeps a fraction that has\n"
            "nothing to do with it (`randn < 0.5` keeps 69%). `rand(...) < p` keeps units with\n"
            "probability `p`: with p = 0.1 it drops 90% of the network instead of 10%."
        ),
        example=(
            "def dropout(x, p, training, rng):\n"
            "    if not training:\n"
            "        return x\n"
            "    mask = rng.random(x.shape) < p  # keeps with p\n"
            "    return x * mask / (1 - p)"
        ),
        use_instead=INVERTED_DROPOUT,
        fix_safety=(
            "Unsafe: the fix flips the comparison (`<` to `>=`), complements a Bernoulli\n"
            "probability (`binomial(1, p)` to `binomial(1, 1 - p)`), or replaces a normal draw\n"
            "with the uniform one of the same shape (`randn` to `rand`). Training behaviour\n"
            "changes, as intended; retrain. Normal draws with a mean and spread (`normal(0, 1,\n"
            "size)`) get no fix."
        ),
        options=(
            "None. Which name is the drop and which the keep probability is read from\n"
            "docstrings and comments (`p: probability of keeping a unit`), then from names\n"
            "(`keep_prob`, `drop_rate`), then from how the code scales; a bare `p` is a drop\n"
            "probability, as in `nn.Dropout(p)`."
        ),
        references=(
            (
                "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from "
                "Overfitting, JMLR 15 (section 2: r ~ Bernoulli(p), p the retention probability)"
            ),
            (
                "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html (p: probability "
                "of an element to be zeroed)"
            ),
        ),
    )
    valid = (
        Example(
            INVERTED_DROPOUT + "\n",
            framework="numpy",
        ),
        Example(
            "import numpy as np\n\np = 0.5  # probability of keeping a unit active\n\n"
            "def train_step(h):\n    mask = (np.random.rand(*h.shape) < p) / p\n    return h * mask\n",
            framework="numpy",
        ),
        Example(
            "import torch\n\ndef dropout(x, drop_prob, training):\n    if not training:\n        return x\n"
            "    keep_prob = 1 - drop_prob\n    mask = torch.bernoulli(torch.full_like(x, keep_prob))\n"
            "    return x * mask / keep_prob\n"
        ),
    )
    invalid = (
        Example(
            "def dropout(x, p, training, rng):\n    if not training:\n        return x\n"
            "    mask = rng.random(x.shape) < p  # DL402\n    return x * mask / (1 - p)\n",
            framework="numpy",
            fixed=(
                INVERTED_DROPOUT + "\n"
            ),
        ),
        Example(
            "import numpy as np\n\ndef dropout(x, keep_prob, training):\n    if not training:\n        return x\n"
            "    mask = np.random.randn(*x.shape) < keep_prob  # DL402\n    return x * mask / keep_prob\n",
            framework="numpy",
            fixed=(
                "import numpy as np\n\ndef dropout(x, keep_prob, training):\n    if not training:\n"
                "        return x\n"
                "    mask = np.random.rand(*x.shape) < keep_prob\n    return x * mask / keep_prob\n"
            ),
        ),
        Example(
            "import torch\n\ndef dropout(x, drop_rate, training):\n    if not training:\n        return x\n"
            "    mask = torch.bernoulli(torch.full_like(x, drop_rate))  # DL402\n"
            "    return x * mask / (1 - drop_rate)\n",
            fixed=(
                "import torch\n\ndef dropout(x, drop_rate, training):\n    if not training:\n        return x\n"
                "    mask = torch.bernoulli(torch.full_like(x, 1 - drop_rate))\n"
                "    return x * mask / (1 - drop_rate)\n"
            ),
        ),
        Example(
            "import tensorflow as tf\n\ndef dropout(x, keep_prob, training):\n    if training:\n"
            "        mask = tf.cast(tf.random.uniform(tf.shape(x)) > keep_prob, x.dtype)  # DL402\n"
            "        return x * mask / keep_prob\n    return x\n",
            framework="tensorflow",
            fixed=(
                "import tensorflow as tf\n\ndef dropout(x, keep_prob, training):\n    if training:\n"
                "        mask = tf.cast(tf.random.uniform(tf.shape(x)) <= keep_prob, x.dtype)\n"
                "        return x * mask / keep_prob\n    return x\n"
            ),
        ),
    )

    def check_file(self, ctx):
        for dropout in handrolled.find(ctx):
            mask = dropout.mask
            form = dropout.inverted_form(ctx.module)
            if mask.kind == "continuous":
                edits = rewrite.floor_noise(ctx, dropout)
                fix = Fix("unsafe", "Floor the noise into a 0/1 mask", tuple(edits)) if edits else None
                keep = dropout.keep_text()
                yield ctx.diagnostic(
                    self,
                    mask.node,
                    f"{dropout.label}: the dropout mask `{handrolled.snippet(ctx, mask.node)}` is never floored, "
                    f"so it is continuous noise between {keep} and {keep} + 1 whose mean is {keep} + 0.5, "
                    f"not a 0/1 mask whose mean is {keep}: nothing is dropped and training outputs are scaled "
                    f"wrong; floor it (the floor trick keeps units with probability {keep}) and use inverted "
                    f"dropout as in droplint.reference: {form}.",
                    fix=fix,
                )
                continue
            if mask.kind == "normal":
                edits = rewrite.uniform_draw(ctx, dropout)
                fix = Fix("unsafe", "Draw the mask from a uniform distribution", tuple(edits)) if edits else None
                yield ctx.diagnostic(
                    self,
                    mask.draw,
                    f"{dropout.label}: the dropout mask `{handrolled.snippet(ctx, mask.node)}` compares a normal "
                    f"draw with a probability, so it keeps a fraction unrelated to {dropout.keep_text()}; "
                    "draw it from a uniform distribution (`rand`, `rng.random`) and use inverted "
                    f"dropout (`droplint reference` prints it): {form}.",
                    fix=fix,
                )
            if dropout.keeps_with_drop:
                edits = rewrite.flip_mask(ctx, dropout)
                fix = Fix("unsafe", f"Keep units with probability {dropout.keep_text()}", tuple(edits)) if edits else None
                yield ctx.diagnostic(
                    self,
                    mask.node,
                    f"{dropout.label}: the dropout mask `{handrolled.snippet(ctx, mask.node)}` keeps units with "
                    f"probability {dropout.drop_text()}, the drop probability; keep them with "
                    f"{dropout.keep_text()} and use inverted dropout (`droplint reference` prints it): {form}.",
                    fix=fix,
                )

