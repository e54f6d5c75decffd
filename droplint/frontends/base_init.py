"""What a constructor hands to its base class's constructor: `super().__init__(...)`.

A class that writes a constructor but no forward pass runs its base's forward with the
layers the base's constructor builds from these arguments (`class MLPBlock(MLP)` whose
`__init__` only calls `super().__init__(dim, [hidden, dim], dropout=dropout)`). When
the base lives in another file, link gives the class the base's model with these
bindings (analysis.inherit), as it binds the arguments of a block a parent builds.
"""

from __future__ import annotations

import libcst as cst

from droplint.frontends.resolve import Resolver, function_scope, self_assignments, simple_statements
from droplint.ir import Binding, Rate
from droplint.syntax import dotted, super_method


def passed_to_base(ctx, info, resolver: Resolver) -> tuple[Binding, ...] | None:
    """The arguments `info`'s constructor passes to `super().__init__`, as bindings in
    the constructor's own terms; None when it writes no such call."""
    init = info.methods.get("__init__")
    if init is None or _builds_layers(init):
        return None
    for small in simple_statements(init.body):
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and super_method(small.value.func) == "__init__":
            return call_bindings(small.value, function_scope(init, constructor=True), resolver)
    return None


def call_bindings(call: cst.Call, scope, resolver: Resolver | None, block_of=None) -> tuple[Binding, ...]:
    """Each argument of `call` (starred ones left out) with the rate it stands for and,
    where `block_of` finds one, the project class it names or holds."""
    bindings = []
    index = 0
    for arg in call.args:
        if arg.star:
            continue
        rate = resolver.rate(arg.value, scope) if resolver else Rate.unknown("")
        block = block_of(arg.value) if block_of is not None else None
        if arg.keyword is None:
            bindings.append(Binding(None, index, rate, block))
            index += 1
        else:
            bindings.append(Binding(arg.keyword.value, -1, rate, block))
    return tuple(bindings)


def _builds_layers(init: cst.FunctionDef) -> bool:
    """Whether the constructor builds something of its own (`self.head = Head()`,
    `self.add_module(...)`): then the base's model is not the whole story."""
    if any(isinstance(value, cst.Call) for value in self_assignments(init).values()):
        return True
    for small in simple_statements(init.body):
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            name = dotted(small.value.func) or ""
            if name.rsplit(".", 1)[-1] in ("add_module", "register_module", "setattr"):
                return True
    return False
