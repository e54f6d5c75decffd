"""The depth model of DESIGN.md: where each dropout sits between a model's input and output.

For a dropout, `b` is the largest number of weighted layers on a path from a model input
to it and `a` the largest number on a path from it to the returned value:

- input:        b == 0, or every weighted layer before it is an embedding
- output:       a == 0 and its result reaches the returned value through single-input
                steps only (it sits on the output layer's own output)
- final-hidden: a == 1, or a == 0 where its result merges with another tensor on the way out
- hidden:       otherwise

and `depth = b / (b + a)` (0.0 when both are 0).

The graph is a list of layers in emission order whose `inputs` name earlier layers only,
so one pass forwards and one backwards compute every longest path: linear time.
"""

from __future__ import annotations

from dataclasses import dataclass

from droplint.frontends.catalog import is_embedding
from droplint.ir import Layer


@dataclass(frozen=True, slots=True)
class Placement:
    position: str
    depth: float
    before: int  # b: weighted layers on the longest path from an input
    after: int  # a: weighted layers on the longest path to the output


def _weighted(layer: Layer) -> int:
    return 1 if layer.kind == "weighted" else 0


def _single_input_step(layer: Layer) -> bool:
    """A step that passes one tensor on without weights: activation, norm, reshape, pool."""
    return layer.kind not in ("weighted", "merge", "submodule", "input") and len(layer.inputs) <= 1


def place(layers: list[Layer] | tuple[Layer, ...], outputs: tuple[int, ...]) -> dict[int, Placement]:
    """Position and depth of every dropout of one (inlined, root) model graph, by layer id."""
    by_id = {layer.id: layer for layer in layers}
    order = [layer for layer in layers]
    # Weighted layers emitted after each one: the statement-order stand-in below, counted
    # once from the end instead of once per dropout (which was dropouts x nodes).
    weighted_after: dict[int, int] = {}
    count = 0
    for layer in reversed(order):
        weighted_after[layer.id] = count
        count += _weighted(layer)

    # b: longest weighted path from any input, counting predecessors only; and the same
    # count with embeddings left out (to tell "after embeddings only" from deeper).
    before: dict[int, int] = {}
    before_non_embedding: dict[int, int] = {}
    for layer in order:
        best, best_ne = 0, 0
        for source in layer.inputs:
            pred = by_id.get(source)
            if pred is None or source not in before:
                continue
            best = max(best, before[source] + _weighted(pred))
            counts = _weighted(pred) and not is_embedding(pred.op)
            best_ne = max(best_ne, before_non_embedding[source] + (1 if counts else 0))
        before[layer.id] = best
        before_non_embedding[layer.id] = best_ne

    # a: longest weighted path to the returned value, for layers that reach it; and
    # whether a layer reaches it through single-input, weightless steps only.
    consumers: dict[int, list[int]] = {layer.id: [] for layer in order}
    for layer in order:
        for source in dict.fromkeys(layer.inputs):
            if source in consumers:
                consumers[source].append(layer.id)
    returned = set(outputs)
    after: dict[int, int] = {}
    plain_to_output: dict[int, bool] = {}
    for layer in reversed(order):
        best = 0 if layer.id in returned else None
        # "Only": every way its value takes to the returned one must be plain. Attention
        # weights returned as well as multiplied into the values are not the output.
        plain = True
        for consumer_id in consumers[layer.id]:
            if consumer_id not in after:
                continue
            consumer = by_id[consumer_id]
            best = max(best or 0, after[consumer_id] + _weighted(consumer))
            if not (_single_input_step(consumer) and plain_to_output[consumer_id]):
                plain = False
        if best is not None:
            after[layer.id] = best
            plain_to_output[layer.id] = plain

    placements = {}
    for layer in order:
        if layer.kind != "dropout":
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
        placements[layer.id] = Placement(_position(b, before_non_embedding[layer.id], a, plain), _depth(b, a), b, a)
    return placements


def _position(b: int, b_without_embeddings: int, a: int, plain_to_output: bool) -> str:
    if b == 0 or b_without_embeddings == 0:
        return "input"
    if a == 0:
        return "output" if plain_to_output else "final-hidden"
    if a == 1:
        return "final-hidden"
    return "hidden"


def _depth(b: int, a: int) -> float:
    return b / (b + a) if b + a else 0.0
