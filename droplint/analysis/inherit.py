"""Models inherited across files: `class Clf(GenericClassifier, PreTrainedModel): pass`.

A class that writes neither a constructor nor a forward pass (`__init__`, `forward`,
`call`) runs those of its bases. The frontends see one file, so when the base that writes
them lives in another file the class has no model of its own; here it takes the model of
the first class in its method resolution order (C3, as Python computes it) that has one.

Only the project's classes take part in the order: a library base (`torch.nn.Module`,
`PreTrainedModel` of an uninstalled package) is skipped. A class between the two that
writes a constructor or forward pass the frontends could not summarise stops the search:
its model is not the base's. A class that writes none of them passes the search on.
The model may come from a mixin (a class of no base writing a forward pass, summarised
as a block): the class is a model when its order reaches a framework's module class.
"""

from __future__ import annotations

from dataclasses import replace

from droplint.analysis import binding
from droplint.ir import ClassDecl, ClassSummary, FileSummary

MODEL_METHODS = frozenset({"__init__", "forward", "call"})
FRAMEWORK_BASES = ("torch.nn.", "keras.", "tensorflow.", "transformers.PreTrainedModel", "pytorch_lightning.", "lightning.")
# Longer chains than this are generated code or a cycle.
MAX_BASES_DEPTH = 50


def complete(summaries: list[FileSummary]) -> tuple[list[FileSummary], dict[str, str]]:
    """The summaries, with a model for each class that inherits one from another file;
    and, for each such class, the key of the class it inherits its model from."""
    models = {cls.key: cls for s in summaries for cls in s.classes}
    decls = {decl.key: decl for s in summaries for decl in s.class_bases}
    order = Linearisation({key: decl.bases for key, decl in decls.items()})
    completed = []
    sources: dict[str, str] = {}
    for summary in summaries:
        inherited = []
        for decl in summary.class_bases:
            if decl.key in models or (MODEL_METHODS.intersection(decl.defines) and decl.base_init is None):
                continue
            base = _model_base(decl, order, models, decls)
            if base is not None:
                is_model = base.is_model or _is_module(order.mro(decl.key) or (), decls)
                if decl.base_init is not None:
                    base = _passed_on(decl, base)
                inherited.append(_inherit(decl, base, summary.path, is_model))
                sources[decl.key] = base.key
        completed.append(replace(summary, classes=summary.classes + tuple(inherited)) if inherited else summary)
    return completed, sources


def _model_base(decl: ClassDecl, order: "Linearisation", models, decls) -> ClassSummary | None:
    """The model of the first class after `decl` in resolution order that writes one.

    A class in between that writes none passes through, even when a frontend gave it its
    own bases' model: Python looks past it too (`class Both(Left, Right)` with an empty
    `Left(Base)` runs `Right.forward`)."""
    for key in (order.mro(decl.key) or ())[1:]:
        base = decls.get(key)
        if base is not None and not MODEL_METHODS.intersection(base.defines):
            continue
        return models.get(key)
    return None


def _passed_on(decl: ClassDecl, base: ClassSummary) -> ClassSummary:
    """The base's model as a constructor that only hands its arguments on builds it:
    `super().__init__(dim, [hidden, dim], dropout=dropout)` binds the base's parameters,
    and the class's own parameters are what its builders bind."""
    env = binding.bind(base.params, decl.base_init or (), {})
    return replace(base, graph=binding.rebind_graph(base.graph, env), params=decl.params)


def _inherit(decl: ClassDecl, base: ClassSummary, path: str, is_model: bool) -> ClassSummary:
    return replace(base, key=decl.key, name=decl.name, path=path, line=decl.line, bases=decl.bases, is_model=is_model)


def _is_module(order: list[str], decls) -> bool:
    """A class whose resolution order reaches a framework's module or layer class: a model
    even when the model it inherits comes from a mixin that is none."""
    return any(base.startswith(FRAMEWORK_BASES) for key in order for base in decls[key].bases)


class Linearisation:
    """C3 method resolution order over the project's classes, memoised."""

    def __init__(self, bases: dict[str, tuple[str, ...]]):
        self.bases = bases
        self.known: dict[str, list[str] | None] = {}

    def mro(self, key: str, depth: int = 0) -> list[str] | None:
        """`key` and its project bases in resolution order; None for an inconsistent
        hierarchy (Python raises TypeError) or a cycle."""
        if key in self.known:
            return self.known[key]
        if depth > MAX_BASES_DEPTH:
            return None
        self.known[key] = None  # a cycle back to here finds no order
        parents = list(dict.fromkeys(b for b in self.bases.get(key, ()) if b in self.bases and b != key))
        parent_orders = [self.mro(parent, depth + 1) for parent in parents]
        if any(order is None for order in parent_orders):
            return None
        merged = _merge([list(order) for order in parent_orders] + [parents])
        result = None if merged is None else [key, *merged]
        self.known[key] = result
        return result


def _merge(sequences: list[list[str]]) -> list[str] | None:
    result: list[str] = []
    while True:
        sequences = [s for s in sequences if s]
        if not sequences:
            return result
        for sequence in sequences:
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            return None
        result.append(head)
        for sequence in sequences:
            if sequence[0] == head:
                del sequence[0]
