"""DL302 dropout-forced-on."""

from __future__ import annotations

import libcst as cst

from droplint.facts.bindings import binding_for, dropout_bindings
from droplint.facts.classes import is_torch_module
from droplint.facts.test_code import is_test_code
from droplint.facts.training import (
    is_guarded,
    mentions_training,
    outermost_function,
    scope_of,
)
from droplint.frontends import catalog
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import argument, literal_number


class DropoutForcedOn(FileRule):
    code = "DL302"
    name = "dropout-forced-on"
    severity = "warning"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: forcing dropout on at inference is right for Monte Carlo dropout, a "
            "reasonable reading of the code."
        ),
        what="Checks for a literal `training=True` on a dropout call or a dropout layer's call.",
        why=(
            "`training=True` keeps dropout on whatever mode the model is in: at inference\n"
            "units are still dropped and the rest scaled by 1/(1-p), so predictions are\n"
            "random. That is exactly what Monte Carlo dropout wants (sampling at test time\n"
            "to estimate uncertainty, Gal & Ghahramani 2016), and nothing else does; a\n"
            "forced flag is more often a copy-paste from a training script."
        ),
        example="x = F.dropout(x, p=0.5, training=True)",
        use_instead=(
            "x = F.dropout(x, p=0.5, training=self.training)\n"
            "# or, for Monte Carlo dropout on purpose:\n"
            "x = F.dropout(x, p=0.5, training=True)  # noqa: DL302"
        ),
        fix_safety="No fix: Monte Carlo dropout is legitimate, and only the author knows which was meant.",
        options=(
            "None. Mark intended Monte Carlo dropout with `# noqa: DL302` on the line. Not\n"
            "judged: test files (`test_*.py`, `*_test.py`, `conftest.py`, files under `tests/`),\n"
            "functions named like a dropout op (`def dropout(x, rate)`, whose caller decides\n"
            "the mode), and calls that only run in training (`if self.training:`)."
        ),
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.functional.dropout.html",
            "https://keras.io/api/layers/regularization_layers/dropout/",
            "Gal & Ghahramani 2016, Dropout as a Bayesian Approximation, ICML.",
        ),
    )
    valid = (
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
            "    def forward(self, x):\n        return F.dropout(x, 0.5, training=self.training)\n"
        ),
        Example(
            "import torch.nn.functional as F\n\n\ndef mc_sample(x):\n"
            "    return F.dropout(x, 0.5, training=True)  # noqa: DL302\n"
        ),
        Example(
            "from keras import layers\n\n\nclass Block(layers.Layer):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = layers.Dropout(0.2)\n\n"
            "    def call(self, x, training=None):\n        return self.drop(x, training=training)\n",
            framework="keras",
        ),
        Example(
            "import torch.nn.functional as F\n\n\ndef dropout(inputs, rate, seed=None):\n"
            "    return F.dropout(inputs, p=rate, training=True)\n"
        ),
        Example(
            "import torch.nn as nn\n",
            files=(
                (
                    "tests/test_layers.py",
                    (
                        "import torch\nimport torch.nn.functional as F\n\n\ndef test_scaling():\n"
                        "    x = torch.ones(1000)\n    assert F.dropout(x, 0.5, training=True).max() == 2\n"
                    ),
                ),
            ),
        ),
        Example(
            "from keras import layers\n\n\nclass Block(layers.Layer):\n    def __init__(self):\n"
            "        super().__init__()\n        self.norm = layers.BatchNormalization()\n\n"
            "    def call(self, x):\n        return self.norm(x, training=True)\n",
            framework="keras",
        ),
    )
    invalid = (
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
            "    def forward(self, x):\n        return F.dropout(x, p=0.5, training=True)  # DL302\n"
        ),
        Example("import torch\n\n\ndef f(x):\n    return torch.dropout(x, 0.1, True)  # DL302\n"),
        Example(
            "from keras import layers\n\n\nclass Block(layers.Layer):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = layers.Dropout(0.2)\n\n"
            "    def call(self, x):\n        return self.drop(x, training=True)  # DL302\n",
            framework="keras",
        ),
        Example(
            "import keras\n\ninputs = keras.Input((16,))\n"
            "x = keras.layers.Dropout(0.5)(inputs, training=True)  # DL302\nmodel = keras.Model(inputs, x)\n",
            framework="keras",
        ),
    )

    def check_file(self, ctx):
        if is_test_code(ctx):
            return  # a dropout layer's tests force training on purpose
        bindings: list = []  # built on the first layer call with training=True
        for site in ctx.calls:
            spec, flag = self._forced(ctx, site)
            if flag is None and isinstance(site.node.func, (cst.Name, cst.Attribute, cst.Call)):
                spec, flag = self._forced_layer_call(ctx, site, bindings)
            if flag is None or self._intended(ctx, site, spec):
                continue
            yield ctx.diagnostic(self, flag.value, self._message(ctx, site, spec))

    def _intended(self, ctx, site, spec_and_call) -> bool:
        """Forcing is harmless or the point: only run in training, or inside a dropout op."""
        function = site.function or site.method
        if function is None:
            return False
        if site.method is None and "dropout" in function.name.value.lower().split("_"):
            return True  # `def dropout(x, rate)`: an implementation of the op; its caller decides
        spec, rate_call = spec_and_call
        rate = argument(rate_call, spec.keyword, spec.index)
        if rate is not None and mentions_training(rate.value):
            return True
        outer = outermost_function(ctx, site)
        scope = scope_of(ctx, outer)
        return is_guarded(scope, site.node)

    def _forced(self, ctx, site):
        """A functional dropout (torch, tf.layers) with a literal True training flag."""
        spec = catalog.torch_functional_dropout(site.qualname)
        if spec is not None:
            keyword = "train" if site.qualname == "torch.dropout" else "training"
            flag = argument(site.node, keyword, catalog.TORCH_TRAINING_INDEX)
        elif site.qualname in catalog.TF1_LAYERS_DROPOUT:
            spec = catalog.TF1_LAYERS_DROPOUT[site.qualname]
            flag = argument(site.node, "training", catalog.TF1_LAYERS_TRAINING_INDEX)
        else:
            return None, None
        if flag is None or not _is_true(flag):
            return None, None
        return (spec, site.node), flag

    def _forced_layer_call(self, ctx, site, bindings):
        """A Keras dropout layer called with `training=True`, through its name or inline."""
        # Dropout.call(inputs, training=None): `layer(x, True)` passes it positionally.
        flag = argument(site.node, "training", 1)
        if flag is None or not _is_true(flag):
            return None, None
        func = site.node.func
        if isinstance(func, cst.Call):
            constructor = func
        else:
            if not bindings:
                bindings.append(dropout_bindings(ctx))
            binding = binding_for(bindings[0], site.cls.name if site.cls else None, func)
            constructor = binding.call if binding is not None else None
        if constructor is None:
            return None, None
        spec = catalog.dropout_layer(ctx.qualify(constructor.func))
        if spec is None or not ctx.qualify(constructor.func).startswith("keras"):
            return None, None
        return (spec, constructor), flag

    def _message(self, ctx, site, spec_and_call) -> str:
        spec, rate_call = spec_and_call
        rate_arg = argument(rate_call, spec.keyword, spec.index)
        rate = ctx.code(rate_arg.value) if rate_arg is not None else f"{spec.default}"
        op = ctx.code(site.node.func) if not isinstance(site.node.func, cst.Call) else ctx.code(site.node.func.func)
        where = f" in {site.cls.name}.{site.method.name.value}" if site.cls and site.method else ""
        if (site.qualname or "").startswith("torch"):
            in_module = site.cls is not None and site.method is not None and is_torch_module(ctx, site.cls)
            usual = "training=self.training" if in_module else "the model's training flag"
        else:
            usual = "the layer's training flag (or nothing)"
        return (
            f"{op} (rate {rate}){where} is forced on with training=True, so it drops units at inference too; "
            f"that is right only for Monte Carlo dropout (mark it with `# noqa: DL302`), otherwise pass {usual}."
        )


def _is_true(arg: cst.Arg) -> bool:
    return literal_number(arg.value) is True
