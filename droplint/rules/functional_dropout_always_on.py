"""DL301 functional-dropout-always-on."""

from __future__ import annotations

import libcst as cst

from droplint.edits.calls import add_keyword
from droplint.facts.classes import is_torch_module
from droplint.facts.training import is_guarded, outermost_function, scope_of
from droplint.frontends import catalog
from droplint.ir import Fix
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import argument


class FunctionalDropoutAlwaysOn(FileRule):
    code = "DL301"
    name = "functional-dropout-always-on"
    severity = "error"
    fix = "safe"
    docs = Docs(
        severity_reason=(
            "Error: without `training=`, the functional dropout stays on in eval mode "
            "whatever the rest of the project does; calls under a training guard are not "
            "flagged."
        ),
        what="Checks for `F.dropout` and its family called in an `nn.Module` without `training=`.",
        why=(
            "Unlike `nn.Dropout`, the functional form does not follow `model.eval()`: its\n"
            "`training` argument defaults to True. Called inside a module without it,\n"
            "dropout stays on at inference, and predictions are noisy and scaled wrong."
        ),
        example=(
            "class Net(nn.Module):\n"
            "    def forward(self, x):\n"
            "        return F.dropout(x, 0.5)"
        ),
        use_instead=(
            "class Net(nn.Module):\n"
            "    def forward(self, x):\n"
            "        return F.dropout(x, 0.5, training=self.training)"
        ),
        fix_safety=(
            "Safe: adds `training=self.training`, which changes nothing in training mode\n"
            "and turns dropout off in eval mode, as `nn.Dropout` does."
        ),
        references=("https://pytorch.org/docs/stable/generated/torch.nn.functional.dropout.html",),
    )
    valid = (
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
            "class Net(nn.Module):\n    def forward(self, x):\n"
            "        return F.dropout(x, 0.5, training=self.training)\n"
        ),
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
            "class Net(nn.Module):\n    def forward(self, x):\n"
            "        return F.dropout(x, 0.5, self.training)\n"
        ),
        Example(
            "import torch.nn.functional as F\n\ndef augment(x):\n    return F.dropout(x, 0.1)\n"
        ),
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
            "class EdgeDrop(nn.Module):\n    def forward(self, w):\n"
            "        if self.p > 0 and self.training:\n            w = F.dropout(w, p=self.p)\n"
            "        return w\n"
        ),
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
            "class Net(nn.Module):\n    def forward(self, x):\n"
            "        if not self.training:\n            return x\n"
            "        return F.dropout(x, 0.5)\n"
        ),
        Example(
            "import torch.nn as nn\nfrom mylib import dropout\n\n"
            "class Net(nn.Module):\n    def forward(self, x):\n        return dropout(x, 0.5)\n"
        ),
    )
    invalid = (
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
            "class Net(nn.Module):\n    def forward(self, x):\n        return F.dropout(x, 0.5)  # DL301\n",
            fixed=(
                "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
                "class Net(nn.Module):\n    def forward(self, x):\n"
                "        return F.dropout(x, 0.5, training=self.training)\n"
            ),
        ),
        Example(
            "from torch import nn\nfrom torch.nn import functional\n\n"
            "class Net(nn.Module):\n    def forward(self, x):\n"
            "        x = functional.dropout2d(  # DL301\n            x,\n            p=0.2,\n        )\n"
            "        return x\n",
            fixed=(
                "from torch import nn\nfrom torch.nn import functional\n\n"
                "class Net(nn.Module):\n    def forward(self, x):\n"
                "        x = functional.dropout2d(\n            x,\n            p=0.2,\n"
                "            training=self.training,\n        )\n"
                "        return x\n"
            ),
        ),
        Example(
            "import torch\nfrom torch.nn.functional import alpha_dropout\n\n"
            "class Net(torch.nn.Module):\n    def forward(self, x):\n        return alpha_dropout(x)  # DL301\n",
            fixed=(
                "import torch\nfrom torch.nn.functional import alpha_dropout\n\n"
                "class Net(torch.nn.Module):\n    def forward(self, x):\n"
                "        return alpha_dropout(x, training=self.training)\n"
            ),
        ),
    )

    def check_file(self, ctx):
        for site in ctx.calls:
            if catalog.torch_functional_dropout(site.qualname) is None:
                continue
            if site.cls is None or site.method is None or not is_torch_module(ctx, site.cls):
                continue
            if argument(site.node, "training", catalog.TORCH_TRAINING_INDEX) is not None:
                continue
            if any(arg.star for arg in site.node.args):
                continue  # **kwargs may carry training=
            if is_guarded(scope_of(ctx, outermost_function(ctx, site)), site.node):
                continue  # `if self.training:` around it: it never runs at inference
            op = ctx.code(site.node.func)
            fix = None
            if _has_self(site.method):
                fixed = add_keyword(site.node, "training", cst.parse_expression("self.training"))
                fix = Fix("safe", "Add `training=self.training`", (ctx.replacement(site.node, fixed),))
            yield ctx.diagnostic(
                self,
                site.node,
                f"{op}() in {site.cls.name}.{site.method.name.value} has no training= argument, "
                "so dropout stays on at inference; pass training=self.training.",
                fix=fix,
            )


def _has_self(method: cst.FunctionDef) -> bool:
    params = method.params.params
    return bool(params) and params[0].name.value == "self"
