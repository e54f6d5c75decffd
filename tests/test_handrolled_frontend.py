"""How droplint reads hand-rolled dropout: masks, probabilities, branches (DL401–DL406)."""

from __future__ import annotations

import libcst as cst
import pytest

from droplint.context import FileContext
from droplint.frontends import handrolled
from droplint.testing import fix_snippet, lint_snippet


def found(code: str):
    ctx = FileContext("example.py", code, cst.parse_module(code))
    return handrolled.find(ctx)


def codes(code: str) -> list[str]:
    result = lint_snippet(code, select=("DL4",))
    assert result.errors == []
    return sorted(d.code for d in result.diagnostics)


def inverted(mask_line: str, imports: str = "import numpy as np\nimport torch\nimport tensorflow as tf\n") -> str:
    return (
        f"{imports}\ndef dropout(x, keep, training, rng):\n    if not training:\n        return x\n"
        f"    mask = {mask_line}\n    return x * mask / keep\n"
    )


@pytest.mark.parametrize(
    "mask_line",
    [
        "np.random.rand(*x.shape) < keep",
        "np.random.uniform(size=x.shape) < keep",
        "np.random.uniform(0, 1, x.shape) < keep",
        "np.random.binomial(1, keep, size=x.shape)",
        "rng.random(x.shape) < keep",
        "rng.binomial(1, keep, x.shape)",
        "torch.rand(x.shape) < keep",
        "torch.rand_like(x) < keep",
        "(torch.rand_like(x) < keep).float()",
        "torch.bernoulli(torch.full_like(x, keep))",
        "torch.bernoulli(torch.ones_like(x) * keep)",
        "x.new_empty(x.shape).bernoulli_(keep)",
        "tf.cast(tf.random.uniform(tf.shape(x)) < keep, x.dtype)",
        "keep > np.random.rand(*x.shape)",
    ],
)
def test_masks_that_keep_with_the_keep_probability_are_correct(mask_line):
    [dropout] = found(inverted(mask_line))
    assert dropout.mask.keep == handrolled.Prob("keep")
    assert not dropout.keeps_with_drop and dropout.scale_is_inverted()
    assert dropout.gated and dropout.inference.kind == "identity"
    assert codes(inverted(mask_line)) == []


@pytest.mark.parametrize(
    "mask_line",
    [
        "np.random.rand(*x.shape) > keep",
        "keep < rng.random(x.shape)",
        "np.random.binomial(1, 1 - keep, size=x.shape)",
        "torch.bernoulli(torch.full_like(x, 1 - keep))",
    ],
)
def test_masks_that_keep_with_the_complement_are_found(mask_line):
    [dropout] = found(inverted(mask_line))
    assert dropout.mask.keep == handrolled.Prob("keep", complement=True)
    assert dropout.keeps_with_drop
    assert codes(inverted(mask_line)) == ["DL402"]


def test_a_normal_draw_is_the_wrong_distribution():
    assert codes(inverted("torch.randn_like(x) < keep")) == ["DL402"]
    fixed = fix_snippet(inverted("torch.randn_like(x) < keep"), select=("DL402",), unsafe=True)
    assert "mask = torch.rand_like(x) < keep\n" in fixed


def test_a_normal_draw_with_mean_and_spread_is_found_but_not_fixed():
    code = inverted("np.random.normal(0.0, 1.0, x.shape) < keep")
    assert codes(code) == ["DL402"]
    assert fix_snippet(code, select=("DL402",), unsafe=True) == code


def test_uniform_draws_over_other_ranges_are_not_masks():
    assert found(inverted("np.random.uniform(-1, 1, x.shape) < keep")) == []
    assert found(inverted("tf.random.uniform(tf.shape(x), 0, 10) < keep")) == []


BARE_P = (
    "import numpy as np\n{header}\ndef dropout(x, p, training):\n{doc}    if not training:\n        return x\n"
    "    return x * (np.random.rand(*x.shape) < p){scale}\n"
)


def test_a_bare_p_is_a_drop_probability_by_convention():
    assert codes(BARE_P.format(header="", doc="", scale=" / (1 - p)")) == ["DL402"]


def test_a_docstring_can_make_p_the_keep_probability():
    doc = '    """Dropout.\n\n    p: probability of keeping a unit.\n    """\n'
    assert codes(BARE_P.format(header="", doc=doc, scale=" / p")) == []
    # ... and then dividing by 1 - p is the wrong scale, not the wrong mask.
    assert codes(BARE_P.format(header="", doc=doc, scale=" / (1 - p)")) == ["DL403"]


def test_a_docstring_can_say_p_is_the_drop_probability():
    doc = '    """p (float): probability of an element to be zeroed."""\n'
    # Both the mask (keeps with p) and the scale (1/p) are then wrong, and both get fixed.
    code = BARE_P.format(header="", doc=doc, scale=" / p")
    assert codes(code) == ["DL402", "DL403"]
    fixed = fix_snippet(code, select=("DL4",), unsafe=True)
    assert "return x * (np.random.rand(*x.shape) >= p) / (1 - p)\n" in fixed


def test_a_local_name_gives_the_role():
    code = (
        "import numpy as np\n\ndef dropout(x, q, training):\n    if not training:\n        return x\n"
        "    drop_prob = q\n    return x * (np.random.rand(*x.shape) < q) / (1 - q)\n"
    )
    assert codes(code) == ["DL402"]
    assert codes(code.replace("drop_prob = q", "keep_prob = q").replace("(1 - q)", "q")) == []


def test_consistent_use_makes_an_undocumented_p_a_keep_probability():
    # cs231n style: (u < p) / p keeps with p and scales by 1/p, consistently.
    assert codes(BARE_P.format(header="", doc="", scale=" / p")) == []


def test_a_module_level_comment_documents_the_probability():
    code = (
        "import numpy as np\n\np = 0.5  # probability of keeping a unit active\n\n"
        "def train_step(h):\n    return h * (np.random.rand(*h.shape) < p)\n"
    )
    assert codes(code) == ["DL401"]  # unscaled, but the mask itself is right


@pytest.mark.parametrize(
    "branch",
    [
        "    if training:\n        x = x * mask / (1 - p)\n    return x\n",
        "    if not training or p == 0:\n        return x\n    return x * mask / (1 - p)\n",
        "    return x * mask / (1 - p) if training else x\n",
        "    if mode == 'train':\n        return x * mask / (1 - p)\n    return x\n",
        "    if mode != 'train':\n        return x\n    return x * mask / (1 - p)\n",
        "    if deterministic:\n        return x\n    return x * mask / (1 - p)\n",
        "    if training is True:\n        return x * mask / (1 - p)\n    else:\n        return x\n",
    ],
)
def test_training_branches_are_recognised(branch):
    code = (
        "import torch\n\ndef dropout(x, p, training, mode, deterministic):\n"
        "    mask = torch.rand_like(x) >= p\n" + branch
    )
    [dropout] = found(code)
    assert dropout.gated and dropout.inference.kind == "identity"
    assert codes(code) == []


def test_a_training_switch_gates_the_mask():
    code = (
        "import tensorflow as tf\nfrom tensorflow.keras import backend as K\nfrom tensorflow import keras\n\n"
        "class Drop(keras.layers.Layer):\n    def call(self, x, training=None):\n"
        "        dropped = x * tf.cast(tf.random.uniform(tf.shape(x)) >= self.rate, x.dtype) / (1 - self.rate)\n"
        "        return K.in_train_phase(dropped, x, training=training)\n"
    )
    [dropout] = found(code)
    assert dropout.gated
    assert codes(code) == []


def test_self_training_in_a_module():
    code = (
        "import torch\nfrom torch import nn\n\nclass Drop(nn.Module):\n    def forward(self, x):\n"
        "        if not self.training:\n            return x\n"
        "        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)\n"
    )
    [dropout] = found(code)
    assert dropout.gated and dropout.label == "Drop.forward()"
    assert codes(code) == []


def test_a_one_line_branch_is_read():
    code = (
        "import torch\n\ndef dropout(x, p, training):\n"
        "    if training: x = x * (torch.rand_like(x) >= p)\n    return x\n"
    )
    assert codes(code) == ["DL401"]
    assert fix_snippet(code, select=("DL401",), unsafe=True) == code.replace(">= p)", ">= p) / (1 - p)")


def test_mask_on_the_inference_side_is_not_gated():
    code = (
        "import torch\n\ndef dropout(x, p, training):\n    if not training:\n"
        "        return x * (torch.rand_like(x) >= p) / (1 - p)\n    return x\n"
    )
    [dropout] = found(code)
    assert not dropout.gated
    assert codes(code) == ["DL406"]


@pytest.mark.parametrize(
    "code",
    [
        # Layer drop: a scalar draw decides whether to skip a layer.
        ("import torch\n\ndef run(layers, x, layerdrop, training):\n    for layer in layers:\n"
        "        if training and torch.rand([]) < layerdrop:\n            continue\n        x = layer(x)\n    return x\n"),
        # A random flip: scalar draw times a flag.
        "import numpy as np\n\ndef flips(self):\n    return (np.random.random() < 0.5) * self.horizontal_flip\n",
        # A test helper that sparsifies a matrix with a literal probability.
        "import numpy as np\n\ndef sparse(x, rng):\n    return np.multiply(x, rng.random(x.shape) < 0.7)\n",
        # Masked language modelling: the mask selects tokens, it is not multiplied in.
        ("import torch\n\ndef mask_tokens(labels, mlm_probability):\n"
        "    masked = torch.bernoulli(torch.full(labels.shape, mlm_probability)).bool()\n"
        "    labels[~masked] = -100\n    return labels\n"),
        # A dropout primitive without a training flag: its caller gates it.
        ("import numpy as np\n\ndef dropout(inputs, rate, seed=None):\n    keep_prob = 1.0 - rate\n"
        "    rng = np.random.default_rng(seed)\n    mask = rng.uniform(size=inputs.shape) < keep_prob\n"
        "    return np.where(mask, (inputs / keep_prob).astype(inputs.dtype), np.zeros_like(inputs))\n"),
    ],
)
def test_random_masks_that_are_not_dropout_mistakes_give_nothing(code):
    assert codes(code) == []


DROP_PATH = (
    "import torch\n\ndef drop_path(x, drop_prob, training):\n    if drop_prob == 0.0 or not training:\n"
    "        return x\n    keep_prob = 1 - drop_prob\n    random_tensor = keep_prob + torch.rand((x.shape[0], 1))\n"
    "    random_tensor.floor_()\n    return x.div(keep_prob) * random_tensor\n"
)


def test_the_floor_trick_of_drop_path_is_a_mask():
    # floor(q + u) is 1 exactly when u >= 1 - q: a Bernoulli(q) mask.
    [dropout] = found(DROP_PATH)
    assert dropout.mask.keep == handrolled.Prob("drop_prob", complement=True)
    assert dropout.scale_is_inverted() and dropout.gated
    assert codes(DROP_PATH) == []
    assert codes(DROP_PATH.replace("x.div(keep_prob)", "x.div(drop_prob)")) == ["DL403"]
    inline = "import numpy as np\n\ndef f(x, keep, training):\n    if training:\n        return x * np.floor(keep + np.random.rand(*x.shape))\n    return x\n"
    assert codes(inline) == ["DL401"]


def test_drop_path_that_reassigns_the_draw():
    # transformers' *DropPath modules: the draw's name is reassigned to the floored mask.
    code = (
        "import torch\nfrom torch import nn\n\nclass DropPath(nn.Module):\n"
        "    def forward(self, hidden_states):\n        if self.drop_prob == 0.0 or not self.training:\n"
        "            return hidden_states\n        keep_prob = 1 - self.drop_prob\n"
        "        shape = (hidden_states.shape[0],) + (1,) * (hidden_states.ndim - 1)\n"
        "        random_tensor = torch.rand(shape, dtype=hidden_states.dtype, device=hidden_states.device)\n"
        "        random_tensor = torch.floor(random_tensor + keep_prob)\n"
        "        return hidden_states.div(keep_prob) * random_tensor\n"
    )
    [dropout] = found(code)
    assert dropout.gated and dropout.scale_is_inverted() and not dropout.keeps_with_drop
    assert codes(code) == []
    assert codes(code.replace("hidden_states.div(keep_prob) * ", "hidden_states * ")) == ["DL401"]


def test_the_mask_can_be_reshaped_and_scaled_in_place():
    code = (
        "import torch\n\ndef drop_path(x, drop_prob, training):\n    if drop_prob == 0.0 or not training:\n"
        "        return x\n    keep_prob = 1 - drop_prob\n"
        "    mask = x.new_empty((x.shape[0], 1)).bernoulli_(keep_prob)\n    mask = mask.expand_as(x)\n"
        "    mask.div_(keep_prob)\n    return x * mask\n"
    )
    [dropout] = found(code)
    assert dropout.scale_is_inverted()
    assert codes(code) == []
    # Without the in-place division, the same code is unscaled.
    assert codes(code.replace("    mask.div_(keep_prob)\n", "")) == ["DL401"]


def test_a_mask_folded_into_its_own_scale():
    code = (
        "import numpy as np\n\ndef forward(h, keep, training):\n    if training:\n"
        "        u = (np.random.rand(*h.shape) < keep) / keep\n        h = h * u\n    return h\n"
    )
    assert codes(code) == []
    assert codes(code.replace("/ keep\n", "/ (1 - keep)\n")) == ["DL403"]


def test_speecht5_style_bernoulli_with_p_keeps_the_drop_probability():
    # torch.bernoulli(input, p=p) draws ones with probability p: applied as the kept units,
    # the mask keeps with the drop rate while the scale divides by 1 - p.
    code = (
        "import torch\n\ndef _consistent_dropout(inputs_embeds, p):\n"
        "    mask = torch.bernoulli(inputs_embeds[0], p=p)\n"
        "    all_masks = mask.unsqueeze(0).repeat(inputs_embeds.size(0), 1, 1)\n"
        "    return torch.where(all_masks == 1, inputs_embeds, 0) * 1 / (1 - p)\n"
    )
    assert codes(code) == ["DL402"]
    fixed = fix_snippet(code, select=("DL4",), unsafe=True)
    assert "torch.bernoulli(inputs_embeds[0], p=1 - p)" in fixed


def test_classic_dropout_is_information():
    code = (
        "import numpy as np\n\ndef dropout(x, p, training):\n    if training:\n"
        "        return x * (np.random.rand(*x.shape) >= p)\n    return x * (1 - p)\n"
    )
    result = lint_snippet(code, select=("DL4",))
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.severity, diagnostic.fix) == ("DL405", "info", None)


def test_fixes_are_unsafe_and_not_applied_by_plain_fix():
    code = inverted("np.random.rand(*x.shape) < keep").replace("x * mask / keep", "x * mask")
    [diagnostic] = lint_snippet(code, select=("DL4",)).diagnostics
    assert diagnostic.code == "DL401"
    assert diagnostic.fix.applicability == "unsafe"
    assert fix_snippet(code, select=("DL4",), unsafe=False) == code
    assert fix_snippet(code, select=("DL4",), unsafe=True) == code.replace("x * mask\n", "x * mask / keep\n")


def test_messages_name_the_function_rate_and_inverted_form():
    code = inverted("np.random.rand(*x.shape) < keep").replace("x * mask / keep", "x * mask / (1 - keep)")
    [diagnostic] = lint_snippet(code, select=("DL4",)).diagnostics
    assert diagnostic.code == "DL403"
    assert diagnostic.message.startswith("dropout(): ")
    assert "`/ (1 - keep)`" in diagnostic.message
    assert "`x * mask / keep` in training and `x` at inference" in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.column) == (9, 24)  # the divisor


def test_noqa_keeps_deliberate_always_on_dropout():
    code = (
        "import torch\nfrom torch import nn\n\nclass Prenet(nn.Module):\n    def forward(self, x):\n"
        "        return x * (torch.rand_like(x) >= 0.5) / 0.5  # noqa: DL406 - MC dropout\n"
    )
    assert codes(code) == []
    assert codes(code.replace("  # noqa: DL406 - MC dropout", "")) == ["DL406"]


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\n\ndef f(x, p):\n    return x * (0 < np.random.rand(*x.shape) < p)\n",
        "import numpy as np\n\ndef f(x, p):\n    m = lambda: np.random.rand(3) < p\n    return x * m\n",
        "import numpy as np\n\ndef f(x, p, training):\n    if (m := np.random.rand(*x.shape) < p):\n        return x * m\n",
        "import numpy as np\n\ndef f(x, *a, **k):\n    mask = np.random.rand(*a, **k) < k['p']\n    return x * mask\n",
        ("import numpy as np\n\ndef f(x, p, training):\n    mask = np.random.rand(*x.shape) < p\n"
        "    mask = None\n    return x * mask\n"),
        "import numpy as np\n\ndef f(x, p, training):\n    return x * mask * (np.random.rand(*x.shape) < p)\n",
        "import numpy as np\n\nclass A:\n    mask = np.random.rand(3) < 0.5\n    y = 2 * mask\n",
        "def f(x, training):\n    rng = object()\n    return x * (rng.random(x.shape) < 1.5) / 1.5\n",
        "import numpy as np\n\ndef f(x, training):\n    return x * (np.random.rand(*x.shape) < 'p')\n",
    ],
)
def test_odd_code_gives_no_error(code):
    result = lint_snippet(code, select=("DL4",))
    assert result.errors == []
    for diagnostic in result.diagnostics:
        assert diagnostic.code.startswith("DL4") and diagnostic.message


def test_files_without_random_draws_are_not_analysed():
    assert found("def f(x, p):\n    return x * p\n") == []
