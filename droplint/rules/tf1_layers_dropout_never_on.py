"""DL305 tf1-layers-dropout-never-on."""

from __future__ import annotations

import libcst as cst

from droplint.edits.calls import add_keyword
from droplint.facts.tf import tf_version
from droplint.facts.training import outermost_function, scope_of
from droplint.frontends import catalog
from droplint.ir import Fix
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import argument

# Names that hold the training flag in TF1 code, in order of preference.
FLAG_NAMES = ("training", "is_training")


class Tf1LayersDropoutNeverOn(FileRule):
    code = "DL305"
    name = "tf1-layers-dropout-never-on"
    severity = "warning"
    fix = "safe"
    frameworks = ("keras",)
    docs = Docs(
        severity_reason=(
            "Warning: without `training=` the layer never drops, which makes the dropout dead "
            "code rather than wrong output."
        ),
        what="Checks for `tf.compat.v1.layers.dropout` (and TF1's `tf.layers.dropout`) without `training=`.",
        why=(
            "`tf.layers.dropout`'s `training` argument defaults to False: called without it,\n"
            "the layer returns its input unchanged, in training as at inference. The model\n"
            "trains with no dropout at all, and nothing reports it."
        ),
        example="h = tf.layers.dropout(h, rate=0.5)",
        use_instead="h = tf.layers.dropout(h, rate=0.5, training=is_training)",
        fix_safety=(
            "Safe in the sense that matters here: it passes the training flag that is\n"
            "already in scope (a parameter or local named `training` or `is_training`), so\n"
            "dropout runs when the code says it is training, as its author meant. It does\n"
            "change training behaviour (dropout starts to happen), which is the point. No\n"
            "fix when no such flag is in scope."
        ),
        options="`tf-version`: with `tf-version = 2`, `tf.layers` does not exist and plain `tf.layers.dropout` is not checked.",
        references=(
            "https://www.tensorflow.org/api_docs/python/tf/compat/v1/layers/dropout",
            "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from Overfitting, JMLR 15.",
        ),
    )
    valid = (
        Example(
            "import tensorflow.compat.v1 as tf\n\n\ndef net(x, is_training):\n"
            "    return tf.layers.dropout(x, rate=0.5, training=is_training)\n",
            framework="keras",
        ),
        Example(
            "import tensorflow as tf\n\n\ndef net(x, training):\n"
            "    return tf.compat.v1.layers.dropout(x, 0.5, None, None, training)\n",
            framework="keras",
        ),
        Example(
            "import tensorflow as tf\n\n\ndef net(x):\n    return tf.keras.layers.Dropout(0.5)(x)\n",
            framework="keras",
        ),
    )
    invalid = (
        Example(
            "import tensorflow.compat.v1 as tf\n\n\ndef net(x, is_training):\n"
            "    h = tf.layers.dense(x, 64)\n    h = tf.layers.dropout(h, rate=0.5)  # DL305\n    return h\n",
            framework="keras",
            fixed="import tensorflow.compat.v1 as tf\n\n\ndef net(x, is_training):\n"
            "    h = tf.layers.dense(x, 64)\n    h = tf.layers.dropout(h, rate=0.5, training=is_training)\n"
            "    return h\n",
        ),
        Example(
            "import tensorflow as tf\n\n\ndef net(x):\n    return tf.compat.v1.layers.dropout(x, 0.3)  # DL305\n",
            framework="keras",
        ),
    )

    def check_file(self, ctx):
        for site in ctx.calls:
            if site.qualname not in catalog.TF1_LAYERS_DROPOUT:
                continue
            if site.qualname.startswith("tensorflow.layers.") and tf_version(ctx) == 2:
                continue
            if argument(site.node, "training", catalog.TF1_LAYERS_TRAINING_INDEX) is not None:
                continue
            if any(a.star for a in site.node.args):
                continue  # `**kwargs` may carry training=
            flag = None
            function = outermost_function(ctx, site)
            if function is not None:
                scope = scope_of(ctx, function)
                flag = next((n for n in FLAG_NAMES if n in scope.params or n in scope.bindings), None)
            fix = None
            if flag is not None:
                fixed = add_keyword(site.node, "training", cst.Name(flag))
                fix = Fix("safe", f"Pass `training={flag}`", (ctx.replacement(site.node, fixed),))
            op = ctx.code(site.node.func)
            spec = catalog.TF1_LAYERS_DROPOUT[site.qualname]
            rate_arg = argument(site.node, spec.keyword, spec.index)
            rate = ctx.code(rate_arg.value) if rate_arg is not None else f"{spec.default} (default)"
            remedy = f"pass training={flag}" if flag else "pass the model's training flag as training="
            yield ctx.diagnostic(
                self,
                site.node,
                f"{op}(rate={rate}) has no training= argument, which defaults to False, so this dropout never "
                f"drops anything, not even in training; {remedy}.",
                fix=fix,
            )
