"""One file's summary: what each framework's frontend finds in it."""

from __future__ import annotations

import libcst as cst

from droplint.frontends import keras, torch
from droplint.frontends.base_init import passed_to_base
from droplint.frontends.resolve import Resolver, class_attributes, parameter_names
from droplint.ir import ClassDecl, FileSummary

# Methods that make a class's model: a class writing none of them inherits its bases' model.
MODEL_METHODS = ("__init__", "forward", "call")

# Each frontend is `ctx -> FileSummary` for its framework; their parts are joined.
FRONTENDS = (torch.summarize, keras.summarize)


def summarize(ctx) -> FileSummary:
    # Rates of what a constructor passes to its base's: read only where one may matter.
    resolver = Resolver(ctx) if any(_only_constructor(info) for info in ctx.classes) else None
    classes, configs, references = [], [], []
    for frontend in FRONTENDS:
        part = frontend(ctx)
        classes.extend(part.classes)
        configs.extend(part.configs)
        references.extend(part.references)
    return FileSummary(
        path=ctx.path,
        module=ctx.imports.module_name,
        classes=tuple(classes),
        configs=tuple(configs),
        references=tuple(dict.fromkeys(references)),
        class_bases=tuple(_declaration(ctx, info, resolver) for info in ctx.classes),
    )


def _declaration(ctx, info, resolver) -> ClassDecl:
    defines = tuple(m for m in MODEL_METHODS if m in info.methods)
    passes_on = _only_constructor(info)
    init = info.methods.get("__init__")
    return ClassDecl(
        name=info.name,
        key=ctx.imports.local.get(info.name, f"{ctx.imports.module_name}.{info.name}"),
        bases=info.bases,
        line=ctx.span(info.node.name).line,
        defines=defines,
        strings=tuple((name, value.evaluated_value) for name, value in class_attributes(info.node).items()
                      if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str)),
        params=parameter_names(init) if passes_on else (),
        base_init=passed_to_base(ctx, info, resolver) if passes_on else None,
    )


def _only_constructor(info) -> bool:
    """A constructor without a forward pass: it runs its base's model with arguments."""
    return tuple(m for m in MODEL_METHODS if m in info.methods) == ("__init__",)
