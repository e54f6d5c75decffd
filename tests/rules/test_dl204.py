"""DL204: edge cases its examples do not show (moved from tests/test_file_rules.py)."""

from __future__ import annotations

from rule_snippets import findings, attention


def test_dl204_attention_dropout_p_zero_is_not_a_dead_layer():
    code = attention("q = F.dropout(q, 0.0, self.training)\nreturn F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)\n")
    assert findings(code, "DL204") == [("DL204", 11)]
