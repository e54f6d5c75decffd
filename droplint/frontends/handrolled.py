"""Hand-rolled dropout: random masks built and applied by hand, read from one file.

A hand-rolled dropout has three parts, and DL401–DL406 judge how they fit together:

- the mask: a uniform draw compared with a probability (`rng.random(x.shape) < keep`,
  `torch.rand_like(x) > p`), a Bernoulli draw (`np.random.binomial(1, keep, size)`,
  `torch.bernoulli(torch.full_like(x, keep))`), or, wrongly, a normal draw (`randn`);
- its applications: products that multiply a tensor by it (`x * mask`, `x *= mask`,
  `torch.where(mask, x, 0)`), with the probabilities they multiply or divide by (the
  training scale, `x * mask / keep`);
- the training / inference branch around them (`if training:`, `if self.training`,
  `if not training: return x`), and what the inference side does (`x`, or `x * keep`:
  compensation, as classic dropout does).

Probabilities are compared by meaning, not spelling: `keep = 1 - p` makes `keep` and
`1 - p` the same probability. Which name is the drop and which the keep probability
comes from docstrings and comments, then names, then how the code uses it.

Anything this module does not understand gives no finding: a linter that guesses
cries wolf. Only the forms above are recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import libcst as cst

from droplint import reference, walk
from droplint.context import FileContext
from droplint.facts.classes import is_keras_layer, is_torch_module
from droplint.facts.rates import KEEP_PROB, KEEP_WORD_STEMS, RATE, WEAK_KEEP_WORD_STEMS, name_says
from droplint.frontends.training_branches import (
    INFERENCE_FLAGS,
    TRAINING_FLAGS,
    Statement,
    Walker,
    ends_in_return,
    polarity_of,
    smalls,
)
from droplint.syntax import argument_value, dotted, literal_number

# Random draws, by qualified name (resolved through the file's imports).
UNIFORM_DRAWS = {
    "numpy.random.rand",
    "numpy.random.random",
    "numpy.random.random_sample",
    "numpy.random.sample",
    "numpy.random.uniform",
    "torch.rand",
    "torch.rand_like",
    "tensorflow.random.uniform",
    "tensorflow.random_uniform",
    "tensorflow.compat.v1.random_uniform",
    "tensorflow.compat.v1.random.uniform",
    "keras.random.uniform",
    "jax.random.uniform",
}
NORMAL_DRAWS = {
    "numpy.random.randn",
    "numpy.random.normal",
    "numpy.random.standard_normal",
    "torch.randn",
    "torch.randn_like",
    "torch.normal",
    "tensorflow.random.normal",
    "tensorflow.random_normal",
    "tensorflow.compat.v1.random_normal",
    "keras.random.normal",
    "jax.random.normal",
}
# Methods of a numpy Generator (`rng = np.random.default_rng(seed)`) and in-place
# tensor fills (`torch.empty_like(x).uniform_()`), on a receiver that is a local value.
UNIFORM_METHODS = {"random", "uniform", "uniform_"}
NORMAL_METHODS = {"standard_normal", "normal", "normal_"}
BINOMIALS = {"numpy.random.binomial"}
BERNOULLIS = {"torch.bernoulli", "jax.random.bernoulli"}
# Tensors filled with one probability, as passed to torch.bernoulli.
FILLS = {"torch.full": 1, "torch.full_like": 1}
FILL_METHODS = {"new_full": 1}
ONES = {"torch.ones_like", "torch.ones", "numpy.ones_like", "numpy.ones"}

# Operations that keep a mask a mask: casts, broadcasting and reshapes.
CAST_METHODS = {
    "float", "double", "half", "bfloat16", "to", "type", "type_as", "astype", "bool",
    "int", "long", "unsqueeze", "expand", "expand_as", "repeat", "reshape", "view",
    "view_as", "detach",
}
CAST_FUNCTIONS = {
    "tensorflow.cast", "keras.ops.cast", "numpy.asarray", "numpy.array", "numpy.broadcast_to",
    "torch.broadcast_to", "tensorflow.broadcast_to", "keras.ops.broadcast_to",
    "jax.numpy.broadcast_to", "tensorflow.dtypes.cast",
}
FLOORS = {"torch.floor", "numpy.floor", "tensorflow.floor", "tensorflow.math.floor", "keras.ops.floor"}
WHERES = {"numpy.where", "torch.where", "tensorflow.where", "keras.ops.where", "jax.numpy.where"}
ZEROS = {"numpy.zeros_like", "torch.zeros_like", "tensorflow.zeros_like", "keras.ops.zeros_like",
         "jax.numpy.zeros_like"}
MULTIPLIES = {"numpy.multiply", "torch.mul", "torch.multiply", "tensorflow.multiply",
              "tensorflow.math.multiply", "keras.ops.multiply"}
MUL_METHODS = {"mul", "multiply"}
DIV_METHODS = {"div", "divide", "true_divide"}

BRANCH_METHODS = {"forward", "call", "__call__"}
# Functions that pick between a training and an inference value (`K.in_train_phase(
# dropped, x, training)`): a mask passed through one of them is gated, the other side unknown.
TRAINING_SWITCHES = ("in_train_phase", "in_test_phase", "smart_cond", "cond")

_KEEP_WORDS = KEEP_WORD_STEMS + WEAK_KEEP_WORD_STEMS  # in docstrings and comments, as in names
_DOC_DROP_WORDS = ("drop", "zero")
_COMMENT = re.compile(r"#[^\n]*")
_DRAW_HINT = re.compile(r"rand|binomial|bernoulli|uniform|normal|random")


@dataclass(frozen=True)
class Prob:
    """A probability: a name (`p`, `self.keep_prob`) or a number, possibly `1 - it`."""

    base: str | None
    value: float | None = None
    complement: bool = False

    def flip(self) -> Prob:
        if self.value is not None:
            return Prob(None, 1.0 - self.value)
        return Prob(self.base, None, not self.complement)

    def same(self, other: Prob | None) -> bool:
        if other is None:
            return False
        if self.value is not None or other.value is not None:
            return (
                self.value is not None
                and other.value is not None
                and abs(self.value - other.value) < 1e-9
            )
        return self.base == other.base and self.complement == other.complement


@dataclass
class Factor:
    node: cst.BaseExpression
    power: int  # +1 multiplies, -1 divides


@dataclass
class Mask:
    """Where a mask is made, and what it keeps."""

    node: cst.BaseExpression  # the comparison or Bernoulli call
    draw: cst.Call | None  # the random draw
    # "uniform" | "normal" | "bernoulli", or "continuous": `keep + rand(s)` never floored,
    # noise in [keep, keep + 1) rather than a 0/1 mask.
    kind: str
    keep: Prob  # the probability it keeps a unit with, as written
    keep_node: cst.BaseExpression  # that probability's expression
    comparison: cst.Comparison | None = None
    scale: list = field(default_factory=list)  # Factors folded into the mask itself


@dataclass
class Application:
    """A product that applies a mask: `value` is the whole product expression."""

    value: cst.BaseExpression
    statement: cst.BaseSmallStatement
    mask: Mask
    mask_factor: cst.BaseExpression
    input: cst.BaseExpression
    scale: list  # (Factor, Prob) of the probabilities it multiplies or divides by
    augmented: bool = False  # `x *= mask`: value is the right-hand side


@dataclass
class Inference:
    """What the inference side of the branch does with the input."""

    kind: str  # "none" (no branch) | "identity" | "compensation" | "unknown"
    node: cst.BaseExpression | None = None  # the inference expression
    input: cst.BaseExpression | None = None
    factors: list = field(default_factory=list)  # (Factor, Prob) for compensation


@dataclass
class HandrolledDropout:
    function: cst.FunctionDef
    label: str  # "dropout()" or "Net.forward()"
    application: Application
    applications: list
    mask: Mask
    keeps_with_drop: bool  # the mask keeps units with the drop probability
    intended_keep: Prob  # the keep probability the code means
    gated: bool  # inside a training branch
    branch_expected: bool  # a training flag is at hand (a model method, a `training` argument)
    inference: Inference
    aliases: dict  # local name -> Prob, for rendering in the user's names
    scale: list  # (Factor, Prob): the training scale, in the mask or the product

    def scale_is_inverted(self) -> bool:
        """The training side divides by exactly the keep probability."""
        factors = [(f, p) for f, p in self.scale if not _is_one(p)]
        if len(factors) == 1:
            factor, prob = factors[0]
            return factor.power == -1 and prob.same(self.intended_keep)
        if factors and self.intended_keep.value is not None and all(p.value is not None for _, p in factors):
            product = 1.0
            for factor, prob in factors:
                product *= prob.value ** factor.power
            return abs(product * self.intended_keep.value - 1.0) < 1e-6
        return False

    def compensates_with_keep(self) -> bool:
        factors = [(f, p) for f, p in self.inference.factors if not _is_one(p)]
        return len(factors) == 1 and factors[0][0].power == 1 and factors[0][1].same(self.intended_keep)

    # -- rendering in the user's names -------------------------------------------
    def keep_text(self, divisor: bool = False) -> str:
        return render(self.intended_keep, self.aliases, divisor)

    def drop_text(self) -> str:
        return render(self.intended_keep.flip(), self.aliases, False)

    def inverted_form(self, module: cst.Module) -> str:
        app = self.application
        x = _one_line(module.code_for_node(app.input))
        mask = _one_line(module.code_for_node(app.mask_factor))
        if not isinstance(app.mask_factor, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and not app.mask_factor.lpar:
            mask = f"({mask})"
        return reference.form(x, mask, self.keep_text(divisor=True))


def render(prob: Prob, aliases: dict, divisor: bool) -> str:
    for name, value in aliases.items():
        if value.same(prob) and name != prob.base:
            return name
    if prob.value is not None:
        return _number(prob.value)
    if prob.complement:
        text = f"1 - {prob.base}"
        return f"({text})" if divisor else text
    return prob.base


def snippet(ctx: FileContext, node: cst.CSTNode, limit: int = 60) -> str:
    """A node's code on one line, shortened for a message."""
    text = _one_line(ctx.code(node))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(value: float) -> str:
    return repr(round(value, 10))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _is_one(prob: Prob | None) -> bool:
    return prob is not None and prob.value is not None and abs(prob.value - 1.0) < 1e-12




def find(ctx: FileContext) -> list[HandrolledDropout]:
    """Every hand-rolled dropout in a file, analysed once and shared by DL401–DL406."""
    found = ctx.shared.get("handrolled")
    if found is None:
        found = []
        if _DRAW_HINT.search(ctx.text):
            try:
                found = _Analysis(ctx).run()
            except RecursionError:
                found = []
        ctx.shared["handrolled"] = found
    return found


def masks(ctx: FileContext) -> list[HandrolledDropout]:
    """The hand-rolled dropouts with a 0/1 mask: continuous noise is DL402's alone (its
    scale and inference side mean nothing until the mask is one)."""
    return [d for d in find(ctx) if d.mask.kind != "continuous"]


class _Analysis:
    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.owner = {}
        for info in ctx.classes:
            for method in info.methods.values():
                self.owner[method] = info
        self.draws = self._draw_calls()

    def run(self) -> list[HandrolledDropout]:
        functions = []
        for site in self.ctx.calls:
            if site.node in self.draws and site.function is not None and site.function not in functions:
                functions.append(site.function)
        found = []
        for function in functions:
            found.extend(_FunctionAnalysis(self, function).run())
        return found

    # -- what a call is -----------------------------------------------------------
    def _draw_calls(self) -> dict:
        draws = {}
        for site in self.ctx.calls:
            kind = self.draw_kind(site.node, site.qualname)
            if kind is not None:
                draws[site.node] = kind
        return draws

    def draw_kind(self, call: cst.Call, qualname: str | None = None) -> str | None:
        """"uniform", "normal" or "bernoulli" for a draw of a tensor of random numbers.

        A scalar draw (`np.random.random() < 0.5`, `torch.rand([]) < layerdrop`) decides
        one thing at random, such as a flip or skipping a layer: it is not a mask.
        """
        qualname = qualname if qualname is not None else self.ctx.qualify(call.func)
        kind = self._kind(call, qualname)
        if kind is None or _is_scalar_draw(call, qualname):
            return None
        return kind

    def _kind(self, call: cst.Call, qualname: str | None) -> str | None:
        if qualname in UNIFORM_DRAWS:
            return "uniform" if _unit_interval(call, qualname) else None
        if qualname in NORMAL_DRAWS:
            return "normal"
        if qualname in BINOMIALS or qualname in BERNOULLIS:
            return "bernoulli"
        if qualname is None and isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            receiver = call.func.value
            if self.ctx.qualify(receiver) is not None and not isinstance(receiver, cst.Call):
                return None  # an imported module's function, not a Generator's method
            if method in UNIFORM_METHODS:
                return "uniform" if _unit_interval(call, None) else None
            if method in NORMAL_METHODS:
                return "normal"
            if method in ("binomial", "bernoulli_"):
                return "bernoulli"
        return None

# Where a draw's shape argument sits, when it is not the first positional argument.
_SIZE_INDEX = {
    "numpy.random.uniform": 2, "numpy.random.normal": 2, "numpy.random.binomial": 2,
    "uniform": 2, "normal": 2, "binomial": 2,
    "jax.random.uniform": 1, "jax.random.normal": 1, "jax.random.bernoulli": 2,
}
_SHAPED_BY_INPUT = {"torch.rand_like", "torch.randn_like", "torch.bernoulli", "uniform_", "normal_", "bernoulli_"}


def _is_scalar_draw(call: cst.Call, qualname: str | None) -> bool:
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
    key = qualname if qualname is not None else method
    if key in _SHAPED_BY_INPUT:
        return False
    if any(arg.star for arg in call.args):
        return False  # `rand(*x.shape)`
    size = None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("size", "shape"):
            size = arg.value
    if size is None:
        positional = [a.value for a in call.args if a.keyword is None]
        index = _SIZE_INDEX.get(key, 0)
        size = positional[index] if len(positional) > index else None
    if size is None:
        return True
    return isinstance(size, (cst.Tuple, cst.List)) and not size.elements


def _unit_interval(call: cst.Call, qualname: str | None) -> bool:
    """A uniform draw over [0, 1): no bounds given, or bounds 0 and 1."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
    if qualname in ("numpy.random.uniform",) or (qualname is None and method == "uniform"):
        # uniform(low=0.0, high=1.0, size=None)
        low = keywords.get("low", positional[0] if len(positional) > 0 else None)
        high = keywords.get("high", positional[1] if len(positional) > 1 else None)
    elif qualname is None and method == "uniform_":
        low = keywords.get("from", positional[0] if len(positional) > 0 else None)
        high = keywords.get("to", positional[1] if len(positional) > 1 else None)
    elif qualname is not None and qualname.startswith(("tensorflow", "keras")):
        # uniform(shape, minval=0, maxval=None or 1.0, ...)
        low = keywords.get("minval", positional[1] if len(positional) > 1 else None)
        high = keywords.get("maxval", positional[2] if len(positional) > 2 else None)
    elif qualname == "jax.random.uniform":
        low = keywords.get("minval", positional[3] if len(positional) > 3 else None)
        high = keywords.get("maxval", positional[4] if len(positional) > 4 else None)
    else:
        return True
    return _is_number(low, 0) and _is_number(high, 1)


def _is_number(node, default: float) -> bool:
    if node is None:
        return True
    value = literal_number(node)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == default


class _Probabilities:
    """What probability an expression of one function stands for (`p`, `1 - p`, `0.5`,
    a local alias), and whether a name means the drop rate or the keep probability, as
    its spelling, its local aliases or the docstrings and comments around it say."""

    def __init__(self, ctx: FileContext, function: cst.FunctionDef, cls, assigned: dict):
        self.ctx = ctx
        self.function = function
        self.cls = cls
        self.assigned = assigned  # name -> [(Statement, value)], the function's own
        self._doc_text = None

    def prob(self, node, depth: int = 0) -> Prob | None:
        value = literal_number(node)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Prob(None, float(value))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Subtract):
            if literal_number(node.left) in (1, 1.0) and not isinstance(literal_number(node.left), bool):
                inner = self.prob(node.right, depth)
                return inner.flip() if inner is not None else None
            return None
        name = dotted(node)
        if name is None or name in ("True", "False", "None"):
            return None
        if depth < 4:
            values = self.assigned.get(name, [])
            if len(values) == 1:
                resolved = self.prob(values[0][1], depth + 1)
                if resolved is not None:
                    return resolved
        return Prob(name)

    def aliases(self, at: Statement) -> dict:
        """Names for probabilities (`keep = 1 - p`) visible where a mask is applied."""
        found = {}
        for name, values in self.assigned.items():
            if len(values) != 1 or not isinstance(values[0][1], cst.BinaryOperation):
                continue
            statement, value = values[0]
            visible = statement.order < at.order and at.frames[: len(statement.frames)] == statement.frames
            prob = self.prob(value)
            if visible and prob is not None and prob.value is None and prob.base != name:
                found[name] = prob
        return found

    def doc_text(self) -> str:
        """Docstrings and comments that may say what a probability name means."""
        if self._doc_text is None:
            parts = [self.function.get_docstring() or ""]
            if self.cls is not None:
                parts.append(self.cls.node.get_docstring() or "")
                init = self.cls.methods.get("__init__")
                if init is not None:
                    parts.extend(_COMMENT.findall(self.ctx.code(init)))
            parts.extend(_COMMENT.findall(self.ctx.code(self.function)))
            for statement in self.ctx.module.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    comment = statement.trailing_whitespace.comment
                    if comment is not None:
                        parts.append(self.ctx.code(statement))
            self._doc_text = "\n".join(parts)
        return self._doc_text

    def role(self, base: str | None) -> tuple[str | None, bool]:
        """("drop" | "keep" | None, strong) for a probability name."""
        if base is None:
            return None, False
        short = base.rsplit(".", 1)[-1]
        documented = self._documented_role(short)
        if documented:
            return documented, True
        lowered = short.lower()
        said = name_says(short, weak=True)
        if said is not None:
            return ("keep" if said == KEEP_PROB else "drop"), True
        # A local name for it, or for its complement: `keep_prob = 1 - p`, `drop_prob = p`.
        for name, values in self.assigned.items():
            if len(values) == 1 and name != base:
                prob = self.prob(values[0][1])
                if prob is None or prob.base != base:
                    continue
                said = name_says(name.rsplit(".", 1)[-1], weak=True)
                if said == KEEP_PROB:
                    return ("drop" if prob.complement else "keep"), True
                if said == RATE:
                    return ("keep" if prob.complement else "drop"), True
        if lowered in ("p", "prob", "probability"):
            return "drop", False  # the convention of nn.Dropout(p) and F.dropout(p)
        return None, False

    def _documented_role(self, short: str) -> str | None:
        pattern = re.compile(rf"(?<![\w.]){re.escape(short)}\b([^\n]*)")
        for match in pattern.finditer(self.doc_text()):
            rest = match.group(1).lower()
            positions = []
            for role, words in (("keep", _KEEP_WORDS), ("drop", _DOC_DROP_WORDS)):
                for word in words:
                    index = rest.find(word)
                    if index >= 0:
                        positions.append((index, role))
            if positions:
                return min(positions)[1]
        return None


class _FunctionAnalysis:
    def __init__(self, analysis: _Analysis, function: cst.FunctionDef):
        self.analysis = analysis
        self.ctx = analysis.ctx
        self.function = function
        walker = Walker()
        walker.walk(function.body.body)
        self.statements = walker.statements
        self.assigned: dict[str, list] = {}  # name -> [(Statement, value)]
        for statement in self.statements:
            node = statement.node
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                name = dotted(node.targets[0].target)
                if name:
                    self.assigned.setdefault(name, []).append((statement, node.value))
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                name = dotted(node.target)
                if name:
                    self.assigned.setdefault(name, []).append((statement, node.value))
        self.masks: dict[str, tuple[Statement, Mask]] = {}
        self.draw_names: dict[str, tuple] = {}  # name -> (draw call, kind), while find_masks runs
        self.cls = analysis.owner.get(function)
        self.probs = _Probabilities(self.ctx, function, self.cls, self.assigned)

    # -- masks ------------------------------------------------------------------------
    def mask_source(self, node, depth: int = 0) -> Mask | None:
        """The mask an expression makes, unwrapping casts and a folded-in scale."""
        if depth > 6:
            return None
        if isinstance(node, cst.Call):
            inner = self._cast_operand(node)
            if inner is not None:
                return self.mask_source(inner, depth + 1)
            floored = self._floor_operand(node)
            if floored is not None:
                return self.floor_mask(floored)
            return self._bernoulli(node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            inner = self.mask_source(node.left, depth + 1)
            if inner is not None and self.probs.prob(node.right) is not None:
                return Mask(
                    inner.node, inner.draw, inner.kind, inner.keep, inner.keep_node, inner.comparison,
                    inner.scale + [Factor(node.right, -1)],
                )
            return None
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._comparison(node)
        return None

    def _floor_operand(self, call: cst.Call):
        """`x` of `torch.floor(x)`, `np.floor(x)`, `tf.floor(x)` or `x.floor()`."""
        if (
            isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "floor"
            and not call.args
            and self.ctx.qualify(call.func) is None
        ):
            return call.func.value
        if self.ctx.qualify(call.func) in FLOORS and len(call.args) == 1 and call.args[0].keyword is None:
            return call.args[0].value
        return None

    def floor_mask(self, node) -> Mask | None:
        """The floor trick: `floor(q + u)` with `u` uniform in [0, 1) is 1 with probability q."""
        name = dotted(node)
        if name is not None and name in self.masks and self.masks[name][1].kind == "continuous":
            return replace(self.masks[name][1], kind="uniform")  # `torch.floor(noise)`
        if not (isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)):
            return None
        for draw_side, other in ((node.left, node.right), (node.right, node.left)):
            draw = self._draw(draw_side)
            if draw is not None and draw[1] == "uniform":
                prob = self.probs.prob(other)
                if prob is not None:
                    return Mask(node, draw[0], "uniform", prob, other)
        return None

    def _cast_operand(self, call: cst.Call):
        if (
            isinstance(call.func, cst.Attribute)
            and call.func.attr.value in CAST_METHODS
            and self.ctx.qualify(call.func) is None
        ):
            return call.func.value
        qualname = self.ctx.qualify(call.func)
        if qualname in CAST_FUNCTIONS and call.args and call.args[0].keyword is None:
            return call.args[0].value
        return None

    def _comparison(self, node: cst.Comparison) -> Mask | None:
        target = node.comparisons[0]
        operator = target.operator
        if not isinstance(operator, (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)):
            return None
        left_draw = self._draw(node.left)
        right_draw = self._draw(target.comparator)
        if (left_draw is None) == (right_draw is None):
            return None
        draw, other = (left_draw, target.comparator) if left_draw is not None else (right_draw, node.left)
        call, kind = draw
        if kind == "bernoulli":
            return None
        prob = self.probs.prob(other)
        if prob is None:
            return None
        below = isinstance(operator, (cst.LessThan, cst.LessThanEqual))
        # draw < q keeps with q; q < draw keeps with 1 - q.
        keeps_below = below if left_draw is not None else not below
        keep = prob if keeps_below else prob.flip()
        return Mask(node, call, kind, keep, other, comparison=node)

    def _draw(self, node):
        inner = node
        for _ in range(4):
            name = dotted(inner)
            if name is not None and name in self.draw_names:
                return self.draw_names[name]
            if name is not None and len(self.assigned.get(name, [])) == 1:
                inner = self.assigned[name][0][1]  # `noise = torch.rand(...)`, compared later
                continue
            if isinstance(inner, cst.Call) and inner in self.analysis.draws:
                return inner, self.analysis.draws[inner]
            if isinstance(inner, cst.Call):
                unwrapped = self._cast_operand(inner)
                if unwrapped is None:
                    return None
                inner = unwrapped
                continue
            return None
        return None

    def _bernoulli(self, call: cst.Call) -> Mask | None:
        if self.analysis.draws.get(call) != "bernoulli":
            return None
        qualname = self.ctx.qualify(call.func)
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
        if qualname in BINOMIALS or (qualname is None and method == "binomial"):
            n = argument_value(call, "n", 0)
            p = argument_value(call, "p", 1)
            if n is None or p is None or literal_number(n) != 1:
                return None
            prob = self.probs.prob(p)
            return Mask(call, call, "bernoulli", prob, p) if prob is not None else None
        if qualname is None and method == "bernoulli_":
            p = argument_value(call, "p", 0)
            prob = self.probs.prob(p) if p is not None else None
            return Mask(call, call, "bernoulli", prob, p) if prob is not None else None
        if qualname == "jax.random.bernoulli":
            p = argument_value(call, "p", 1)
            prob = self.probs.prob(p) if p is not None else None
            return Mask(call, call, "bernoulli", prob, p) if prob is not None else None
        if qualname == "torch.bernoulli":
            p = argument_value(call, "p", 1)
            if p is not None:
                prob = self.probs.prob(p)
                return Mask(call, call, "bernoulli", prob, p) if prob is not None else None
            source = argument_value(call, "input", 0)
            p = self._fill_value(source)
            prob = self.probs.prob(p) if p is not None else None
            return Mask(call, call, "bernoulli", prob, p) if prob is not None else None
        return None

    def _fill_value(self, node):
        """`q` of `torch.full_like(x, q)`, `x.new_full(s, q)`, `torch.ones_like(x) * q`."""
        name = dotted(node) if node is not None else None
        if name and len(self.assigned.get(name, [])) == 1:
            node = self.assigned[name][0][1]
        if isinstance(node, cst.Call):
            qualname = self.ctx.qualify(node.func)
            if qualname in FILLS:
                return argument_value(node, "fill_value", FILLS[qualname])
            if qualname is None and isinstance(node.func, cst.Attribute) and node.func.attr.value in FILL_METHODS:
                return argument_value(node, "fill_value", FILL_METHODS[node.func.attr.value])
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
            for ones, value in ((node.left, node.right), (node.right, node.left)):
                if isinstance(ones, cst.Call) and self.ctx.qualify(ones.func) in ONES:
                    return value
        return None

    def find_masks(self) -> None:
        """Names assigned a mask, and later casts, reshapes and scalings of them."""
        for statement in self.statements:
            node = statement.node
            target = value = None
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                target, value = dotted(node.targets[0].target), node.value
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                target, value = dotted(node.target), node.value
            if target is not None:
                mask = self.mask_source(value)
                draw = self._draw(value)
                # `u = torch.rand(s)`, then `u = torch.floor(u + keep)`: the name holds
                # the draw until it is assigned again.
                if draw is not None:
                    self.draw_names[target] = draw
                else:
                    self.draw_names.pop(target, None)
                if mask is not None:
                    self.masks[target] = (statement, mask)
                    continue
                derived = self._derived(value)
                noise = self.floor_mask(value) if derived is None else None
                if derived is not None:
                    self.masks[target] = (statement, derived)
                elif noise is not None:
                    # `keep + rand(s)` is the floor trick's operand: a 0/1 mask once floored
                    # (`noise.floor_()` below turns it into one), continuous noise if never.
                    self.masks[target] = (statement, replace(noise, kind="continuous"))
                elif target in self.masks:
                    del self.masks[target]  # reassigned to something else
                continue
            # The floor trick in place: `noise = keep + torch.rand(s)`, then `noise.floor_()`.
            if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
                call = node.value
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == "floor_" and not call.args:
                    name = dotted(call.func.value)
                    values = self.assigned.get(name or "", [])
                    mask = self.floor_mask(values[0][1]) if len(values) == 1 else None
                    if mask is not None:
                        self.masks[name] = (statement, mask)
                        continue
            # In-place scaling of a mask: `mask /= keep`, `mask.div_(keep)`.
            if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.DivideAssign):
                name = dotted(node.target)
                if name in self.masks and self.probs.prob(node.value) is not None:
                    self.masks[name][1].scale.append(Factor(node.value, -1))
            if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
                call = node.value
                if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("div_", "mul_"):
                    name = dotted(call.func.value)
                    if name in self.masks and len(call.args) == 1 and self.probs.prob(call.args[0].value) is not None:
                        power = -1 if call.func.attr.value == "div_" else 1
                        self.masks[name][1].scale.append(Factor(call.args[0].value, power))

    def _derived(self, value) -> Mask | None:
        """A mask computed from another: `mask = mask.float()`, `mask = mask / keep`."""
        base = self.mask_ref(value)
        if base is None:
            return None
        mask, extra = base
        if not extra:
            return mask
        return Mask(mask.node, mask.draw, mask.kind, mask.keep, mask.keep_node, mask.comparison,
                    mask.scale + extra)

    def mask_ref(self, node, depth: int = 0):
        """(Mask, scale factors) when an expression is a mask or refers to one."""
        if depth > 6:
            return None
        name = dotted(node)
        if name is not None and name in self.masks:
            return self.masks[name][1], []
        if isinstance(node, cst.Call):
            inner = self._cast_operand(node)
            if inner is not None:
                found = self.mask_ref(inner, depth + 1)
                if found is not None and found[0].kind == "continuous":
                    return None  # `.int()`, `.long()` floor a positive value: not sure it stays noise
                return found
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            # `mask == 1`, `mask > 0`: the mask as booleans.
            target = node.comparisons[0]
            if isinstance(target.operator, cst.Equal) and literal_number(target.comparator) == 1:
                return self.mask_ref(node.left, depth + 1)
            if isinstance(target.operator, (cst.GreaterThan, cst.NotEqual)) and literal_number(target.comparator) == 0:
                return self.mask_ref(node.left, depth + 1)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            inner = self.mask_ref(node.left, depth + 1)
            if inner is not None and self.probs.prob(node.right) is not None:
                return inner[0], inner[1] + [Factor(node.right, -1)]
            return None
        source = self.mask_source(node)
        if source is not None:
            return source, []
        return None

    # -- products ------------------------------------------------------------------
    def factors(self, node, power: int = 1, depth: int = 0) -> list[Factor]:
        """A product `a * b / c` as factors [(a, 1), (b, 1), (c, -1)]."""
        if depth > 12:
            return [Factor(node, power)]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Divide)):
            right_power = power if isinstance(node.operator, cst.Multiply) else -power
            return self.factors(node.left, power, depth + 1) + self.factors(node.right, right_power, depth + 1)
        if isinstance(node, cst.Call):
            cast = self._cast_operand(node)
            if cast is not None and self.mask_ref(node) is None:
                # `(x / keep).astype(dtype)`: a cast or reshape keeps the product's factors.
                return self.factors(cast, power, depth + 1)
            qualname = self.ctx.qualify(node.func)
            positional = [a.value for a in node.args if a.keyword is None and not a.star]
            if qualname in MULTIPLIES and len(positional) == 2 and len(node.args) == 2:
                return self.factors(positional[0], power, depth + 1) + self.factors(positional[1], power, depth + 1)
            if (
                qualname is None
                and isinstance(node.func, cst.Attribute)
                and len(node.args) == 1
                and node.args[0].keyword is None
                and not node.args[0].star
            ):
                method = node.func.attr.value
                if method in MUL_METHODS or method in DIV_METHODS:
                    inner_power = power if method in MUL_METHODS else -power
                    return self.factors(node.func.value, power, depth + 1) + self.factors(
                        node.args[0].value, inner_power, depth + 1
                    )
            if qualname in WHERES and len(positional) == 3 and len(node.args) == 3 and power == 1:
                condition, kept, other = positional
                if self._is_zero(other) and self.mask_ref(condition) is not None:
                    return [Factor(condition, 1)] + self.factors(kept, 1, depth + 1)
        return [Factor(node, power)]

    def _is_zero(self, node) -> bool:
        value = literal_number(node)
        if value is not None and not isinstance(value, bool):
            return value == 0
        return isinstance(node, cst.Call) and self.ctx.qualify(node.func) in ZEROS

    def application(self, statement: Statement, value, augmented_target=None) -> Application | None:
        factors = self.factors(value)
        if augmented_target is not None:
            factors = [Factor(augmented_target, 1)] + factors
        masks = [(f, self.mask_ref(f.node)) for f in factors]
        masked = [(f, ref) for f, ref in masks if ref is not None]
        if len(masked) != 1 or masked[0][0].power != 1:
            return None
        mask_factor, (mask, extra) = masked[0]
        scale, inputs = [], []
        for factor in factors:
            if factor is mask_factor:
                continue
            prob = self._scale_prob(factor.node, mask)
            if prob is not None:
                scale.append((factor, prob))
            else:
                inputs.append(factor)
        if len(inputs) != 1 or inputs[0].power != 1:
            return None
        scale = [(f, self.probs.prob(f.node)) for f in extra] + scale
        scale += self.carried_scale(statement, inputs[0].node, mask, augmented_target)
        return Application(
            value=value,
            statement=statement.node,
            mask=mask,
            mask_factor=mask_factor.node,
            input=inputs[0].node,
            scale=scale,
            augmented=augmented_target is not None,
        )

    # -- scale carried by the data flow ----------------------------------------------------
    def carried_scale(self, statement: Statement, value, mask: Mask, augmented_target=None) -> list:
        """(Factor, Prob) of scales applied to the same value in other statements.

        Scaling commutes with masking: `x = x / keep; x = x * mask` and `x = x * mask;
        x /= keep` are the same inverted dropout as `x * mask / keep`. So the input's own
        last assignment (before the mask) and the masked value's next use (after it) are
        read for probability factors, as long as they only rescale that one value.
        """
        found = []
        name = dotted(value)
        if name is not None:
            found += self._scale_before(statement, name, mask)
        target = dotted(augmented_target) if augmented_target is not None else None
        node = statement.node
        if target is None and isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = dotted(node.targets[0].target)
        if target is not None:
            found += self._scale_after(statement, target, mask)
        return found

    def _rescaling(self, value, name: str, mask: Mask) -> list | None:
        """The probability factors of `value` when it is `name` times or divided by them."""
        factors = self.factors(value)
        own = [f for f in factors if dotted(f.node) == name and f.power == 1]
        if len(own) != 1:
            return None
        rest = []
        for factor in factors:
            if factor is own[0]:
                continue
            prob = self._scale_prob(factor.node, mask)
            if prob is None:
                return None
            rest.append((factor, prob))
        return rest

    def _scale_before(self, statement: Statement, name: str, mask: Mask) -> list:
        """`x = x / keep` as the input's last assignment before the mask is applied."""
        for earlier in reversed(self.statements[: statement.order]):
            node = earlier.node
            if statement.frames[: len(earlier.frames)] != earlier.frames:
                continue  # another branch's assignment
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and dotted(node.targets[0].target) == name:
                return self._rescaling(node.value, name, mask) or []
            if isinstance(node, cst.AugAssign) and dotted(node.target) == name:
                return self._augmented_scale(node, mask)
        return []

    def _scale_after(self, statement: Statement, target: str, mask: Mask) -> list:
        """`x /= keep`, `x = x / keep` or `return x / keep` as the next use of the masked value."""
        for later in self.statements[statement.order + 1 :]:
            node = later.node
            if later.frames[: len(statement.frames)] != statement.frames:
                break  # left the block: what follows may not see this value
            if isinstance(node, cst.AugAssign) and dotted(node.target) == target:
                return self._augmented_scale(node, mask)
            value = getattr(node, "value", None)
            if value is None or not _reads(value, target):
                continue
            if isinstance(node, (cst.Assign, cst.Return)):
                return self._rescaling(value, target, mask) or []
            return []
        return []

    def _augmented_scale(self, node: cst.AugAssign, mask: Mask) -> list:
        if isinstance(node.operator, (cst.DivideAssign, cst.MultiplyAssign)):
            prob = self._scale_prob(node.value, mask)
            if prob is not None:
                power = -1 if isinstance(node.operator, cst.DivideAssign) else 1
                return [(Factor(node.value, power), prob)]
        return []

    def _scale_prob(self, node, mask: Mask) -> Prob | None:
        """A factor that reads as a probability (so a scale), not as the input tensor."""
        prob = self.probs.prob(node)
        if prob is None:
            return None
        if prob.value is not None:
            return prob
        if prob.base == mask.keep.base:
            return prob
        role, _ = self.probs.role(prob.base)
        if role is not None or prob.complement:
            return prob
        return None

    def find_applications(self) -> list[tuple[Statement, Application]]:
        found = []
        for statement in self.statements:
            node = statement.node
            if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.MultiplyAssign):
                app = self.application(statement, node.value, augmented_target=node.target)
                if app is not None:
                    found.append((statement, app))
                continue
            value = node.value if isinstance(node, (cst.Assign, cst.AnnAssign, cst.Return, cst.Expr)) else None
            if value is None:
                continue
            for product in self._products(value):
                app = self.application(statement, product)
                if app is not None:
                    found.append((statement, app))
        return found

    def _products(self, node, depth: int = 0):
        """Top-level product expressions inside an expression (not inside lambdas)."""
        if depth > 30 or isinstance(node, cst.Lambda):
            return
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Divide)):
            yield node
            return
        if isinstance(node, cst.Call):
            qualname = self.ctx.qualify(node.func)
            if qualname in MULTIPLIES or qualname in WHERES or (
                qualname is None and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in MUL_METHODS | DIV_METHODS
            ):
                yield node
                return
            for arg in node.args:
                yield from self._products(arg.value, depth + 1)
            return
        if isinstance(node, cst.IfExp):
            yield from self._products(node.body, depth + 1)
            yield from self._products(node.orelse, depth + 1)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                yield from self._products(element.value, depth + 1)
        elif isinstance(node, cst.BinaryOperation):
            yield from self._products(node.left, depth + 1)
            yield from self._products(node.right, depth + 1)

    # -- branches ------------------------------------------------------------------------
    def gate(self, statement: Statement, app: Application) -> tuple[bool, Inference]:
        """Whether the application runs only in training, and what inference does instead."""
        ifexp = self._ifexp_gate(statement.node, app)
        if ifexp is not None:
            return True, ifexp
        for frame in reversed(statement.frames):
            if frame.polarity is None:
                continue
            training_arm = "body" if frame.polarity == "train" else "orelse"
            if frame.arm != training_arm:
                continue  # the mask is on the inference side: not a training branch
            if training_arm == "orelse":
                return True, self._inference(smalls(frame.node.body.body), app)
            other = frame.node.orelse
            if isinstance(other, cst.If):
                return True, Inference("unknown")
            if isinstance(other, cst.Else):
                return True, self._inference(smalls(other.body.body), app)
            if ends_in_return(frame.node.body.body):
                # `if training: return x * mask / keep` then the inference code below it.
                return True, self._inference(self._following(frame.node), app)
            return True, Inference("identity")
        # An early return for inference: `if not training: return x`.
        for earlier in self.statements[: statement.order]:
            node = earlier.node
            if any(frame.node is node for frame in statement.frames):
                continue  # an enclosing branch, judged above
            if isinstance(node, cst.If) and len(earlier.frames) <= len(statement.frames):
                if earlier.frames != statement.frames[: len(earlier.frames)]:
                    continue
                polarity = polarity_of(node.test)
                if polarity == "infer" and ends_in_return(node.body.body):
                    return True, self._inference(smalls(node.body.body), app)
                if (
                    polarity == "train"
                    and isinstance(node.orelse, cst.Else)
                    and ends_in_return(node.orelse.body.body)
                ):
                    return True, self._inference(smalls(node.orelse.body.body), app)
        return False, Inference("none")

    def _ifexp_gate(self, small, app: Application) -> Inference | None:
        expression = getattr(small, "value", None)
        if not isinstance(expression, cst.IfExp):
            return None
        polarity = polarity_of(expression.test)
        if polarity is None:
            return None
        training, inference = (
            (expression.body, expression.orelse) if polarity == "train" else (expression.orelse, expression.body)
        )
        if training is not app.value:
            return None
        return self.inference_of(inference, app)

    def _following(self, node: cst.If) -> list:
        """Small statements after an `if` at its own level, up to the first return."""
        start = next((s for s in self.statements if s.node is node), None)
        if start is None:
            return []
        found = []
        for statement in self.statements[start.order + 1 :]:
            if len(statement.frames) < len(start.frames):
                break
            if statement.frames == start.frames and not isinstance(statement.node, cst.If):
                found.append(statement.node)
                if isinstance(statement.node, cst.Return):
                    break
        return found

    def _inference(self, smalls: list, app: Application) -> Inference:
        target = None
        if isinstance(app.statement, cst.Assign) and len(app.statement.targets) == 1:
            target = dotted(app.statement.targets[0].target)
        if app.augmented:
            target = dotted(app.statement.target)
        for small in smalls:
            if isinstance(small, cst.Return) and small.value is not None:
                return self.inference_of(small.value, app)
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and target is not None
                and dotted(small.targets[0].target) == target
            ):
                return self.inference_of(small.value, app)
            if isinstance(small, cst.AugAssign) and target is not None and dotted(small.target) == target:
                return Inference("unknown")
        return Inference("identity")

    def inference_of(self, node, app: Application) -> Inference:
        factors = [f for f in self.factors(node) if not _is_one(self.probs.prob(f.node) or Prob("?"))]
        inputs, scale = [], []
        input_code = self.ctx.code(app.input)
        for factor in factors:
            if self.ctx.code(factor.node) == input_code:
                inputs.append(factor)
                continue
            prob = self._scale_prob(factor.node, app.mask)
            if prob is not None:
                scale.append((factor, prob))
            else:
                inputs.append(factor)
        if len(inputs) != 1 or inputs[0].power != 1:
            return Inference("unknown", node)
        if not scale:
            return Inference("identity", node, inputs[0].node)
        return Inference("compensation", node, inputs[0].node, scale)

    def branch_expected(self) -> bool:
        params = [p.name.value for p in self.function.params.params] + [
            p.name.value for p in self.function.params.kwonly_params
        ]
        if any(name.lower() in TRAINING_FLAGS | INFERENCE_FLAGS for name in params):
            return True
        if self.cls is not None and self.function.name.value in BRANCH_METHODS:
            return is_torch_module(self.ctx, self.cls) or is_keras_layer(self.cls)
        return False

    def label(self) -> str:
        name = self.function.name.value
        return f"{self.cls.name}.{name}()" if self.cls is not None else f"{name}()"

    # -- putting it together -------------------------------------------------------------
    def run(self) -> list[HandrolledDropout]:
        self.find_masks()
        found = []
        seen_masks = {}
        for statement, app in self.find_applications():
            key = id(app.mask.node)
            if key in seen_masks:
                seen_masks[key].applications.append(app)
                continue
            gated, inference = self.gate(statement, app)
            if not gated and self._switches_on_training():
                gated, inference = True, Inference("unknown")
            if not (gated or self.branch_expected() or self._says_dropout(app)):
                continue
            keeps_with_drop, intended = self._intent(app, inference)
            dropout = HandrolledDropout(
                function=self.function,
                label=self.label(),
                application=app,
                applications=[app],
                mask=app.mask,
                keeps_with_drop=keeps_with_drop,
                intended_keep=intended,
                gated=gated,
                branch_expected=self.branch_expected(),
                inference=inference,
                aliases=self.probs.aliases(statement),
                scale=self.scale_of(app),
            )
            seen_masks[key] = dropout
            found.append(dropout)
        return found

    def _switches_on_training(self) -> bool:
        for site in self.ctx.calls:
            if site.function is self.function:
                name = site.qualname or dotted(site.node.func) or ""
                if name.rsplit(".", 1)[-1] in TRAINING_SWITCHES and any(
                    (dotted(arg.value) or "").rsplit(".", 1)[-1] in TRAINING_FLAGS for arg in site.node.args
                ):
                    return True
        return False

    def _says_dropout(self, app: Application) -> bool:
        """Outside a training branch, a random mask is dropout only if the code says so:
        a name with "drop" in it, or a probability named as a drop or keep probability.
        Test helpers that sparsify a matrix with `rng.random(shape) < 0.7` are not."""
        names = [self.function.name.value, dotted(app.mask_factor) or ""]
        if self.cls is not None:
            names.append(self.cls.name)
        if any("drop" in name.lower() for name in names):
            return True
        return app.mask.keep.base is not None and self.probs.role(app.mask.keep.base)[0] is not None

    def scale_of(self, app: Application) -> list:
        """(Factor, Prob) of the training scale: folded into the mask, or in the product."""
        return [(f, self.probs.prob(f.node)) for f in app.mask.scale] + list(app.scale)

    def _intent(self, app: Application, inference: Inference) -> tuple[bool, Prob]:
        """Does the mask keep units with the drop probability? And the keep probability meant."""
        keep = app.mask.keep
        if keep.value is not None:
            return False, keep
        role, strong = self.probs.role(keep.base)
        keeps_with_role = role is not None and (role == "keep") != keep.complement
        if strong or (role is not None and keeps_with_role):
            return not keeps_with_role, keep if keeps_with_role else keep.flip()
        # No name or document says, or only the convention of a bare `p` does: how the
        # code scales or compensates tells (`(u < p) / p` keeps with p, consistently).
        hints = [p for f, p in self.scale_of(app) if f.power == -1 and p is not None]
        hints += [p for f, p in inference.factors if f.power == 1]
        if any(p.same(keep) for p in hints):
            return False, keep
        if any(p.same(keep.flip()) for p in hints) or role is not None:
            return True, keep.flip()
        return False, keep


def _reads(node, name: str) -> bool:
    """Whether an expression mentions the dotted name `name`."""
    finder = _NameFinder(name)
    walk.visit(node, finder)
    return finder.found


class _NameFinder(cst.CSTVisitor):
    def __init__(self, name: str):
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> bool:
        self.found = self.found or node.value == self.name
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if dotted(node) == self.name:
            self.found = True
            return False
        return True
