"""The depth model of DESIGN.md, on hand-built graphs: one test per row of its table."""

from __future__ import annotations

import pytest
from graphs import GraphBuilder

from droplint.analysis.depth import place


def _only_dropout(g, outputs):
    placements = place(g.layers, tuple(outputs))
    assert len(placements) == 1
    return next(iter(placements.values()))


def test_dropout_before_any_weighted_layer_is_input():
    g = GraphBuilder()
    out = g.chain("dropout", "weighted", "activation", "weighted")
    p = _only_dropout(g, [out])
    assert (p.position, p.before, p.after, p.depth) == ("input", 0, 2, 0.0)


def test_dropout_after_embeddings_only_is_input():
    g = GraphBuilder()
    out = g.chain("embedding", "dropout", "weighted", "weighted", "weighted")
    p = _only_dropout(g, [out])
    assert (p.position, p.before, p.after) == ("input", 1, 3)


def test_dropout_between_weighted_layers_is_hidden_with_depth():
    g = GraphBuilder()
    out = g.chain("weighted", "activation", "dropout", "weighted", "weighted", "weighted")
    p = _only_dropout(g, [out])
    assert (p.position, p.before, p.after) == ("hidden", 1, 3)
    assert p.depth == pytest.approx(0.25)


def test_dropout_feeding_last_weighted_layer_is_final_hidden():
    g = GraphBuilder()
    out = g.chain("weighted", "weighted", "dropout", "weighted")
    p = _only_dropout(g, [out])
    assert (p.position, p.depth) == ("final-hidden", pytest.approx(2 / 3))


def test_dropout_on_last_layer_output_through_activation_is_output():
    g = GraphBuilder()
    out = g.chain("weighted", "weighted", "dropout", "activation")
    p = _only_dropout(g, [out])
    assert (p.position, p.after, p.depth) == ("output", 0, 1.0)


def test_dropout_merging_into_residual_at_the_tail_is_final_hidden():
    g = GraphBuilder()
    x = g.chain("weighted")
    h = g.chain("weighted", "dropout", start=x)
    out = g.add("merge", x, h)
    p = _only_dropout(g, [out])
    assert (p.position, p.after) == ("final-hidden", 0)


def test_longest_path_counts_across_branches():
    # input -> w -> w -> w ---------+
    #       \-> dropout -> w -------+-> merge -> w -> out
    g = GraphBuilder()
    x = g.add("input")
    long = g.chain("weighted", "weighted", "weighted", start=x)
    drop = g.add("dropout", x)
    short = g.add("weighted", drop)
    out = g.add("weighted", g.add("merge", long, short))
    placements = place(g.layers, (out,))
    assert placements[drop].position == "input"
    assert placements[drop].after == 2


def test_dropout_whose_value_is_not_returned_uses_statement_order():
    g = GraphBuilder()
    x = g.add("input")
    g.add("dropout", x)  # dead value
    out = g.chain("weighted", "weighted", start=x)
    p = _only_dropout(g, [out])
    assert (p.position, p.after) == ("input", 2)


def test_a_loss_from_the_output_and_the_labels_is_a_side_branch():
    # logits -> dropout is returned, and also merged with labels (no weighted layer on
    # their way) into a loss: the dropout still sits on the output.
    g = GraphBuilder()
    logits = g.chain("weighted", "weighted", "dropout")
    labels = g.add("input")
    loss = g.add("merge", logits, labels)
    p = _only_dropout(g, [logits, loss])
    assert (p.position, p.after) == ("output", 0)


def test_a_merge_with_features_is_no_side_branch_from_either_input():
    # Two dropouts merged by one weight-free add: each merges with features (the other
    # branch passed a weighted layer), so neither is output dropout.
    g = GraphBuilder()
    x = g.chain("weighted")
    left = g.chain("weighted", "dropout", start=x)
    right = g.chain("weighted", "dropout", start=x)
    out = g.add("merge", left, right)
    placements = place(g.layers, (out,))
    assert sorted(p.position for p in placements.values()) == ["final-hidden", "final-hidden"]


def test_a_model_without_dropout_has_nothing_to_place():
    g = GraphBuilder()
    out = g.chain("weighted", "activation", "weighted")
    assert place(g.layers, (out,)) == {}
