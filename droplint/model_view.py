"""A linked model as the model rules (DL101-DL108) read it, and their findings on it.

A model rule sees one linked root `Model`: its layers in forward order, each dropout with
its position and depth, and `Layer.inputs` naming the layers that feed it. Findings sit
where the dropout is applied (its own file, which for an inlined block is the block's),
and carry the model's name. Fix edits must land in that same file (`droplint.edits.rates`).
"""

from __future__ import annotations

from dataclasses import dataclass

from droplint.ir import Diagnostic, Fix, Framework, Layer, LayerKind, Model, PlacedLayer, Position, WEIGHTED_KINDS


# (model, its view): the last view built (View.of).
_last: list = []


@dataclass(frozen=True)
class View:
    """One root model, indexed for neighbour queries."""

    model: Model
    by_id: dict[int, PlacedLayer]
    consumers: dict[int, tuple[int, ...]]
    outputs: frozenset[int]

    @staticmethod
    def of(model: Model) -> "View":
        """The view of `model`. The model rules ask for it one after another, so the
        last one built is kept and given again for the same model (by identity: a model
        is immutable, and hashing one would cost more than indexing it)."""
        if _last and _last[0] is model:
            return _last[1]
        by_id = {placed.layer.id: placed for placed in model.layers}
        consumers: dict[int, list[int]] = {i: [] for i in by_id}
        for placed in model.layers:
            for source in placed.layer.inputs:
                if source in consumers:
                    consumers[source].append(placed.layer.id)
        view = View(model, by_id, {k: tuple(v) for k, v in consumers.items()}, frozenset(model.outputs))
        _last[:] = [model, view]
        return view

    def dropouts(self):
        """Dropouts of the model whose rate is known, in forward order."""
        for placed in self.model.layers:
            layer = placed.layer
            if layer.kind == LayerKind.DROPOUT and has_rate(layer):
                yield placed

    def placed_dropouts(self):
        """Dropouts with a known rate and a decided position. `unknown` (an opaque step
        decides it, or the model is a fragment without weighted layers) is never judged."""
        yield from (placed for placed in self.dropouts() if placed.position not in (None, Position.UNKNOWN))

    def inputs_of(self, layer: Layer) -> list[PlacedLayer]:
        return [self.by_id[i] for i in layer.inputs if i in self.by_id]

    def consumers_of(self, layer: Layer) -> list[PlacedLayer]:
        return [self.by_id[i] for i in self.consumers.get(layer.id, ())]

    def single_path(self, layer: Layer, downstream: bool = False):
        """The layers before `layer` (after it, `downstream`), nearest first, for as long
        as each step has exactly one input (one consumer): the one path a rule may follow."""
        current = layer
        for _ in range(len(self.by_id) + 1):
            steps = self.consumers_of(current) if downstream else self.inputs_of(current)
            if len(steps) != 1:
                return
            yield steps[0]
            current = steps[0].layer

    def weighted_before(self, layer: Layer, through=(LayerKind.ACTIVATION, LayerKind.NORM, LayerKind.POOL, LayerKind.OTHER)) -> PlacedLayer | None:
        """The weighted layer whose output reaches `layer` through single-input steps of
        the `through` kinds, if there is exactly one such path."""
        for source in self.single_path(layer):
            if source.layer.kind in WEIGHTED_KINDS:
                return source
            if source.layer.kind not in through:
                return None
        return None

    def shares_rate_site(self, layer: Layer) -> bool:
        """Another application in this model reads its rate from the same literal: a
        constructor argument bound once for a block applied twice, say. Editing it would
        change them all."""
        rate = layer.rate
        if rate is None or rate.span is None:
            return False
        for placed in self.model.layers:
            other = placed.layer
            if other.id == layer.id or other.rate is None:
                continue
            if other.rate.span == rate.span and other.rate.path == rate.path:
                if (other.path, other.span) != (layer.path, layer.span):
                    return True
        return False


def has_rate(layer: Layer) -> bool:
    """The layer's rate is resolved and a probability (DL201 reports the others)."""
    value = layer.rate.value if layer.rate is not None else None
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1


def rate_text(value: float) -> str:
    """A rate as people write it: 0.5, 0.44, 0.1."""
    text = f"{round(float(value), 4):g}"
    return text if "." in text or "e" in text else text + ".0"


def shown(layer: Layer, framework: str) -> str:
    """`self.drop (p=0.5)` / `layers.Dropout (rate=0.5)`."""
    keyword = "rate" if framework == Framework.KERAS else "p"
    return f"{layer.name} ({keyword}={rate_text(layer.rate.value)})"


def finding(rule, model: Model, layer: Layer, message: str, fix: Fix | None = None) -> Diagnostic:
    return Diagnostic(
        noqa_lines=construction_lines(layer),
        path=layer.path,
        span=layer.span,
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        model=model.name,
        fix=fix,
    )


def construction_lines(layer: Layer) -> tuple[int, ...]:
    """Lines that build `layer` in the file where it is applied: its `self.x = ...`
    statement, and the line of its literal rate (what a rate fix edits). A `# noqa` there
    silences a finding reported where the layer is applied."""
    lines = set()
    if layer.rewrite is not None and layer.rewrite.construction is not None:
        lines.add(layer.rewrite.construction.line)
    rate = layer.rate
    if rate is not None and rate.span is not None and rate.path == layer.path:
        lines.add(rate.span.line)
    lines.discard(layer.span.line)
    return tuple(sorted(lines))


def band_of(config, position: str | None):
    bands = getattr(config, "bands", None) or {}
    return bands.get(position) if position else None
