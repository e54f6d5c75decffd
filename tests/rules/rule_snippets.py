"""What the tests of tests/rules/ share: snippet helpers and the models they lint."""

from __future__ import annotations

import textwrap
from textwrap import dedent

from droplint.testing import fix_snippet, lint_snippet


def lint_example(rule, example, code=None):
    """Lint a rule's example (or `code` in its place) with only that rule selected."""
    code = example.source if code is None else code
    return lint_snippet(code, example.sibling_files, example.config, select=(rule.code,))


def check_valid_example(rule, example) -> None:
    assert example.expected() == [], "a valid example marks no finding"
    result = lint_example(rule, example)
    assert result.errors == []
    assert [d for d in result.diagnostics if d.code == rule.code] == []


def check_invalid_example(rule, example) -> list:
    """The findings of `rule` on its invalid example, once they are exactly the marked ones."""
    expected = example.expected()
    assert expected, f"{rule.code}: an invalid example marks its findings (`  # {rule.code}`)"
    assert {code for _, _, code in expected} == {rule.code}, "an example marks its own rule's findings"
    result = lint_example(rule, example)
    assert result.errors == []
    found = [d for d in result.diagnostics if d.code == rule.code]
    assert sorted((d.path, d.span.line, d.code) for d in found) == expected, (
        f"{rule.code}: the findings differ from the markers of:\n{example.code}"
    )
    return found


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


KERAS_LAYER = """\
import tensorflow as tf
import keras


class Block(keras.layers.Layer):
    def call(self, x, training=None):
"""


def keras_call(body: str) -> str:
    return KERAS_LAYER + textwrap.indent(textwrap.dedent(body), " " * 8)


def example_source(examples, containing: str) -> str:
    """The source of the one example (of a rule's `valid` or `invalid`) that contains a
    text: a test of an edge case starts from the rule's own example, not a copy of it."""
    [example] = [e for e in examples if containing in e.source]
    return example.source


def found_by(result, code):
    return [d for d in result.diagnostics if d.code == code]


def position_of(result, name):
    for model in result.models:
        if model.root:
            for placed in model.layers:
                if placed.layer.name == name and placed.layer.kind == "dropout":
                    return placed.position
    return None


MLP = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 128)
            self.fc3 = nn.Linear(128, 10)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            x = self.fc1(x).relu()
            x = self.fc2(x).relu()
            x = self.fc3(x)
            return self.drop(x)
    """)


BLOCK = dedent("""\
    import torch.nn as nn


    class Block(nn.Module):
        def __init__(self, dim, p=0.8):
            super().__init__()
            self.fc1 = nn.Linear(dim, dim * 4)
            self.drop = nn.Dropout(p)
            self.fc2 = nn.Linear(dim * 4, dim)

        def forward(self, x):
            h = self.drop(self.fc1(x).relu())
            return x + self.fc2(h)
    """)


NET = dedent("""\
    import torch.nn as nn

    from blocks import Block


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(32, 64)
            self.block = Block(64)
            self.head = nn.Linear(64, 10)

        def forward(self, x):
            return self.head(self.block(self.embed(x)))
    """)


CONFIG_MODEL = dedent("""\
    import torch.nn as nn


    class NetConfig:
        hidden_size = 64
        hidden_dropout_prob = 0.8


    class Net(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.fc1 = nn.Linear(32, config.hidden_size)
            self.drop = nn.Dropout(config.hidden_dropout_prob)
            self.fc2 = nn.Linear(config.hidden_size, config.hidden_size)
            self.fc3 = nn.Linear(config.hidden_size, 10)

        def forward(self, x):
            x = self.drop(self.fc1(x).relu())
            return self.fc3(self.fc2(x).relu())
    """)
