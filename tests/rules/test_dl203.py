"""DL203: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

from droplint.testing import lint_snippet
from rule_snippets import findings, fixed


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
