"""droplint/syntax.py and the one scan of module constants (facts/constants.py)."""

import libcst as cst

from droplint import syntax
from droplint.facts.constants import module_assignments


def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def test_string_reads_plain_strings_only():
    assert syntax.string(_expr('"model"')) == "model"
    assert syntax.string(_expr('b"model"')) is None
    assert syntax.string(_expr('f"layer{i}"')) is None
    assert syntax.string(_expr("model")) is None
    assert syntax.string_index(_expr('cfg["keep"]')) == "keep"
    assert syntax.string_index(_expr("cfg[0]")) is None


def test_self_and_dotted():
    assert syntax.is_self(_expr("self")) and not syntax.is_self(_expr("cls"))
    assert syntax.is_self_attr(_expr("self.fc")) and not syntax.is_self_attr(_expr("other.fc"))
    assert syntax.dotted(_expr("nn.functional.dropout")) == "nn.functional.dropout"
    assert syntax.dotted(_expr("f().x")) is None


def test_argument_by_keyword_or_position():
    call = _expr("F.dropout(x, 0.5, training=self.training)")
    assert syntax.argument_value(call, "p", 1).value == "0.5"
    assert syntax.dotted(syntax.argument_value(call, "training", None)) == "self.training"
    assert syntax.argument_value(call, "inplace", 3) is None
    # An unpacked `*args` hides which position is which: nothing after it is read.
    starred = _expr("F.dropout(x, *args, p=0.2)")
    assert syntax.argument_value(starred, None, 0).value == "x"
    assert syntax.argument_value(starred, "p", 1) is None


def test_module_assignments_in_order_with_every_target():
    module = cst.parse_module(
        "RATE = 0.1\nA = B = 0.2\nP: float = 0.3\nRATE = 0.4\nself.x = 1\n"
        "def f():\n    INNER = 0.5\n"
    )
    found = {name: [cst.Module([]).code_for_node(v) for v in values] for name, values in module_assignments(module).items()}
    assert found == {"RATE": ["0.1", "0.4"], "A": ["0.2"], "B": ["0.2"], "P": ["0.3"]}
