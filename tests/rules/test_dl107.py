"""DL107: edge cases its examples do not show (moved from tests/test_model_rules.py)."""

from __future__ import annotations

from textwrap import dedent

from droplint.testing import fix_snippet, lint_snippet
from rule_snippets import found_by


def test_consecutive_dropouts_merge_into_the_combined_rate():
    model = dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 256)
                self.drop1 = nn.Dropout(0.5)
                self.drop2 = nn.Dropout(0.5)
                self.fc2 = nn.Linear(256, 10)

            def forward(self, x):
                x = self.drop1(self.fc1(x).relu())
                x = self.drop2(x)
                return self.fc2(x)
        """)
    found = found_by(lint_snippet(model, select=("DL107",)), "DL107")
    assert [d.span.line for d in found] == [14]
    assert "together a dropout of 0.75" in found[0].message
    fixed = fix_snippet(model, select=("DL107",), unsafe=True)
    assert fixed == model.replace("self.drop1 = nn.Dropout(0.5)", "self.drop1 = nn.Dropout(0.75)").replace(
        "        x = self.drop2(x)\n", ""
    )
    # Without --unsafe-fixes nothing changes.
    assert fix_snippet(model, select=("DL107",), unsafe=False) == model


def test_keras_consecutive_functional_dropouts_merge():
    model = dedent("""\
        import keras
        from keras import layers

        inputs = keras.Input((784,))
        x = layers.Dense(256, activation="relu")(inputs)
        x = layers.Dropout(0.2)(x)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(10)(x)
        model = keras.Model(inputs, outputs)
        """)
    found = found_by(lint_snippet(model, select=("DL107",)), "DL107")
    assert [(d.span.line, d.model) for d in found] == [(7, "model")]
    assert fix_snippet(model, select=("DL107",), unsafe=True) == model.replace(
        "x = layers.Dropout(0.2)(x)\nx = layers.Dropout(0.5)(x)\n", "x = layers.Dropout(0.6)(x)\n"
    )


def test_consecutive_dropouts_with_a_zero_rate_are_one_dropout():
    model = dedent("""\
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(784, 256), nn.Dropout(0.0), nn.Dropout(0.3), nn.Linear(256, 10))
        """)
    assert found_by(lint_snippet(model, select=("DL107",)), "DL107") == []
    assert len(found_by(lint_snippet(model.replace("0.0", "0.2"), select=("DL107",)), "DL107")) == 1
