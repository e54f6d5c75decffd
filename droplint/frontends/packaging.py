"""Packaging is not computation: calls that put values in a container and hand them on.

A model often returns its output inside a container: `return logits, hidden`,
`return {"logits": logits}`, `return Output(loss=loss, logits=logits)`. Each value leaves
unchanged, so the container is transparent on the data-flow path (DESIGN, depth model).
A call packages when it builds

- a builtin container: `dict(...)`, `tuple(...)`, `list(...)`;
- an instance of a class of the file that only stores what it is given: a dataclass, a
  `NamedTuple` or `TypedDict`, or a class whose `__init__` does nothing but assign its
  parameters to attributes (the ModelOutput style), itself or through a base of the file;
- in a `return`, an instance of a class defined elsewhere called with keyword arguments
  only. A module is applied to tensors, not built from them in a return statement; a
  class built from named values at the point a function hands its result back is the
  result's record. This is the one inference from a name we cannot read, and it is
  limited to that position.
"""

from __future__ import annotations

import libcst as cst

from droplint.facts.classes import is_keras_layer, is_torch_module
from droplint.syntax import dotted, is_self_attr, super_method

BUILTIN_CONTAINERS = frozenset({"dict", "tuple", "list"})
RECORD_BASES = ("NamedTuple", "TypedDict")
# Keras and torch are libraries of layers, never of output records.
LAYER_LIBRARIES = ("torch", "keras", "tensorflow", "tf_keras")


def is_packaging(ctx, call: cst.Call, qualname: str | None, returning: bool, local_names=()) -> bool:
    name = dotted(call.func)
    if name is None:
        return False
    if name in BUILTIN_CONTAINERS and name not in local_names:
        return True
    info = ctx.class_named(name)
    if info is not None:
        return stores_only(ctx, info)
    if not returning or not name.rsplit(".", 1)[-1][:1].isupper():
        return False
    if qualname is not None and qualname.split(".")[0] in LAYER_LIBRARIES:
        return False
    args = [a for a in call.args if not a.star]
    return bool(args) and all(a.keyword is not None for a in args)


def stores_only(ctx, info, seen=None) -> bool:
    """A class of the file that keeps its constructor arguments and computes nothing."""
    seen = seen or set()
    if info.name in seen:
        return False
    seen.add(info.name)
    if is_torch_module(ctx, info) or is_keras_layer(info) or _derives_from_layer(ctx, info):
        return False  # a layer or module, even one whose constructor only passes arguments on
    if any(_is_dataclass(d.decorator) for d in info.node.decorators):
        return True
    if any(base.rsplit(".", 1)[-1] in RECORD_BASES for base in info.bases):
        return True
    init = info.methods.get("__init__")
    if init is not None:
        return "forward" not in info.methods and "call" not in info.methods and _only_stores(init)
    for base in info.bases:
        local = ctx.class_named(base.rsplit(".", 1)[-1])
        if local is not None and local is not info and stores_only(ctx, local, seen):
            return True
    return False


def _derives_from_layer(ctx, info, depth=0) -> bool:
    """A base (of this file, followed) that is a torch module or a Keras layer."""
    if depth > 8:
        return False
    for base in info.bases:
        if base.startswith(("torch.nn.", "keras.", "tensorflow.", "tf_keras.")):
            return True
        local = ctx.class_named(base.rsplit(".", 1)[-1])
        if local is not None and local is not info and _derives_from_layer(ctx, local, depth + 1):
            return True
    return False


def _is_dataclass(decorator) -> bool:
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = dotted(target) or ""
    return name.rsplit(".", 1)[-1] == "dataclass"


def _only_stores(init: cst.FunctionDef) -> bool:
    """Every statement of `__init__` is `self.x = param`, `super().__init__(...)`, a
    docstring or `pass`."""
    params = {p.name.value for p in (*init.params.params, *init.params.kwonly_params)}
    body = init.body.body if isinstance(init.body, cst.IndentedBlock) else ()
    if not body:
        return False
    stored = False
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and super_method(small.value.func) == "__init__":
                continue
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.Name) and small.value.value in params:
                if all(is_self_attr(t.target) for t in small.targets):
                    stored = True
                    continue
            return False
    return stored
