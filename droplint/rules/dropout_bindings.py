"""Names bound to dropout layers: `self.drop = nn.Dropout(0.1)`, `drop = layers.Dropout(0.2)`.

A layer is called through the name it was stored in (`self.drop(x, training=True)`),
and its rate is changed through it (`self.drop.p = 0.3`): rules that judge those
uses need to know which names hold a dropout layer, and which one.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from droplint.frontends import catalog
from droplint.frontends.imports import dotted


@dataclass(frozen=True)
class DropoutBinding:
    name: str  # as written: self.drop, drop
    qualname: str  # the layer: torch.nn.Dropout, keras.layers.Dropout
    call: cst.Call  # its construction

    @property
    def framework(self) -> str:
        return catalog.framework_of(self.qualname)


def dropout_bindings(ctx) -> dict[tuple[str | None, str], DropoutBinding]:
    """(class name or None, name) -> binding. `self.x` names are per class; others per file."""
    if not any(catalog.dropout_layer(s.qualname) for s in ctx.calls):
        return {}
    collector = _Collector(ctx)
    ctx.module.visit(collector)
    return collector.found


def binding_for(bindings, cls_name: str | None, expr: cst.BaseExpression) -> DropoutBinding | None:
    name = dotted(expr)
    if name is None:
        return None
    if name.startswith("self."):
        return bindings.get((cls_name, name))
    return bindings.get((None, name))


class _Collector(cst.CSTVisitor):
    def __init__(self, ctx):
        self.ctx = ctx
        self.classes: list[str] = []
        self.found: dict[tuple[str | None, str], DropoutBinding] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(value, cst.Call):
            return
        qualname = self.ctx.qualify(value.func)
        if catalog.dropout_layer(qualname) is None:
            return
        name = dotted(target)
        if name is None:
            return
        owner = self.classes[-1] if name.startswith("self.") and self.classes else None
        self.found[(owner, name)] = DropoutBinding(name, qualname, value)
