"""DL306 dropout-rate-mutated."""

from __future__ import annotations

import re

import libcst as cst

from droplint import walk

from droplint.facts.bindings import dropout_bindings
from droplint.facts.classes import is_model_class
from droplint.facts.rates import RATE, rate_arguments
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import dotted

FORWARD_METHODS = ("forward", "call")
# The attribute that holds a dropout layer's rate, by framework.
RATE_ATTRIBUTE = {"torch": "p", "keras": "rate"}


class DropoutRateMutated(FileRule):
    code = "DL306"
    name = "dropout-rate-mutated"
    severity = "warning"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: changing a rate in `forward` / `call` is unusual and often a bug, but "
            "schedules (annealed dropout) do it on purpose."
        ),
        what="Checks for a dropout rate attribute assigned inside `forward` / `call`.",
        why=(
            "A forward pass that writes the rate (`self.drop.p = ...`) makes dropout depend\n"
            "on the history of calls rather than on the model's definition: the rate at\n"
            "any step depends on what ran before, it runs in eval mode too, it is not\n"
            "what the configuration or checkpoint says, and replicas of the module\n"
            "(DataParallel, compiled graphs) may not see the change at all. A rate\n"
            "schedule belongs in the training loop or a callback, between steps."
        ),
        example=(
            "def forward(self, x):\n"
            "    self.drop.p = min(0.5, self.step * 1e-4)\n"
            "    return self.drop(self.fc(x))"
        ),
        use_instead=(
            "# in the training loop, between steps\n"
            "model.drop.p = min(0.5, step * 1e-4)"
        ),
        fix_safety="No fix: moving a schedule out of the forward pass is a change of design.",
        options=(
            "None. Judged attributes: `self.x.p` (PyTorch) or `self.x.rate` (Keras) of a\n"
            "dropout layer built in the class, and `self.y` where `self.y` is passed as a\n"
            "dropout rate in the class."
        ),
        references=(
            "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html",
            "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from Overfitting, JMLR 15.",
        ),
    )
    valid = (
        Example(
            "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = nn.Dropout(0.1)\n\n"
            "    def set_rate(self, p):\n        self.drop.p = p\n\n"
            "    def forward(self, x):\n        return self.drop(x)\n"
        ),
        Example(
            "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = nn.Dropout(0.1)\n        self.steps = 0\n\n"
            "    def forward(self, x):\n        self.steps += 1\n        return self.drop(x)\n"
        ),
        Example(
            "from keras import layers\n\n\nclass Block(layers.Layer):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = layers.Dropout(0.1)\n\n"
            "    def call(self, x, training=None):\n        return self.drop(x, training=training)\n",
            framework="keras",
        ),
    )
    invalid = (
        Example(
            "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = nn.Dropout(0.1)\n        self.step = 0\n\n"
            "    def forward(self, x):\n        self.step += 1\n"
            "        self.drop.p = min(0.5, self.step * 1e-4)  # DL306\n        return self.drop(x)\n"
        ),
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Attention(nn.Module):\n"
            "    def __init__(self, p):\n        super().__init__()\n        self.attn_p = p\n\n"
            "    def forward(self, q, k, v):\n        if not self.training:\n            self.attn_p = 0.0  # DL306\n"
            "        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.attn_p)\n"
        ),
        Example(
            "from keras import layers\n\n\nclass Block(layers.Layer):\n    def __init__(self):\n"
            "        super().__init__()\n        self.drop = layers.Dropout(0.1)\n\n"
            "    def call(self, x, training=None):\n        self.drop.rate *= 0.99  # DL306\n"
            "        return self.drop(x, training=training)\n",
            framework="keras",
        ),
    )

    def check_file(self, ctx):
        classes = [c for c in ctx.classes if any(m in c.methods for m in FORWARD_METHODS)]
        if not classes:
            return
        bindings = dropout_bindings(ctx)
        rate_attributes: dict[str, set[str]] = {}
        for found in rate_arguments(ctx):
            if found.meaning == RATE and found.call.cls is not None:
                rate_attributes.setdefault(found.call.cls.name, set()).update(_self_attributes(found.value))
        for info in classes:
            if not is_model_class(ctx, info):
                continue
            watched = {name: "a dropout rate" for name in rate_attributes.get(info.name, ())}
            for (owner, name), binding in bindings.items():
                if owner == info.name:
                    watched[f"{name}.{RATE_ATTRIBUTE[binding.framework]}"] = f"the rate of {name}"
            if not watched or not _assigned_in_text(ctx.text, watched):
                continue
            for method_name in FORWARD_METHODS:
                method = info.methods.get(method_name)
                if method is None:
                    continue
                finder = _AssignmentFinder(watched)
                walk.visit(method.body, finder)
                for target, statement in finder.found:
                    name = dotted(target)
                    yield ctx.diagnostic(
                        self,
                        target,
                        f"{name} ({watched[name]}) is {_change(ctx, statement)} in {info.name}.{method_name}, so the rate "
                        "changes with every call and in eval mode too; set it outside the forward pass "
                        "(in the training loop or a callback) or pass a per-call rate.",
                    )


def _assigned_in_text(text: str, names) -> bool:
    """Some watched name may be assigned in the file: a cheap test before any walk.

    Matches `name = `, `name += ` and `name, other = ` (unpacking); a false match only
    costs the walk.
    """
    pattern = "|".join(re.escape(n) for n in names)
    operator = r"(?:[-+*/%@&|^]|//|\*\*|>>|<<)?=(?!=)"
    return re.search(rf"(?:{pattern})(?![\w.])\s*(?:{operator}|,[^\n=]*=(?!=))", text) is not None


def _change(ctx, statement) -> str:
    if isinstance(statement, cst.AugAssign):
        return f"changed with `{ctx.code(statement.operator).strip()} {ctx.code(statement.value)}`"
    if isinstance(statement, (cst.Assign, cst.AnnAssign)) and statement.value is not None:
        return f"set to {ctx.code(statement.value)}"
    return "reassigned"


def _self_attributes(expr: cst.BaseExpression) -> set[str]:
    """`self.x` names inside a rate expression (`self.p if self.training else 0.0`)."""
    found: set[str] = set()

    class _Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            name = dotted(node)
            if name and name.startswith("self.") and name.count(".") == 1 and name != "self.training":
                found.add(name)
            return True

    walk.visit(expr, _Finder())
    return found


class _AssignmentFinder(cst.CSTVisitor):
    def __init__(self, watched):
        self.watched = watched
        self.found: list[tuple[cst.BaseExpression, cst.CSTNode | None]] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        # Assignments are statements: look at this line's and skip its expressions.
        for small in node.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    self._check(target.target, small)
            elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
                self._check(small.target, small)
        return False

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> bool:
        return self.visit_SimpleStatementLine(node)

    def _check(self, target, statement) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._check(element.value, None)  # unpacked: no single value to show
            return
        if dotted(target) in self.watched:
            self.found.append((target, statement))
