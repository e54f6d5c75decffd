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

from droplint.ir import Diagnostic, Layer, LayerKind, Model


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
    dropouts = _dropouts_by_line(roots)
    spans = _class_spans(models, _roots_inlining(roots))
    outside = []
    for diagnostic in diagnostics:
        hits = _dropouts_at(diagnostic, dropouts)
        for key, indexes in hits.items():
            for index in indexes:
                by_model[key].by_layer.setdefault(index, []).append(diagnostic)
        owners = set(hits) or _enclosing_roots(diagnostic, spans)
        for key in sorted(owners):
            by_model[key].all.append(diagnostic)
        if not owners:
            outside.append(diagnostic)
    return Attribution(by_model, outside)


def _dropouts_by_line(roots: list[Model]) -> dict[tuple[str, int], list[tuple[str, int, Layer]]]:
    """(file, line) -> the dropouts applied on that line, or whose rate literal is there."""
    found: dict[tuple[str, int], list[tuple[str, int, Layer]]] = {}
    for model in roots:
        for index, placed in enumerate(model.layers):
            layer = placed.layer
            if layer.kind != LayerKind.DROPOUT:
                continue
            lines = {(layer.path, layer.span.line)}
            if layer.rate is not None and layer.rate.span is not None and layer.rate.path is not None:
                lines.add((layer.rate.path, layer.rate.span.line))
            for line in lines:
                found.setdefault(line, []).append((model.key, index, layer))
    return found


def _dropouts_at(diagnostic: Diagnostic, dropouts) -> dict[str, list[int]]:
    """Per model, the indexes of the dropouts the finding points at: the exact
    application where the model has it, else those on the finding's line."""
    per_model: dict[str, list[tuple[int, bool]]] = {}
    for key, index, layer in dropouts.get((diagnostic.path, diagnostic.span.line), ()):
        exact = layer.path == diagnostic.path and layer.span == diagnostic.span
        per_model.setdefault(key, []).append((index, exact))
    hits = {}
    for key, candidates in per_model.items():
        exact = [index for index, is_exact in candidates if is_exact]
        hits[key] = exact or [index for index, _ in candidates]
    return hits


def _roots_inlining(roots: list[Model]) -> dict[str, set[str]]:
    """Class key -> the roots whose layers come (in part) from that class."""
    users: dict[str, set[str]] = {}
    for root in roots:
        for placed in root.layers:
            if placed.model_key is not None:
                users.setdefault(placed.model_key, set()).add(root.key)
    return users


def _class_spans(models: list[Model], users: dict[str, set[str]]) -> dict[str, list[tuple[int, int, set[str]]]]:
    """Per file, each model class's lines, from its `class` line to the last layer it
    applies itself (not the blocks it inlines), with the roots a finding there goes to."""
    spans: dict[str, list[tuple[int, int, set[str]]]] = {}
    for model in models:
        own = [p.layer.span.end_line for p in model.layers if p.model_key == model.key and p.layer.path == model.path]
        owners = {model.key} if model.root else users.get(model.key, set())
        spans.setdefault(model.path, []).append((model.line, max(own, default=model.line), owners))
    return spans


def _enclosing_roots(diagnostic: Diagnostic, spans) -> set[str]:
    line = diagnostic.span.line
    owners: set[str] = set()
    for start, end, roots in spans.get(diagnostic.path, ()):
        if start <= line <= end:
            owners.update(roots)
    return owners
