"""Which findings belong to which model of a profile, and to which of its dropouts.

A finding is on a dropout when it is reported at that dropout's application (model
rules, and file rules on a call in `forward`), on the same line, or on the literal its
rate is written as. Otherwise it belongs to a model when it lies in that model's class,
between the class line and the last layer the class applies itself (a constructor
argument, a call in a helper method); a finding in a block belongs to every root that
inlines the block. The rest (module-level functions, hand-rolled dropout outside models)
are "outside models": the page lists them apart, so nothing found goes unshown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from droplint.ir import Diagnostic, Model


@dataclass
class ModelFindings:
    all: list[Diagnostic] = field(default_factory=list)
    # index in model.layers -> the findings on that dropout
    by_layer: dict[int, list[Diagnostic]] = field(default_factory=dict)


@dataclass
class Attribution:
    by_model: dict[str, ModelFindings]  # model key -> its findings
    outside: list[Diagnostic]


def attribute(diagnostics: list[Diagnostic], models: list[Model]) -> Attribution:
    roots = [m for m in models if m.root]
    by_model = {m.key: ModelFindings() for m in roots}
    spans = _class_spans(models)
    outside = []
    for diagnostic in diagnostics:
        owners = set()
        for model in roots:
            hits = _dropouts_at(model, diagnostic)
            if hits:
                owners.add(model.key)
                for index in hits:
                    by_model[model.key].by_layer.setdefault(index, []).append(diagnostic)
        if not owners:
            owners = _enclosing_roots(diagnostic, spans, roots)
        for key in sorted(owners):
            by_model[key].all.append(diagnostic)
        if not owners:
            outside.append(diagnostic)
    return Attribution(by_model, outside)


def _dropouts_at(model: Model, diagnostic: Diagnostic) -> list[int]:
    """Indexes of the model's dropouts the finding points at: the exact application
    first, else an application or a rate literal on the finding's line."""
    dropouts = [(i, p.layer) for i, p in enumerate(model.layers) if p.layer.kind == "dropout"]
    exact = [i for i, layer in dropouts if layer.path == diagnostic.path and layer.span == diagnostic.span]
    if exact:
        return exact
    line = diagnostic.span.line
    return [
        i
        for i, layer in dropouts
        if (layer.path == diagnostic.path and layer.span.line == line)
        or (
            layer.rate is not None
            and layer.rate.span is not None
            and layer.rate.path == diagnostic.path
            and layer.rate.span.line == line
        )
    ]


def _class_spans(models: list[Model]) -> dict[str, list[tuple[int, int, Model]]]:
    """Per file, each model class's lines: from its `class` line to the last layer it
    applies itself (its own forward path, not the blocks it inlines)."""
    spans: dict[str, list[tuple[int, int, Model]]] = {}
    for model in models:
        own = [p.layer.span.end_line for p in model.layers if p.model_key == model.key and p.layer.path == model.path]
        spans.setdefault(model.path, []).append((model.line, max(own, default=model.line), model))
    return spans


def _enclosing_roots(diagnostic: Diagnostic, spans, roots: list[Model]) -> set[str]:
    line = diagnostic.span.line
    owners = set()
    for start, end, model in spans.get(diagnostic.path, ()):
        if not start <= line <= end:
            continue
        if model.root:
            owners.add(model.key)
        else:
            owners.update(r.key for r in roots if any(p.model_key == model.key for p in r.layers))
    return owners
