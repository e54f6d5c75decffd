"""The depth model of DESIGN.md: where each dropout sits between a model's input and output.

For a dropout, `b` is the largest number of weighted layers on a path from a model input
to it and `a` the largest number on a path from it to the returned value:

- input:        b == 0, or every weighted layer before it is an embedding
- output:       a == 0 and its result reaches the returned value through single-input
                steps only (it sits on the output layer's own output); packaging is
                transparent and a side branch (a loss) does not count
- final-hidden: a == 1, or a == 0 where its result merges with another tensor on the way out
- hidden:       otherwise
- unknown:      an opaque step decides it

and `depth = b / (b + a)` (0.0 when both are 0; None when an opaque step leaves it open).

Unknown is not empty: an opaque step (`Layer.opaque`) holds at least one weighted layer
("module"), at least two ("deep", a library model) or at least none ("call", what an
unresolved function returns), and at most any number. So `b` and
`a` are intervals; a position is decided when both ends of the intervals give the same
one (the position only depends on b == 0 and on a being 0, 1 or more, so that suffices).

The graph is a list of layers in emission order whose `inputs` name earlier layers only,
so one pass forwards and one backwards compute every longest path: linear time.
"""

from __future__ import annotations

from dataclasses import dataclass

from droplint.ir import WEIGHTED_KINDS, Layer, LayerKind, Position

# The upper bound of an opaque step's weighted layers: more than any position needs.
MANY = 1 << 20
_OPAQUE_LOW = {"module": 1, "deep": 2, "call": 0}


@dataclass(frozen=True, slots=True)
class Placement:
    position: Position
    depth: float | None
    before: int  # b: weighted layers on the longest path from an input (lower bound)
    after: int  # a: weighted layers on the longest path to the output (lower bound)


def _weights(layer: Layer) -> tuple[int, int]:
    """(fewest, most) weighted layers the step holds."""
    if layer.kind in WEIGHTED_KINDS:
        return 1, 1
    if layer.opaque is not None:
        return _OPAQUE_LOW.get(layer.opaque, 1), MANY
    return 0, 0


def _single_input_step(layer: Layer) -> bool:
    """A step that passes one tensor on without weights: activation, norm, reshape, pool."""
    return (layer.kind not in (*WEIGHTED_KINDS, LayerKind.MERGE, LayerKind.SUBMODULE, LayerKind.INPUT) and layer.opaque is None
            and len(layer.inputs) <= 1)


def place(layers: list[Layer] | tuple[Layer, ...], outputs: tuple[int, ...]) -> dict[int, Placement]:
    """Position and depth of every dropout of one (inlined, root) model graph, by layer id."""
    order = list(layers)
    if not any(layer.kind == LayerKind.DROPOUT for layer in order):
        return {}  # nothing to place (many roots have no dropout of their own)
    by_id = {layer.id: layer for layer in order}
    if not any(_weights(layer)[1] for layer in order):
        # A model without a single weighted layer is a fragment (a wrapper, a helper
        # module used in ways the linter cannot see): where it sits is unknown.
        return {layer.id: Placement(Position.UNKNOWN, None, 0, 0) for layer in order if layer.kind == LayerKind.DROPOUT}
    weights = {layer.id: _weights(layer) for layer in order}
    # Weighted layers emitted after each one, as (low, high): the statement-order stand-in
    # below, counted once from the end instead of once per dropout (dropouts x nodes).
    weighted_after: dict[int, tuple[int, int]] = {}
    low = high = 0
    for layer in reversed(order):
        weighted_after[layer.id] = (low, min(MANY, high))
        low, high = low + weights[layer.id][0], high + weights[layer.id][1]

    # b: longest weighted path from any input, counting predecessors only, as (low, high);
    # and the same with embeddings left out (to tell "after embeddings only" from deeper).
    before: dict[int, tuple[int, int]] = {}
    before_ne: dict[int, tuple[int, int]] = {}
    for layer in order:
        lo = hi = lo_ne = hi_ne = 0
        for source in layer.inputs:
            pred = by_id.get(source)
            if pred is None or source not in before:
                continue
            w_lo, w_hi = weights[source]
            lo, hi = max(lo, before[source][0] + w_lo), max(hi, before[source][1] + w_hi)
            ne_lo, ne_hi = (0, 0) if pred.kind == LayerKind.EMBEDDING else (w_lo, w_hi)
            lo_ne, hi_ne = max(lo_ne, before_ne[source][0] + ne_lo), max(hi_ne, before_ne[source][1] + ne_hi)
        before[layer.id] = (lo, hi)
        before_ne[layer.id] = (lo_ne, hi_ne)

    after, plain_to_output = _after(order, by_id, weights, before, set(outputs))

    placements = {}
    for layer in order:
        if layer.kind != LayerKind.DROPOUT:
            continue
        b = before[layer.id]
        if layer.id in after:
            a = after[layer.id]
            plain = plain_to_output[layer.id]
        else:
            # Its value never reaches the returned one as far as data flow shows:
            # statement order stands in (weighted layers emitted after it). Not being
            # seen to reach the returned value, it is never taken for the output.
            a = weighted_after[layer.id]
            plain = False
        ne = before_ne[layer.id]
        low = _position(b[0], ne[0], a[0], plain)
        high = _position(b[1], ne[1], a[1], plain)
        position = low if low == high else Position.UNKNOWN
        exact = b[0] == b[1] and a[0] == a[1]
        placements[layer.id] = Placement(position, _depth(b[0], a[0]) if exact else None, b[0], a[0])
    return placements


def _after(order, by_id, weights, before, returned):
    """a (as (low, high)) for every layer that reaches the returned value, and whether it
    reaches it as the output layer's own output: through single-input steps, with any
    other use a side branch."""
    consumers: dict[int, list[int]] = {layer.id: [] for layer in order}
    for layer in order:
        for source in dict.fromkeys(layer.inputs):
            if source in consumers:
                consumers[source].append(layer.id)
    after: dict[int, tuple[int, int]] = {}
    plain_to_output: dict[int, bool] = {}
    # Per consumer, asked once (a layer is the consumer of each of its inputs).
    single: dict[int, bool] = {}
    weighted: dict[int, set[int]] = {}
    for layer in reversed(order):
        best = (0, 0) if layer.id in returned else None
        reaches = layer.id in returned
        only_side_branches = True
        for consumer_id in consumers[layer.id]:
            if consumer_id not in after:
                continue
            consumer = by_id[consumer_id]
            w_lo, w_hi = weights[consumer_id]
            lo, hi = after[consumer_id][0] + w_lo, min(MANY, after[consumer_id][1] + w_hi)
            best = (lo, hi) if best is None else (max(best[0], lo), max(best[1], hi))
            if consumer_id not in single:
                single[consumer_id] = _single_input_step(consumer)
            if single[consumer_id]:
                if plain_to_output[consumer_id]:
                    reaches = True
                else:
                    only_side_branches = False
            elif only_side_branches:
                if consumer_id not in weighted:
                    weighted[consumer_id] = _weighted_inputs(consumer, before, weights)
                if not _side_branch(consumer, layer.id, weighted[consumer_id]):
                    only_side_branches = False
        if best is not None:
            after[layer.id] = best
            plain_to_output[layer.id] = reaches and only_side_branches
    return after, plain_to_output


def _weighted_inputs(consumer: Layer, before, weights) -> set[int] | None:
    """The inputs of a weight-free merge that carry features (data that passed, or is, a
    weighted layer); None for any other step, which is never a side branch."""
    if consumer.kind != LayerKind.MERGE or weights[consumer.id][1]:
        return None
    return {i for i in consumer.inputs
            if not (i in before and before[i][1] == 0 and weights.get(i, (0, 0))[1] == 0)}


def _side_branch(consumer: Layer, source: int, weighted: set[int] | None) -> bool:
    """A computation on the output with data that passed no weighted layer (a loss from the
    logits and the labels, a metric): the output is still the output. A residual add or
    attention weights times values combine it with features, and are not side branches.
    `weighted`: the consumer's inputs that carry features (`_weighted_inputs`)."""
    return weighted is not None and weighted <= {source}


def _position(b: int, b_without_embeddings: int, a: int, plain_to_output: bool) -> Position:
    if b == 0 or b_without_embeddings == 0:
        return Position.INPUT
    if a == 0:
        return Position.OUTPUT if plain_to_output else Position.FINAL_HIDDEN
    if a == 1:
        return Position.FINAL_HIDDEN
    return Position.HIDDEN


def _depth(b: int, a: int) -> float:
    return b / (b + a) if b + a else 0.0
