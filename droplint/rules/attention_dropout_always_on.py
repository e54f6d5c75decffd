"""DL303 attention-dropout-always-on."""

from __future__ import annotations

import libcst as cst

from droplint.facts.classes import is_torch_module
from droplint.facts.training import (
    UNGATED,
    classify,
    is_guarded,
    outermost_function,
    scope_of,
)
from droplint.frontends import catalog
from droplint.ir import Fix
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import argument

_HEAD = (
    "import torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
    "class Attention(nn.Module):\n    def __init__(self, p=0.1):\n        super().__init__()\n"
    "        self.p = p\n\n    def forward(self, q, k, v):\n"
)


class AttentionDropoutAlwaysOn(FileRule):
    code = "DL303"
    name = "attention-dropout-always-on"
    severity = "error"
    fix = "safe"
    frameworks = ("torch",)
    docs = Docs(
        severity_reason=(
            "Error: a stored rate passed ungated keeps attention dropout on in eval mode "
            "whatever the rest of the project does; a rate the function receives (a "
            "parameter, or an attribute of one) is judged at its callers."
        ),
        what=(
            "Checks for `F.scaled_dot_product_attention`, flash-attention and xformers\n"
            "`memory_efficient_attention` calls whose dropout probability is not gated on\n"
            "the training mode."
        ),
        why=(
            "Fused attention kernels take their dropout as a plain argument: unlike\n"
            "`nn.Dropout`, nothing turns it off when the model is put in eval mode. A\n"
            "`dropout_p=self.p` drops attention weights at inference too, so predictions\n"
            "are random and the attention is rescaled by 1/(1-p). The PyTorch docs' own\n"
            "reference implementation passes `dropout_p` only in training."
        ),
        example="out = F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)",
        use_instead="out = F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.training else 0.0)",
        fix_safety=(
            "Safe: rewrites the argument to `p if self.training else 0.0`, which is the\n"
            "same value in training and turns attention dropout off in eval mode, as an\n"
            "`nn.Dropout` on the attention weights would. Offered only inside an\n"
            "`nn.Module` method, where `self.training` exists."
        ),
        options=(
            "None. A `dropout_p` that is a parameter of the enclosing function is the caller's\n"
            "responsibility and is not judged; one that depends on `self.training`, on a\n"
            "`training` flag, or sits in an `if self.training:` branch counts as gated."
        ),
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html",
            "https://github.com/Dao-AILab/flash-attention (flash_attn_func: dropout_p should be 0.0 during evaluation)",
            "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from Overfitting, JMLR 15.",
        ),
    )
    valid = (
        Example(_HEAD + "        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.training else 0.0)\n"),
        Example(
            _HEAD + "        p = self.p if self.training else 0.0\n"
            "        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)\n"
        ),
        Example(
            _HEAD + "        if self.training:\n"
            "            return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)\n"
            "        return F.scaled_dot_product_attention(q, k, v)\n"
        ),
        Example(_HEAD + "        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)\n"),
        Example(
            "import torch.nn.functional as F\n\n\ndef sdpa(q, k, v, dropout=0.0):\n"
            "    return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout)\n"
        ),
        Example(
            _HEAD + "        from mylib import scaled_dot_product_attention\n"
            "        return scaled_dot_product_attention(q, k, v, dropout_p=self.p)\n"
        ),
    )
    invalid = (
        Example(
            _HEAD + "        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p)  # DL303\n",
            fixed=_HEAD
            + "        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.training else 0.0)\n",
        ),
        Example(
            _HEAD + "        out = F.scaled_dot_product_attention(\n            q, k, v,\n"
            "            dropout_p=0.1,  # attention dropout  # DL303\n            is_causal=True,\n        )\n"
            "        return out\n",
            fixed=_HEAD + "        out = F.scaled_dot_product_attention(\n            q, k, v,\n"
            "            dropout_p=0.1 if self.training else 0.0,  # attention dropout\n"
            "            is_causal=True,\n        )\n        return out\n",
        ),
        Example(
            "import torch.nn as nn\nfrom flash_attn import flash_attn_func\n\n\n"
            "class FlashAttention(nn.Module):\n    def __init__(self, config):\n        super().__init__()\n"
            "        self.config = config\n\n    def forward(self, q, k, v):\n"
            "        drop = self.config.attention_dropout\n"
            "        return flash_attn_func(q, k, v, drop, causal=True)  # DL303\n",
            fixed="import torch.nn as nn\nfrom flash_attn import flash_attn_func\n\n\n"
            "class FlashAttention(nn.Module):\n    def __init__(self, config):\n        super().__init__()\n"
            "        self.config = config\n\n    def forward(self, q, k, v):\n"
            "        drop = self.config.attention_dropout\n"
            "        return flash_attn_func(q, k, v, drop if self.training else 0.0, causal=True)\n",
        ),
    )

    def check_file(self, ctx):
        for site in ctx.calls:
            spec = catalog.attention_dropout(site.qualname)
            if spec is None:
                continue
            arg = argument(site.node, spec.keyword, spec.index)
            if arg is None:
                continue  # the default is 0.0 (or `**kwargs` carries it: the caller's business)
            function = outermost_function(ctx, site)
            scope = None
            if function is not None:
                scope = scope_of(ctx, function)
                if is_guarded(scope, site.node):
                    continue
            if classify(scope, arg.value, ctx.module) != UNGATED:
                continue
            fix = self._fix(ctx, site, scope, arg, spec.keyword)
            has_self = scope is not None and scope.has_self()
            yield ctx.diagnostic(self, arg.value, self._message(ctx, site, spec, arg, has_self), fix=fix)

    def _message(self, ctx, site, spec, arg, has_self: bool) -> str:
        op = ctx.code(site.node.func)
        where = f" in {site.cls.name}.{site.method.name.value}" if site.cls and site.method else ""
        value = ctx.code(arg.value)
        # Only name `self` where there is one: a function without it takes the flag from its caller.
        remedy = (
            f"pass {spec.keyword}={value} if self.training else 0.0"
            if has_self
            else f"pass {spec.keyword}=0.0 unless the model is training (take the flag as a parameter)"
        )
        return (
            f"{op}({spec.keyword}={value}){where} applies attention dropout in eval mode too, "
            f"since nothing gates it on training; {remedy}."
        )

    def _fix(self, ctx, site, scope, arg, keyword: str) -> Fix | None:
        if site.cls is None or site.method is None or scope is None or not scope.has_self():
            return None
        if not is_torch_module(ctx, site.cls):
            return None
        gated = gate_on_training(arg.value)
        return Fix("safe", f"Gate {keyword} on self.training", (ctx.replacement(arg.value, gated),))


def gate_on_training(value: cst.BaseExpression) -> cst.IfExp:
    """`value if self.training else 0.0`, parenthesising a value that needs it."""
    if isinstance(value, (cst.IfExp, cst.Lambda, cst.NamedExpr)) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    template = cst.parse_expression("_ if self.training else 0.0")
    return template.with_changes(body=value)
