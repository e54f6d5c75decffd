"""DL305: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

import textwrap

from droplint.testing import lint_snippet
from rule_snippets import findings, fixed


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
