"""What one libcst node says on its own, with no file around it: a dotted name, a string,
a number, `self`, an argument of a call.

The front ends and the rules ask these questions everywhere; each has one answer, here.
Anything that needs the file (imports, scopes, module constants) lives elsewhere:
`frontends/imports.py`, `frontends/resolve.py`, `facts/constants.py`.
"""

from __future__ import annotations

import math

import libcst as cst


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def string(node: cst.BaseExpression | None) -> str | None:
    """The text of a plain string literal (`"model"`), else None (bytes, f-strings, names)."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - a malformed literal is simply not a string
            return None
        return value if isinstance(value, str) else None
    return None


def top_level_smalls(body) -> list[cst.BaseSmallStatement]:
    """The small statements of the simple lines of a body (`a = 1; b = 2`), not nested ones."""
    return [small for line in body if isinstance(line, cst.SimpleStatementLine) for small in line.body]


def named_assignments(smalls):
    """(name, value) for each `name = value` (every plain-name target of `a = b = value`)
    and `name: T = value` among small statements, in order."""
    for small in smalls:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    yield target.target.value, small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
            yield small.target.value, small.value


def string_index(node: cst.Subscript) -> str | None:
    """The key of `x["name"]`, else None."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string(node.slice[0].slice.value)
    return None


def is_self(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def is_self_attr(node) -> bool:
    """`self.<name>`."""
    return isinstance(node, cst.Attribute) and is_self(node.value)


def literal_number(node: cst.BaseExpression):
    """The value of a numeric literal or constant arithmetic of literals, else None.

    Returns bools as bools, so that `Dropout(True)` can be told from `Dropout(1)`.
    """
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    if isinstance(node, (cst.Integer, cst.Float)):
        try:
            return node.evaluated_value
        except (ValueError, SyntaxError):
            return None
    if isinstance(node, cst.UnaryOperation):
        inner = literal_number(node.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            if isinstance(node.operator, cst.Minus):
                return -inner
            if isinstance(node.operator, cst.Plus):
                return inner
        return None
    if isinstance(node, cst.BinaryOperation):
        left, right = literal_number(node.left), literal_number(node.right)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
            return None
        return arithmetic(node.operator, left, right)
    return _special_float(node)


# Not-a-number and infinity as they are spelled in source: `float("nan")`, `math.inf`.
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "infinity": math.inf}
_SPECIAL_FLOAT_MODULES = ("math", "np", "numpy", "torch")


def _special_float(node: cst.BaseExpression) -> float | None:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        if node.value.value in _SPECIAL_FLOAT_MODULES and node.attr.value in ("nan", "inf"):
            return _SPECIAL_FLOATS[node.attr.value]
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "float":
        if len(node.args) == 1 and isinstance(node.args[0].value, cst.SimpleString):
            try:
                text = node.args[0].value.evaluated_value
            except Exception:  # noqa: BLE001 - a malformed literal is simply not a number
                return None
            if isinstance(text, str):
                sign, word = (-1.0, text.strip()[1:]) if text.strip().startswith("-") else (1.0, text.strip().lstrip("+"))
                special = _SPECIAL_FLOATS.get(word.lower())
                return None if special is None else sign * special
    return None


def arithmetic(operator: cst.BaseBinaryOp, left, right):
    try:
        if isinstance(operator, cst.Add):
            return left + right
        if isinstance(operator, cst.Subtract):
            return left - right
        if isinstance(operator, cst.Multiply):
            return left * right
        if isinstance(operator, cst.Divide):
            return left / right
    except (ZeroDivisionError, OverflowError):  # a 400-digit integer is not a float
        return None
    return None


def super_method(func: cst.BaseExpression) -> str | None:
    """The method a call of `super().<method>` names (`__init__`, `call`), else None."""
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call) and dotted(func.value.func) == "super":
        return func.attr.value
    return None


def argument(call: cst.Call, keyword: str | None, index: int | None):
    """The Arg passed as `keyword=` or at positional `index`, else None."""
    position = 0
    for arg in call.args:
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg
        elif arg.star:
            return None  # `*args` hides which position is which
        else:
            if index is not None and position == index:
                return arg
            position += 1
    return None


def argument_value(call: cst.Call, keyword: str | None, index: int | None) -> cst.BaseExpression | None:
    """The expression passed as `keyword=` or at positional `index`, else None."""
    arg = argument(call, keyword, index)
    return None if arg is None else arg.value


def has_keyword(call: cst.Call, keyword: str) -> bool:
    return any(a.keyword is not None and a.keyword.value == keyword for a in call.args)


def has_star_args(call: cst.Call) -> bool:
    return any(a.star for a in call.args)
