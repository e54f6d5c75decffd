"""Conditionals, read the same way by every frontend: which arm runs, and the join after.

Defaults decide branches. A condition on a parameter with a literal default takes the
default's arm (`return x if pre_logits else self.head(x)` with `pre_logits=False` runs
the head), unless the caller passes a literal of its own. A default of `None` is not a
setting but an optional input (`encoder_hidden_states=None`, `labels=None`) that callers
pass as data: it decides nothing, and both arms are kept. A condition on an attribute the
class builds as a layer is true (`self.norm(x) if self.norm else x` runs the norm), and
one on an attribute set to `None` is false. Anything else is undecided: both arms are
kept and joined.

The join after an undecided conditional: a name that holds data in every arm holds the
union of that data; a name that holds a layer, a block or a function in some arm holds
the first one an arm assigned (else the one it held before).
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from droplint.facts import training as training_facts
from droplint.frontends.resolve import Scope
from droplint.syntax import is_self, string

# What an attribute of `self` is, for a condition: True (a layer is built there), False
# (None), or None (not known).
AttributeTruth = Callable[[str], "bool | None"]
_NOTHING = object()  # "no literal value known"
NOT_LITERAL = _NOTHING  # what `value_of` answers when no literal decides


def truth(test: cst.BaseExpression, scope: Scope | None, attribute: AttributeTruth | None = None) -> bool | None:
    """The value of a condition where literal defaults or the built layers decide it."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = truth(test.expression, scope, attribute)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation):
        left = truth(test.left, scope, attribute)
        right = truth(test.right, scope, attribute)
        if isinstance(test.operator, cst.And):
            if left is False or right is False:
                return False
            return True if left is True and right is True else None
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _comparison(test, scope, attribute)
    value = value_of(test, scope, attribute)
    return None if value is _NOTHING else bool(value)


def value_of(expr: cst.BaseExpression, scope: Scope | None, attribute: AttributeTruth | None = None):
    """A literal the expression stands for (a parameter's default or the caller's literal;
    for an attribute, True for a built layer and None for `None`), else `_NOTHING`."""
    literal = _literal(expr)
    if literal is not _NOTHING:
        return literal
    if isinstance(expr, cst.Name) and scope is not None:
        if training_facts.is_mode_flag(expr.value):
            return _NOTHING  # the training flag is the caller's mode, never its default
        if expr.value in scope.bound:
            # A caller passed it: its literal if it wrote one, else unknown.
            text = scope.bound[expr.value].text.strip()
            try:
                return _literal(cst.parse_expression(text)) if text else _NOTHING
            except Exception:  # noqa: BLE001 - any text that is not an expression
                return _NOTHING
        if expr.value in scope.params and scope.params[expr.value] is not None:
            default = _literal(scope.params[expr.value])
            # `=None` marks an optional input the caller supplies (`encoder_hidden_states`,
            # `labels`), not a setting: which arm runs is the caller's, unknown here.
            return _NOTHING if default is None else default
        return _NOTHING
    if attribute is not None and isinstance(expr, cst.Attribute) and is_self(expr.value):
        found = attribute(expr.attr.value)
        if found is True:
            return True
        if found is False:
            return None
    return _NOTHING


def literal_default(default) -> bool:
    """A parameter default that is a literal number, string or bool: a setting, never a
    layer (a parameter without one may hold a module the caller hands in)."""
    return isinstance(default, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)) or (
        isinstance(default, cst.Name) and default.value in ("True", "False"))


def _comparison(test: cst.Comparison, scope, attribute) -> bool | None:
    target = test.comparisons[0]
    left = value_of(test.left, scope, attribute)
    right = value_of(target.comparator, scope, attribute)
    if left is _NOTHING or right is _NOTHING:
        return None
    operator = target.operator
    if isinstance(operator, cst.Is):
        return left is right if right is None or left is None else None
    if isinstance(operator, cst.IsNot):
        return left is not right if right is None or left is None else None
    if isinstance(operator, cst.Equal):
        return left == right
    if isinstance(operator, cst.NotEqual):
        return left != right
    return None


def _literal(expr):
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    if isinstance(expr, (cst.Integer, cst.Float)):
        try:
            return expr.evaluated_value
        except (ValueError, SyntaxError):
            return _NOTHING
    if isinstance(expr, cst.SimpleString):
        text = string(expr)
        return _NOTHING if text is None else text
    return _NOTHING


def chosen_arm(node: cst.If, scope, attribute=None):
    """The arm an `if`/`elif`/`else` chain runs when conditions are decided: the body to
    run (possibly an empty tuple for a missing else), or None when some condition is open.

    In a constructor, parameters are what the parent passes (`Block(use_norm=False)`,
    bound at link time): their defaults decide nothing there, and both arms are kept."""
    if scope is not None and scope.constructor:
        scope = None
    current = node
    while True:
        decided = truth(current.test, scope, attribute)
        if decided is None:
            return None
        if decided:
            return current.body
        orelse = current.orelse
        if isinstance(orelse, cst.If):
            current = orelse
            continue
        return orelse.body if orelse is not None else ()


def join(before: dict, arms: list[dict], is_data: Callable[[object], bool], union: Callable[[list], object]) -> dict:
    """The names after branches, from what each arm left in them (see the module doc)."""
    joined = dict(before)
    for name in dict.fromkeys(name for arm in arms for name in arm):
        values = [arm[name] for arm in arms if name in arm]
        data = [value for value in values if is_data(value)]
        if len(data) == len(values):
            joined[name] = union(data)
            continue
        others = [value for value in values if not is_data(value)]
        assigned = [value for value in others if value is not before.get(name, _NOTHING)]
        joined[name] = (assigned or others)[0]
    return joined
