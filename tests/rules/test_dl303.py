"""DL303: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

import textwrap

from droplint.testing import lint_snippet
from rule_snippets import findings, fixed, attention


def test_dl303_gating_set_in_an_if_branch_counts():
    code = attention(
        """\
        if self.training:
            p = self.p
        else:
            p = 0.0
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        """
    )
    assert findings(code, "DL303") == []


def test_dl303_gating_through_a_chain_of_variables_counts():
    code = attention(
        """\
        p = self.p if self.training else 0.0
        drop = p
        return F.scaled_dot_product_attention(q, k, v, dropout_p=drop)
        """
    )
    assert findings(code, "DL303") == []


def test_dl303_an_early_return_in_eval_mode_counts_as_a_guard():
    code = attention(
        """\
        if not self.training:
            return F.scaled_dot_product_attention(q, k, v)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)
        """
    )
    assert findings(code, "DL303") == []


def test_dl303_a_variable_from_a_stored_rate_is_not_gated():
    code = attention(
        """\
        p = self.p
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        """
    )
    assert findings(code, "DL303") == [("DL303", 12)]


def test_dl303_nested_function_in_forward_is_found_and_fixed_with_self_training():
    code = attention(
        """\
        def attend(a, b, c):
            return F.scaled_dot_product_attention(a, b, c, dropout_p=self.p)
        return attend(q, k, v)
        """
    )
    assert findings(code, "DL303") == [("DL303", 12)]
    assert "dropout_p=self.p if self.training else 0.0)" in fixed(code, "DL303")


def test_dl303_aliased_import_and_positional_dropout_p():
    code = """\
    import torch
    from torch.nn.functional import scaled_dot_product_attention as sdpa


    class Attention(torch.nn.Module):
        def forward(self, q, k, v):
            return sdpa(q, k, v, None, 0.1, True)
    """
    assert findings(code, "DL303") == [("DL303", 7)]
    assert fixed(code, "DL303").endswith("return sdpa(q, k, v, None, 0.1 if self.training else 0.0, True)\n")


def test_dl303_fix_parenthesises_a_conditional_that_is_not_about_training():
    code = attention("return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.causal else 0.2)\n")
    assert fixed(code, "DL303").endswith(
        "dropout_p=(self.p if self.causal else 0.2) if self.training else 0.0)\n"
    )


def test_dl303_keyword_arguments_hide_dropout_p():
    code = attention("return F.scaled_dot_product_attention(q, k, v, **self.kwargs)\n")
    assert findings(code, "DL303") == []


def test_dl303_module_constant_is_a_stored_rate():
    code = "ATTN_DROP = 0.1\n" + attention("return F.scaled_dot_product_attention(q, k, v, dropout_p=ATTN_DROP)\n")
    assert findings(code, "DL303") == [("DL303", 12)]


def test_dl303_plain_function_with_a_literal_rate_is_found_without_a_fix():
    code = """\
    import torch.nn.functional as F


    def attend(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.1)
    """
    result = lint_snippet(textwrap.dedent(code), select=("DL303",))
    assert [(d.span.line, d.fix) for d in result.diagnostics] == [(5, None)]


def test_dl303_flash_attention_varlen_positional_index():
    code = """\
    import torch.nn as nn
    from flash_attn.flash_attn_interface import flash_attn_varlen_func


    class FlashAttention(nn.Module):
        def forward(self, q, k, v, cu, mx):
            return flash_attn_varlen_func(q, k, v, cu, cu, mx, mx, 0.1)
    """
    assert findings(code, "DL303") == [("DL303", 7)]


def test_dl303_multi_line_call_keeps_layout_and_comments():
    code = attention(
        """\
        out = F.scaled_dot_product_attention(
            q,
            k,
            v,
            dropout_p=self.p,  # attention dropout
        )
        return out
        """
    )
    assert fixed(code, "DL303") == code.replace(
        "dropout_p=self.p,  # attention dropout", "dropout_p=self.p if self.training else 0.0,  # attention dropout"
    )


def test_dl303_after_an_early_return_in_training_the_rest_runs_in_eval():
    code = attention(
        """\
        if self.training:
            return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)
        """
    )
    assert findings(code, "DL303") == [("DL303", 13)]


def test_dl303_a_rate_set_only_in_eval_is_not_gated():
    code = attention(
        """\
        p = 0.0
        if not self.training:
            p = self.p
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        """
    )
    assert findings(code, "DL303") == [("DL303", 14)]
