"""One body interpreter for every framework: statements, values, joins, loops, inlining.

A frontend reads a model by running its code abstractly: `__init__` to learn what each
attribute holds, `forward` / `call` (or a builder function) to learn which layers are
applied to what. The walking is the same for every framework and lives here once; what a
call *means* (a layer constructed, a layer applied, a functional dropout) is the
framework's, supplied as a `Semantics` object. A new framework is one more of those.

Values are a small closed set: a `Flow` (the graph nodes whose outputs make up a datum),
a `Closure` (a function or method to inline), `NOTHING` (a constant or anything
unknown), and the framework's own values (a layer spec, a list or dict of them, a model
being built), which the interpreter hands back to the semantics without looking inside.

The rules every framework shares:

- `if`/`else`: an arm the defaults decide runs alone (`branches.chosen_arm`); otherwise
  each arm runs from the state before it, and names are joined after (`branches.join`).
  A test on the training flag (`facts.training`) decides nothing: its body is gated.
- `for` / `while`: the body runs once, its nodes marked `repeat`; since a loop may not run,
  names are joined with what they held before.
- `try`: the body (then its `else`) and each handler are alternatives, joined like arms;
  `finally` runs after them. `with`: its items are evaluated, then the body runs.
- `def` in a body: a closure over the names visible there, inlined where it is called.
- Calls of functions and methods are inlined with their parameters bound to the caller's
  values and rates, through one frame stack; a function already on the stack is not
  re-entered. One `Budget` per file bounds the work: statements run and inline depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import libcst as cst

from droplint.facts import training as training_facts
from droplint.frontends import branches
from droplint.frontends.resolve import Scope, function_scope
from droplint.ir import Rate
from droplint.syntax import is_self

# Statements one file's interpreters may run, inlined helpers included (a helper calling
# ten helpers that call ten helpers... would otherwise multiply the work), and how deep
# calls are inlined. Generated or recursive code must not make a file take unbounded time.
MAX_STATEMENTS = 50_000
MAX_CALL_DEPTH = 8
# Tensor attributes that are metadata, not data: `x.shape` does not carry x onwards.
METADATA_ATTRIBUTES = frozenset({"shape", "dtype", "device", "ndim", "is_cuda", "requires_grad", "training"})


class Flow(tuple):
    """The ids of the graph nodes whose outputs make up a value (data)."""


NOTHING = Flow()


@dataclass(eq=False)
class Closure:
    """A function to inline where it is called, with the names it closes over."""

    function: cst.FunctionDef
    env: dict | None = None
    scope: Scope | None = None


def budget(ctx) -> Budget:
    """The file's one budget, shared by every frontend's runs over it."""
    return ctx.shared.setdefault("interpreter.budget", Budget())


@dataclass
class Budget:
    """The work one file may cost, shared by every interpreter run over it."""

    steps: int = field(default_factory=lambda: MAX_STATEMENTS)


class OutOfBudget(Exception):
    """The file's budget is spent: the run stops where it is."""


@dataclass
class Frame:
    function: cst.FunctionDef | None
    env: dict
    scope: Scope
    returns: list = field(default_factory=list)


class Semantics(Protocol):
    """What one framework's code means; every hook receives the running interpreter.
    A framework derives from it and overrides what its code does differently."""

    def call(self, run: Interpreter, node: cst.Call) -> object:
        """The value of a call: a layer constructed or applied, a functional dropout, an
        inlined helper (`run.inline`), else the data flowing through (`run.pass_through`)."""
        return run.pass_through(node)

    def self_attribute(self, run: Interpreter, name: str) -> object:
        """What `self.<name>` holds."""
        return NOTHING

    def global_name(self, run: Interpreter, name: str) -> object:
        """A name no local binds (a function of the file, a class, a parameter)."""
        return NOTHING

    def store(self, run: Interpreter, target: cst.BaseExpression, value: object) -> None:
        """An assignment (`self.x = ...`, `a[k] = ...`; a local name is already bound)."""

    def augment(self, run: Interpreter, target: cst.BaseExpression, value: object) -> None:
        """`target += value` where they are not both data (`layers += [Block()]`)."""

    def element(self, run: Interpreter, value: object, node: cst.Subscript) -> object:
        """`value[...]` for a value that is not data (a list of layers, a dict of blocks)."""
        return NOTHING

    def collection(self, run: Interpreter, node: cst.BaseExpression, values: list) -> object:
        """A tuple / list / set / dict display or comprehension of evaluated `values`."""
        return union(values)

    def merge(self, run: Interpreter, left: Flow, right: Flow, node: cst.CSTNode) -> Flow:
        """Two data flows combined by an operator (`x + h`)."""
        return left or right

    def choose(self, run: Interpreter, body: object, orelse: object) -> object:
        """An undecided `a if c else b`."""
        return union([body, orelse])

    def iterate(self, run: Interpreter, target: cst.BaseAssignTargetExpression, iterable: cst.BaseExpression) -> None:
        """Bind a `for` target to what one pass over `iterable` sees."""
        run.assign(target, data_of(run.value(iterable)))

    def attribute_truth(self, name: str) -> bool | None:
        """`if self.norm:` true where a layer is built there, false for None."""
        return None


class Interpreter:
    """Runs bodies of one framework's code, one frame per inlined function."""

    def __init__(self, semantics: Semantics, scope: Scope, budget: Budget):
        self.semantics = semantics
        self.budget = budget
        self.frames = [Frame(None, {}, scope)]
        self.loops = 0  # > 0 inside a loop body: what is applied there repeats
        self.gated = False  # inside `if training:`
        self.returning = 0  # > 0 while a `return` value is evaluated
        self.training_names: set[str] = set()
        self.cut = False  # the budget stopped this run

    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    @property
    def env(self) -> dict:
        return self.frame.env

    @property
    def scope(self) -> Scope:
        return self.frame.scope

    @property
    def repeat(self) -> bool:
        return self.loops > 0

    @property
    def depth(self) -> int:
        return len(self.frames) - 1

    # -- statements ----------------------------------------------------------------
    def run(self, body) -> None:
        """Run a body at the top (a suite or a list of statements); the file's budget may
        cut it short, and `cut` says so."""
        try:
            self.block(body)
        except OutOfBudget:
            self.cut = True

    def block(self, body) -> None:
        kind = type(body)  # exact types, as in `value`: libcst's node classes are ABCs
        if kind is cst.IndentedBlock:
            body = body.body
        elif kind is cst.SimpleStatementSuite:
            body = (body,)
        for statement in body:
            self.statement(statement)

    def statement(self, node) -> None:
        self.budget.steps -= 1
        if self.budget.steps < 0:
            raise OutOfBudget()
        kind = type(node)
        if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
            for small in node.body:
                self.small(small)
        elif kind is cst.If:
            self.branch(node)
        elif kind is cst.For or kind is cst.While:
            self.loop(node)
        elif kind is cst.With:
            for item in node.items:
                self.value(item.item)
            self.block(node.body)
        elif kind is cst.Try:
            self.attempt(node)
        elif kind is cst.FunctionDef:
            self.env[node.name.value] = Closure(node, self.env, self.scope)

    def small(self, node) -> None:
        kind = type(node)
        if kind is cst.Assign or kind is cst.AnnAssign:
            if node.value is None:
                return
            value = self.value(node.value)
            targets = [t.target for t in node.targets] if kind is cst.Assign else [node.target]
            for target in targets:
                self.assign(target, value)
        elif kind is cst.AugAssign:
            added = self.value(node.value)
            if isinstance(node.target, cst.Name):
                current = self.env.get(node.target.value, NOTHING)
                if isinstance(current, Flow) and isinstance(added, Flow):
                    self.env[node.target.value] = self.semantics.merge(self, current, added, node)
                    return
            self.semantics.augment(self, node.target, added)
        elif kind is cst.Expr:
            self.value(node.value)
        elif kind is cst.Return and node.value is not None:
            self.returning += 1
            try:
                self.frame.returns.append(self.value(node.value))
            finally:
                self.returning -= 1

    def assign(self, target, value) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.assign(element.value, value if isinstance(value, Flow) else NOTHING)
            return
        if isinstance(target, cst.Name):
            self.env[target.value] = value
        self.semantics.store(self, target, value)

    def branch(self, node: cst.If) -> None:
        gate = self.mentions_training(node.test)
        chosen = None if gate else branches.chosen_arm(node, self.scope, self.semantics.attribute_truth)
        if chosen is not None:
            # Defaults (or the layers the class builds) decide: that arm alone runs.
            if chosen != ():
                self.block(chosen)
            return
        arms, before, current = [], dict(self.env), node
        saved = self.gated
        while True:
            self.value(current.test)
            self.gated = saved or self.mentions_training(current.test)
            arms.append(self.arm(before, current.body))
            self.gated = saved
            if isinstance(current.orelse, cst.If):
                current = current.orelse
                continue
            arms.append(self.arm(before, current.orelse.body if current.orelse is not None else ()))
            break
        self.join(before, arms)

    def arm(self, before: dict, body) -> dict:
        """Run one alternative from the state `before`; the names it leaves."""
        self.frame.env = dict(before)
        self.block(body)
        return self.frame.env

    def join(self, before: dict, arms: list[dict]) -> None:
        self.frame.env = branches.join(before, arms, _is_data, union)

    def loop(self, node) -> None:
        before = dict(self.env)
        self.loops += 1
        try:
            if isinstance(node, cst.For):
                self.semantics.iterate(self, node.target, node.iter)
            self.block(node.body)
        finally:
            self.loops -= 1
        # The body may not run at all.
        self.join(before, [dict(self.env), dict(before)])

    def attempt(self, node: cst.Try) -> None:
        before = dict(self.env)
        arms = [self.arm(before, node.body)]
        if node.orelse is not None:
            self.block(node.orelse.body)
        arms[0] = self.env
        for handler in node.handlers:
            arms.append(self.arm(before, handler.body))
        self.join(before, arms)
        if node.finalbody is not None:
            self.block(node.finalbody.body)

    def mentions_training(self, test) -> bool:
        """`if training:`, `if self.training and p > 0`: a gate on the mode flag."""
        return training_facts.is_gate(test, self.training_names)

    # -- values ----------------------------------------------------------------------
    def value(self, node) -> object:
        """What an expression evaluates to. Dispatched on the node's exact type: an
        `isinstance` chain against libcst's node classes (ABCs) cost several times more,
        and this runs on every expression the forward passes hold."""
        read = _VALUE_OF.get(type(node))
        return NOTHING if read is None else read(self, node)

    def _name(self, node: cst.Name) -> object:
        env = self.frame.env
        if node.value in env:
            return env[node.value]
        return self.semantics.global_name(self, node.value)

    def _call(self, node: cst.Call) -> object:
        return self.semantics.call(self, node)

    def _attribute(self, node: cst.Attribute) -> object:
        if is_self(node.value):
            return self.semantics.self_attribute(self, node.attr.value)
        if node.attr.value in METADATA_ATTRIBUTES:
            return NOTHING
        return data_of(self.value(node.value))

    def _subscript(self, node: cst.Subscript) -> object:
        inner = self.value(node.value)
        if not isinstance(inner, Flow):
            return self.semantics.element(self, inner, node)
        for element in node.slice:
            if type(element.slice) is cst.Index:
                self.value(element.slice.value)
        return inner

    def _binary(self, node: cst.BinaryOperation) -> object:
        left, right = data_of(self.value(node.left)), data_of(self.value(node.right))
        return self.semantics.merge(self, left, right, node)

    def _unary(self, node: cst.UnaryOperation) -> object:
        return data_of(self.value(node.expression))

    def _await(self, node: cst.Await) -> object:
        return self.value(node.expression)

    def _sequence(self, node: cst.Tuple | cst.List | cst.Set) -> object:
        return self.semantics.collection(self, node, [self.value(e.value) for e in node.elements])

    def _dict(self, node: cst.Dict) -> object:
        values = [self.value(e.value) for e in node.elements if type(e) is cst.DictElement]
        return self.semantics.collection(self, node, values)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp) -> object:
        return self.semantics.collection(self, node, [self.value(node.elt)])

    def _dict_comprehension(self, node: cst.DictComp) -> object:
        return self.semantics.collection(self, node, [self.value(node.value)])

    def if_expression(self, node: cst.IfExp) -> object:
        gate = self.mentions_training(node.test)
        # In a constructor, parameters are the parent's to bind: no default decides.
        scope = None if self.scope.constructor else self.scope
        decided = None if gate else branches.truth(node.test, scope, self.semantics.attribute_truth)
        if decided is not None:
            return self.value(node.body if decided else node.orelse)
        self.value(node.test)
        saved = self.gated
        self.gated = saved or gate
        body = self.value(node.body)
        self.gated = saved
        return self.semantics.choose(self, body, self.value(node.orelse))

    def pass_through(self, node: cst.Call) -> Flow:
        """An unknown call: its result depends on every datum passed to it (the receiver
        of a method included: `x.view(...)`)."""
        values = [self.value(arg.value) for arg in node.args]
        if isinstance(node.func, cst.Attribute) and not is_self(node.func.value):
            values.append(self.value(node.func.value))
        return union(values)

    # -- inlining --------------------------------------------------------------------
    def can_inline(self, function: cst.FunctionDef) -> bool:
        return self.depth < MAX_CALL_DEPTH and all(f.function is not function for f in self.frames)

    def inline(self, closure: Closure, node: cst.Call, rate=None, values=None, constructor=False, pick=None) -> object:
        """The value of a call of `closure.function` with the arguments of `node`: its
        body run in a new frame, parameters bound to the caller's values; `rate(expr)`
        reads a non-data argument's rate for the callee's rate scope. `constructor`: the
        callee is a constructor (`super().__init__`); `pick(returns)` makes the call's
        value from what its `return`s gave (default: `result`)."""
        if values is None:
            values = [self.value(arg.value) for arg in node.args]
        function = closure.function
        if not self.can_inline(function):
            return pick([]) if pick is not None else union(values)
        for param in (*function.params.posonly_params, *function.params.params, *function.params.kwonly_params):
            if "training" in param.name.value:
                self.training_names.add(param.name.value)
        frame = self._callee_frame(closure, node, values, rate, constructor)
        self.frames.append(frame)
        try:
            self.block(function.body)
        except OutOfBudget:
            # Cut short: what it computed so far stands for its result, and the caller
            # goes on to use it (its next statement stops it in turn).
            self.cut = True
            if not frame.returns:
                frame.returns.append(union(frame.env.values()))
        finally:
            self.frames.pop()
        return (pick or self.result)(frame.returns)

    def _callee_frame(self, closure: Closure, node: cst.Call, values, rate, constructor: bool) -> Frame:
        """The frame a call of `closure` runs in: its parameters bound to the caller's
        values, the rates of the non-data arguments read (`rate`), a closure's outer names."""
        function = closure.function
        env, bound = dict(closure.env or {}), {}
        outer = closure.scope
        own = function_scope(function, constructor=constructor, self_attrs=self.scope.self_attrs,
                             class_attrs=self.scope.class_attrs)
        if outer is not None:
            # A closure also sees the names of the function it is defined in.
            own.values = {**outer.values, **own.values}
            bound.update({k: v for k, v in outer.bound.items() if k not in own.params})
            own.params = {**outer.params, **own.params}
        by_arg = {id(arg): value for arg, value in zip(node.args, values)}
        passed = {}
        for name, arg in arguments(function, node):
            if arg is None:
                # `**kwargs` (or `*args`) may set it: its default decides nothing.
                bound[name] = Rate.unknown("")
                continue
            value = by_arg[id(arg)]
            env[name] = value
            passed[name] = (arg.value, self.scope)  # as written: a class handed on is read there
            if rate is not None and not (isinstance(value, Flow) and value):
                bound[name] = rate(arg.value)  # a datum is no rate: skip the work
        own.passed = passed
        own.bound = bound
        return Frame(function, env, own)

    def result(self, returns: list) -> object:
        """What a function returns, over all its `return`s (joined as arms are)."""
        if not returns:
            return NOTHING
        if len(returns) == 1:
            return returns[0]
        return branches.join({}, [{"r": r} for r in returns], _is_data, union)["r"]


_VALUE_OF = {
    cst.Name: Interpreter._name,
    cst.Call: Interpreter._call,
    cst.Attribute: Interpreter._attribute,
    cst.Subscript: Interpreter._subscript,
    cst.BinaryOperation: Interpreter._binary,
    cst.UnaryOperation: Interpreter._unary,
    cst.Await: Interpreter._await,
    cst.Tuple: Interpreter._sequence,
    cst.List: Interpreter._sequence,
    cst.Set: Interpreter._sequence,
    cst.Dict: Interpreter._dict,
    cst.ListComp: Interpreter._comprehension,
    cst.SetComp: Interpreter._comprehension,
    cst.GeneratorExp: Interpreter._comprehension,
    cst.DictComp: Interpreter._dict_comprehension,
    cst.IfExp: Interpreter.if_expression,
}


def arguments(function: cst.FunctionDef, node: cst.Call):
    """(parameter, argument) for each parameter a call binds, and (parameter, None) for
    each one an unpacked `*args` / `**kwargs` of the call may bind."""
    params = [p.name.value for p in (*function.params.posonly_params, *function.params.params)
              if p.name.value not in ("self", "cls")]
    keywords = [p.name.value for p in function.params.kwonly_params]
    named, position, spread, spread_positional = set(), 0, False, False
    for arg in node.args:
        if arg.star == "**":
            spread = True
        elif arg.star:
            spread_positional = True
        elif arg.keyword is not None:
            named.add(arg.keyword.value)
            yield arg.keyword.value, arg
        elif not spread_positional and position < len(params):
            named.add(params[position])
            yield params[position], arg
            position += 1
    open_params = params[position:] if spread_positional else []
    if spread:
        open_params = params[position:] + keywords
    for name in open_params:
        if name not in named:
            yield name, None


def _is_data(value) -> bool:
    return isinstance(value, Flow)


def data_of(value) -> Flow:
    """The data a value carries: itself when it is data, else nothing (a module, a rate)."""
    return value if isinstance(value, Flow) else NOTHING


def union(values) -> Flow:
    """The data of several values together (values that are not data add nothing)."""
    return Flow(dict.fromkeys(i for v in values if isinstance(v, Flow) for i in v))
