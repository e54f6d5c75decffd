"""DL203 positional-tf-dropout-rate."""

from __future__ import annotations

import libcst as cst

from droplint.facts.tf import tf_version
from droplint.frontends import catalog
from droplint.ir import Fix
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import literal_number

_KEYWORD = {1: "keep_prob", 2: "rate"}


class PositionalTfDropoutRate(FileRule):
    code = "DL203"
    name = "positional-tf-dropout-rate"
    severity = "warning"
    fix = "safe"
    frameworks = ("keras",)
    docs = Docs(
        severity_reason=(
            "Warning: the code is right under one TensorFlow version and wrong under the "
            "other, and only the project's setup decides. Info when the version is known (the "
            "`tf-version` setting, or the file needs one version): then the call means one "
            "thing and the keyword is advice."
        ),
        what="Checks for a second positional argument to `tf.nn.dropout`.",
        why=(
            "`tf.nn.dropout`'s second parameter is `keep_prob` in TensorFlow 1 and `rate` in\n"
            "TensorFlow 2: the same call `tf.nn.dropout(x, 0.2)` keeps 20% of the units in\n"
            "one and drops 20% in the other. Code moved between versions (or run under\n"
            "`tf.compat.v1`) silently changes its regularisation, or trains with 80%\n"
            "dropout. A keyword says which probability is meant."
        ),
        example="x = tf.nn.dropout(x, 0.2)",
        use_instead="x = tf.nn.dropout(x, rate=0.2)",
        fix_safety=(
            "Safe: names the argument with the keyword the TensorFlow version in use\n"
            "already gives it (`keep_prob=` in TF1, `rate=` in TF2), so behaviour is\n"
            "unchanged. The version comes from the call (`tf.compat.v1.nn.dropout`), the\n"
            "`tf-version` setting, or what the file needs (Keras 3 imports need TF2; TF1-only\n"
            "APIs such as `tf.placeholder` need TF1); when nothing says, there is no fix."
        ),
        options="`tf-version` (1 or 2): the TensorFlow version positional arguments are read with.",
        references=(
            "https://www.tensorflow.org/api_docs/python/tf/nn/dropout",
            "https://www.tensorflow.org/api_docs/python/tf/compat/v1/nn/dropout",
        ),
    )
    valid = (
        Example("import tensorflow as tf\n\ndef f(x):\n    return tf.nn.dropout(x, rate=0.2)\n", framework="keras"),
        Example(
            "import tensorflow.compat.v1 as tf\n\ndef f(x):\n    return tf.nn.dropout(x, keep_prob=0.8)\n",
            framework="keras",
        ),
        Example("import mylib as tf\n\ndef f(x):\n    return tf.nn.dropout(x, 0.2)\n", framework="keras"),
    )
    invalid = (
        Example(
            "import tensorflow as tf\n\ndef f(x):\n    return tf.nn.dropout(x, 0.2)  # DL203\n",
            framework="keras",
            config=(("tf-version", 2),),
            fixed="import tensorflow as tf\n\ndef f(x):\n    return tf.nn.dropout(x, rate=0.2)\n",
        ),
        Example(
            "import tensorflow.compat.v1 as tf\n\ndef f(x, keep):\n"
            "    return tf.nn.dropout(\n        x,\n        keep,  # TF1 meaning  # DL203\n        [1, 16],\n    )\n",
            framework="keras",
            fixed=(
                "import tensorflow.compat.v1 as tf\n\ndef f(x, keep):\n"
                "    return tf.nn.dropout(\n        x,\n        keep_prob=keep,  # TF1 meaning\n"
                "        noise_shape=[1, 16],\n    )\n"
            ),
        ),
        Example("import tensorflow as tf\n\ndef f(x):\n    return tf.nn.dropout(x, 0.5)  # DL203\n", framework="keras"),
    )

    def check_file(self, ctx):
        for site in ctx.calls:
            if site.qualname not in catalog.TF_NN_DROPOUT and site.qualname not in catalog.TF1_NN_DROPOUT:
                continue
            positional = [a for a in site.node.args if a.keyword is None]
            if len(positional) < 2 or any(a.star for a in positional[:2]):
                continue
            second = positional[1]
            version = tf_version(ctx, site.qualname)
            op = ctx.code(site.node.func)
            message = _message(op, ctx.code(second.value), literal_number(second.value), version)
            # A known version gives the call one meaning: naming it is advice.
            severity = "info" if version is not None else None
            yield ctx.diagnostic(self, second.value, message, fix=self._fix(ctx, site.node, version), severity=severity)

    def _fix(self, ctx, call: cst.Call, version: int | None) -> Fix | None:
        if version not in _KEYWORD or any(arg.star for arg in call.args):
            return None
        names = (_KEYWORD[version],) + catalog.TF_NN_DROPOUT_TAIL
        args, index = [], 0
        for arg in call.args:
            if arg.keyword is None:
                # Every positional argument after the first becomes a keyword, since a
                # positional one may not follow `keep_prob=`.
                if index >= 1:
                    if index - 1 >= len(names):
                        return None  # more positional arguments than parameters: leave it alone
                    arg = arg.with_changes(
                        keyword=cst.Name(names[index - 1]),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                    )
                index += 1
            args.append(arg)
        fixed = call.with_changes(args=args)
        keyword = _KEYWORD[version]
        return Fix("safe", f"Pass the argument as `{keyword}=` (TF{version})", (ctx.replacement(call, fixed),))


def _message(op: str, value: str, number, version: int | None) -> str:
    if version in _KEYWORD:
        meaning = f"it is {_KEYWORD[version]} in TF{version} but {_KEYWORD[3 - version]} in TF{3 - version}"
    else:
        meaning = "it is keep_prob in TF1 but rate in TF2, and neither the configuration nor the file says which TensorFlow this is"
    if isinstance(number, float) and 0 < number < 1:
        meaning += f", so {value} keeps {number:.0%} of units in one and drops {number:.0%} in the other"
    remedy = f"{_KEYWORD[version]}={value}" if version in _KEYWORD else "rate= (TF2) or keep_prob= (TF1)"
    return f"{op}(…, {value}) passes the dropout probability positionally: {meaning}; pass it as {remedy}."
