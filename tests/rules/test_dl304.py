"""DL304: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

import pytest

from rule_snippets import findings, KERAS_LAYER, keras_call


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
