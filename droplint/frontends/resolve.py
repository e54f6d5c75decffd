"""Dropout rates from the source alone: what an expression evaluates to, and why we know.

Framework-neutral: both frontends build a `Resolver` per file and ask `rate(expr, scope)`.
What it resolves, with the contract's `rate_source`:

- literals and constant arithmetic (`0.5`, `1 - 0.8`)                     literal
- module constants, class attributes (`DROP = 0.2`, `self.p = 0.2`)       constant
- parameter defaults (`def __init__(self, p=0.5)`), argparse defaults
  (`parser.add_argument("--p", default=0.3)` read as `args.p`)          default
- `config.x` / `cfg.x` / `getattr(config, "x", d)`: left to link, which reads
  the project's config classes (`Rate.config_attr`)                     config
- anything else                                                          null (never a guess)

A rate read from a constructor parameter remembers it (`Rate.param`), so link can
rebind it to what the parent passes (`Block(dim, drop=0.1)`).
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field, replace

import libcst as cst

from droplint.facts import rates as rate_facts
from droplint.facts import training as training_facts
from droplint.facts.constants import module_assignments
from droplint.ir import Rate
from droplint.syntax import (
    arithmetic,
    dotted,
    is_self,
    is_self_attr,
    literal_number,
    named_assignments,
    string,
    string_index,
    top_level_smalls,
)

# Names of objects whose attributes are configuration: `config.hidden_dropout_prob`.
CONFIG_NAMES = ("config", "cfg", "conf", "configs", "hparams", "hp", "hps", "params", "opt", "opts", "args", "settings")
# Stronger evidence wins when parts combine: `1 - config.keep` is a config rate.
_STRENGTH = {"literal": 0, "constant": 1, "default": 2, "config": 3, "null": 4}
# Chains of names longer than this are cycles (`p = p * 2`) or not worth following.
MAX_NAME_CHAIN = 24


@dataclass
class Scope:
    """What names mean where an expression is written.

    `values`: local assignments (last one wins); `params`: parameters and their default
    expressions (None: no default); `bound`: rates of arguments a caller passed (when a
    function is inlined); `constructor`: parameters are constructor parameters, so rates
    read from them keep `Rate.param`.
    """

    values: dict[str, cst.BaseExpression] = field(default_factory=dict)
    params: dict[str, cst.BaseExpression | None] = field(default_factory=dict)
    bound: dict[str, Rate] = field(default_factory=dict)
    constructor: bool = False
    # Attributes of `self` assigned in the constructor: name -> (expression, its scope).
    self_attrs: dict[str, tuple[cst.BaseExpression, Scope]] = field(default_factory=dict)
    # Class-body attributes of the enclosing class.
    class_attrs: dict[str, cst.BaseExpression] = field(default_factory=dict)
    # Arguments a caller passed (when a function is inlined), as written, with the
    # caller's scope: a class handed on (`norm_layer=nn.BatchNorm2d`) is read there.
    passed: dict[str, tuple[cst.BaseExpression, Scope]] = field(default_factory=dict)


def function_scope(function: cst.FunctionDef, constructor: bool = False, **extra) -> Scope:
    """A scope for a function: its parameters and its local assignments."""
    params: dict[str, cst.BaseExpression | None] = {}
    p = function.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        params[param.name.value] = param.default
    return Scope(values=local_assignments(function.body), params=params, constructor=constructor, **extra)


def parameter_names(function: cst.FunctionDef) -> tuple[str, ...]:
    """Positional-or-keyword parameter names, without `self`/`cls`."""
    p = function.params
    names = [param.name.value for param in (*p.posonly_params, *p.params)]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return tuple(names + [param.name.value for param in p.kwonly_params])


def simple_statements(body: cst.BaseSuite):
    """Every small statement of a function body, nested blocks included, in source
    order; nested functions and classes are their own scopes and are skipped."""
    stack = [body]
    while stack:
        suite = stack.pop()
        statements = suite.body if isinstance(suite, cst.IndentedBlock) else (suite,)
        pending = []
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine) or isinstance(statement, cst.SimpleStatementSuite):
                yield from statement.body
            elif isinstance(statement, (cst.If, cst.For, cst.While, cst.With, cst.Try)):
                pending.extend(_blocks_of(statement))
            elif isinstance(statement, (cst.BaseSmallStatement,)):
                yield statement
        stack.extend(reversed(pending))


def _blocks_of(statement) -> list:
    blocks = [statement.body]
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        blocks.append(orelse.body)
        orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    for handler in getattr(statement, "handlers", ()):
        blocks.append(handler.body)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        blocks.append(final.body)
    return blocks


def local_assignments(body: cst.BaseSuite) -> dict[str, cst.BaseExpression]:
    """`name = expr` anywhere in a function body, nested blocks included, not nested defs.

    The first assignment in source order wins: a later one is usually an update of
    the same name (`p = p * 2`), which would make the name refer to itself."""
    found: dict[str, cst.BaseExpression] = {}
    for name, value in named_assignments(simple_statements(body)):
        found.setdefault(name, value)
    return found


def class_attributes(node: cst.ClassDef) -> dict[str, cst.BaseExpression]:
    """`NAME = expr` and `name: T = expr` at the top of a class body."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    return dict(named_assignments(top_level_smalls(body)))  # a later value wins


def self_assignments(function: cst.FunctionDef) -> dict[str, cst.BaseExpression]:
    """`self.name = expr` anywhere in a method (first assignment wins)."""
    found: dict[str, cst.BaseExpression] = {}
    for small in simple_statements(function.body):
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            targets = [small.target]
        else:
            continue
        for target in targets:
            if is_self_attr(target):
                found.setdefault(target.attr.value, small.value)
    return found


class Resolver:
    """Rates of one file; `self.drop.p` reads the rate its module was built with."""

    def __init__(self, ctx):
        self.ctx = ctx
        # A name assigned more than once at module level reads its last value.
        self.constants = {name: values[-1] for name, values in module_assignments(ctx.module).items()}
        self.argparse = argparse_defaults(ctx)
        # call -> (argument, default) of a dropout module's rate, one reading for every framework.
        self.dropout_rate_arg = lambda call: rate_facts.layer_rate_argument(ctx, call)
        self.module_scope = Scope()

    # -- public --------------------------------------------------------------
    def rate(self, expr: cst.BaseExpression | None, scope: Scope | None = None, default: float | None = None) -> Rate:
        """The rate `expr` stands for; `default` when the argument is absent."""
        if expr is None:
            if default is None:
                return Rate(None, "null", "")
            return Rate(default, "default", repr(default))
        try:
            found = self._eval(expr, scope or self.module_scope, 0)
        except RecursionError:
            found = Rate(None, "null", "")
        found = replace(found, text=self.ctx.code(expr).strip())
        return with_literal_site(found, expr, self.ctx)

    def argparse_extras(self) -> tuple[tuple[str, float], ...]:
        values = []
        for dest, expr in self.argparse.items():
            value = literal_number(expr)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values.append((dest, as_float(value)))
        return tuple(values)

    # -- evaluation -----------------------------------------------------------
    def _eval(self, expr: cst.BaseExpression, scope: Scope, steps: int) -> Rate:
        if steps > MAX_NAME_CHAIN:
            return _null()
        steps += 1
        value = literal_number(expr)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Rate(as_float(value), "literal", "")
        if isinstance(expr, cst.Name):
            return self._name(expr.value, scope, steps)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, steps)
        if isinstance(expr, cst.BinaryOperation):
            return _combine(expr.operator, self._eval(expr.left, scope, steps), self._eval(expr.right, scope, steps))
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self._eval(expr.expression, scope, steps)
            return replace(inner, value=-inner.value) if inner.value is not None else inner
        if isinstance(expr, cst.IfExp):
            return self._if(expr, scope, steps)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, steps)
        if isinstance(expr, cst.Subscript):
            key = string_index(expr)
            if key is not None and _is_config(expr.value):
                return _config(key)
        return _null()

    def _name(self, name: str, scope: Scope, steps: int) -> Rate:
        if name in scope.bound:
            return scope.bound[name]
        if name in scope.values:
            return self._eval(scope.values[name], scope, steps)
        if name in scope.params:
            default = scope.params[name]
            param = name if scope.constructor else None
            if default is None:
                return Rate(None, "null", "", param=param)
            found = self._eval(default, self.module_scope, steps)
            source = "default" if found.value is not None else found.source
            return replace(found, source=source, param=param)
        if name in self.constants:
            found = self._eval(self.constants[name], self.module_scope, steps)
            return _at_least(found, "constant")
        return _null()

    def _attribute(self, expr: cst.Attribute, scope: Scope, steps: int) -> Rate:
        attr = expr.attr.value
        base = expr.value
        if is_self(base):
            if attr in scope.self_attrs:
                value, where = scope.self_attrs[attr]
                return self._eval(value, where, steps)
            if attr in scope.class_attrs:
                return _at_least(self._eval(scope.class_attrs[attr], self.module_scope, steps), "constant")
            return _null()
        # `self.drop.p`: the rate of a dropout module built in the constructor.
        if attr in ("p", "rate") and isinstance(base, cst.Attribute):
            built = self._self_attr_expr(base, scope)
            if built is not None and isinstance(built[0], cst.Call):
                found = self.dropout_rate_arg(built[0])
                if found is not None:
                    argument, default = found
                    if argument is None:
                        return Rate(default, "default", "") if default is not None else _null()
                    return self._eval(argument, built[1], steps)
        # `ClassName.attr` of a class in this file.
        if isinstance(base, cst.Name):
            info = self.ctx.class_named(base.value)
            if info is not None:
                attrs = class_attributes(info.node)
                if attr in attrs:
                    return _at_least(self._eval(attrs[attr], self.module_scope, steps), "constant")
            if base.value in ("args", "opt", "opts", "flags", "FLAGS") and attr in self.argparse:
                found = self._eval(self.argparse[attr], self.module_scope, steps)
                if found.value is not None:
                    return replace(found, source="default")
        if _is_config(base):
            return _config(attr)
        return _null()

    def _self_attr_expr(self, node: cst.Attribute, scope: Scope):
        if is_self(node.value):
            return scope.self_attrs.get(node.attr.value)
        return None

    def _if(self, expr: cst.IfExp, scope: Scope, steps: int) -> Rate:
        body = self._eval(expr.body, scope, steps)
        orelse = self._eval(expr.orelse, scope, steps)
        # `p if self.training else 0.0`: the rate is the training arm's, whatever the
        # other arm holds (dropout is off there, so it is not a rate). The arms are read
        # as every rule reads them (facts.training).
        true_side, false_side = training_facts.arms(expr.test)
        if true_side == training_facts.TRAIN:
            return body
        if false_side == training_facts.TRAIN:
            return orelse
        if training_facts.mentions_training(expr.test):
            if body.value == 0:
                return orelse
            if orelse.value == 0:
                return body
        # `x if x is not None else y`: x where the config sets it, else y.
        if _tests_none(expr.test, expr.body, cst.IsNot) and body.config_attr is not None:
            return replace(body, fallback=orelse)
        if _tests_none(expr.test, expr.orelse, cst.Is) and orelse.config_attr is not None:
            return replace(orelse, fallback=body)
        if body.value is not None and body.value == orelse.value:
            return body
        return _null()

    def _call(self, expr: cst.Call, scope: Scope, steps: int) -> Rate:
        func = dotted(expr.func)
        args = [a for a in expr.args if a.keyword is None and not a.star]
        if func in ("float", "round") and args:
            return self._eval(args[0].value, scope, steps)
        # getattr(config, "x", 0.1) / config.get("x", 0.1)
        if func == "getattr" and len(args) >= 2 and _is_config(args[0].value):
            key = string(args[1].value)
            if key is not None:
                fallback = self._eval(args[2].value, scope, steps) if len(args) > 2 else None
                return Rate(fallback.value if fallback else None, fallback.source if fallback else "null", "",
                            config_attr=key, fallback=fallback)
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" and _is_config(expr.func.value) and args:
            key = string(args[0].value)
            if key is not None:
                fallback = self._eval(args[1].value, scope, steps) if len(args) > 1 else None
                return Rate(fallback.value if fallback else None, fallback.source if fallback else "null", "",
                            config_attr=key, fallback=fallback)
        return _null()


def with_literal_site(rate: Rate, expr: cst.BaseExpression, ctx) -> Rate:
    """`rate` with the place of `expr` when `expr` is itself a literal (`0.5`, `1 - 0.8`),
    so that a fix may rewrite the number where it is written."""
    value = literal_number(expr)
    if rate.source != "literal" or isinstance(value, bool) or not isinstance(value, (int, float)):
        return rate
    try:
        span = ctx.span(expr)
    except KeyError:  # an expression built elsewhere, not part of this file's tree
        return rate
    return replace(rate, path=ctx.path, span=span)


def argparse_defaults(ctx) -> dict[str, cst.BaseExpression]:
    """dest -> default expression of every `add_argument(..., default=...)` in the file."""
    found: dict[str, cst.BaseExpression] = {}
    for site in ctx.calls:
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "add_argument"):
            continue
        default = dest = None
        names = []
        for arg in site.node.args:
            if arg.keyword is None:
                text = string(arg.value)
                if text is not None:
                    names.append(text)
            elif arg.keyword.value == "default":
                default = arg.value
            elif arg.keyword.value == "dest":
                dest = string(arg.value)
        if default is None or not names:
            continue
        if dest is None:
            long = [n for n in names if n.startswith("--")]
            dest = (long[0] if long else names[0]).lstrip("-").replace("-", "_")
        found[dest] = default
    return found


def _null() -> Rate:
    return Rate(None, "null", "")


def _config(attr: str) -> Rate:
    return Rate(None, "null", "", config_attr=attr)


def _at_least(rate: Rate, source: str) -> Rate:
    if rate.value is None or _STRENGTH[rate.source] >= _STRENGTH[source]:
        return rate
    return replace(rate, source=source)


def _combine(operator, left: Rate, right: Rate) -> Rate:
    if left.value is None or right.value is None:
        return _null()
    value = arithmetic(operator, left.value, right.value)
    if value is None:
        return _null()
    source = max(left.source, right.source, key=_STRENGTH.__getitem__)
    return Rate(as_float(value), source, "")


def as_float(value: int | float) -> float:
    """A number as a float; an integer too large for one is an infinity (DL201 says why)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _is_config(node: cst.BaseExpression) -> bool:
    """`config`, `self.config`, `model_args`, `self.hparams`: an object of settings."""
    name = dotted(node)
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return last in CONFIG_NAMES or last.endswith(("config", "_cfg", "_args", "_conf"))



def _tests_none(test: cst.BaseExpression, value: cst.BaseExpression, operator: type) -> bool:
    """`value is None` (operator `cst.Is`) or `value is not None` (`cst.IsNot`)."""
    return (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, operator)
        and dotted(test.comparisons[0].comparator) == "None"
        and dotted(test.left) is not None
        and dotted(test.left) == dotted(value)
    )
