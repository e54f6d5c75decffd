"""Configuration classes of one file: the field defaults that resolve `config.x` rates.

A configuration class is a dataclass, a class deriving from a `...Config` base
(`PretrainedConfig`), or a class whose name says so (`ModelConfig`, `TrainArgs`).
Its fields are class-level defaults (`hidden_dropout_prob: float = 0.1`, also
`field(default=0.1)`), `__init__` parameter defaults and `self.x = ...` assignments in
`__init__`. A field set to None is kept as None: `config.x if config.x is not None
else config.y` then takes its other arm.
"""

from __future__ import annotations

import libcst as cst

from droplint.facts.classes import is_keras_layer, is_torch_module
from droplint.frontends.resolve import (
    class_attributes,
    function_scope,
    self_assignments,
)
from droplint.ir import ConfigClass
from droplint.syntax import dotted

CONFIG_SUFFIXES = ("Config", "Configuration", "Cfg", "Args", "Arguments", "HParams", "Hparams", "Params", "Settings", "Options")


def is_config_class(ctx, info) -> bool:
    if is_torch_module(ctx, info) or is_keras_layer(info):
        return False
    if info.name.endswith(CONFIG_SUFFIXES):
        return True
    if any(base.rsplit(".", 1)[-1].endswith("Config") for base in info.bases):
        return True
    for decorator in info.node.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        name = dotted(target) or ""
        if name.rsplit(".", 1)[-1] == "dataclass":
            return True
    return False


def config_classes(ctx, resolver) -> tuple[ConfigClass, ...]:
    found = []
    for info in ctx.classes:
        if not is_config_class(ctx, info):
            continue
        fields: dict[str, float | None] = {}
        for name, expr in class_attributes(info.node).items():
            _record(fields, name, _field_default(expr), resolver, None)
        init = info.methods.get("__init__")
        if init is not None:
            scope = function_scope(init)
            for name, default in scope.params.items():
                if default is not None:
                    _record(fields, name, default, resolver, None)
            for name, expr in self_assignments(init).items():
                _record(fields, name, expr, resolver, scope)
        if fields:
            key = ctx.imports.local.get(info.name, f"{ctx.imports.module_name}.{info.name}")
            found.append(ConfigClass(key, info.name, ctx.path, tuple(sorted(fields.items()))))
    return tuple(found)


def _field_default(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`field(default=0.1)` → 0.1."""
    if isinstance(expr, cst.Call) and (dotted(expr.func) or "").rsplit(".", 1)[-1] == "field":
        for arg in expr.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return arg.value
    return expr


def _record(fields, name, expr, resolver, scope) -> None:
    if isinstance(expr, cst.Name) and expr.value == "None":
        fields.setdefault(name, None)
        return
    rate = resolver.rate(expr, scope)
    if rate.value is not None:
        fields[name] = rate.value
