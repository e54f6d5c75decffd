"""DL304 unguarded-tf-dropout."""

from __future__ import annotations

from droplint.facts.classes import is_keras_class
from droplint.facts.rates import RATE, rate_arguments
from droplint.facts.test_code import is_test_code
from droplint.facts.training import is_guarded, mentions_training, scope_of
from droplint.frontends import catalog
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import literal_number

_OPS = catalog.TF_NN_DROPOUT + catalog.TF1_NN_DROPOUT + tuple(catalog.KERAS_RANDOM_DROPOUT)


class UnguardedTfDropout(FileRule):
    code = "DL304"
    name = "unguarded-tf-dropout"
    severity = "error"
    frameworks = ("keras",)
    docs = Docs(
        severity_reason=(
            "Error: `tf.nn.dropout` and `keras.random.dropout` drop whenever they run, so in "
            "`call` without a training guard they drop at inference too."
        ),
        what=(
            "Checks for `tf.nn.dropout` and `keras.random.dropout` in a Keras layer's or\n"
            "model's `call` with no guard on the training flag."
        ),
        why=(
            "These are ops, not layers: they drop units every time they run. Keras passes\n"
            "`training=False` to `call` at inference (`model.predict`, `model(x)`), but an\n"
            "op that ignores it keeps dropping and rescaling, so predictions are random and\n"
            "wrong. `keras.layers.Dropout` reads the flag itself; a raw op needs an\n"
            "`if training:` around it."
        ),
        example=(
            "class Block(keras.layers.Layer):\n"
            "    def call(self, x, training=None):\n"
            "        return tf.nn.dropout(x, rate=0.1)"
        ),
        use_instead=(
            "class Block(keras.layers.Layer):\n"
            "    def call(self, x, training=None):\n"
            "        if training:\n"
            "            x = tf.nn.dropout(x, rate=0.1)\n"
            "        return x"
        ),
        fix_safety="No fix: the layer may need a `training` parameter, which changes its signature.",
        options=(
            "None. Counted as guards: an `if training:` (or `is_training`, `self.training`,\n"
            "`K.learning_phase()`) branch or conditional expression around the call, an\n"
            "earlier `if not training: return`, a `tf.cond`/`smart_cond` on the flag, or a\n"
            "rate that itself depends on the flag. Test files (`test_*.py`, `*_test.py`,\n"
            "`conftest.py`, files under `tests/`) are not judged. Mark a layer that applies\n"
            "dropout at inference on purpose (Monte Carlo dropout) with `# noqa: DL304`."
        ),
        references=(
            "https://www.tensorflow.org/api_docs/python/tf/nn/dropout",
            "https://keras.io/api/random/random_ops/#dropout-function",
            "https://keras.io/guides/making_new_layers_and_models_via_subclassing/#privileged-training-argument-in-the-call-method",
        ),
    )
    valid = (
        Example(
            "import tensorflow as tf\nimport keras\n\n\nclass Block(keras.layers.Layer):\n"
            "    def call(self, x, training=None):\n        if training:\n"
            "            x = tf.nn.dropout(x, rate=0.1)\n        return x\n",
            framework="keras",
        ),
        Example(
            "import keras\n\n\nclass Block(keras.layers.Layer):\n"
            "    def call(self, x, training=False):\n        if not training:\n            return x\n"
            "        return keras.random.dropout(x, 0.1, seed=self.seed)\n",
            framework="keras",
        ),
        Example(
            "import tensorflow as tf\n\n\ndef augment(x):\n    return tf.nn.dropout(x, rate=0.1)\n",
            framework="keras",
        ),
    )
    invalid = (
        Example(
            "import tensorflow as tf\nimport keras\n\n\nclass Block(keras.layers.Layer):\n"
            "    def call(self, x, training=None):\n        return tf.nn.dropout(x, rate=0.1)  # DL304\n",
            framework="keras",
        ),
        Example(
            "from tensorflow import keras\nfrom keras import random\n\n\nclass Base(keras.layers.Layer):\n    pass\n\n\n"
            "class Noisy(Base):\n    def call(self, inputs):\n        def inner(t):\n"
            "            return random.dropout(t, rate=0.2)  # DL304\n        return inner(inputs)\n",
            framework="keras",
        ),
    )

    def check_file(self, ctx):
        calls = [s for s in ctx.calls if s.qualname in _OPS]
        if not calls or is_test_code(ctx):  # test layers apply dropout at test time on purpose
            return
        rates = {a.call.node: a for a in rate_arguments(ctx) if a.meaning == RATE}
        for site in calls:
            if site.cls is None or site.method is None or site.method.name.value != "call":
                continue
            if not is_keras_class(ctx, site.cls):
                continue
            rate = rates.get(site.node)
            if rate is not None:
                value = literal_number(rate.value)
                if value == 0 or mentions_training(rate.value):
                    continue  # drops nothing, or the rate itself follows the flag
            scope = scope_of(ctx, site.method)
            if is_guarded(scope, site.node):
                continue
            op = ctx.code(site.node.func)
            shown = f"rate={ctx.code(rate.value)}" if rate is not None else "…"
            yield ctx.diagnostic(
                self,
                site.node,
                f"{op}({shown}) in {site.cls.name}.call drops units at inference too, since no training "
                "flag guards it; wrap it in `if training:` (or use keras.layers.Dropout, which reads the flag).",
            )
