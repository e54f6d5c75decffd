"""Edge cases of the file rules (DL202-DL205, DL302-DL306) that their examples don't show.

Each test is a snippet a user might write, the rule selected as on the command line
(`droplint check --select CODE`), and the findings (or fixed text) they would see.
"""

from __future__ import annotations

import textwrap

import pytest

from droplint.testing import fix_snippet, lint_snippet


def findings(code: str, rule: str, config=(), files=()):
    """(code, line) of every finding of `rule` on a snippet, with no file errors."""
    result = lint_snippet(textwrap.dedent(code), files=files, config=config, select=(rule,))
    assert result.errors == []
    return [(d.code, d.span.line) for d in result.diagnostics if d.code == rule]


def fixed(code: str, rule: str, config=()) -> str:
    return fix_snippet(textwrap.dedent(code), config=config, select=(rule,))


def messages(code: str, rule: str, config=()):
    result = lint_snippet(textwrap.dedent(code), config=config, select=(rule,))
    return [d.message for d in result.diagnostics if d.code == rule]


TORCH_ATTENTION = """\
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, p=0.1):
        super().__init__()
        self.p = p

    def forward(self, q, k, v):
"""


def attention(body: str, head: str = TORCH_ATTENTION) -> str:
    return head + textwrap.indent(textwrap.dedent(body), " " * 8)


# -- DL303 attention-dropout-always-on ----------------------------------------------


def test_dl303_gating_set_in_an_if_branch_counts():
    code = attention(
        """\
        if self.training:
            p = self.p
        else:
            p = 0.0
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        """
    )
    assert findings(code, "DL303") == []


def test_dl303_gating_through_a_chain_of_variables_counts():
    code = attention(
        """\
        p = self.p if self.training else 0.0
        drop = p
        return F.scaled_dot_product_attention(q, k, v, dropout_p=drop)
        """
    )
    assert findings(code, "DL303") == []


def test_dl303_an_early_return_in_eval_mode_counts_as_a_guard():
    code = attention(
        """\
        if not self.training:
            return F.scaled_dot_product_attention(q, k, v)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)
        """
    )
    assert findings(code, "DL303") == []


def test_dl303_a_variable_from_a_stored_rate_is_not_gated():
    code = attention(
        """\
        p = self.p
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        """
    )
    assert findings(code, "DL303") == [("DL303", 12)]


def test_dl303_nested_function_in_forward_is_found_and_fixed_with_self_training():
    code = attention(
        """\
        def attend(a, b, c):
            return F.scaled_dot_product_attention(a, b, c, dropout_p=self.p)
        return attend(q, k, v)
        """
    )
    assert findings(code, "DL303") == [("DL303", 12)]
    assert "dropout_p=self.p if self.training else 0.0)" in fixed(code, "DL303")


def test_dl303_aliased_import_and_positional_dropout_p():
    code = """\
    import torch
    from torch.nn.functional import scaled_dot_product_attention as sdpa


    class Attention(torch.nn.Module):
        def forward(self, q, k, v):
            return sdpa(q, k, v, None, 0.1, True)
    """
    assert findings(code, "DL303") == [("DL303", 7)]
    assert fixed(code, "DL303").endswith("return sdpa(q, k, v, None, 0.1 if self.training else 0.0, True)\n")


def test_dl303_fix_parenthesises_a_conditional_that_is_not_about_training():
    code = attention("return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.causal else 0.2)\n")
    assert fixed(code, "DL303").endswith(
        "dropout_p=(self.p if self.causal else 0.2) if self.training else 0.0)\n"
    )


def test_dl303_keyword_arguments_hide_dropout_p():
    code = attention("return F.scaled_dot_product_attention(q, k, v, **self.kwargs)\n")
    assert findings(code, "DL303") == []


def test_dl303_module_constant_is_a_stored_rate():
    code = "ATTN_DROP = 0.1\n" + attention("return F.scaled_dot_product_attention(q, k, v, dropout_p=ATTN_DROP)\n")
    assert findings(code, "DL303") == [("DL303", 12)]


def test_dl303_plain_function_with_a_literal_rate_is_found_without_a_fix():
    code = """\
    import torch.nn.functional as F


    def attend(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.1)
    """
    result = lint_snippet(textwrap.dedent(code), select=("DL303",))
    assert [(d.span.line, d.fix) for d in result.diagnostics] == [(5, None)]


def test_dl303_flash_attention_varlen_positional_index():
    code = """\
    import torch.nn as nn
    from flash_attn.flash_attn_interface import flash_attn_varlen_func


    class FlashAttention(nn.Module):
        def forward(self, q, k, v, cu, mx):
            return flash_attn_varlen_func(q, k, v, cu, cu, mx, mx, 0.1)
    """
    assert findings(code, "DL303") == [("DL303", 7)]


def test_dl303_multi_line_call_keeps_layout_and_comments():
    code = attention(
        """\
        out = F.scaled_dot_product_attention(
            q,
            k,
            v,
            dropout_p=self.p,  # attention dropout
        )
        return out
        """
    )
    assert fixed(code, "DL303") == code.replace(
        "dropout_p=self.p,  # attention dropout", "dropout_p=self.p if self.training else 0.0,  # attention dropout"
    )


# -- DL304 unguarded-tf-dropout --------------------------------------------------------

KERAS_LAYER = """\
import tensorflow as tf
import keras


class Block(keras.layers.Layer):
    def call(self, x, training=None):
"""


def keras_call(body: str) -> str:
    return KERAS_LAYER + textwrap.indent(textwrap.dedent(body), " " * 8)


@pytest.mark.parametrize(
    "body",
    [
        "return tf.nn.dropout(x, rate=0.1) if training else x\n",
        "return tf.cond(training, lambda: tf.nn.dropout(x, rate=0.1), lambda: x)\n",
        "return keras.random.dropout(x, 0.1 if training else 0.0)\n",
        "return tf.nn.dropout(x, rate=0.0)\n",
        "if training:\n    def drop(t):\n        return tf.nn.dropout(t, rate=0.1)\n    x = drop(x)\nreturn x\n",
        "return training and tf.nn.dropout(x, rate=0.1)\n",
    ],
)
def test_dl304_guards_that_count(body):
    assert findings(keras_call(body), "DL304") == []


def test_dl304_a_guard_on_something_else_does_not_count():
    code = keras_call("if self.built:\n    x = tf.nn.dropout(x, rate=0.1)\nreturn x\n")
    assert findings(code, "DL304") == [("DL304", 8)]


def test_dl304_only_call_of_keras_layers_is_judged():
    helper = KERAS_LAYER.replace("def call(self, x, training=None):", "def noise(self, x):")
    assert findings(helper + "        return tf.nn.dropout(x, rate=0.1)\n", "DL304") == []
    plain = "import tensorflow as tf\n\n\nclass Thing:\n    def call(self, x):\n        return tf.nn.dropout(x, rate=0.1)\n"
    assert findings(plain, "DL304") == []


def test_dl304_tf_compat_v1_dropout_and_keras_backend_alias():
    code = keras_call("x = tf.compat.v1.nn.dropout(x, rate=0.1)\nreturn x\n")
    assert findings(code, "DL304") == [("DL304", 7)]


# -- DL305 tf1-layers-dropout-never-on ----------------------------------------------------


def test_dl305_flag_of_an_enclosing_function_reaches_a_closure():
    code = """\
    import tensorflow.compat.v1 as tf


    def model(x, is_training):
        def block(h):
            return tf.layers.dropout(h, 0.3)
        return block(x)
    """
    assert findings(code, "DL305") == [("DL305", 6)]
    assert "tf.layers.dropout(h, 0.3, training=is_training)" in fixed(code, "DL305")


def test_dl305_no_fix_without_a_flag_and_none_with_kwargs():
    code = """\
    import tensorflow as tf


    def model(x, **kw):
        a = tf.compat.v1.layers.dropout(x, 0.3)
        return tf.compat.v1.layers.dropout(a, 0.3, **kw)
    """
    result = lint_snippet(textwrap.dedent(code), select=("DL305",))
    assert [(d.span.line, d.fix) for d in result.diagnostics] == [(5, None)]


def test_dl305_plain_tf_layers_is_tf1_only_and_skipped_under_tf2():
    code = "import tensorflow as tf\n\n\ndef f(x, training):\n    return tf.layers.dropout(x, 0.5)\n"
    assert findings(code, "DL305") == [("DL305", 5)]
    assert findings(code, "DL305", config=(("tf-version", 2),)) == []


def test_dl305_multi_line_fix_keeps_one_argument_per_line():
    code = """\
    import tensorflow.compat.v1 as tf


    def f(x, training):
        return tf.layers.dropout(
            x,
            rate=0.5,
        )
    """
    assert fixed(code, "DL305") == textwrap.dedent(code).replace(
        "rate=0.5,\n", "rate=0.5,\n        training=training,\n"
    )


# -- DL203 positional-tf-dropout-rate ----------------------------------------------------


def test_dl203_configured_tf1_names_keep_prob():
    code = "import tensorflow as tf\n\n\ndef f(x):\n    return tf.nn.dropout(x, 0.8)\n"
    assert fixed(code, "DL203", config=(("tf-version", 1),)).endswith("tf.nn.dropout(x, keep_prob=0.8)\n")


def test_dl203_star_args_and_too_many_positionals():
    code = "import tensorflow as tf\n\n\ndef f(x, a):\n    return tf.nn.dropout(x, *a)\n"
    assert findings(code, "DL203") == []
    many = "import tensorflow as tf\n\n\ndef f(x):\n    return tf.nn.dropout(x, 0.5, None, 1, 'd', 3)\n"
    result = lint_snippet(many, config=(("tf-version", 2),), select=("DL203",))
    assert [(d.code, d.fix) for d in result.diagnostics] == [("DL203", None)]


def test_dl203_keras_random_dropout_positional_is_fine():
    code = "import keras\n\n\ndef f(x):\n    return keras.random.dropout(x, 0.5)\n"
    assert findings(code, "DL203") == []


# -- DL202 keep-prob-as-rate ---------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "nn.Dropout(p=cfg['keep_prob'])",
        "nn.Dropout(cfg.get('keep_prob', 0.9))",
        "nn.Dropout(self.keepProb)",
        "nn.LSTM(8, 8, num_layers=2, dropout=keep_rate)",
        "nn.MultiheadAttention(8, 2, dropout=retain_p)",
    ],
)
def test_dl202_names_that_say_keep(call):
    code = f"import torch.nn as nn\n\n\ndef build(self, cfg, keep_rate, retain_p):\n    return {call}\n"
    assert findings(code, "DL202") == [("DL202", 5)]


def test_dl202_a_comment_on_the_line_above_the_assignment():
    code = """\
    import torch.nn as nn


    def build():
        # probability of keeping a unit
        p = 0.8
        return nn.Dropout(p)
    """
    assert findings(code, "DL202") == [("DL202", 7)]


def test_dl202_a_docstring_that_mentions_both_meanings_is_ambiguous():
    code = '''\
    import torch.nn as nn


    def build(p):
        """p: drop probability, i.e. 1 - keep probability."""
        return nn.Dropout(p)
    '''
    assert findings(code, "DL202") == []


def test_dl202_class_docstring_documents_a_self_attribute():
    code = '''\
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        """A block.

        Args:
            p (float): probability of keeping each activation.
        """

        def __init__(self, p):
            super().__init__()
            self.p = p

        def forward(self, x):
            return F.dropout(x, self.p, self.training)
    '''
    assert findings(code, "DL202") == [("DL202", 17)]


def test_dl202_tf2_positional_keep_prob_name_is_a_rate():
    code = "import tensorflow as tf\n\n\ndef f(x, keep_prob):\n    return tf.nn.dropout(x, keep_prob)\n"
    assert findings(code, "DL202", config=(("tf-version", 2),)) == [("DL202", 5)]
    # TF1 reads the same argument as keep_prob: right.
    assert findings(code, "DL202", config=(("tf-version", 1),)) == []


def test_dl202_literals_at_the_thresholds():
    code = "import torch.nn as nn\na = nn.Dropout(0.89)\nb = nn.Dropout(0.9)\n"
    assert findings(code, "DL202") == [("DL202", 3)]
    keep = "import tensorflow.compat.v1 as tf\n\n\ndef f(x):\n    return tf.nn.dropout(x, keep_prob=0.1)\n"
    assert findings(keep, "DL202") == [("DL202", 5)]


def test_dl202_literals_in_test_files_are_left_alone_but_names_are_not():
    test = "import torch.nn as nn\n\n\ndef test_drop(keep_prob):\n    a = nn.Dropout(0.95)\n    b = nn.Dropout(keep_prob)\n"
    assert findings("import torch.nn as nn\n", "DL202", files=(("tests/test_drop.py", test),)) == [("DL202", 6)]


# -- DL205 rnn-dropout-ignored ----------------------------------------------------------------


def test_dl205_unknown_layers_or_kwargs_are_not_judged():
    code = """\
    import torch.nn as nn


    def build(n, **kw):
        a = nn.LSTM(8, 8, num_layers=n, dropout=0.2)
        b = nn.LSTM(8, 8, dropout=0.2, **kw)
        c = nn.LSTM(8, 8, 1, dropout=0.2)
        return a, b, c
    """
    assert findings(code, "DL205") == [("DL205", 7)]


def test_dl205_positional_dropout_of_nn_rnn_comes_after_nonlinearity():
    code = """\
    import torch.nn as nn


    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.RNN(8, 8, 1, "tanh", True, True, 0.2)
            self.b = nn.RNN(8, 8, 1, "tanh", True, 0.2)
    """
    # self.b's 0.2 is batch_first (truthy), not dropout.
    assert findings(code, "DL205") == [("DL205", 7)]


def test_dl205_keras_lstm_dropout_is_input_dropout_and_fine():
    code = "from keras import layers\nrnn = layers.LSTM(8, dropout=0.2)\n"
    assert findings(code, "DL205") == []


# -- DL302 dropout-forced-on --------------------------------------------------------------------


def test_dl302_keras_layer_bound_to_a_local_name():
    code = """\
    from keras import layers


    def build(inputs):
        drop = layers.Dropout(0.5)
        return drop(inputs, training=True)
    """
    assert findings(code, "DL302") == [("DL302", 6)]


def test_dl302_training_only_branch_and_gated_rate_are_harmless():
    code = attention(
        """\
        if self.training:
            q = F.dropout(q, 0.1, training=True)
        k = F.dropout(k, self.p if self.training else 0.0, training=True)
        return q + k
        """
    )
    assert findings(code, "DL302") == []


def test_dl302_a_method_named_dropout_of_a_model_is_still_judged():
    code = TORCH_ATTENTION + "        return q\n\n    def apply_dropout(self, x):\n        return F.dropout(x, self.p, training=True)\n"
    assert findings(code, "DL302") == [("DL302", 14)]


def test_dl302_torch_dropout_module_call_and_other_layers_are_not_dropout():
    code = """\
    import torch.nn as nn
    from keras import layers


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.1)
            self.norm = layers.LayerNormalization()

        def forward(self, x):
            return self.norm(self.drop(x), training=True)
    """
    assert findings(code, "DL302") == []


def test_dl302_message_names_mc_dropout_and_noqa():
    code = "import torch.nn.functional as F\n\n\ndef f(x):\n    return F.dropout(x, 0.2, True)\n"
    (message,) = messages(code, "DL302")
    assert "Monte Carlo" in message and "# noqa: DL302" in message and "0.2" in message


# -- DL306 dropout-rate-mutated ----------------------------------------------------------------


def test_dl306_nested_function_in_forward_and_unpacking():
    code = """\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.1)
            self.drop.p = 0.2

        def forward(self, x):
            def anneal():
                self.drop.p = 0.3
            anneal()
            self.drop.p, y = 0.4, x
            return self.drop(y)
    """
    assert findings(code, "DL306") == [("DL306", 12), ("DL306", 14)]


def test_dl306_attribute_used_as_a_functional_rate():
    code = attention("self.p = self.p * 0.5\nreturn F.dropout(q, self.p, self.training)\n")
    assert findings(code, "DL306") == [("DL306", 11)]


def test_dl306_a_same_named_attribute_of_another_class_is_not_a_rate():
    code = """\
    import torch.nn as nn
    import torch.nn.functional as F


    class A(nn.Module):
        def forward(self, x):
            return F.dropout(x, self.p, self.training)


    class B(nn.Module):
        def forward(self, x):
            self.p = 3
            return x
    """
    assert findings(code, "DL306") == []


# -- DL204 noop-dropout ----------------------------------------------------------------------


def test_dl204_attention_dropout_p_zero_is_not_a_dead_layer():
    code = attention("q = F.dropout(q, 0.0, self.training)\nreturn F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)\n")
    assert findings(code, "DL204") == [("DL204", 11)]


# -- names that are not the framework's are never flagged -----------------------------------


def test_lookalike_names_are_not_flagged():
    code = """\
    from mylib import nn, F, tf, layers


    class Net(nn.Module):
        def forward(self, x):
            self.drop.p = 0.9
            x = F.dropout(x, 0.95, training=True)
            x = F.scaled_dot_product_attention(x, x, x, dropout_p=0.1)
            x = tf.nn.dropout(x, 0.5)
            x = tf.compat.v1.layers.dropout(x)
            x = nn.LSTM(8, 8, dropout=0.5)
            return layers.Dropout(0.0)(x, training=True)
    """
    result = lint_snippet(textwrap.dedent(code), select=("DL2", "DL3"))
    assert result.errors == [] and result.diagnostics == []


# -- bad input never crashes -------------------------------------------------------------------

ODD = [
    "import torch.nn as nn\nd = nn.Dropout(*args, **kwargs)\n",
    "import torch.nn.functional as F\nF.dropout()\n",
    "import tensorflow as tf\ntf.nn.dropout()\ntf.nn.dropout(x, *rest)\n",
    "import torch.nn.functional as F\nF.scaled_dot_product_attention(q, k, v, dropout_p=(lambda: 0.1)())\n",
    (
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass A(nn.Module):\n"
        "    forward = lambda self, x: F.dropout(x, training=True)\n"
    ),
    "import keras\nx = keras.layers.Dropout(0.5)(x, training=True, **kw)\n",
    (
        "import torch.nn as nn\n\n\nclass A(nn.Module):\n    def forward(self, x):\n"
        "        self.drop.p, *rest = 1, 2, 3\n        [self.q] = [0.5]\n        return x\n"
    ),
    "import torch.nn as nn\nd = nn.Dropout(p=cfg['keep'][0])\nd = nn.Dropout(p=cfg[0])\nd = nn.Dropout(p=x.get())\n",
    "import torch.nn as nn\nd = nn.Dropout(1e400)\nd = nn.Dropout(-0.0)\nd = nn.Dropout(0x10)\n",
    "import tensorflow.compat.v1 as tf\n\n\nasync def f(x):\n    return tf.layers.dropout(await x)\n",
    (
        "import torch.nn.functional as F\n\n\nclass A:\n    def forward(self, x):\n"
        "        while (p := self.p):\n            x = F.scaled_dot_product_attention(x, x, x, dropout_p=p)\n"
    ),
    "import torch.nn as nn\n# keep probability: 'quoted # hash'\np = 0.8  # keep prob\nd = nn.Dropout(p)\n",
]


@pytest.mark.parametrize("code", ODD)
def test_odd_code_gives_no_error(code):
    result = lint_snippet(code, select=("DL2", "DL3"))
    assert result.errors == []


# -- direction of a training condition: eval-only branches are not guards ------------------


def test_dl303_after_an_early_return_in_training_the_rest_runs_in_eval():
    code = attention(
        """\
        if self.training:
            return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)
        """
    )
    assert findings(code, "DL303") == [("DL303", 13)]


def test_dl303_a_rate_set_only_in_eval_is_not_gated():
    code = attention(
        """\
        p = 0.0
        if not self.training:
            p = self.p
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        """
    )
    assert findings(code, "DL303") == [("DL303", 14)]


@pytest.mark.parametrize(
    "body,found",
    [
        ("if not training:\n    x = tf.nn.dropout(x, rate=0.1)\nreturn x\n", [("DL304", 8)]),
        ("return tf.cond(training, lambda: x, lambda: tf.nn.dropout(x, rate=0.1))\n", [("DL304", 7)]),
        ("return tf.cond(not training, lambda: x, lambda: tf.nn.dropout(x, rate=0.1))\n", []),
        ("if training is False:\n    return x\nreturn tf.nn.dropout(x, rate=0.1)\n", []),
        ("if training and self.rate > 0:\n    x = tf.nn.dropout(x, rate=self.rate)\nreturn x\n", []),
        ("if training:\n    return x\nelse:\n    return tf.nn.dropout(x, rate=0.1)\n", [("DL304", 10)]),
        ("if mode(training):\n    x = tf.nn.dropout(x, rate=0.1)\nreturn x\n", []),
    ],
)
def test_dl304_direction_of_the_guard(body, found):
    assert findings(keras_call(body), "DL304") == found


def test_dl302_forced_dropout_in_an_eval_only_branch_is_found():
    code = attention("if not self.training:\n    q = F.dropout(q, 0.1, training=True)\nreturn q\n")
    assert findings(code, "DL302") == [("DL302", 12)]


def test_dl302_keras_layer_called_with_a_positional_true():
    code = """\
    import keras


    def build(inputs):
        return keras.layers.Dropout(0.3)(inputs, True)
    """
    assert findings(code, "DL302") == [("DL302", 5)]


def test_dl202_constructor_argument_documented_on_the_class():
    code = '''\
    import torch.nn as nn


    class Block(nn.Module):
        """A block.

        Args:
            p: probability of keeping a unit.
        """

        def __init__(self, p=0.9):
            super().__init__()
            self.drop = nn.Dropout(p)
    '''
    assert findings(code, "DL202") == [("DL202", 13)]
