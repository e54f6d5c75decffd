"""Module constants a rule may read as their value: `RATE = 0.5` ... `nn.Dropout(RATE)`.

An error-severity rule must never guess, so a name is a constant only when the file binds
it exactly once, at module level, to one value: any other binding anywhere in the file (a
second assignment, `+=`, a parameter, a loop variable, an import, `global`, a `def` of the
name) makes it a variable, and it is not read. The whole-file count is taken only when a
name is first asked for and is assigned at module level (the common `Dropout(dropout)`
of a parameter costs nothing), once per file.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst

from droplint import walk
from droplint.syntax import named_assignments, top_level_smalls

_SHARED_KEY = "constants.bindings"


def module_assignments(module: cst.Module) -> dict[str, list[cst.BaseExpression]]:
    """The values module-level `NAME = value` / `NAME: T = value` statements give each
    name, in source order: the one scan of module constants. Each reader decides what
    counts (this module: one binding in the whole file; the resolver: the last value;
    training facts: exactly one module-level value)."""
    found: dict[str, list[cst.BaseExpression]] = {}
    for name, value in named_assignments(top_level_smalls(module.body)):
        found.setdefault(name, []).append(value)
    return found


def module_constant(ctx, name: str) -> cst.BaseExpression | None:
    """The expression `name` is bound to, when the file binds it once, at module level."""
    values = module_assignments(ctx.module).get(name)
    if not values:
        return None
    value = values[0]
    bindings = ctx.shared.get(_SHARED_KEY)
    if bindings is None:
        bindings = ctx.shared[_SHARED_KEY] = _count_bindings(ctx.module)
    return value if bindings[name] == 1 else None


def _count_bindings(module: cst.Module) -> Counter:
    """How many times each name is bound anywhere in the file (one walk)."""
    counts: Counter = Counter()

    def enter(node) -> None:
        for bound in _bound_names(node):
            counts[bound] += 1

    walk.walk(module, enter)
    return counts


def _bound_names(node: cst.CSTNode):
    if isinstance(node, cst.AssignTarget):
        yield from _targets(node.target)
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        yield from _targets(node.target)
    elif isinstance(node, cst.WithItem) and node.asname is not None:
        yield from _targets(node.asname.name)
    elif isinstance(node, cst.ExceptHandler) and node.name is not None:
        yield from _targets(node.name.name)
    elif isinstance(node, cst.Del):
        yield from _targets(node.target)
    elif isinstance(node, (cst.Param, cst.FunctionDef, cst.ClassDef)):
        yield node.name.value
    elif isinstance(node, cst.ImportAlias):
        bound = node.asname.name if node.asname is not None else node.name
        if isinstance(bound, cst.Name):
            yield bound.value
        elif isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
            while isinstance(bound, cst.Attribute):
                bound = bound.value
            if isinstance(bound, cst.Name):
                yield bound.value
    elif isinstance(node, (cst.Global, cst.Nonlocal)):
        yield from (item.name.value for item in node.names)
    elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
        yield node.name.value


def _targets(target: cst.CSTNode):
    """Names bound by an assignment target: `a`, `a, (b, *c)`; not `x.a` or `x[a]`."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _targets(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _targets(target.value)
