"""Training and inference branches: which side of an `if` runs in training.

`if training:`, `if self.training`, `if not deterministic`, `if mode == "train"`,
`training and p > 0`, `not training or p == 0`: a branch test is read for the side it
takes in training. `Walker` lists a function's statements in order with the branches
around each, so a rule can ask whether a statement runs only in training and what the
other side of its branch does.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from droplint.frontends.imports import dotted

# Names of a training flag; a true value means training unless listed as inverse.
TRAINING_FLAGS = {"training", "train", "is_training", "is_train", "train_mode", "istrain"}
INFERENCE_FLAGS = {"deterministic", "inference", "is_inference", "eval", "is_eval", "evaluation"}
TRAIN_WORDS = {"train", "training", "fit"}


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
    """Whether a branch test is true in training ("train"), at inference ("infer")."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = polarity_of(test.expression)
        return {"train": "infer", "infer": "train"}.get(inner)
    if isinstance(test, cst.BooleanOperation):
        left, right = polarity_of(test.left), polarity_of(test.right)
        sides = {s for s in (left, right) if s}
        if len(sides) != 1:
            return None
        side = sides.pop()
        # `training and p > 0` runs only in training; `not training or p == 0`
        # runs at inference (and when nothing is dropped): both are the flag's side.
        if isinstance(test.operator, cst.And) and side == "train":
            return "train"
        if isinstance(test.operator, cst.Or) and side == "infer":
            return "infer"
        return None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        text = _string_value(target.comparator) or _string_value(test.left)
        other = test.left if _string_value(target.comparator) else target.comparator
        name = (dotted(other) or "").rsplit(".", 1)[-1].lower()
        word = (text or "").lower() or (dotted(target.comparator) or "").rsplit(".", 1)[-1].lower()
        if name in ("mode", "phase", "stage", "split") and word:
            positive = word in TRAIN_WORDS
            negative = word in ("eval", "test", "infer", "inference", "predict", "val", "validation")
            if isinstance(target.operator, (cst.Equal, cst.Is)):
                return "train" if positive else "infer" if negative else None
            if isinstance(target.operator, (cst.NotEqual, cst.IsNot)):
                return "infer" if positive else "train" if negative else None
        if isinstance(target.operator, (cst.Is, cst.Equal)) and _is_name(target.comparator, "True"):
            return polarity_of(test.left)
        return None
    name = (dotted(test) or "").rsplit(".", 1)[-1].lower()
    if name in TRAINING_FLAGS:
        return "train"
    if name in INFERENCE_FLAGS:
        return "infer"
    return None


def _string_value(node) -> str | None:
    if isinstance(node, cst.SimpleString):
        try:
            return str(node.evaluated_value)
        except Exception:  # noqa: BLE001 - an odd literal is just not a mode name
            return None
    return None


def _is_name(node, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


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
