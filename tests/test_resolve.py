"""Rate resolution from source alone: what each kind of expression resolves to."""

from __future__ import annotations

import libcst as cst
import pytest

from droplint.context import FileContext
from droplint.frontends.resolve import Resolver, Scope, function_scope


def _rate(source: str, expr: str, function: str | None = None, constructor: bool = False):
    """Resolve `expr` as written inside `function` (or at module level) of `source`."""
    module = cst.parse_module(source)
    ctx = FileContext("snippet.py", source, module)
    resolver = Resolver(ctx)
    scope = Scope()
    if function is not None:
        found = [f for f in ctx.functions if f.name.value == function][0]
        scope = function_scope(found, constructor=constructor)
    return resolver.rate(cst.parse_expression(expr), scope)


@pytest.mark.parametrize(
    "expr,value",
    [("0.5", 0.5), ("1 - 0.8", 0.2), ("0.1 * 3", 0.3), ("(1 - 0.5) / 2", 0.25), ("-0.1", -0.1)],
)
def test_literals_and_constant_arithmetic(expr, value):
    rate = _rate("", expr)
    assert rate.value == pytest.approx(value)
    assert rate.source == "literal"
    assert rate.text == expr


def test_module_constant_and_arithmetic_on_it():
    source = "KEEP = 0.8\nDROP = 1 - KEEP\n"
    assert (_rate(source, "DROP").value, _rate(source, "DROP").source) == (pytest.approx(0.2), "constant")
    assert _rate(source, "KEEP / 2").value == pytest.approx(0.4)


def test_constructor_parameter_default_remembers_the_parameter():
    source = "class B:\n    def __init__(self, dim, p=0.3):\n        pass\n"
    rate = _rate(source, "p", "__init__", constructor=True)
    assert (rate.value, rate.source, rate.param) == (0.3, "default", "p")
    no_default = _rate(source, "dim", "__init__", constructor=True)
    assert (no_default.value, no_default.source, no_default.param) == (None, "null", "dim")


def test_parameter_of_an_ordinary_function_is_not_a_constructor_parameter():
    source = "def f(x, p=0.2):\n    pass\n"
    rate = _rate(source, "p", "f")
    assert (rate.value, rate.source, rate.param) == (0.2, "default", None)


def test_local_assignment_is_followed():
    source = "def f(p=0.4):\n    q = p / 2\n    return q\n"
    assert _rate(source, "q", "f").value == pytest.approx(0.2)


def test_class_attribute_through_the_class_name():
    source = "class Net:\n    P = 0.35\n"
    rate = _rate(source, "Net.P")
    assert (rate.value, rate.source) == (0.35, "constant")


def test_argparse_default_through_args():
    source = (
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--drop-rate', type=float, default=0.3)\n"
        "p.add_argument('-k', dest='keep', default=0.9)\n"
    )
    assert (_rate(source, "args.drop_rate").value, _rate(source, "args.drop_rate").source) == (0.3, "default")
    assert _rate(source, "opt.keep").value == 0.9


def test_config_attributes_are_left_to_link():
    for expr in ("config.hidden_dropout_prob", "self.config.hidden_dropout_prob", "model_cfg.hidden_dropout_prob"):
        rate = _rate("", expr)
        assert (rate.value, rate.source, rate.config_attr) == (None, "null", "hidden_dropout_prob")


def test_getattr_and_get_with_a_default_fall_back():
    rate = _rate("", 'getattr(config, "attention_dropout", 0.1)')
    assert (rate.config_attr, rate.value, rate.fallback.value) == ("attention_dropout", 0.1, 0.1)
    rate = _rate("", 'cfg.get("dropout", 0.2)')
    assert (rate.config_attr, rate.fallback.value) == ("dropout", 0.2)


def test_training_gated_rate_is_the_rate_when_dropout_is_on():
    rate = _rate("", "0.0 if not self.training else 0.1")
    assert rate.value == 0.1
    assert _rate("", "0.2 if self.training else 0").value == 0.2


def test_not_none_fallback_keeps_both_config_fields():
    rate = _rate("", "config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob")
    assert rate.config_attr == "classifier_dropout"
    assert rate.fallback.config_attr == "hidden_dropout_prob"


@pytest.mark.parametrize("expr", ["some_function()", "x[0]", "unknown_name", "a if b else c", "'0.5'", "lambda: 0.1"])
def test_anything_else_is_unknown_never_a_guess(expr):
    rate = _rate("", expr)
    assert (rate.value, rate.source) == (None, "null")


def test_self_referencing_names_do_not_loop():
    source = "def f():\n    p = p + 0.1\n    return p\n"
    assert _rate(source, "p", "f").value is None
