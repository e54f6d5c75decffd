"""DL202 keep-prob-as-rate."""

from __future__ import annotations

import re

import libcst as cst

from droplint.facts.rates import KEEP_PROB, RATE, name_says, rate_arguments
from droplint.facts.test_code import is_test_code
from droplint.rulebook.rule import Docs, Example, FileRule
from droplint.syntax import dotted, literal_number, string, string_index

# A drop rate this high can only be a keep probability written in the wrong place.
HIGHEST_PLAUSIBLE_RATE = 0.9
# A keep probability this low can only be a drop rate written in the wrong place.
LOWEST_PLAUSIBLE_KEEP_PROB = 0.1

# What a docstring or comment says about a value, phrase by phrase.
KEEP_TEXT = re.compile(
    r"keep(?:ing)?[\s_-]*(?:prob|rate|ratio|fraction)|(?:prob\w*|chance|fraction)\s+(?:of|to|for)\s+"
    r"(?:keep|retain)|retain(?:ing|ed)?[\s_-]*(?:prob|rate|ratio)",
    re.IGNORECASE,
)
DROP_TEXT = re.compile(
    r"drop(?:out|ping)?[\s_-]*(?:prob|rate|ratio)|(?:prob\w*|chance|fraction)\s+(?:of|to|for)\s+"
    r"(?:drop|zero)|\bdropout\b|zeroe?d",
    re.IGNORECASE,
)


class KeepProbAsRate(FileRule):
    code = "DL202"
    name = "keep-prob-as-rate"
    severity = "warning"
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Warning: keep or drop is read from names, docstrings and comments, which a "
            "reasonable author may use differently."
        ),
        what=(
            "Checks for a keep probability passed where a drop rate is expected (or a drop\n"
            "rate passed as `keep_prob=`), by the value's name, docstring or comment, and\n"
            "for literal drop rates of 0.9 or more."
        ),
        why=(
            "TensorFlow 1 parameterised dropout by the probability of keeping a unit\n"
            "(`keep_prob`); PyTorch, Keras and TensorFlow 2 take the probability of dropping\n"
            "it (`p`, `rate`). Code ported between them often passes `keep_prob=0.9` as\n"
            "`rate`, and trains with 90% dropout where 10% was meant: the network barely\n"
            "learns, and nothing fails loudly. Srivastava et al. report useful retention\n"
            "probabilities of 0.5 to 0.8 for hidden units (0.8+ for inputs), that is, drop\n"
            "rates of 0.2 to 0.5: a drop rate of 0.9 is a keep probability in disguise."
        ),
        example="self.drop = nn.Dropout(p=keep_prob)",
        use_instead="self.drop = nn.Dropout(p=1 - keep_prob)",
        fix_safety="No fix: which of the two numbers the author meant cannot be known from the code.",
        options=(
            "None. A value is taken for a keep probability when its name has the word `keep`\n"
            "or `retain` (`keep_prob`, `keep_rate`, `self.keep`), or when the docstring of\n"
            "the function or class that takes it, or a comment on its assignment, calls it\n"
            "the probability of keeping a unit; `1 - keep_prob` and other arithmetic are\n"
            "left alone. Literal rates are not judged in test files (`test_*.py`,\n"
            "`*_test.py`, `conftest.py`, files under `tests/`), which pick extreme rates on\n"
            "purpose."
        ),
        references=(
            "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from Overfitting, JMLR 15.",
            "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html",
            "https://www.tensorflow.org/api_docs/python/tf/nn/dropout",
            "https://www.tensorflow.org/api_docs/python/tf/compat/v1/nn/dropout",
        ),
    )
    valid = (
        Example("import torch.nn as nn\n\n\ndef block(keep_prob):\n    return nn.Dropout(p=1 - keep_prob)\n"),
        Example("import torch.nn as nn\n\n\ndef block(p):\n    return nn.Dropout(p)\n"),
        Example("import torch.nn as nn\ndrop = nn.Dropout(0.5)\n"),
        Example(
            "import tensorflow.compat.v1 as tf\n\n\ndef f(x, keep_prob):\n"
            "    return tf.nn.dropout(x, keep_prob=keep_prob)\n",
            framework="keras",
        ),
        Example(
            "from keras import layers\n\n\ndef block(rate):\n"
            '    """rate: fraction of the input units to drop (not 1 - keep probability)."""\n'
            "    return layers.Dropout(rate)\n",
            framework="keras",
        ),
    )
    invalid = (
        Example("import torch.nn as nn\n\n\ndef block(keep_prob):\n    return nn.Dropout(p=keep_prob)  # DL202\n"),
        Example(
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
            "    def forward(self, x, p):\n"
            '        """Args:\n            p: probability of keeping each unit.\n        """\n'
            "        return F.dropout(x, p, training=self.training)  # DL202\n"
        ),
        Example("import torch.nn as nn\ndrop = nn.Dropout(0.9)  # DL202\n"),
        Example(
            "from keras import layers\n\nP = 0.8  # keep probability, from the TF1 paper code\n"
            "drop = layers.Dropout(P)  # DL202\n",
            framework="keras",
        ),
        Example(
            "import tensorflow as tf\n\n\ndef f(x, dropout_rate):\n"
            "    return tf.compat.v1.nn.dropout(x, keep_prob=dropout_rate)  # DL202\n",
            framework="keras",
        ),
        Example(
            "import keras\n\n\nclass Block(keras.layers.Layer):\n    def __init__(self, keep=0.9):\n"
            "        super().__init__()\n        self.keep = keep\n\n    def call(self, x, training=None):\n"
            "        if training:\n            x = keras.random.dropout(x, self.keep)  # DL202\n        return x\n",
            framework="keras",
        ),
    )

    def check_file(self, ctx):
        notes = _Notes(ctx)
        # Tests pick extreme rates on purpose, to make dropout's effect visible.
        judge_literals = not is_test_code(ctx)
        for found in rate_arguments(ctx):
            value = literal_number(found.value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                message = self._literal(ctx, found, value) if judge_literals else None
            else:
                message = self._named(ctx, found, notes)
            if message:
                yield ctx.diagnostic(self, found.value, message)

    def _literal(self, ctx, found, value) -> str | None:
        op = ctx.code(found.call.node.func)
        if found.meaning == RATE and HIGHEST_PLAUSIBLE_RATE <= value < 1:
            return (
                f"{op}({found.keyword}={ctx.code(found.value)}) drops {value:.0%} of units, a rate that only "
                f"makes sense as a keep probability in the wrong place; pass {found.keyword}={_complement(value)} "
                f"if {value:.0%} of units should be kept."
            )
        if found.meaning == KEEP_PROB and 0 < value <= LOWEST_PLAUSIBLE_KEEP_PROB:
            return (
                f"{op}({found.keyword}={ctx.code(found.value)}) keeps only {value:.0%} of units, which only "
                f"makes sense as a drop rate in the wrong place; pass {found.keyword}={_complement(value)} "
                f"if {value:.0%} of units should be dropped."
            )
        return None

    def _named(self, ctx, found, notes) -> str | None:
        if not isinstance(found.value, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
            return None  # `1 - keep_prob` and other arithmetic: the author converted it
        text = ctx.code(found.value)
        op = ctx.code(found.call.node.func)
        wrong = KEEP_PROB if found.meaning == RATE else RATE
        source = notes.says(found, wrong)
        if source is None:
            return None
        if found.meaning == RATE:
            return (
                f"{op}({found.keyword}={text}) passes a keep probability ({source}) as the drop rate, so it "
                f"drops the fraction it meant to keep; pass {found.keyword}=1 - {text}."
            )
        return (
            f"{op}({found.keyword}={text}) passes a drop rate ({source}) as the keep probability, so it "
            f"keeps the fraction it meant to drop; pass {found.keyword}=1 - {text} (or rate={text} in TF2)."
        )


def _complement(value: float) -> str:
    return f"{round(1 - value, 6):g}"


def _name_of(expr: cst.BaseExpression) -> str | None:
    """The identifier a value is known by: `keep_prob`, `self.keep` -> keep, `cfg["keep"]`."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript):
        return string_index(expr)
    if isinstance(expr, cst.Call) and dotted(expr.func) and dotted(expr.func).endswith(".get") and expr.args:
        return string(expr.args[0].value)
    return None


def _says(text: str, meaning: str) -> bool:
    """A docstring line or comment that calls a value a keep probability (or a drop rate), not both."""
    # Any mention of the other meaning makes the text ambiguous ("1 - keep probability").
    if meaning == KEEP_PROB:
        return bool(KEEP_TEXT.search(text)) and not re.search(r"drop|zero", text, re.IGNORECASE)
    return bool(DROP_TEXT.search(text)) and not re.search(r"keep|kept|retain", text, re.IGNORECASE)


class _Notes:
    """What names, docstrings and comments in one file say a value is."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._comments: dict[str, list[str]] = {}
        # Docstrings and comments can only describe a meaning if the file's text has its
        # words: most files never get past this, and never pay for positions.
        self._mentions = {
            KEEP_PROB: re.search(r"keep|retain", ctx.text, re.IGNORECASE) is not None,
            RATE: re.search(r"drop|zero", ctx.text, re.IGNORECASE) is not None,
        }
        self._commented = {
            KEEP_PROB: re.search(r"#[^\n]*(keep|retain)", ctx.text, re.IGNORECASE) is not None,
            RATE: re.search(r"#[^\n]*(drop|zero)", ctx.text, re.IGNORECASE) is not None,
        }

    def says(self, found, meaning: str) -> str | None:
        """Where the value is described as `meaning` ("its name", "its docstring", ...), or None."""
        name = _name_of(found.value)
        if name is None:
            return None
        if name_says(name) == meaning:
            return f"its name says so: {name}"
        if not self._mentions[meaning] or not isinstance(found.value, (cst.Name, cst.Attribute)):
            return None
        return self._documented(found, name, meaning)

    def _documented(self, found, name: str, meaning: str) -> str | None:
        site = found.call
        attribute = isinstance(found.value, cst.Attribute)
        if attribute and dotted(found.value) != f"self.{name}":
            return None  # `config.p`: documented elsewhere, if anywhere
        functions = [f for f in (site.function, site.method) if f is not None]
        constructor = site.method is not None and site.method.name.value == "__init__"
        if constructor and not attribute and _documents(site.cls.node.get_docstring(), name, meaning):
            return f"the docstring of {site.cls.name} says so"  # constructor arguments, documented on the class
        if attribute and site.cls is not None:
            functions = [site.cls.methods.get("__init__")] if "__init__" in site.cls.methods else []
            if _documents(site.cls.node.get_docstring(), name, meaning):
                return f"the docstring of {site.cls.name} says so"
        for function in functions:
            if function is not None and _documents(function.get_docstring(), name, meaning):
                return f"the docstring of {function.name.value} says so"
        op = self.ctx.code(site.node.func)
        for code in self._commented_code(meaning):
            if re.search(rf"(?<![\w.]){re.escape(dotted(found.value))}\s*(?::[^=\n]+)?=(?!=)", code):
                return "a comment on its assignment says so"
            if re.search(rf"\b{re.escape(name)}\b", code) and f"{op}(" in code:
                return "a comment on the call says so"
        return None

    def _commented_code(self, meaning: str) -> list[str]:
        """Code lines that a comment describes as `meaning`: the comment's own line, or
        the next one when the comment stands alone. Read from the text, by line."""
        if meaning not in self._comments:
            found = []
            if self._commented[meaning]:
                lines = self.ctx.text.splitlines()
                for index, line in enumerate(lines):
                    code, comment = _split_comment(line)
                    if comment is None or not _says(comment, meaning):
                        continue
                    if code.strip():
                        found.append(code)
                    elif index + 1 < len(lines):
                        found.append(_split_comment(lines[index + 1])[0])
            self._comments[meaning] = found
        return self._comments[meaning]


def _split_comment(line: str) -> tuple[str, str | None]:
    """(code, comment) of one line; a `#` inside a string literal is not a comment."""
    if "#" not in line:
        return line, None
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[:index], line[index:]
    return line, None


def _documents(docstring: str | None, name: str, meaning: str) -> bool:
    """The docstring's entry for `name` (Google or NumPy style) says `meaning`."""
    if not docstring:
        return False
    lines = docstring.splitlines()
    entry = re.compile(rf"^\s*\**{re.escape(name)}\b(?!\.)")
    for index, line in enumerate(lines):
        if entry.match(line):
            text = " ".join(lines[index : index + 2])
            if _says(text, meaning):
                return True
    return False
