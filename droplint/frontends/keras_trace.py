"""What Keras code means: the semantics the interpreter runs Keras bodies with.

The Keras frontend (`keras.py`) runs a `Trace` over each `call` method, each builder
function and the module body; the walking (statements, joins, loops, inlining, the
budget) is `interpreter.Interpreter`'s. A name holds a `Tensor` (a `Flow`: the ids of
the nodes whose outputs it carries), a `LayerValue` (a layer constructed but not yet applied),
a `ModelRecord` (a Sequential or functional model built here) or a `Closure`, and the
trace emits a `Node` for every layer application, functional dropout and activation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import libcst as cst

from droplint.facts import rates as rate_facts
from droplint.facts import training as training_facts
from droplint.frontends import branches, catalog, interpreter, packaging
from droplint.frontends.imports import canonical
from droplint.frontends.interpreter import NOTHING, Closure, Flow, Interpreter, data_of
from droplint.frontends.resolve import Scope
from droplint.frontends.rewrites import Rewrites
from droplint.ir import Binding, LayerKind, Rate, Rewrite, TrainingState
from droplint.syntax import argument, has_keyword, is_self, super_method

SEQUENTIAL = frozenset({"Sequential"})
MODEL = frozenset({"Model", "Functional"})
# Where a trace keeps the built-in layer a subclass's constructor builds (`super().__init__`).
BASE_LAYER = "<base layer>"
# Arguments of a layer call that carry no tensor data.
NON_DATA_KEYWORDS = frozenset({"training", "mask", "return_attention_scores", "use_causal_mask"})


# -- values a trace manipulates ------------------------------------------------------


@dataclass(eq=False)
class Node:
    """A graph node under construction (turned into an ir.Layer at the end)."""

    id: int
    kind: str
    op: str | object  # a model record stands in for its key until names are settled
    name: str
    where: cst.CSTNode  # where it is applied
    inputs: tuple[int, ...]
    rate: Rate | None = None
    repeat: bool = False
    bindings: tuple[Binding, ...] = ()
    training: TrainingState | None = None
    # How a fix may move or remove it (droplint.frontends.rewrites), computed only when a
    # summary is built: rewrites need positions too.
    rewrite: Callable[[], Rewrite | None] | None = None
    opaque: str | None = None  # see ir.Layer.opaque


@dataclass(eq=False)
class LayerValue:
    """A layer as constructed, not yet applied: `layers.Dense(64)`, `Block(0.2)`."""

    kind: str  # a LayerKind, or "sequential", "list", "model"
    op: str | object
    call: cst.CSTNode | None  # the construction (its span stands for list elements)
    rate: Rate | None = None
    # (where, rate, keyword) of dropout arguments: LSTM(dropout=), MultiHeadAttention(dropout=)
    dropout_args: tuple[tuple[str, Rate, str], ...] = ()
    bindings: tuple[Binding, ...] = ()
    children: list = field(default_factory=list)  # sequential / list elements (LayerValue)
    tensors: list = field(default_factory=list)  # node ids appended to a list of tensors
    # "module" / "deep" for a layer or model that cannot be resolved (a constructor
    # parameter, a library model): applied, it is an opaque step, never an empty one.
    opaque: str | None = None


@dataclass(eq=False)
class ModelRecord:
    """A Sequential or functional model built in a module or function body."""

    kind: str  # "sequential" | "functional"
    call: cst.Call
    scope: str  # the function that builds it, or "" at module level
    spec: LayerValue | None = None  # for Sequential: its elements
    outputs: tuple[int, ...] = ()  # for functional: returned node ids
    inputs: tuple[int, ...] = ()
    name: str | None = None
    returned: bool = False
    key: str | None = None


Tensor = Flow  # data: the node ids whose outputs make up a value


# -- the meaning of Keras code, for the interpreter ------------------------------------


class Trace(interpreter.Semantics):
    """The meaning of one body of Keras code, run by the interpreter (`interpreter`):
    a node for every layer application, functional dropout and activation.

    Names hold a `Flow` (node ids), a `LayerValue` (a constructed layer), a `ModelRecord` or a
    `Closure`; `attrs` maps `self.x` the same way inside a class. `file` is the
    frontend's per-file builder: the file's context, resolver, Keras classes,
    module-level functions and the references it collects.
    """

    def __init__(self, file, scope: Scope, info=None, attrs=None,
                 scope_name: str = "", top: bool = False):
        self.file = file
        self.ctx = file.ctx
        self.info = info
        self.attrs = attrs if attrs is not None else {}
        self.scope_name = scope_name
        self.top = top  # a module or function body whose models become summaries
        self.nodes: list[Node] = []
        self.records: list[ModelRecord] = []
        self.interp = Interpreter(self, scope, file.budget)
        # (inputs, outputs) handed to `super().__init__(inputs, outputs)`, if any
        self.super_io: tuple[tuple[int, ...], tuple[int, ...]] | None = None

    @property
    def env(self) -> dict:
        return self.interp.env

    @property
    def cut(self) -> bool:
        return self.interp.cut

    @property
    def returned(self) -> list[int]:
        """The data the body returns."""
        return list(interpreter.union(self.interp.frames[0].returns))

    def run(self, body) -> None:
        self.interp.run(body)
        if self.top and self.scope_name:
            # Only the builder's own body names a model after itself: a helper it
            # inlines (`return ResNet(...)`) hands its model up to be named there.
            for value in self.interp.frames[0].returns:
                if isinstance(value, ModelRecord):
                    value.returned = True
                    value.name = self.scope_name

    # -- setup -------------------------------------------------------------------------
    def bind_params(self, function: cst.FunctionDef, tensors: bool, injected: bool = False) -> None:
        """Bind a function's parameters; in `call`, the data parameters become inputs. In a
        constructor (`injected`), a parameter that may hold a layer (`backbone`) is one:
        unknown, but not empty; its class when a class attribute names it (`backbone_cls`)."""
        self.interp.frames[0].function = function
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            name = param.name.value
            if name in ("self", "cls"):
                continue
            if "training" in name:
                self.interp.training_names.add(name)
                continue
            if injected and not branches.literal_default(param.default):
                self.env[name] = self.injected(name, param)
                continue
            if tensors and name not in NON_DATA_KEYWORDS and param.default is None:
                self.env[name] = Tensor((self.new_node(LayerKind.INPUT, "input", name, param, ()),))
        if tensors and not any(k == LayerKind.INPUT for k in (n.kind for n in self.nodes)):
            # call(self, inputs=None): still one input.
            for param in params.params:
                if param.name.value not in ("self", "cls") and "training" not in param.name.value:
                    self.env[param.name.value] = Tensor((self.new_node(LayerKind.INPUT, "input", param.name.value, param, ()),))
                    break

    def injected(self, name: str, param) -> LayerValue:
        """What a constructor parameter holds: the class a class attribute names for it
        (`backbone_cls = BertBackbone` beside `__init__(self, backbone)`), else an opaque layer."""
        class_attrs = self.interp.scope.class_attrs
        for suffix in ("_cls", "_class"):
            named = class_attrs.get(name + suffix)
            if isinstance(named, cst.Name) and named.value in self.file.keras_classes:
                return LayerValue(LayerKind.SUBMODULE, self.file.class_key(named.value), param)
            qualname = self.ctx.qualify(named) if isinstance(named, (cst.Name, cst.Attribute)) else None
            if qualname and _looks_like_project_class(qualname):
                self.file.references.append(qualname)
                return LayerValue(LayerKind.SUBMODULE, qualname, param)
        return LayerValue(LayerKind.OTHER, "?", param, opaque="module")

    def new_node(self, kind, op, name, where, inputs, rate=None, bindings=(), training=None, rewrite=None, opaque=None) -> int:
        # `where` stays a syntax node until a summary needs its span: positions cost a
        # pass over the whole file, which files without models never pay.
        # A node in a loop stands for many applications: no single edit moves it.
        repeat = self.interp.repeat
        node = Node(len(self.nodes), kind, op, name, where, tuple(dict.fromkeys(inputs)),
                    rate, repeat, bindings, training, None if repeat else rewrite, opaque)
        self.nodes.append(node)
        return node.id

    # -- the interpreter's hooks (interpreter.Semantics) -------------------------------
    def self_attribute(self, run, name):
        return self.attrs.get(name, NOTHING)

    def global_name(self, run, name):
        function = self.file.functions.get(name)
        return Closure(function) if function is not None else NOTHING

    def store(self, run, target, value) -> None:
        if isinstance(target, cst.Attribute) and is_self(target.value):
            self.attrs[target.attr.value] = value
            name = target.attr.value
        elif isinstance(target, cst.Name):
            name = target.value
        else:
            return
        if isinstance(value, ModelRecord) and value.name is None:
            value.name = name

    def merge(self, run, left, right, node):
        if left and right and set(left) != set(right):
            op = _binary_op(getattr(node, "operator", None))
            code = self.ctx.code(node.target if isinstance(node, cst.AugAssign) else node)
            return Tensor((self.new_node(LayerKind.MERGE, op, code, node, left + right),))
        return left or right

    def element(self, run, value, node):
        if isinstance(value, _Choice):
            return self.pick(value, node)
        if isinstance(value, LayerValue) and value.kind == "list" and value.children:
            return value.children[0]
        return NOTHING

    def collection(self, run, node, values):
        if isinstance(node, cst.Dict):
            if values and all(isinstance(v, (Closure, LayerValue, ModelRecord)) for v in values):
                # {0: MBConvBlock, 1: FusedMBConvBlock}[kind]: any of them may run
                elements = [e for e in node.elements if isinstance(e, cst.DictElement)]
                return _Choice(tuple(values), tuple(branches.value_of(e.key, None) for e in elements))
            return _union(values)
        if isinstance(node, cst.List) and not node.elements:
            return LayerValue("list", "list", node)  # filled by .append(layer) later, maybe
        if values and all(isinstance(v, (LayerValue, ModelRecord)) for v in values) and not isinstance(node, cst.DictComp):
            return LayerValue("list", "list", node, children=[as_spec(v) for v in values])
        return _union(values)

    def iterate(self, run, target, iterable) -> None:
        value = run.value(iterable)
        element = NOTHING
        if isinstance(value, LayerValue) and value.kind == "list" and value.children:
            element = value.children[0]
        elif isinstance(value, Tensor):
            element = value
        run.assign(target, element)

    def pick(self, choice: _Choice, node: cst.Subscript) -> object:
        """`{0: A, 1: B}[kind]`: the option a literal key (or a parameter's literal default,
        as for branches) selects; else every option, applied side by side."""
        index = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(index, cst.Index):
            scope = None if self.interp.scope.constructor else self.interp.scope
            key = branches.value_of(index.value, scope, self.attribute_truth)
            if key is not branches.NOT_LITERAL and key in choice.keys:
                return choice.options[choice.keys.index(key)]
        return choice

    def attribute_truth(self, name: str) -> bool | None:
        """`if self.norm`: true where the constructor builds a layer there."""
        value = self.attrs.get(name)
        if isinstance(value, (LayerValue, ModelRecord)) and getattr(value, "opaque", None) is None:
            return True
        return None

    def expr(self, node) -> object:
        return self.interp.value(node)

    def call(self, run, node: cst.Call) -> object:
        func = node.func
        # layers.Dense(64)(x): construct, then apply
        if isinstance(func, cst.Call):
            # Block(...)(x), where Block returns a layer or an inner `def apply(x)` (the
            # Keras applications' way of writing blocks)
            layer = self.expr(func)
            if isinstance(layer, (LayerValue, ModelRecord, Closure, _Choice)):
                return self.invoke(layer, node, self.ctx.code(func.func))
            return run.pass_through(node)
        qualname = self.file.qualname(node)
        if super_method(func) == "__init__":
            self._super_init(node)
            return NOTHING
        if super_method(func) in ("call", "__call__") and isinstance(self.attrs.get(BASE_LAYER), LayerValue):
            return self.apply(self.attrs[BASE_LAYER], node, self.ctx.code(func))
        if isinstance(func, cst.Attribute) and (func.attr.value == "append" and len(node.args) == 1 or func.attr.value == "add"):
            if self._add_to_container(func.attr.value, self.expr(func.value), node):
                return NOTHING
        if packaging.is_packaging(self.ctx, node, qualname, run.returning > 0, self.env):
            return run.pass_through(node)  # an output record: each value passes through
        constructed = self.construct(node, qualname)
        if constructed is not None:
            return constructed
        functional = self.functional_op(node, qualname)
        if functional is not None:
            return functional
        # self.layer(x) / layer(x): apply what the name holds
        callee = self.expr(func) if isinstance(func, (cst.Name, cst.Attribute, cst.Subscript)) else NOTHING
        if not isinstance(callee, (LayerValue, ModelRecord, Closure, _Choice)):
            callee = self.inline_target(func)
        if callee is not None:
            return self.invoke(callee, node, self.ctx.code(func))
        return run.pass_through(node)

    def _super_init(self, node: cst.Call) -> None:
        """`super().__init__(inputs, outputs)` of a functional subclass, or the arguments
        a project subclass of a Keras layer passes to the layer it is."""
        inputs, outputs = argument(node, "inputs", 0), argument(node, "outputs", 1)
        if outputs is not None:
            found_in = self.expr(inputs.value) if inputs is not None else NOTHING
            found_out = self.expr(outputs.value)
            self.super_io = (tuple(data_of(found_in)), tuple(data_of(found_out)))
            return
        base = self.built_in_base()
        if base is not None:
            # A project subclass of a Keras layer: the layer its constructor
            # builds, with the arguments it passes (an attention keeps its dropout).
            self.attrs[BASE_LAYER] = self.layer_spec(node, base)

    def _add_to_container(self, method: str, owner, node: cst.Call) -> bool:
        """`outputs.append(x)` on a list built here, `model.add(layer)` on a Sequential
        built here: the item joins it (True); else the call is something else (False)."""
        if method == "append" and isinstance(owner, LayerValue) and owner.kind == "list":
            value = self.expr(node.args[0].value)
            if isinstance(value, (LayerValue, ModelRecord)):
                owner.children.append(as_spec(value))
            elif isinstance(value, Tensor):
                owner.tensors.extend(value)
            return True
        if method == "add" and isinstance(owner, ModelRecord) and owner.kind == "sequential" and node.args:
            value = self.expr(node.args[0].value)
            if isinstance(value, (LayerValue, ModelRecord)):
                owner.spec.children.append(_with_call(as_spec(value), node.args[0].value))
            return True
        return False

    def invoke(self, callee, node: cst.Call, name: str) -> object:
        """Call what a name holds: apply a layer or model, inline a helper (methods and
        local functions too), or call every option of a choice side by side and join."""
        if isinstance(callee, _Choice):
            return _join_options([self.invoke(option, node, name) for option in callee.options])
        if isinstance(callee, (LayerValue, ModelRecord)):
            return self.apply(callee, node, name)
        function = callee.function
        if callee.env is None and function is self.file.functions.get(function.name.value) \
                and self.file.builds_model(function) and not self.passes_code(node) \
                and not (self.top and self.sets_literals(function, node)):
            # `model = build_mlp()`: the model build_mlp builds (its own summary). Called
            # with literals of its own (`EfficientNet(1.1, 1.2, 260, 0.3)`), it builds
            # another model: inlined, it becomes the caller's, those arguments bound.
            return LayerValue("model", self.file.class_key(function.name.value), node)
        return self.inline(callee, node)

    def inline_target(self, func) -> Closure | None:
        if isinstance(func, cst.Attribute) and is_self(func.value) and self.info is not None:
            method = self.info.methods.get(func.attr.value)
            if method is not None and method.name.value not in ("__init__", "build", "call"):
                return Closure(method)
        return None

    def inline(self, closure: Closure, node: cst.Call) -> object:
        """A helper, method or local function run where it is called: rates in it read
        its parameters as the caller passed them."""
        return self.interp.inline(closure, node, rate=self.bound_rate)

    def bound_rate(self, expr) -> Rate:
        """An argument as the callee's scope keeps it. One that passes on a parameter of
        the caller (`include_top=include_top`) carries the caller's literal default as its
        text, so it still decides the callee's branches (branches.value_of reads the text)."""
        rate = self.rate(expr)
        scope = self.interp.scope
        if isinstance(expr, cst.Name) and not scope.constructor:
            literal = branches.value_of(expr, scope)
            if literal is not branches.NOT_LITERAL:
                return replace(rate, text=repr(literal))
        return rate

    def sets_literals(self, function: cst.FunctionDef, node: cst.Call) -> bool:
        """Whether a call binds a parameter to a literal other than its default."""
        defaults = {p.name.value: p.default for p in
                    (*function.params.posonly_params, *function.params.params, *function.params.kwonly_params)}
        for name, arg in interpreter.arguments(function, node):
            if arg is None or name not in defaults:
                continue
            value = branches.value_of(arg.value, None)
            default = branches.value_of(defaults[name], None) if defaults[name] is not None else branches.NOT_LITERAL
            if value is not branches.NOT_LITERAL and value is not None and value != default:
                return True
        return False


    def built_in_base(self) -> str | None:
        """The Keras layer class this class derives from directly (`layers.MultiHeadAttention`)."""
        if self.info is None:
            return None
        for base in self.info.bases:
            name = catalog.keras_class(base)
            if name is not None and (catalog.keras_kind(name) or name in catalog.KERAS_DROPOUT_ARGS):
                return name
        return None

    def passes_code(self, node: cst.Call) -> bool:
        """Whether a call hands functions or layers to its callee (`ResNet(stack_fn)`),
        which makes the model it builds a different one each time."""
        for arg in node.args:
            value = self.expr(arg.value) if isinstance(arg.value, (cst.Name, cst.Attribute)) else None
            if isinstance(value, (Closure, cst.FunctionDef, LayerValue, ModelRecord)):
                return True
        return False

    def pass_through(self, node: cst.Call) -> Tensor:
        """An unknown call: its result depends on every tensor passed to it."""
        values = [self.expr(arg.value) for arg in node.args]
        if isinstance(node.func, cst.Attribute) and not is_self(node.func.value):
            values.append(self.expr(node.func.value))  # x.reshape(...), ops on a tensor
        return _union(values)

    # -- constructors --------------------------------------------------------------------
    def construct(self, node: cst.Call, qualname: str | None):
        """A layer, model or input built by this call, or None when it builds none."""
        if catalog.is_model_zoo(qualname, canonical(self.file.module)):
            # keras.applications.ResNet50(...), hub.KerasLayer(...), X.from_preset(...):
            # a whole library model, unknown but deep.
            return LayerValue(LayerKind.OTHER, qualname, node, opaque="deep")
        if isinstance(node.func, cst.Name) and node.func.value in self.ctx.imports.local:
            # Defined in this file (inside keras/ itself, `keras.src...ResNet` would
            # otherwise read as a Keras class).
            if node.func.value in self.file.keras_classes:
                key = self.file.class_key(node.func.value)
                return LayerValue(LayerKind.SUBMODULE, key, node, bindings=self.bindings(node))
            return None
        name = catalog.keras_class(qualname)
        if name is not None:
            if name in catalog.KERAS_INPUTS:
                if name == "InputLayer":
                    return LayerValue(LayerKind.INPUT, "keras.Input", node)
                return Tensor((self.new_node(LayerKind.INPUT, "keras.Input", self.ctx.code(node.func), node, ()),))
            if name in SEQUENTIAL:
                return self.sequential(node)
            if name in MODEL and (node.args or has_keyword(node, "inputs")):
                return self.functional_model(node)
            return self.layer_spec(node, name)
        # classes of this file, or imported from elsewhere in the project
        class_name = None
        if isinstance(node.func, cst.Name) and node.func.value in self.file.keras_classes:
            class_name = node.func.value
        if class_name is not None:
            return LayerValue(LayerKind.SUBMODULE, self.file.class_key(class_name), node, bindings=self.bindings(node))
        local = qualname is not None and qualname.startswith(self.file.module + ".")
        if qualname and not local and _looks_like_project_class(qualname):
            self.file.references.append(qualname)
            return LayerValue(LayerKind.SUBMODULE, qualname, node, bindings=self.bindings(node))
        return None

    def layer_spec(self, node: cst.Call, name: str) -> LayerValue:
        kind = catalog.keras_kind(name) or LayerKind.OTHER
        op = "keras.layers." + name
        rate = None
        if kind == LayerKind.DROPOUT:
            spec = catalog.KERAS_DROPOUT_LAYERS[op]
            rate = self.rate_of(node, spec)
        dropout_args = []
        for extra in catalog.KERAS_DROPOUT_ARGS.get(name, ()):
            arg = argument(node, extra.rate.keyword, extra.rate.index)
            if arg is None:
                continue
            value = self.rate(arg.value)
            if value.value == 0 and value.source == "literal":
                continue  # dropout=0.0 written out: no dropout
            dropout_args.append((extra.where, value, extra.rate.keyword))
        if name == "Bidirectional" and node.args:
            inner = self.expr(node.args[0].value)
            if isinstance(inner, LayerValue):
                dropout_args.extend(inner.dropout_args)
        if name == "TimeDistributed" and node.args:
            inner = self.expr(node.args[0].value)
            if isinstance(inner, LayerValue):
                return LayerValue(inner.kind, inner.op, node, inner.rate, inner.dropout_args)
        return LayerValue(kind, op, node, rate, tuple(dropout_args))

    def sequential(self, node: cst.Call) -> ModelRecord:
        spec = LayerValue("sequential", "keras.Sequential", node)
        arg = argument(node, "layers", 0)
        if arg is not None:
            elements = arg.value.elements if isinstance(arg.value, (cst.List, cst.Tuple)) else ()
            for element in elements:
                if self.is_input(element.value):
                    # keras.Input(...) inside the list: the model's input
                    value = LayerValue(LayerKind.INPUT, "keras.Input", element.value)
                else:
                    value = self.expr(element.value)
                if isinstance(value, (LayerValue, ModelRecord)):
                    spec.children.append(_with_call(as_spec(value), element.value))
        if not self.top:
            return spec
        record = ModelRecord("sequential", node, self.scope_name, spec=spec)
        self.records.append(record)
        return record

    def is_input(self, node) -> bool:
        if not isinstance(node, cst.Call):
            return False
        return catalog.keras_class(self.file.qualname(node)) in catalog.KERAS_INPUTS

    def functional_model(self, node: cst.Call):
        inputs = argument(node, "inputs", 0)
        outputs = argument(node, "outputs", 1)
        if outputs is None:
            return LayerValue(LayerKind.OTHER, "keras.Model", node)
        out_ids = self.expr(outputs.value)
        in_ids = self.expr(inputs.value) if inputs is not None else NOTHING
        if not self.top:
            return LayerValue(LayerKind.OTHER, "keras.Model", node)
        record = ModelRecord(
            "functional", node, self.scope_name,
            outputs=tuple(out_ids) if isinstance(out_ids, Tensor) else (),
            inputs=tuple(in_ids) if isinstance(in_ids, Tensor) else (),
        )
        self.records.append(record)
        return record

    def bindings(self, node: cst.Call) -> tuple[Binding, ...]:
        found, index = [], 0
        for arg in node.args:
            if arg.star:
                break
            rate = self.rate(arg.value)
            if arg.keyword is not None:
                found.append(Binding(arg.keyword.value, -1, rate))
            else:
                found.append(Binding(None, index, rate))
                index += 1
        return tuple(found)

    # -- applications --------------------------------------------------------------------
    def apply(self, layer, node: cst.Call, name: str) -> Tensor:
        """Apply a constructed layer or model to the arguments of `node`."""
        inputs = self.data_inputs(node)
        training = self.training_of(node, None)
        if isinstance(layer, ModelRecord):
            return Tensor((self.new_node(LayerKind.SUBMODULE, layer, name, node, inputs),))
        return self.apply_spec(layer, inputs, node, name, training, applied=True)

    def apply_spec(self, spec: LayerValue, inputs: Tensor, where, name: str, training=None, applied=False) -> Tensor:
        """`applied`: `where` is this very layer's application (`layers.Dropout(0.5)(x)`),
        not a Sequential element, so a fix may rewrite that call."""
        if spec.kind in ("sequential", "list"):
            return self.apply_sequence(spec.children, inputs)
        if spec.kind == "model":
            return Tensor((self.new_node(LayerKind.SUBMODULE, spec.op, name, where, inputs),))
        if spec.kind == LayerKind.SUBMODULE:
            return Tensor((self.new_node(LayerKind.SUBMODULE, spec.op, name, where, inputs, bindings=spec.bindings),))
        if spec.kind == LayerKind.INPUT:
            return Tensor((self.new_node(LayerKind.INPUT, "keras.Input", name, where, ()),))
        current = inputs
        before = []
        attention = None
        for where_arg, rate, keyword in spec.dropout_args:
            label = f"{name}({keyword}=)"
            if where_arg == "attention":
                attention = (label, rate)
                continue
            before.append(self.new_node(LayerKind.DROPOUT, spec.op, label, where, current, rate=rate))
        if before:
            current = Tensor(before)
        if attention is not None and spec.kind == LayerKind.WEIGHTED:
            # Multi-head attention: projections, dropout on the attention weights, output projection.
            projections = self.new_node(LayerKind.WEIGHTED, spec.op, f"{name} (projections)", where, current)
            dropped = self.new_node(LayerKind.DROPOUT, spec.op, attention[0], where, (projections,), rate=attention[1])
            return Tensor((self.new_node(LayerKind.WEIGHTED, spec.op, f"{name} (output)", where, (dropped,)),))
        if attention is not None:
            current = Tensor((self.new_node(LayerKind.DROPOUT, spec.op, attention[0], where, current, rate=attention[1]),))
        rewrite = None
        if spec.kind in (LayerKind.DROPOUT, LayerKind.NORM) and not spec.dropout_args:
            rewrites = Rewrites.of(self.ctx)
            rewrite = (lambda: rewrites.application(where)) if applied else (lambda: rewrites.element(where))
        return Tensor((self.new_node(spec.kind, spec.op, name, where, current, rate=spec.rate, training=training,
                                     rewrite=rewrite, opaque=spec.opaque),))

    def apply_sequence(self, children, current: Tensor) -> Tensor:
        for child in children:
            label = _written(self.ctx, child.call) if child.call is not None else child.op
            if isinstance(child.op, ModelRecord):
                current = Tensor((self.new_node(LayerKind.SUBMODULE, child.op, label, child.call, current),))
                continue
            current = self.apply_spec(child, current, child.call, label)
        return current

    def data_inputs(self, node: cst.Call) -> Tensor:
        values = []
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in NON_DATA_KEYWORDS:
                if arg.keyword.value != "training":
                    self.expr(arg.value)
                continue
            values.append(self.expr(arg.value))
        return _union(values)

    def training_of(self, node: cst.Call, index: int | None) -> TrainingState | None:
        """What reaches a call's `training` argument (None: no argument)."""
        arg = argument(node, "training", index)
        return training_facts.training_argument(arg.value if arg is not None else None)

    # -- functional dropout and activations --------------------------------------------
    def functional_rewrite(self, node: cst.Call, keyword: str):
        rewrites = Rewrites.of(self.ctx)
        return lambda: rewrites.functional(node, keyword)

    def functional_op(self, node: cst.Call, qualname: str | None):
        if qualname is None:
            return None
        if qualname in catalog.TF_NN_DROPOUT or qualname in catalog.TF1_NN_DROPOUT:
            inputs = self.expr(node.args[0].value) if node.args and node.args[0].keyword is None else NOTHING
            rate = self.tf_nn_dropout_rate(node, qualname)
            training = training_facts.functional_training(None, self.interp.gated)
            return Tensor((self.new_node(LayerKind.DROPOUT, qualname, self.ctx.code(node.func), node, data_of(inputs), rate=rate,
                                          training=training, rewrite=self.functional_rewrite(node, "x")),))
        if qualname in catalog.KERAS_DROPOUT_FUNCTIONS:
            spec, training_index = catalog.KERAS_DROPOUT_FUNCTIONS[qualname]
            inputs = self.expr(node.args[0].value) if node.args and node.args[0].keyword is None else NOTHING
            flag = argument(node, "training", training_index) if training_index is not None else None
            # tf.compat.v1.layers.dropout drops only when passed `training=True`.
            training = training_facts.functional_training(flag.value if flag is not None else None, self.interp.gated,
                                                          drops_by_default=qualname not in catalog.TF1_LAYERS_DROPOUT)
            return Tensor((self.new_node(LayerKind.DROPOUT, qualname, self.ctx.code(node.func), node, data_of(inputs), rate=self.rate_of(node, spec),
                                          training=training, rewrite=self.functional_rewrite(node, "inputs")),))
        tf1_kind = catalog.tf1_layer_function(qualname)
        if tf1_kind is not None:
            inputs = self.expr(node.args[0].value) if node.args and node.args[0].keyword is None else NOTHING
            return Tensor((self.new_node(tf1_kind, qualname, self.ctx.code(node.func), node, data_of(inputs)),))
        if catalog.keras_activation_function(qualname):
            inputs = self.data_inputs(node)
            return Tensor((self.new_node(LayerKind.ACTIVATION, qualname, self.ctx.code(node.func), node, inputs),))
        return None

    def tf_nn_dropout_rate(self, node: cst.Call, qualname: str) -> Rate:
        return rate_facts.tf_nn_dropout_rate(self.ctx, node, qualname, self.rate)

    # -- rates ---------------------------------------------------------------------------
    def rate(self, expr) -> Rate:
        return self.file.resolver.rate(expr, self.interp.scope)

    def rate_of(self, node: cst.Call, spec) -> Rate:
        arg = argument(node, spec.keyword, spec.index)
        return self.file.resolver.rate(arg.value if arg is not None else None, self.interp.scope, spec.default)


@dataclass(frozen=True)
class _Choice:
    """A dict of blocks or layers to pick from by key; which one is not known statically."""

    options: tuple
    keys: tuple = ()  # the literal key of each option (branches.NOT_LITERAL if none)


def _join_options(results: list) -> object:
    """What calling each option of a choice gives: the union of their data, or a choice
    of what they return when that is code (`{0: A, 1: B}[k](args)` returning `apply`)."""
    code = [r for r in results if isinstance(r, (LayerValue, ModelRecord, Closure, _Choice))]
    if code and len(code) == len(results):
        return code[0] if len(code) == 1 else _Choice(tuple(code))
    return _union(results)


# -- helpers ---------------------------------------------------------------------------


def _union(values) -> Tensor:
    ids = []
    for value in values:
        if isinstance(value, Tensor):
            ids.extend(value)
        elif isinstance(value, LayerValue) and value.kind == "list":
            ids.extend(value.tensors)  # outputs = []; outputs.append(x); Concatenate()(outputs)
    return Tensor(dict.fromkeys(ids))


def as_spec(value) -> LayerValue:
    if isinstance(value, ModelRecord):
        return LayerValue("model", value, value.call)
    return value


def _with_call(spec: LayerValue, call) -> LayerValue:
    """A spec whose application is attributed to `call` (a Sequential list element)."""
    return LayerValue(spec.kind, spec.op, call, spec.rate, spec.dropout_args, spec.bindings, spec.children,
                opaque=spec.opaque)


def _written(ctx, node) -> str:
    """How a list element names its layer: `layers.Dense` for `layers.Dense(64)`."""
    if isinstance(node, cst.Call):
        return ctx.code(node.func)
    return ctx.code(node)


def _binary_op(operator) -> str:
    return {cst.Add: "add", cst.Subtract: "subtract", cst.Multiply: "multiply",
            cst.MatrixMultiply: "matmul"}.get(type(operator), "op")


def _looks_like_project_class(qualname: str) -> bool:
    """An imported class of the linted project (not a library): inlined by link."""
    head = qualname.split(".")[0]
    if head in ("keras", "tensorflow", "tf_keras", "numpy", "jax", "torch", "math", "builtins", "typing"):
        return False
    return qualname.rsplit(".", 1)[-1].lstrip("_")[:1].isupper()  # `_Block` is a class too
