"""Names bound to dropout layers: `self.drop = nn.Dropout(0.1)`, `drop = layers.Dropout(0.2)`.

A layer is called through the name it was stored in (`self.drop(x, training=True)`),
and its rate is changed through it (`self.drop.p = 0.3`): rules that judge those
uses need to know which names hold a dropout layer, and which one.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from droplint.frontends import catalog
from droplint.facts.training import scope_of
from droplint.syntax import dotted, top_level_smalls


@dataclass(frozen=True)
class DropoutBinding:
    name: str  # as written: self.drop, drop
    qualname: str  # the layer: torch.nn.Dropout, keras.layers.Dropout
    call: cst.Call  # its construction

    @property
    def framework(self) -> str:
        return catalog.framework_of(self.qualname)


def dropout_bindings(ctx) -> dict[tuple[str | None, str], DropoutBinding]:
    """(class name or None, name) -> binding. `self.x` names are per class; others per file.

    Starts from the dropout constructions the file's call index already holds, and
    looks only at the statement around each: no walk of the whole module.
    """
    found: dict[tuple[str | None, str], DropoutBinding] = {}
    for site in ctx.calls:
        if catalog.dropout_layer(site.qualname) is None:
            continue
        for target in _targets(ctx, site):
            name = dotted(target)
            if name is None:
                continue
            owner = site.cls.name if name.startswith("self.") and site.cls is not None else None
            found[(owner, name)] = DropoutBinding(name, site.qualname, site.node)
    return found


def _targets(ctx, site):
    """The names a constructor call is assigned to, directly (`x = Dropout(...)`)."""
    function = site.method or site.function
    if function is not None:
        statement = scope_of(ctx, function).parents.get(site.node)
        statements = (statement,) if statement is not None else ()
    else:
        statements = top_level_smalls(ctx.module.body)
    for statement in statements:
        if isinstance(statement, cst.Assign) and statement.value is site.node:
            yield from (t.target for t in statement.targets)
        elif isinstance(statement, cst.AnnAssign) and statement.value is site.node:
            yield statement.target


def binding_for(bindings, cls_name: str | None, expr: cst.BaseExpression) -> DropoutBinding | None:
    name = dotted(expr)
    if name is None:
        return None
    if name.startswith("self."):
        return bindings.get((cls_name, name))
    return bindings.get((None, name))
