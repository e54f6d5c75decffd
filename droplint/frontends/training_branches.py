"""Training and inference branches: which side of an `if` runs in training.

`if training:`, `if self.training`, `if not deterministic`, `if mode == "train"`,
`training and p > 0`, `not training or p == 0`: a branch test is read for the side it
takes in training, by `droplint.facts.training` (the one reading every rule shares).
`Walker` lists a function's statements in order with the branches around each, so a
rule can ask whether a statement runs only in training and what the other side of its
branch does.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from droplint.facts import training

# Parameter names that pass a training (or inference) flag in: re-exported from the facts.
TRAINING_FLAGS = training.TRAINING_NAMES
INFERENCE_FLAGS = training.INFERENCE_NAMES


@dataclass
class Frame:
    node: cst.CSTNode  # If or IfExp
    arm: str  # "body" | "orelse"
    polarity: str | None  # "train" if the test is true in training, "infer", or None


@dataclass
class Statement:
    node: cst.BaseSmallStatement | cst.If
    frames: tuple
    order: int


class Walker:
    """The statements of one function, in order, with the branches around each."""

    def __init__(self):
        self.statements: list[Statement] = []

    def walk(self, body, frames=()):
        for statement in body:
            self.statement(statement, frames)

    def statement(self, node, frames):
        if isinstance(node, cst.BaseSmallStatement):
            # The body of a one-line suite: `if training: x = x * mask / keep`.
            self.statements.append(Statement(node, frames, len(self.statements)))
        elif isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.statements.append(Statement(small, frames, len(self.statements)))
        elif isinstance(node, cst.If):
            self.statements.append(Statement(node, frames, len(self.statements)))
            polarity = polarity_of(node.test)
            self.walk(node.body.body, frames + (Frame(node, "body", polarity),))
            if isinstance(node.orelse, cst.If):
                self.statement(node.orelse, frames + (Frame(node, "orelse", polarity),))
            elif isinstance(node.orelse, cst.Else):
                self.walk(node.orelse.body.body, frames + (Frame(node, "orelse", polarity),))
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return  # analysed on its own
        elif isinstance(node, (cst.For, cst.While)):
            self.walk(node.body.body, frames)
            if node.orelse is not None:
                self.walk(node.orelse.body.body, frames)
        elif isinstance(node, cst.With):
            self.walk(node.body.body, frames)
        elif isinstance(node, cst.Try):
            self.walk(node.body.body, frames)
            for handler in node.handlers:
                self.walk(handler.body.body, frames)
            if node.orelse is not None:
                self.walk(node.orelse.body.body, frames)
            if node.finalbody is not None:
                self.walk(node.finalbody.body.body, frames)


def polarity_of(test: cst.BaseExpression) -> str | None:
    """Which side of a branch is the training one: "train" when its true side runs only
    in training, "infer" when its false side does; read by `droplint.facts.training`."""
    true, false = training.arms(test)
    if true == training.TRAIN:
        return "train"
    if false == training.TRAIN:
        return "infer"
    return None


def smalls(body) -> list:
    """The small statements of a block, in order (compound statements skipped)."""
    found = []
    for line in body:
        if isinstance(line, cst.SimpleStatementLine):
            found.extend(line.body)
        elif isinstance(line, cst.BaseSmallStatement):
            found.append(line)  # a one-line suite
    return found


def ends_in_return(body) -> bool:
    """A block that leaves the function: what follows it runs only on the other side."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, cst.BaseSmallStatement):
        return isinstance(last, (cst.Return, cst.Raise))
    return isinstance(last, cst.SimpleStatementLine) and any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body)
