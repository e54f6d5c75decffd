"""The one reading of conditionals both frontends share (droplint.frontends.branches)."""

from __future__ import annotations

import libcst as cst

from droplint.frontends.branches import join, truth
from droplint.frontends.resolve import function_scope
from droplint.ir import Rate


def _scope(signature: str, **bound):
    function = cst.parse_module(f"def f({signature}):\n    pass\n").body[0]
    scope = function_scope(function)
    scope.bound = {name: Rate(None, "null", text) for name, text in bound.items()}
    return scope


def _truth(test: str, scope, attribute=None):
    return truth(cst.parse_expression(test), scope, attribute)


def test_literal_defaults_decide_and_the_callers_literal_wins():
    scope = _scope("x, pre_logits=False, mode='avg', depth=2")
    assert _truth("pre_logits", scope) is False
    assert _truth("not pre_logits", scope) is True
    assert _truth("mode == 'avg' and depth > 1", scope) is None  # `>` is not read
    assert _truth("mode == 'avg' and not pre_logits", scope) is True
    assert _truth("pre_logits or x", scope) is None
    assert _truth("pre_logits", _scope("x, pre_logits=False", pre_logits="True")) is True
    assert _truth("pre_logits", _scope("x, pre_logits=False", pre_logits="flag")) is None


def test_none_defaults_training_flags_and_constructors_decide_nothing():
    scope = _scope("x, labels=None, training=False, deterministic=True")
    assert _truth("labels is not None", scope) is None
    assert _truth("training", scope) is None
    assert _truth("not deterministic", scope) is None


def test_attributes_built_as_layers_are_true_and_none_is_false():
    built = {"norm": True, "head": False}.get
    assert _truth("self.norm", None, built) is True
    assert _truth("self.norm is not None", None, built) is True
    assert _truth("self.head", None, built) is False
    assert _truth("self.head is None", None, built) is True
    assert _truth("self.other", None, built) is None


def test_join_unions_data_and_keeps_the_layer_an_arm_assigned():
    before = {"x": (1,), "layer": "A"}
    arms = [{"x": (2,), "layer": "B"}, {"x": (1,), "layer": "A"}]
    joined = join(before, arms, lambda v: isinstance(v, tuple), lambda vs: tuple(dict.fromkeys(i for v in vs for i in v)))
    assert joined == {"x": (2, 1), "layer": "B"}
