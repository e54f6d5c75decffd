"""Models that the examples of more than one rule are built from.

Each builder writes the same small model with the rates it is given, so that a rule's
valid and invalid examples differ only where the rule looks. `marked` puts a finding
marker (`# DL103`, see `droplint.rulebook.rule.Example`) on the line where each dropout
is applied, which is where a model rule reports it.
"""

from __future__ import annotations

from textwrap import dedent


def marker(code: str) -> str:
    """The end-of-line marker of a finding of `code` ("" marks none)."""
    return f"  # {code}" if code else ""


def two_dropout_mlp(framework: str, first: str, second: str, marked: tuple[str, str] = ("", "")) -> str:
    """784 -> 512 -> 256 -> 10 with a dropout after each hidden layer: `first` is hidden,
    `second` final hidden. `framework` is "torch" (a module) or "keras" (a Sequential)."""
    one, two = (marker(code) for code in marked)
    if framework == "keras":
        return dedent(f"""\
            import keras
            from keras import layers

            model = keras.Sequential([
                keras.Input((784,)),
                layers.Dense(512, activation="relu"),
                layers.Dropout({first}),{one}
                layers.Dense(256, activation="relu"),
                layers.Dropout(rate={second}),{two}
                layers.Dense(10),
            ])
            """)
    return dedent(f"""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 512)
                self.drop1 = nn.Dropout({first})
                self.fc2 = nn.Linear(512, 256)
                self.drop2 = nn.Dropout(p={second})
                self.fc3 = nn.Linear(256, 10)

            def forward(self, x):
                x = self.drop1(self.fc1(x).relu()){one}
                x = self.drop2(self.fc2(x).relu()){two}
                return self.fc3(x)
        """)


def marked(text: str, line: str, code: str) -> str:
    """`text` with a finding of `code` marked on its one line that reads `line` (stripped):
    for a model an example shares with others, which must stay unmarked."""
    lines = text.split("\n")
    matches = [i for i, candidate in enumerate(lines) if candidate.strip() == line]
    if len(matches) != 1:
        raise ValueError(f"{len(matches)} lines read {line!r}; mark exactly one")
    lines[matches[0]] += marker(code)
    return "\n".join(lines)


# Dropout written by hand as it should be (inverted dropout): the identity at inference,
# the kept units scaled by 1 / (1 - p) in training. What the hand-rolled rules (DL401 to
# DL404, DL406) show as the right way, and one of their valid examples.
INVERTED_DROPOUT = (
    "def dropout(x, p, training, rng):\n"
    "    if not training:\n"
    "        return x\n"
    "    mask = rng.random(x.shape) >= p\n"
    "    return x * mask / (1 - p)"
)
