"""Dropout rates of Keras / TensorFlow code, resolved as far as one file allows.

Literals, module constants, constructor and function defaults, `config.x` attributes
(resolved at link time) and TF1 keep probabilities (`rate = 1 - keep_prob`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from droplint.context import arithmetic, literal_number
from droplint.ir import Rate

# How trustworthy each source is; arithmetic over several keeps the weakest.
_STRENGTH = {"literal": 3, "constant": 2, "default": 1, "config": 1, "null": 0}
# Names that usually hold a configuration object: `config.dropout_rate`.
_CONFIG_OBJECTS = ("config", "cfg", "conf", "hparams", "params", "args", "opt", "hp", "flags")


@dataclass
class RateScope:
    """What names mean where a rate is written.

    `params`: parameters of the enclosing constructor or builder function, with their
    default expressions (None when there is no default); `constructor` says whether they
    are constructor parameters, which a parent may rebind (`Rate.param`).
    `attributes`: `self.x = expr` assignments of the class, read by `self.x` rates.
    """

    constants: dict[str, cst.BaseExpression]
    params: dict[str, cst.BaseExpression | None] = field(default_factory=dict)
    constructor: bool = False
    attributes: dict[str, cst.BaseExpression] = field(default_factory=dict)
    # Parameters of an inlined helper, bound to the caller's argument (and its scope).
    bound: dict[str, tuple] = field(default_factory=dict)


def module_constants(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Top-level `NAME = <number>` assignments (the last one wins)."""
    found = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name) and literal_number(small.value) is not None:
                    found[target.value] = small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                if isinstance(small.target, cst.Name) and literal_number(small.value) is not None:
                    found[small.target.value] = small.value
    return found


def parameters(function: cst.FunctionDef) -> dict[str, cst.BaseExpression | None]:
    """Parameter names (without self) and their default expressions."""
    params = function.params
    found = {}
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value in ("self", "cls"):
            continue
        found[param.name.value] = param.default
    return found


def resolve(expr: cst.BaseExpression, scope: RateScope, text: str, _depth: int = 0) -> Rate:
    """The rate an expression stands for, with where its value comes from."""
    value = literal_number(expr)
    if value is not None:
        return Rate(_number(value), "literal", text)
    if _depth > 8:
        return Rate.unknown(text)
    if isinstance(expr, cst.Name):
        name = expr.value
        if name in scope.bound:
            argument, outer = scope.bound[name]
            inner = resolve(argument, outer, text, _depth + 1)
            return Rate(inner.value, inner.source, text, inner.param, inner.config_attr)
        if name in scope.params:
            default = scope.params[name]
            inner = resolve(default, scope, text, _depth + 1) if default is not None else Rate.unknown(text)
            source = "default" if inner.value is not None else inner.source
            return Rate(inner.value, source, text, param=name if scope.constructor else None,
                        config_attr=inner.config_attr)
        if name in scope.constants:
            inner = resolve(scope.constants[name], scope, text, _depth + 1)
            return Rate(inner.value, "constant" if inner.value is not None else "null", text)
        return Rate.unknown(text)
    if isinstance(expr, cst.Attribute):
        owner = expr.value
        if isinstance(owner, cst.Name) and owner.value == "self" and expr.attr.value in scope.attributes:
            inner = resolve(scope.attributes[expr.attr.value], scope, text, _depth + 1)
            return Rate(inner.value, inner.source, text, inner.param, inner.config_attr)
        if _config_object(owner):
            return Rate(None, "null", text, config_attr=expr.attr.value)
        return Rate.unknown(text)
    if isinstance(expr, cst.BinaryOperation):
        left = resolve(expr.left, scope, text, _depth + 1)
        right = resolve(expr.right, scope, text, _depth + 1)
        if left.value is None or right.value is None:
            return Rate.unknown(text)
        value = arithmetic(expr.operator, left.value, right.value)
        if value is None:
            return Rate.unknown(text)
        source = min((left.source, right.source), key=_STRENGTH.__getitem__)
        return Rate(_number(value), source, text)
    return Rate.unknown(text)


def from_keep_prob(keep: Rate, text: str) -> Rate:
    """A TF1 keep probability turned into the drop rate `1 - keep_prob`."""
    if keep.value is None or isinstance(keep.value, bool):
        return Rate(None, keep.source if keep.source == "null" else "null", text)
    return Rate(_number(1 - keep.value), keep.source, text)


def _config_object(node: cst.BaseExpression) -> bool:
    # config.x, self.config.x, self.cfg.x
    if isinstance(node, cst.Name):
        return node.value.lower() in _CONFIG_OBJECTS or node.value.lower().endswith("config")
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return _config_object(node.attr)
    return False


def _number(value):
    # 1 - 0.8 is 0.19999999999999996; rates are read by people.
    if isinstance(value, float):
        return round(value, 10)
    return value
