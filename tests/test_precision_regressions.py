"""Issue 11's false findings and misses, each pinned by its own fixture (fixtures/precision/).

Every fixture marks the findings it expects on their lines (`# DL301`); these tests read
what droplint reports and check code, line and count, as flake8-bugbear's eval files do.
"""

from __future__ import annotations

import pathlib
import re

from droplint.testing import fix_snippet, lint_snippet

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "precision"
MARK = re.compile(r"#\s*(DL\d{3})")


def source(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def findings(name: str, select=("ALL",), config=()) -> list:
    result = lint_snippet(source(name), config=config, select=select)
    assert result.errors == []
    return result.diagnostics


def marked(name: str) -> list[tuple[int, str]]:
    """(line, code) of every `# DLxxx` mark in a fixture."""
    found = []
    for number, line in enumerate(source(name).splitlines(), start=1):
        found.extend((number, code) for code in MARK.findall(line))
    return found


def reported(name: str, severities=("error", "warning", "info"), config=()) -> list[tuple[int, str]]:
    return sorted((d.span.line, d.code) for d in findings(name, config=config) if d.severity in severities)


def test_a_training_guard_is_read_the_same_by_dl301_as_by_dl302():
    # Example 1: `if self.training:`, a conjunction, an early return and a conditional
    # expression all keep the functional dropout off at inference; the eval-only arm does not.
    assert [f for f in reported("guarded_functional_dropout.py") if f[1].startswith("DL3")] == marked(
        "guarded_functional_dropout.py"
    )


def test_scale_before_or_after_the_mask_is_inverted_dropout_and_no_fix_adds_a_second_scale():
    # Example 2: `x = x / (1 - p); x = x * mask` (and the scale after) is inverted dropout.
    assert [f for f in reported("scale_before_mask.py") if f[1].startswith("DL4")] == []
    assert fix_snippet(source("scale_before_mask.py"), select=("DL4",), unsafe=True) == source("scale_before_mask.py")


def test_a_rate_the_function_receives_is_judged_at_its_callers():
    # Example 3: `dropout_p=ctx.dropout_p` and `dropout_p=dropout_p` are the caller's values.
    assert [f for f in reported("caller_owned_attention_rate.py") if f[1] == "DL303"] == marked(
        "caller_owned_attention_rate.py"
    )


def test_a_fix_never_names_self_where_there_is_none():
    [finding] = [d for d in findings("caller_owned_attention_rate.py") if d.code == "DL303"]
    assert finding.fix is None
    assert "self" not in finding.message
    fixed = fix_snippet(source("caller_owned_attention_rate.py"), select=("DL303",), unsafe=True)
    assert fixed == source("caller_owned_attention_rate.py")


def test_continuous_noise_is_a_wrong_mask_distribution_in_torch():
    # Example 5: `keep + torch.rand(...)` never floored; the floored twin is correct.
    assert reported("continuous_noise_torch.py", ("error", "warning")) == marked("continuous_noise_torch.py")


def test_continuous_noise_is_a_wrong_mask_distribution_in_keras():
    assert reported("continuous_noise_keras.py", ("error", "warning")) == marked("continuous_noise_keras.py")


def test_the_continuous_noise_fix_floors_it_with_the_drawing_library():
    fixed = fix_snippet(source("continuous_noise_keras.py"), select=("DL402",), unsafe=True)
    assert "noise = keras.ops.floor(keep + keras.random.uniform((keras.ops.shape(x)[0], 1)))" in fixed
    assert [d.code for d in lint_snippet(fixed, select=("DL4",)).diagnostics] == []


def test_a_private_block_class_is_inlined_not_a_root_with_output_dropout():
    # torchaudio's `_Prenet`: a block used by its decoder, never the model's output.
    result = lint_snippet(source("private_block_class.py"), select=("ALL",))
    assert [d.code for d in result.diagnostics if d.severity != "info"] == []
    roots = [m.name for m in result.models if m.root]
    assert roots == ["Decoder"]


def test_dl104_never_compares_with_a_disabled_dropout():
    assert [f for f in reported("dl104_disabled_dropout.py") if f[1] == "DL104"] == []


def test_a_conditional_rate_has_the_training_arms_rate():
    result = lint_snippet(source("dl104_eval_arm.py"), select=("DL104",))
    assert [d.code for d in result.diagnostics] == []
    [model] = [m for m in result.models if m.root]
    rates = [p.layer.rate.value for p in model.layers if p.layer.kind == "dropout"]
    assert rates == [0.3, 0.3, 0.3, 0.3]


def test_dl104_does_not_compare_recurrent_state_dropout_with_conv_dropout():
    assert [f for f in reported("dl104_recurrent_vs_conv.py") if f[1] == "DL104"] == []


def test_dl104_still_reports_a_lighter_dropout_of_the_same_kind():
    code = source("dl104_disabled_dropout.py").replace("nn.Dropout(0.0)", "nn.Dropout(0.05)")
    assert [d.code for d in lint_snippet(code, select=("DL104",)).diagnostics] == ["DL104"]


def test_keras3_imports_mean_tensorflow_2_and_make_dl203_advice():
    [finding] = findings("tf_version_from_keras3.py", select=("DL203",))
    assert finding.severity == "info"
    assert finding.fix is not None and "rate=" in finding.fix.message


def test_an_unknown_tensorflow_version_leaves_dl203_a_warning():
    [finding] = findings("tf_version_unknown.py", select=("DL203",))
    assert finding.severity == "warning" and finding.fix is None


def test_the_keras_frontend_reads_the_tf_version_as_the_rules_do():
    # One reading: where the rules see a rate (TF2), the profile shows that rate; where
    # nothing says which TensorFlow it is, the rate is unknown for both.
    def rates(name):
        result = lint_snippet(source(name), select=("ALL",))
        return [p.layer.rate.value for m in result.models for p in m.layers if p.layer.kind == "dropout"]

    assert rates("tf_version_from_keras3.py") == [0.2]
    assert rates("tf_version_unknown.py") == [None]


def test_every_rule_says_why_it_has_its_severity():
    from droplint.rulebook import registry

    for rule in registry.all_rules():
        reason = rule.docs.severity_reason
        assert reason.lower().startswith(rule.severity), rule.code


def test_a_weak_keep_word_does_not_make_dl202_call_a_drop_rate_a_keep_probability():
    # keras.applications: `Dropout(survival_probability)` fed `drop_connect_rate * b / blocks`.
    assert [f for f in reported("survival_named_rate.py") if f[1] == "DL202"] == marked("survival_named_rate.py")
