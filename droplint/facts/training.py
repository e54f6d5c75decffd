"""The training flag, read one way for every rule and frontend.

Where does code run only in training? Guards (`if self.training:`, `if self.p > 0 and
self.training:`, `if not deterministic:`, `if mode == "train":`), early returns (`if not
self.training: return x`), conditional expressions (`x if self.training else y`),
`tf.cond(training, f, g)` and kin, and short-circuits (`training and f(x)`). Whether a
rate follows the flag (`p if self.training else 0.0`). The answer for a branch test is
`arms(test)`: for its true and its false side, "train" when that side runs only in
training, "infer" when only at inference, None when the test does not say. Everything
else here (`polarity`, `is_guarded`, `classify`, and frontends.training_branches' frames)
is built on it, so DL301, DL302, DL303, DL304, the hand-rolled analysis and the rate
resolver never disagree on one line.

It works one function at a time, without libcst metadata: one walk of the function
records every node's parent and every assignment to a local name.
"""

from __future__ import annotations


import libcst as cst

from droplint import walk
from droplint.facts.constants import module_assignments
from droplint.ir import TrainingState
from droplint.syntax import dotted, literal_number, string

# Names of a training flag: true means training. `self.train` is deliberately absent as
# an attribute: it is nn.Module's method, always truthy.
TRAINING_NAMES = frozenset(
    {"training", "is_training", "train", "is_train", "training_mode", "train_mode", "istrain"}
)
TRAINING_ATTRIBUTES = frozenset({"training", "is_training", "_training", "is_train", "training_mode", "train_mode"})
# Names of an inference flag: true means inference (`deterministic` in Flax, `eval`).
INFERENCE_NAMES = frozenset({"deterministic", "inference", "is_inference", "eval", "is_eval", "evaluation"})
# Calls that read the training phase (keras backend, TF1 Keras).
TRAINING_CALLS = frozenset({"learning_phase", "is_training"})
# Calls that choose between two branches on a flag: tf.cond(training, f, g) and kin.
CONDITIONAL_CALLS = frozenset({"cond", "smart_cond", "in_train_phase", "switch", "where"})
# `mode == "train"`: the names that hold a phase, and the words for each phase.
PHASE_NAMES = frozenset({"mode", "phase", "stage", "split"})
TRAIN_WORDS = frozenset({"train", "training", "fit"})
INFER_WORDS = frozenset({"eval", "test", "infer", "inference", "predict", "val", "validation"})

TRAIN, INFER = "train", "infer"
GATED, UNGATED, ZERO, UNKNOWN = "gated", "ungated", "zero", "unknown"
# Variables assigned from variables: follow this many links, then give up (unknown).
MAX_HOPS = 4


def arms(test: cst.BaseExpression) -> tuple[str | None, str | None]:
    """(true side, false side) of a branch test: TRAIN, INFER or None for each.

    `training` is (TRAIN, INFER); `training and p > 0` is (TRAIN, None): its true side
    needs training, its false side may be either; `not training or p == 0` is (None,
    TRAIN), so the code after `if not training or p == 0: return x` runs in training.
    """
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        true, false = arms(test.expression)
        return false, true
    if isinstance(test, cst.BooleanOperation):
        left, right = arms(test.left), arms(test.right)
        if isinstance(test.operator, cst.Or):
            # a or b == not (not a and not b)
            both = _conjunction((left[1], left[0]), (right[1], right[0]))
            return both[1], both[0]
        return _conjunction(left, right)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _comparison_arms(test)
    if _is_flag(test):
        return TRAIN, INFER
    if _is_inference_flag(test):
        return INFER, TRAIN
    return None, None


def _conjunction(left, right) -> tuple[str | None, str | None]:
    """`a and b`: true only when both are, so one side that needs a phase decides; false
    when either is false, so the false side has a phase only when both agree."""
    needs = {side for side in (left[0], right[0]) if side}
    true = needs.pop() if len(needs) == 1 else None
    false = left[1] if left[1] == right[1] else None
    return true, false


def _comparison_arms(test: cst.Comparison) -> tuple[str | None, str | None]:
    target = test.comparisons[0]
    operator = target.operator
    equal = isinstance(operator, (cst.Equal, cst.Is))
    unequal = isinstance(operator, (cst.NotEqual, cst.IsNot))
    if not (equal or unequal):
        return None, None
    for flag, value in ((test.left, target.comparator), (target.comparator, test.left)):
        if isinstance(value, cst.Name) and value.value in ("True", "False"):
            true, false = arms(flag)
            if (value.value == "True") != equal:
                true, false = false, true
            return true, false
    word = string(target.comparator) or string(test.left)
    other = test.left if string(target.comparator) else target.comparator
    if word is None or (dotted(other) or "").rsplit(".", 1)[-1].lower() not in PHASE_NAMES:
        return None, None
    word = word.lower()
    phase = TRAIN if word in TRAIN_WORDS else INFER if word in INFER_WORDS else None
    if phase is None:
        return None, None
    # `mode == "train"` is true only in training; false may be eval or test: other phases.
    opposite = INFER if phase == TRAIN else TRAIN
    return (phase, opposite) if equal else (opposite, phase)


def polarity(test: cst.BaseExpression) -> int:
    """+1 if `test` is true only in training, -1 if only at inference, 0 if it cannot be told."""
    true, _ = arms(test)
    return 1 if true == TRAIN else -1 if true == INFER else 0


def training_argument(value: cst.BaseExpression | None) -> TrainingState | None:
    """What a dropout's `training=` argument says: FORCED (`True`: on at inference too),
    OFF (`False`: never on), GATED (anything else: the caller's flag), None when there
    is no argument. Torch's `F.dropout(training=)` and Keras's `layer(x, training=)` read
    the same way."""
    if value is None:
        return None
    literal = literal_number(value)
    if literal is True:
        return TrainingState.FORCED
    if literal is False:
        return TrainingState.OFF
    return TrainingState.GATED


def functional_training(value: cst.BaseExpression | None, gated: bool, drops_by_default: bool = True) -> TrainingState:
    """Whether a functional dropout drops: its `training=` argument (`value`, None when
    not passed) decides; without one, an op that drops by default (`F.dropout`,
    `tf.nn.dropout`) is GATED inside a training branch (`gated`) and UNGATED outside,
    and one that drops only when told (`tf.compat.v1.layers.dropout`) is OFF. Both
    frontends read their functional dropouts through this."""
    if value is not None:
        return training_argument(value)
    if not drops_by_default:
        return TrainingState.OFF
    return TrainingState.GATED if gated else TrainingState.UNGATED


def is_mode_flag(name: str) -> bool:
    """`training`, `is_training`, `train`, `deterministic`, `inference`: a flag set by the
    mode a model runs in. Its default says nothing about which arm runs."""
    lowered = name.lower()
    return any(word in lowered for word in ("train", "determin", "infer", "eval"))


def is_gate(test: cst.BaseExpression, names=()) -> bool:
    """Whether a condition gates on the training flag (`if training:`, `if self.training
    and p > 0`), read by `arms` (an `if not training:` body is inference, not a gate),
    else by the names in it: `names` (parameters that carry the flag) or `training`."""
    true_side = arms(test)[0]
    if true_side is not None:
        return true_side == TRAIN
    return any(name in names or "training" in name for name in _names_in(test))


def _names_in(node):
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, cst.Attribute):
        yield node.attr.value
        yield from _names_in(node.value)
    elif isinstance(node, cst.UnaryOperation):
        yield from _names_in(node.expression)
    elif isinstance(node, cst.BooleanOperation):
        yield from _names_in(node.left)
        yield from _names_in(node.right)
    elif isinstance(node, cst.Comparison):
        yield from _names_in(node.left)
        for target in node.comparisons:
            yield from _names_in(target.comparator)
    elif isinstance(node, cst.Call):
        for arg in node.args:
            yield from _names_in(arg.value)


def mentions_training(node: cst.CSTNode) -> bool:
    finder = _TrainingFinder()
    walk.visit(node, finder)
    return finder.found


class _TrainingFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Name(self, node: cst.Name) -> bool:
        if node.value in TRAINING_NAMES or node.value in INFERENCE_NAMES:
            self.found = True
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value in TRAINING_ATTRIBUTES or node.attr.value in INFERENCE_NAMES:
            self.found = True
            return False
        walk.visit(node.value, self)  # `x.train` is not the flag, but `flag.x` may hold it
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        name = dotted(node.func)
        if name and name.rsplit(".", 1)[-1] in TRAINING_CALLS:
            self.found = True
        return not self.found

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return not self.found


class FunctionScope:
    """One function (nested functions included): parents, parameters, assignments."""

    def __init__(self, function: cst.FunctionDef):
        self.function = function
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        # name -> the statements or expressions that bind it (Assign, AnnAssign,
        # AugAssign, NamedExpr, For, With item, ...), in source order.
        self.bindings: dict[str, list[cst.CSTNode]] = {}
        self.params: set[str] = set()
        walk.visit(function, _ScopeWalker(self))

    def ancestors(self, node: cst.CSTNode):
        """Parents of `node` from the nearest outwards, up to the function itself."""
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def has_self(self) -> bool:
        """`self` is in reach: a parameter of this function (a method) or an outer one."""
        return "self" in self.params


# FileContext -> {function: FunctionScope}: rules of one file share the walks.


def scope_of(ctx, function: cst.FunctionDef) -> FunctionScope:
    """The scope of a function of `ctx`'s file, built once per file and shared by rules."""
    scopes = ctx.shared.setdefault("training_gate.scopes", {})
    if function not in scopes:
        scopes[function] = FunctionScope(function)
    return scopes[function]


class _ScopeWalker(cst.CSTVisitor):
    def __init__(self, scope: FunctionScope):
        self.scope = scope
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.scope.parents[node] = self.stack[-1]
        self.stack.append(node)
        if isinstance(node, cst.Param):
            self.scope.params.add(node.name.value)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                self._bind(target.target, node)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
            self._bind(node.target, node)
        elif isinstance(node, cst.AsName):
            self._bind(node.name, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()

    def _bind(self, target: cst.BaseExpression, binder: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.scope.bindings.setdefault(target.value, []).append(binder)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, binder)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, binder)


def is_guarded(scope: FunctionScope, node: cst.CSTNode) -> bool:
    """The node only runs (or only matters) in training, as far as the code says.

    The nearest condition on the training flag decides: the body of `if training:`
    (or the else of `if not training:`), after an early `if not training: return`, or
    the true branch of `tf.cond(training, ...)` is guarded. A branch that runs only
    in eval mode is not: dropout there is dropout at inference. A condition whose
    direction cannot be read (`if mode(training):`) counts as a guard, so that no
    finding rests on a guess.
    """
    child = node
    for parent in scope.ancestors(node):
        decided = _branch(parent, child)
        if decided is not None:
            return decided
        child = parent
    return False


def _branch(parent: cst.CSTNode, child: cst.CSTNode) -> bool | None:
    """Whether `child` runs only in training under `parent`; None when `parent` does not say."""
    if isinstance(parent, (cst.If, cst.IfExp, cst.While)) and child is not parent.test:
        side = -1 if child is getattr(parent, "orelse", None) else 1
        return _decide(parent.test, side)
    if isinstance(parent, cst.BooleanOperation) and child is parent.right:
        # `training and f(x)` runs f in training; `training or f(x)` runs it otherwise.
        side = 1 if isinstance(parent.operator, cst.And) else -1
        return _decide(parent.left, side)
    if isinstance(parent, cst.Call) and child is not parent.func:
        return _conditional_call(parent, child)
    if isinstance(parent, (cst.IndentedBlock, cst.Module)):
        return _early_exit_before(parent, child)
    return None


def _decide(test: cst.BaseExpression, side: int) -> bool | None:
    """Whether the `side` (+1 true, -1 false) of a test runs only in training. A test on
    the flag whose sides cannot be read (`if mode(training):`) counts as a guard, so
    that no finding rests on a guess; an inference-only side is no guard."""
    if not mentions_training(test):
        return None
    phase = arms(test)[0 if side > 0 else 1]
    return phase != INFER


def _is_flag(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in TRAINING_NAMES
    if isinstance(node, cst.Attribute):
        return node.attr.value in TRAINING_ATTRIBUTES
    if isinstance(node, cst.Call):
        name = dotted(node.func)
        return bool(name) and name.rsplit(".", 1)[-1] in TRAINING_CALLS
    return False


def _is_inference_flag(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in INFERENCE_NAMES
    if isinstance(node, cst.Attribute):
        return node.attr.value in INFERENCE_NAMES
    return False


# Which arguments of a two-way conditional call are its training and eval branches.
_TRUE_FALSE_ARGS = {"cond": (1, 2), "smart_cond": (1, 2), "switch": (1, 2), "where": (1, 2), "in_train_phase": (0, 1)}


def _conditional_call(call: cst.Call, child: cst.CSTNode) -> bool | None:
    """`tf.cond(training, lambda: dropout(x), lambda: x)` and kin."""
    name = dotted(call.func)
    short = name.rsplit(".", 1)[-1] if name else None
    if short not in CONDITIONAL_CALLS:
        return None
    if not any(mentions_training(arg.value) for arg in call.args if not isinstance(arg.value, cst.Lambda)):
        return None
    positions = [arg for arg in call.args if arg.keyword is None]
    branches = _TRUE_FALSE_ARGS.get(short, ())
    if short == "in_train_phase":
        phases = (TRAIN, INFER)
    else:
        phases = arms(positions[0].value) if positions else (None, None)
    for phase, index in zip(phases, branches):
        if index < len(positions) and positions[index] is child:
            return phase != INFER
    return True  # an argument whose role is unknown: do not guess


def _early_exit_before(block, child) -> bool | None:
    """`if not training: return x` before `child` in the same block: child runs when it did not exit."""
    for statement in block.body:
        if statement is child:
            return None
        if isinstance(statement, cst.If) and mentions_training(statement.test) and _exits(statement.body):
            return _decide(statement.test, -1)
    return None


def _exits(body) -> bool:
    statements = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()
    if not statements:
        return False
    last = statements[-1]
    small = last.body if isinstance(last, cst.SimpleStatementLine) else (last,)
    return any(isinstance(s, (cst.Return, cst.Raise)) for s in small)


def classify(scope: FunctionScope | None, expr: cst.BaseExpression, module: cst.Module | None = None, hops: int = 0) -> str:
    """Whether a dropout probability follows the training flag.

    GATED: it depends on the flag (`p if self.training else 0.0`, a variable set from
    such an expression or inside an `if self.training:` branch). ZERO: literally 0.
    UNGATED: a literal or a stored rate (`self.p`, `config.attention_dropout`) used as
    is. UNKNOWN: anything droplint cannot see through (a parameter the caller fills, or
    an attribute of one such as `ctx.dropout_p`, a call, a subscript): no finding is made
    on an unknown. A function that receives its rate is judged at its callers.
    """
    value = literal_number(expr)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ZERO if value == 0 else UNGATED
    if mentions_training(expr):
        return GATED
    if isinstance(expr, cst.Attribute):
        root = _root_name(expr)
        if scope is not None and root in scope.params and root not in ("self", "cls"):
            return UNKNOWN  # `ctx.dropout_p`, `args.dropout`: the caller's value, judged there
        return UNGATED if dotted(expr) else UNKNOWN
    if isinstance(expr, cst.IfExp):
        return _combine([classify(scope, expr.body, module, hops), classify(scope, expr.orelse, module, hops)])
    if isinstance(expr, cst.Name) and hops < MAX_HOPS:
        return _classify_name(scope, expr.value, module, hops + 1)
    return UNKNOWN


def _root_name(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _classify_name(scope, name: str, module, hops: int) -> str:
    if scope is None or name not in scope.bindings:
        if scope is not None and name in scope.params:
            return UNKNOWN  # the caller decides; its own call site is judged there
        return _module_constant(module, name)
    results = []
    for binder in scope.bindings[name]:
        if is_guarded(scope, binder):
            return GATED
        if isinstance(binder, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and binder.value is not None:
            results.append(classify(scope, binder.value, module, hops))
        else:
            results.append(UNKNOWN)
    if name in scope.params:
        results.append(UNKNOWN)
    return _combine(results)


def _module_constant(module, name: str) -> str:
    """A module-level `NAME = 0.1` constant, else unknown."""
    if module is None:
        return UNKNOWN
    values = [literal_number(value) for value in module_assignments(module).get(name, ())]
    if len(values) != 1 or not isinstance(values[0], (int, float)) or isinstance(values[0], bool):
        return UNKNOWN
    return ZERO if values[0] == 0 else UNGATED


def _combine(results: list[str]) -> str:
    if not results:
        return UNKNOWN
    if GATED in results:
        return GATED
    if UNKNOWN in results:
        return UNKNOWN
    if all(r == ZERO for r in results):
        return ZERO
    return UNGATED


def outermost_function(ctx, site) -> cst.FunctionDef | None:
    """The function whose scope a call's names live in: the method it is in, else the
    outermost function around it (a closure sees its enclosing function's flags)."""
    if site.method is not None:
        return site.method
    if site.function is None:
        return None
    call = ctx.span(site.node)
    around = [
        f
        for f in ctx.functions
        if _contains(ctx.span(f), call)
    ]
    return min(around, key=lambda f: (ctx.span(f).line, ctx.span(f).column), default=site.function)


def _contains(outer, inner) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line,
        outer.end_column,
    )
