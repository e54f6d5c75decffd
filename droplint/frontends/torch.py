"""PyTorch frontend: model classes, their layers and forward graphs, from one file.

For each `nn.Module` class (bases resolved through imports, also through classes of the
same file), two passes over its own code:

1. `_Builder` reads `__init__` in statement order into `ModuleValue`s: what each `self.x` holds
   (an op, an `nn.Sequential`, a `ModuleList` / `ModuleDict`, a block class defined in
   linted code, or something unknown), following local lists, `add_module`, helper
   methods and module-level factory functions.
2. `_Forward` walks `forward` (and the helper methods and module-level functions it
   calls, also through local variables) and emits one `Layer` per application, with
   data flow as def-use of local names: both arms of an `if`, loop bodies once
   (marked `repeat`), residual adds and concatenations as `merge` nodes.

Blocks defined in linted code become `submodule` nodes that `analysis.link` inlines.
Models built outside classes (`net = nn.Sequential(...)` at module level, or returned by
a function) are summarised too, keyed by their variable or function name.

Every walk is over the class's own statements, each visited a bounded number of times:
the cost stays linear in the file. No metadata providers; positions only for emitted nodes.
"""

from __future__ import annotations

import builtins
import re
import sys
from dataclasses import dataclass, replace

import libcst as cst

from droplint.facts import training as training_facts
from droplint.facts.classes import is_torch_module
from droplint.frontends import branches, catalog, configs, interpreter, packaging
from droplint.frontends.interpreter import NOTHING, Closure, Flow, Frame, Interpreter
from droplint.frontends.base_init import call_bindings
from droplint.frontends.rewrites import Rewrites
from droplint.frontends.resolve import (
    Resolver,
    Scope,
    class_attributes,
    function_scope,
    parameter_names,
    self_assignments,
    simple_statements,
)
from droplint.ir import Binding, ClassSummary, Construction, FileSummary, Framework, Graph, Layer, LayerKind, Rate, Span
from droplint.syntax import argument, dotted, is_self, is_self_attr, literal_number, string, super_method

# This module is a frontend (frontends.summarize.Frontend): `name` and `summarize`.
name = Framework.TORCH
# How many aliases (`block = blocks[0]`, `cls = partial(Block)`) lead to one class.
_MAX_ALIAS_STEPS = 6
# Tensor methods that are activations, applied as `x.relu()`.
ACTIVATION_METHODS = frozenset({"relu", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "silu"})
# Libraries whose capitalised callables are never blocks of the project.
NOT_PROJECT = ("torch", "numpy", "math", "typing", "collections", "functools", "dataclasses", "einops")


@dataclass(frozen=True)
class ModuleValue:
    """What a module attribute holds, as far as the constructor shows.

    kind: "op" (a known layer; `layer_kind` says which), "seq" (applied in order:
    nn.Sequential), "list" / "dict" (ModuleList / ModuleDict: applied one by one),
    "sub" (a class of linted code: `op` is its key), "unknown".
    """

    kind: str
    op: str = ""
    layer_kind: LayerKind = LayerKind.OTHER
    node: cst.CSTNode | None = None  # where it is written (a Sequential element's span)
    rate: Rate | None = None
    items: tuple[tuple[str, ModuleValue], ...] = ()
    repeat: bool = False  # one element standing for many (comprehension, loop)
    bindings: tuple[Binding, ...] = ()
    # For kind "unknown": "module" or "deep" when what it holds cannot be resolved but
    # is a module (a constructor parameter, a library model, an unresolved class).
    opaque: str | None = None
    # The constructor parameter that built ("sub", `attn_layer(dim)`) or holds
    # ("unknown", `self.head = head`) it: a builder may pass another class for it.
    param: str | None = None


UNKNOWN = ModuleValue("unknown", "?")
NONE = ModuleValue("unknown", "None")
# A module handed in from outside (a constructor parameter): assumed to carry weights.
INJECTED = ModuleValue("unknown", "?", opaque="module")
# Graph inputs are not written anywhere a span could point to.
_NO_SPAN = Span(0, 0, 0, 0)
# What a part of `_Forward.call` returns when the callee is not its kind: the next part tries.
_UNRESOLVED = object()


def summarize(ctx) -> FileSummary:
    resolver = Resolver(ctx)
    functions = {s.name.value: s for s in ctx.module.body if isinstance(s, cst.FunctionDef)}
    classes = []
    references = []
    for info in ctx.classes:
        mixin = _is_forward_mixin(info)
        if not (mixin or is_torch_module(ctx, info)):
            continue
        summary = _summarize_class(ctx, info, resolver, functions)
        if summary is not None and mixin:
            summary = replace(summary, is_model=False)  # a model only as a base (analysis.inherit)
        if summary is not None:
            classes.append(summary)
            references.extend(layer.op for layer in summary.graph.layers if layer.kind == LayerKind.SUBMODULE)
    classes.extend(_module_level_models(ctx, resolver, functions))
    return FileSummary(
        builds=_builds(ctx, resolver, functions),
        path=ctx.path,
        module=ctx.imports.module_name,
        classes=tuple(classes),
        configs=configs.config_classes(ctx, resolver),
        references=tuple(dict.fromkeys(references)),
        extras=resolver.argparse_extras(),
    )


# -- classes ------------------------------------------------------------------


def _is_forward_mixin(info) -> bool:
    """A class of no base that writes a forward pass: a task head written once for every
    backbone (`class GenericForSequenceClassification:`), which models list first among
    their bases. Summarised as a block; the classes deriving from it inherit its model."""
    return "forward" in info.methods and all(base == "object" for base in info.bases)



def _class_chain(ctx, info):
    """The class and its bases defined in this file, most derived first."""
    chain, seen = [info], {info.name}
    queue = list(info.bases)
    while queue:
        base = ctx.class_named(queue.pop(0).rsplit(".", 1)[-1])
        if base is not None and base.name not in seen:
            seen.add(base.name)
            chain.append(base)
            queue.extend(base.bases)
    return chain


def _summarize_class(ctx, info, resolver, functions) -> ClassSummary | None:
    chain = _class_chain(ctx, info)
    init = next((c.methods["__init__"] for c in chain if "__init__" in c.methods), None)
    forward = next((c.methods["forward"] for c in chain if "forward" in c.methods), None)
    methods = {}
    for cls in reversed(chain):
        methods.update(cls.methods)
    class_attrs = {}
    for cls in reversed(chain):
        class_attrs.update(class_attributes(cls.node))
    init_scope = function_scope(init, constructor=True, class_attrs=class_attrs) if init else Scope(class_attrs=class_attrs)
    self_attrs = {}
    for method in [m for m in methods.values() if m is not init] + ([init] if init else []):
        scope = init_scope if method is init else function_scope(method, class_attrs=class_attrs)
        for name, expr in self_assignments(method).items():
            self_attrs[name] = (expr, scope)
    init_scope.self_attrs = self_attrs
    builder = _Builder(ctx, resolver, functions, methods, info)
    builder.inits = [c.methods["__init__"] for c in chain if "__init__" in c.methods]
    if init is not None:
        builder.read(init, init_scope)
    for name, (expr, scope) in self_attrs.items():
        if name not in builder.attrs:
            # Assigned outside __init__ (`reset_classifier`, a lazy `build`, a setter):
            # what it builds, else a module from elsewhere (opaque, never empty).
            if isinstance(expr, cst.Call):
                builder.attrs[name] = builder.spec_in(expr, scope)
            elif isinstance(expr, cst.Name) and expr.value != "None":
                builder.attrs[name] = INJECTED
    is_sequential = any(b in ("torch.nn.Sequential",) for c in chain for b in c.bases)
    forward_graph = None
    if forward is not None:
        forward_graph = _Forward(ctx, resolver, functions, methods, builder.attrs, self_attrs, class_attrs,
                                 builder.registered).build(forward)
    elif is_sequential and builder.registered:
        forward_graph = _sequence_graph(ctx, builder.registered)
    if forward_graph is None:
        return None
    return ClassSummary(
        key=ctx.imports.local.get(info.name, f"{ctx.imports.module_name}.{info.name}"),
        name=info.name,
        path=ctx.path,
        line=ctx.span(info.node.name).line,
        framework=Framework.TORCH,
        bases=info.bases,
        graph=forward_graph,
        params=parameter_names(init) if init else (),
        config_class=(_config_annotation(ctx, init) if init else None) or _class_config_annotation(ctx, chain),
        constructs=_constructed_blocks(builder.attrs.values()),
        attributes=tuple((name, spec.op) for name, spec in builder.attrs.items() if spec.kind == "sub"),
    )


def _constructed_blocks(specs) -> tuple[str, ...]:
    """Keys of the block classes among constructor attributes, containers included."""
    found: dict[str, None] = {}
    stack = list(specs)
    while stack:
        spec = stack.pop()
        if spec.kind == "sub":
            found[spec.op] = None
        stack.extend(item for _, item in spec.items)
    return tuple(found)


def _config_annotation(ctx, init: cst.FunctionDef) -> str | None:
    """The qualified class of the constructor's config parameter (`config: BertConfig`)."""
    p = init.params
    for param in (*p.params, *p.kwonly_params):
        if param.annotation is None or not _is_config_name(param.name.value):
            continue
        annotation = param.annotation.annotation
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            return ctx.imports.qualify_name(text) if isinstance(text, str) and text.isidentifier() else None
        return ctx.qualify(annotation)
    return None


def _class_config_annotation(ctx, chain) -> str | None:
    """`config: BertConfig` in the body of the class or a base in this file."""
    for info in chain:
        body = info.node.body.body if isinstance(info.node.body, cst.IndentedBlock) else ()
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == "config":
                        return ctx.qualify(small.annotation.annotation)
    return None


def _is_config_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in ("config", "cfg", "conf", "args", "hparams") or lowered.endswith(("config", "_cfg"))


def _sequence_graph(ctx, items, name="self") -> Graph:
    forward = _Forward(ctx, None, {}, {}, {}, {}, {})
    x = forward.emit(LayerKind.INPUT, "input", "input", None, ())
    out = forward.apply_spec(ModuleValue("seq", items=tuple(items)), name, (x,), None)
    return Graph(tuple(forward.layers), out)


def _module_level_models(ctx, resolver, functions) -> list[ClassSummary]:
    """`net = nn.Sequential(...)` at module level, and functions that return one."""
    found = []
    builder = _Builder(ctx, resolver, functions, {}, None)
    # Functions outside classes that build an nn.Sequential: one pass over the calls.
    builders = {id(site.function) for site in ctx.calls
                if site.cls is None and site.function is not None and site.qualname == "torch.nn.Sequential"}
    for statement in ctx.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    if _is_sequential_call(ctx, small.value):
                        spec = builder.spec_in(small.value, Scope())
                        found.append(_standalone(ctx, small.targets[0].target.value, small, spec))
        elif isinstance(statement, cst.FunctionDef) and id(statement) in builders:
            spec = builder.call_factory(statement)
            if spec is not None and spec.kind == "seq":
                found.append(_standalone(ctx, statement.name.value, statement.name, spec))
    return found


def _builds(ctx, resolver, functions) -> tuple[Construction, ...]:
    """Classes of the project built, in functions outside any class, with a project class
    as an argument (`return FCN(backbone, FCNHead(2048, classes))`): how the project's
    builder functions assemble a model whose constructor receives its modules."""
    builder = _Builder(ctx, resolver, functions, {}, None)
    found = []
    for function in functions.values():
        scope = None
        for small in simple_statements(function.body):
            value = getattr(small, "value", None) if isinstance(small, (cst.Return, cst.Assign, cst.Expr)) else None
            if not _builds_instance(ctx, value):
                continue
            key = _block_class(ctx, value, ctx.qualify(value.func))
            if key is None:
                continue
            scope = scope or function_scope(function)
            bindings = builder.bindings_in(value, scope)
            if any(b.block for b in bindings):
                found.append(Construction(key, bindings))
    return tuple(found)


def _standalone(ctx, name, node, spec) -> ClassSummary:
    graph = _sequence_graph(ctx, spec.items, name)
    return ClassSummary(
        key=f"{ctx.imports.module_name}.{name}",
        name=name,
        path=ctx.path,
        line=ctx.span(node).line,
        framework=Framework.TORCH,
        bases=("torch.nn.Sequential",),
        graph=graph,
    )


def _is_sequential_call(ctx, node) -> bool:
    return isinstance(node, cst.Call) and ctx.qualify(node.func) == "torch.nn.Sequential"


# -- constructor: what each attribute holds --------------------------------------


class _Builder(interpreter.Semantics):
    """The meaning of a torch constructor (run by the interpreter): what each attribute
    holds, `attrs`: name -> ModuleValue, following local lists, `add_module`, helper methods and
    module-level factory functions."""

    def __init__(self, ctx, resolver, functions, methods, info):
        self.ctx = ctx
        self.resolver = resolver
        self.functions = functions
        self.methods = methods
        self.info = info
        self.attrs: dict[str, ModuleValue] = {}
        self.registered: list[tuple[str, ModuleValue]] = []  # add_module / super().__init__ order
        self.reading: set[int] = set()  # local values being read for the class they build
        # Constructors of the class and its bases in this file, most derived first;
        # `super().__init__(...)` in inits[level] runs inits[level + 1].
        self.inits: list[cst.FunctionDef] = []
        self.level = 0
        self.run = Interpreter(self, Scope(), interpreter.budget(ctx))

    def read(self, function: cst.FunctionDef, scope: Scope) -> None:
        self.run.frames = [Frame(function, {}, scope)]
        self.run.run(function.body)

    def spec_in(self, expr, scope: Scope) -> ModuleValue:
        """What `expr` builds, read where `scope` holds (outside any constructor run)."""
        self.run.frames = [Frame(None, {}, scope)]
        return self.spec(expr)

    def spec(self, expr) -> ModuleValue:
        return _as_spec(self.run.value(expr))

    # -- the interpreter's hooks (interpreter.Semantics) -------------------------------
    def self_attribute(self, run, name):
        return self.attrs.get(name, UNKNOWN)

    def global_name(self, run, name):
        if name == "None":
            return NONE
        if name in run.scope.params and not branches.literal_default(run.scope.params[name]):
            # `self.backbone = backbone`: a module from the caller, unknown but not empty.
            return replace(INJECTED, param=_own_parameter(cst.Name(name), run.scope))
        return UNKNOWN

    def choose(self, run, body, orelse):
        body, orelse = _as_spec(body), _as_spec(orelse)
        return orelse if _is_identity(body) or body.kind == "unknown" and orelse.kind != "unknown" else body

    def collection(self, run, node, values):
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return ModuleValue("list", items=(("0", _as_spec(values[0])),), repeat=True)
        if isinstance(node, cst.DictComp):
            return ModuleValue("dict", items=(("*", _as_spec(values[0])),), repeat=True)
        if isinstance(node, cst.Dict):
            elements = [e for e in node.elements if isinstance(e, cst.DictElement)]
            items = [(string(e.key) or str(i), _as_spec(v)) for i, (e, v) in enumerate(zip(elements, values))]
            return ModuleValue("dict", items=tuple(items))
        items = []
        for element, value in zip(node.elements, values):
            inner = _as_spec(value)
            if isinstance(element, cst.StarredElement) and inner.kind in ("list", "seq"):
                items.extend(inner.items)
            else:
                items.append((str(len(items)), inner))
        return ModuleValue("list", items=tuple(items))

    def store(self, run, target, value) -> None:
        spec = _as_spec(value)
        if is_self_attr(target):
            self._set(target.attr.value, spec)
        elif isinstance(target, cst.Subscript):
            self._store_item(target, spec)

    def augment(self, run, target, value) -> None:
        found = self._container(target)
        added = _as_spec(value)
        if found is not None and found[1].kind in ("list", "seq") and added.kind in ("list", "seq"):
            self._update(found, _relabel(added.items, len(found[1].items)))

    def _update(self, found, items) -> None:
        """Items added to the container `found` names (a local or an attribute)."""
        name, current = found
        updated = replace(current, items=current.items + _loop(items, self.run.repeat))
        if name.startswith("self."):
            self.attrs[name[5:]] = updated
        else:
            self.run.env[name] = updated

    def _store_item(self, target: cst.Subscript, spec) -> None:
        """`layers[f"block{i}"] = Block(...)`: an item added to a dict (or list) of layers
        that is later given to `nn.Sequential` / `nn.ModuleDict`, as `append` adds one."""
        found = self._container(target.value)
        if found is None or len(target.slice) != 1:
            return
        index = target.slice[0].slice
        key = string(index.value) if isinstance(index, cst.Index) else None
        self._update(found, ((key or str(len(found[1].items)), spec),))

    def _set(self, name, spec) -> None:
        old = self.attrs.get(name)
        # `self.drop = nn.Dropout(p) if p else nn.Identity()` in two statements: keep the layer.
        if old is not None and old.kind != "unknown" and _is_identity(spec):
            return
        self.attrs[name] = spec

    def call(self, run, call):
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            owner = func.value
            args = [a for a in call.args if a.keyword is None and not a.star]
            # self.add_module("fc", nn.Linear(...)) / self.register_module(...)
            if method in ("add_module", "register_module") and is_self(owner) and len(args) == 2:
                self._register(args[0].value, args[1].value)
                return UNKNOWN
            # layers.append(...) / self.blocks.append(...) / .extend([...])
            if method in ("append", "extend") and args:
                target = self._container(owner)
                if target is not None:
                    added = self.spec(args[0].value)
                    items = ((str(len(target[1].items)), added),) if method == "append" else _relabel(added.items, len(target[1].items))
                    self._update(target, items)
                    return UNKNOWN
            # super().__init__(nn.Linear(...), ...) in an nn.Sequential subclass
            if super_method(func) == "__init__":
                self._super_init(call)
                return UNKNOWN
        # setattr(self, f"layer{i}", Block(...)): stored under the name's pattern
        if isinstance(func, cst.Name) and func.value == "setattr" and len(call.args) == 3 and is_self(call.args[0].value):
            name = _class_attribute_string(call.args[1].value, run.scope.class_attrs) or call.args[1].value
            self._register(name, call.args[2].value)
            return UNKNOWN
        return self._call_spec(call)

    def _super_init(self, call) -> None:
        if self.level + 1 < len(self.inits):
            # The base class's constructor, with what the subclass passes bound to its
            # parameters (a subclass parameter passed on stays a constructor parameter).
            self.level += 1
            try:
                self.inline(self.inits[self.level], call, constructor=True)
            finally:
                self.level -= 1
            return
        for index, arg in enumerate(call.args):
            if arg.keyword is None:
                spec = self.spec(arg.value)
                if arg.star and spec.kind in ("list", "seq"):
                    self.registered.extend(_as_modules(spec.items))
                elif not arg.star:
                    self.registered.append((str(index), _modules_in(spec)))

    def _register(self, name_node, value) -> None:
        """`add_module(name, m)` / `setattr(self, name, m)`; an f-string name in a loop
        stores one attribute standing for many (`layer{i}`), applied by `getattr`."""
        pattern = _name_pattern(name_node)
        if pattern is None:
            return
        spec = self.spec(value)
        if self.run.repeat and not isinstance(name_node, cst.SimpleString):
            spec = replace(spec, repeat=True)
        self._set(pattern[0], spec)
        self.registered.append((pattern[0], spec))

    def _container(self, owner):
        local = self.run.env
        if isinstance(owner, cst.Name) and isinstance(local.get(owner.value), ModuleValue) and local[owner.value].kind in ("list", "seq", "dict"):
            return owner.value, local[owner.value]
        if is_self_attr(owner) and owner.attr.value in self.attrs and self.attrs[owner.attr.value].kind in ("list", "seq", "dict"):
            return "self." + owner.attr.value, self.attrs[owner.attr.value]
        return None

    # -- what a call builds --------------------------------------------------------------
    def _call_spec(self, call) -> ModuleValue:
        ctx = self.ctx
        written = call  # spans point at the source, never at a rewritten node
        chosen = _dispatched_class(self.resolver, call.func)
        if chosen is not None:
            # `ATTENTION_CLASSES[config.impl](config)`: the table's first (default) entry.
            call = call.with_changes(func=chosen)
        else:
            call = _through_aliases(self.ctx, call, self.run.scope, self.run.env)
        qualname = ctx.qualify(call.func)
        if catalog.wraps_module(qualname) and call.args:
            # `weight_norm(nn.Conv1d(...))`: the wrapped module is what runs.
            return self.spec(call.args[0].value)
        if qualname == "torch.nn.Sequential":
            return ModuleValue("seq", qualname, node=written, items=self._sequential_items(call))
        if qualname in ("torch.nn.ModuleList", "torch.nn.ModuleDict"):
            kind = "list" if qualname.endswith("List") else "dict"
            if not call.args:
                return ModuleValue(kind, qualname)
            inner = self.spec(call.args[0].value)
            accepted = ("list", "seq") if kind == "list" else ("dict", "list")
            return replace(_modules_in(inner), kind=kind, op=qualname) if inner.kind in accepted else ModuleValue(kind, qualname)
        if qualname == "collections.OrderedDict":
            return self._ordered_dict(call) if call.args else ModuleValue("dict", qualname)
        kind = catalog.torch_module_kind(qualname)
        if kind is not None:
            return ModuleValue("op", qualname, kind, node=written, rate=self._layer_rate(call, qualname))
        if isinstance(call.func, cst.Attribute) and is_self(call.func.value) and call.func.attr.value in self.methods:
            return self.inline(self.methods[call.func.attr.value], call)
        if isinstance(call.func, cst.Name) and call.func.value in self.functions and self.ctx.class_named(call.func.value) is None:
            return self.inline(self.functions[call.func.value], call)
        block = _block_class(self.ctx, call, qualname)
        param = _own_parameter(written.func, self.run.scope)
        if block is not None:
            return ModuleValue("sub", block, LayerKind.SUBMODULE, node=written, bindings=self._bindings(call), param=param)
        built = _alternate_constructor(self.ctx, call.func)
        if built is not None:
            return ModuleValue("sub", built, LayerKind.SUBMODULE, node=written)
        return ModuleValue("unknown", qualname or (dotted(call.func) or "?"), node=written, opaque=_opaque(qualname, call.func), param=param)

    def inline(self, function, call, constructor=False) -> ModuleValue:
        """A helper method, factory function or base constructor run with the arguments of
        `call`: the first layer it returns (else the first thing it returns)."""
        rate = (lambda expr, scope=self.run.scope: self.resolver.rate(expr, scope)) if self.resolver else None
        returns = self.run.inline(Closure(function), call, rate=rate, constructor=constructor, pick=list)
        specs = [_as_spec(r) for r in returns or ()]
        known = [s for s in specs if s.kind != "unknown"]
        return known[0] if known else (specs[0] if specs else UNKNOWN)

    def call_factory(self, function) -> ModuleValue:
        """A module-level function called with no arguments: the model it returns."""
        self.run.frames = [Frame(None, {}, Scope())]
        return self.inline(function, cst.Call(func=function.name))

    def _sequential_items(self, call):
        items = []
        for arg in call.args:
            if arg.keyword is not None:
                continue
            inner = self.spec(arg.value)
            if arg.star or (len(call.args) == 1 and inner.kind == "dict" and not inner.repeat):
                items.extend(inner.items)
            else:
                items.append((str(len(items)), inner))
        return _as_modules(items)

    def _ordered_dict(self, call) -> ModuleValue:
        items = []
        value = call.args[0].value
        if isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                pair = element.value
                if isinstance(pair, cst.Tuple) and len(pair.elements) == 2:
                    key = string(pair.elements[0].value) or str(len(items))
                    items.append((key, self.spec(pair.elements[1].value)))
        return ModuleValue("dict", "collections.OrderedDict", items=tuple(items))

    def _layer_rate(self, call, qualname) -> Rate | None:
        rate_arg = catalog.TORCH_DROPOUT_MODULES.get(qualname) or catalog.TORCH_OWN_DROPOUT.get(qualname)
        if rate_arg is None or self.resolver is None:
            return None
        arg = argument(call, rate_arg.keyword, rate_arg.index)
        default = None if arg is None and any(a.star for a in call.args) else rate_arg.default
        return self.resolver.rate(arg.value if arg else None, self.run.scope, default)

    def _bindings(self, call) -> tuple[Binding, ...]:
        return call_bindings(call, self.run.scope, self.resolver, self.block_of)

    def bindings_in(self, call, scope: Scope) -> tuple[Binding, ...]:
        """The bindings of `call`, read where `scope` holds (outside any constructor run)."""
        self.run.frames = [Frame(None, {}, scope)]
        return self._bindings(call)

    def block_of(self, expr) -> str | None:
        """The project class an argument names (`attn_layer=Attention3d`, `partial(Block,
        ...)`) or holds built (`classifier` after `classifier = Head(...)`), else None."""
        scope, local = self.run.scope, self.run.env
        if isinstance(expr, cst.Name) and isinstance(local.get(expr.value), ModuleValue) and _holds_layers(local[expr.value]):
            built = local[expr.value]
        elif isinstance(expr, cst.Name) and _builds_instance(self.ctx, scope.values.get(expr.value)):
            value = scope.values[expr.value]
            if id(value) in self.reading:
                return None  # `backbone = Wrapper(backbone)`: the name read inside its own value
            self.reading.add(id(value))
            # Read in the same scope, with no locals (as the value's own statement sees them).
            self.run.frames.append(Frame(self.run.frame.function, {}, scope))
            try:
                built = self.spec(value)
            finally:
                self.run.frames.pop()
                self.reading.discard(id(value))
        elif _builds_instance(self.ctx, expr):
            built = self.spec(expr)
        else:
            if isinstance(expr, cst.Call) and self.ctx.qualify(expr.func) == "functools.partial" and expr.args:
                expr = expr.args[0].value
            if not isinstance(expr, (cst.Name, cst.Attribute)):
                return None
            # A class named: what calling it builds (aliases and defaults followed).
            call = _through_aliases(self.ctx, cst.Call(func=expr), self.run.scope, self.run.env)
            name = dotted(call.func)
            if name is None or not name.rsplit(".", 1)[-1].lstrip("_")[:1].isupper():
                return None
            return _block_class(self.ctx, call, self.ctx.qualify(call.func))
        return built.op if built.kind == "sub" else None


def _as_spec(value) -> ModuleValue:
    return value if isinstance(value, ModuleValue) else UNKNOWN


# -- which class of the project a call builds --------------------------------------


def _through_aliases(ctx, call, scope, env) -> cst.Call:
    """The call with its callee resolved to the class it names: a parameter that
    defaults to a class (`block_fn=Block`), `functools.partial(Block, ...)` (its
    arguments come first), a local alias (`block = (blocks or [Block])[0]`,
    `cls = A if cross else B`: the arm the defaults select, else the first)."""
    func, extra = call.func, []
    where = scope
    for _ in range(_MAX_ALIAS_STEPS):
        step = _class_of(func, where, env if where is scope else {})
        if step is None or step[0] is func:
            break
        target, where = step
        if isinstance(target, cst.Call) and ctx.qualify(target.func) == "functools.partial" and target.args:
            extra = list(target.args[1:]) + extra
            target = target.args[0].value
        func = target
    if func is call.func or not isinstance(func, (cst.Name, cst.Attribute)) or dotted(func) == "None":
        return call
    args = [*extra, *call.args]
    ordered = [a for a in args if a.keyword is None and not a.star] + [a for a in args if a.keyword is not None or a.star]
    return call.with_changes(func=func, args=ordered)

def _class_of(expr, scope, local, depth=0):
    """One step from an expression towards the class it stands for, with the scope
    to read it in (a caller's, for an argument it passed), or None. `depth` bounds
    subscripts of subscripts (`x = x[0]` reads itself without end)."""
    if isinstance(expr, cst.Name):
        if isinstance(local.get(expr.value), ModuleValue) and _holds_layers(local[expr.value]):
            return None  # a layer built earlier, not a class
        if expr.value in scope.values:
            return scope.values[expr.value], scope
        if expr.value in scope.passed:
            return scope.passed[expr.value]
        if expr.value in scope.params and scope.params[expr.value] is not None and expr.value not in scope.bound:
            return scope.params[expr.value], scope
        return None
    if isinstance(expr, cst.IfExp):
        decided = branches.truth(expr.test, scope)
        return (expr.orelse if decided is False else expr.body), scope
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        # `blocks or [Block]`: the left side when it is set, else the default.
        left = branches.truth(expr.left, scope)
        return (expr.left if left is True else expr.right), scope
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        if depth >= _MAX_ALIAS_STEPS:
            return None
        inner, where = expr.value, scope
        for _ in range(_MAX_ALIAS_STEPS):
            if isinstance(inner, (cst.List, cst.Tuple)):
                break
            stepped = _class_of(inner, where, local if where is scope else {}, depth + 1)
            if stepped is None or stepped[0] is inner:
                return None
            inner, where = stepped
        if not isinstance(inner, (cst.List, cst.Tuple)) or not inner.elements:
            return None
        number = literal_number(expr.slice[0].slice.value)
        index = number if isinstance(number, int) and not isinstance(number, bool) else 0
        if -len(inner.elements) <= index < len(inner.elements):
            return inner.elements[index].value, where
        return None
    return None

def _dispatched_class(resolver, func) -> cst.BaseExpression | None:
    """The first class of a module-level dict of classes indexed by configuration."""
    if not (isinstance(func, cst.Subscript) and isinstance(func.value, cst.Name) and resolver is not None):
        return None
    table = resolver.constants.get(func.value.value)
    if not isinstance(table, cst.Dict):
        return None
    for element in table.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.value, (cst.Name, cst.Attribute)):
            return element.value
    return None

def _block_class(ctx, call, qualname) -> str | None:
    """The key of a class of the project (this file or an import) called here."""
    name = dotted(call.func)
    # A class by convention: capitalised, also when private (`_Prenet`).
    if name is None or not name.rsplit(".", 1)[-1].lstrip("_")[:1].isupper():
        return None
    local = ctx.class_named(name)
    if local is not None:
        if is_torch_module(ctx, local) or _derives_from_elsewhere(local):
            return ctx.imports.local.get(name)
        return None
    if qualname is None or qualname.split(".")[0] in NOT_PROJECT:
        return None
    return qualname

def _alternate_constructor(ctx, func) -> str | None:
    """`Encoder._from_config(cfg)` / `Encoder.from_pretrained(...)` for a module class of
    this file: a classmethod named `from_*` builds an instance of the class it is
    called on (the convention of `dict.fromkeys`, `int.from_bytes`). Its arguments are
    not the constructor's, so nothing is bound."""
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
        return None
    if not func.attr.value.lstrip("_").startswith("from"):
        return None
    local = ctx.class_named(func.value.value)
    if local is None or not is_torch_module(ctx, local):
        return None
    return ctx.imports.local.get(func.value.value)


# -- forward: the graph -----------------------------------------------------------


class _Forward(interpreter.Semantics):
    """The meaning of a torch `forward` (run by the interpreter): the layers applied,
    with data flow between them. `run` is the interpreter walking it."""

    def __init__(self, ctx, resolver, functions, methods, attrs, self_attrs, class_attrs, registered=()):
        self.ctx = ctx
        self.resolver = resolver
        self.functions = functions
        self.methods = methods
        self.attrs = attrs
        self.self_attrs = self_attrs
        self.class_attrs = class_attrs
        # What a container subclass's constructor gave its base: `for m in self.values()`.
        self.registered = tuple(registered)
        self.layers: list[Layer] = []
        self.run = Interpreter(self, Scope(self_attrs=self_attrs, class_attrs=class_attrs), interpreter.budget(ctx))

    def build(self, forward: cst.FunctionDef) -> Graph:
        scope = function_scope(forward, self_attrs=self.self_attrs, class_attrs=self.class_attrs)
        frame = Frame(forward, {}, scope)
        self.run.frames = [frame]
        p = forward.params
        for param in (*p.posonly_params, *p.params, *p.kwonly_params):
            if param.name.value != "self":
                frame.env[param.name.value] = Flow((self.emit(LayerKind.INPUT, "input", param.name.value, None, ()),))
        self.run.run(forward.body)
        return Graph(tuple(self.layers), interpreter.union(frame.returns))

    def emit(self, kind, op, name, node, inputs, rate=None, bindings=(), training=None, repeat=False, rewrite=None, opaque=None,
             param=None, arguments=()) -> int:
        span = self.ctx.span(node) if node is not None else _NO_SPAN
        layer = Layer(
            id=len(self.layers), kind=kind, op=op, name=name, path=self.ctx.path, span=span,
            inputs=tuple(dict.fromkeys(inputs)), rate=rate, repeat=repeat or self.run.repeat,
            bindings=bindings, training=training, rewrite=rewrite, opaque=opaque, param=param,
            arguments=arguments,
        )
        self.layers.append(layer)
        return layer.id

    # -- the interpreter's hooks (interpreter.Semantics) -------------------------------
    def self_attribute(self, run, name):
        if name in self.attrs:
            return _Callable(self.attrs[name], "self." + name)
        return NOTHING

    def global_name(self, run, name):
        if name in self.functions:
            return _Functions((self.functions[name],))
        return NOTHING

    def element(self, run, value, node):
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                run.value(element.slice.value)
        return value.element(node) if isinstance(value, _Callable) else NOTHING

    def merge(self, run, left, right, node):
        if left and right and set(left) != set(right):
            return Flow((self.emit(LayerKind.MERGE, "+", self.ctx.code(node)[:40], node, left + right),))
        return left or right

    def store(self, run, target, value) -> None:
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and isinstance(run.env.get(target.value.value, NOTHING), Flow):
            # `out[name] = x`: a local container carries what is stored in it onwards.
            run.env[target.value.value] = interpreter.union([run.env.get(target.value.value, NOTHING), interpreter.data_of(value)])

    def iterate(self, run, target, iterable) -> None:
        """`for layer in self.layers` binds `layer` to the list's layers; other loops
        bind their variables to whatever data the iterable carries."""
        if isinstance(iterable, cst.Call) and dotted(iterable.func) == "enumerate" and iterable.args:
            if isinstance(target, cst.Tuple) and len(target.elements) == 2:
                # `for i, (embed, blocks) in enumerate(zip(...))`: the index is no layer.
                self.iterate(run, target.elements[1].value, iterable.args[0].value)
                return
        zipped = self.zipped_specs(iterable, target, run.env)
        if zipped is not None:
            # `for embed, blocks in zip(self.embeds, self.blocks)`: each name its list's layers.
            for element, (spec, name) in zip(target.elements, zipped):
                if isinstance(element.value, cst.Name):
                    run.env[element.value.value] = _Callable(spec, name)
            return
        spec = self.iterated_spec(iterable, run.env)
        if spec is not None:
            if isinstance(target, cst.Tuple) and target.elements:
                # enumerate(self.layers) / self.blocks.items(): the layer is the last element
                target = target.elements[-1].value
            if isinstance(target, cst.Name):
                run.env[target.value] = _Callable(spec, dotted(iterable) or "layer")
            return
        run.assign(target, interpreter.data_of(run.value(iterable)))

    def zipped_specs(self, iterable, target, env) -> list[tuple[ModuleValue, str]] | None:
        """The layer lists of `zip(self.a, self.b)` unpacked into as many names, else None."""
        if not (isinstance(iterable, cst.Call) and dotted(iterable.func) == "zip" and isinstance(target, cst.Tuple)):
            return None
        if len(iterable.args) != len(target.elements) or any(a.star or a.keyword for a in iterable.args):
            return None
        specs = [self.iterated_spec(arg.value, env) for arg in iterable.args]
        if any(spec is None for spec in specs):
            return None
        return [(spec, dotted(arg.value) or "layer") for spec, arg in zip(specs, iterable.args)]

    def iterated_spec(self, iterable, env=None) -> ModuleValue | None:
        if isinstance(iterable, cst.Call):
            name = dotted(iterable.func)
            if name in ("enumerate", "reversed") and iterable.args:
                return self.iterated_spec(iterable.args[0].value, env)
            if isinstance(iterable.func, cst.Attribute) and iterable.func.attr.value in ("values", "items", "children", "modules"):
                return self.iterated_spec(iterable.func.value, env)
        if isinstance(iterable, cst.Subscript):
            return self.iterated_spec(iterable.value, env)
        if is_self(iterable) and self.registered:
            # `for name, module in self.items()` in a ModuleDict subclass: its own items.
            return ModuleValue("seq", items=self.registered)
        if isinstance(iterable, cst.Name) and env is not None and isinstance(env.get(iterable.value), _Callable):
            # `for block in blocks` where `blocks` is itself a list of layers (a list of lists).
            inner = env[iterable.value].spec
            return inner if inner.kind in ("list", "dict", "seq") else None
        if is_self_attr(iterable):
            spec = self.attrs.get(iterable.attr.value)
            if spec is not None and spec.kind in ("list", "dict", "seq"):
                return spec
        return None

    def attribute_truth(self, name: str) -> bool | None:
        """`if self.norm`: true where the constructor builds a layer there, false for None."""
        spec = self.attrs.get(name)
        if spec is None or spec.opaque is not None:
            return None
        if spec.kind in ("op", "sub", "seq") or spec.kind in ("list", "dict") and spec.items:
            return True
        return False if spec is NONE or spec.op == "None" else None

    def attributes_named(self, name) -> _Callable | None:
        """The attributes `getattr(self, name)` may read: a string names one, an f-string
        (`f"layer{i}"`) every attribute its pattern matches, in their natural order."""
        pattern = _name_pattern(name)
        if pattern is None:
            return None
        found = [(key, spec) for key, spec in self.attrs.items() if key == pattern[0] or pattern[1].fullmatch(key)]
        if not found:
            return None
        if len(found) == 1:
            return _Callable(found[0][1], f"self.{found[0][0]}")
        found.sort(key=lambda item: _natural(item[0]))
        return _Callable(ModuleValue("seq", items=tuple(found)), "self")

    # -- calls -------------------------------------------------------------------------
    def call(self, run, call: cst.Call):
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "forward" and self._is_module(func.value, run.env):
            func = func.value  # `layer.forward(x)` runs what `layer(x)` runs (without hooks)
        # self.fc(x), self.blocks[0](x), layer(x) inside `for layer in self.layers`
        if is_self_attr(func):
            done = self._call_self_attribute(run, call, func.attr.value)
        elif _is_getattr_self(func):
            done = self._apply_callable(run, call, self._getattr_callable(func))
        elif isinstance(func, cst.Subscript) or (isinstance(func, cst.Name) and func.value in run.env):
            done = self._call_local(run, call, func)
        else:
            done = _UNRESOLVED
        return self._call_function(run, call, func) if done is _UNRESOLVED else done

    def _call_self_attribute(self, run, call: cst.Call, name: str):
        """`self.fc(x)`: a layer of the class, a helper method (inlined), or an attribute
        of a base class defined elsewhere."""
        if name in self.attrs:
            return self._apply_callable(run, call, _Callable(self.attrs[name], "self." + name))
        if name in self.methods and run.can_inline(self.methods[name]):
            return self.inline(self.methods[name], call)
        if name not in self.methods:
            # Something this file never assigns (a base class defined elsewhere
            # provides it: a module, or a method such as a loss function): applied
            # here, so two dropouts around it are not neighbours; what it holds is the
            # base's business (followed across files where the project resolves it).
            inputs = self.arguments(run, call)
            if inputs:
                return Flow((self.emit(LayerKind.OTHER, "?", "self." + name, call, inputs),))
        return _UNRESOLVED

    def _getattr_callable(self, func: cst.Call) -> _Callable | None:
        """getattr(self, f"layer{i}")(x): every attribute the name pattern matches, in order."""
        named = func.args[1].value
        target = self.attributes_named(_class_attribute_string(named, self.class_attrs) or named)
        if target is not None and is_self_attr(named):
            # Named by a class attribute, which a subclass may set otherwise: the name
            # stays as written, and link reads it per class (analysis.family).
            target = replace(target, name=self.ctx.code(func).strip())
        return target

    def _call_local(self, run, call: cst.Call, func):
        """`blocks[0](x)`, `layer(x)`: a local name bound to a layer, functions or a closure."""
        found = run.value(func)
        if isinstance(found, _Callable):
            return self._apply_callable(run, call, found)
        if isinstance(found, _Functions):
            return self.inline_any(run, found.functions, call)
        if isinstance(found, Closure):
            return run.inline(found, call, rate=self.rate_reader(run))
        return _UNRESOLVED

    def _apply_callable(self, run, call: cst.Call, target: _Callable | None):
        if target is None:
            return _UNRESOLVED
        by_argument = self.argument_map(run, call)
        inputs = tuple(interpreter.union(flow for _, flow in by_argument))
        return self.apply_spec(target.spec, target.name, inputs, call, target.repeat, applied=True, arguments=by_argument)

    def _call_function(self, run, call: cst.Call, func):
        """A call of a function or class by name: a function of this file (inlined), a
        packaging of outputs, a dropout or another op of the catalogue, or a dispatch."""
        qualname = self.ctx.qualify(func)
        if isinstance(func, cst.Name) and func.value in self.functions and run.can_inline(self.functions[func.value]):
            if self.ctx.class_named(func.value) is None:
                return self.inline(self.functions[func.value], call)
        if packaging.is_packaging(self.ctx, call, qualname, run.returning > 0, run.env):
            # Outputs leave in containers: each value passes through unchanged.
            return interpreter.union(self.argument_flows(run, call))
        rate_arg = catalog.TORCH_DROPOUT_FUNCTIONS.get(qualname) if qualname else None
        kind = catalog.torch_function_kind(qualname)
        if kind is None:
            # A dispatch that picks a function of this file: `get_interface(..., eager_attention)`.
            named = [a.value.value for a in call.args if isinstance(a.value, cst.Name) and a.value.value in self.functions and a.value.value not in run.env]
            if named:
                return _Functions(tuple(self.functions[n] for n in named))
            applied = self.higher_order(run, call)
            if applied is not None:
                return applied
        # Each argument is evaluated once: evaluating emits the layers it applies.
        flows = self.argument_flows(run, call)
        inputs = tuple(dict.fromkeys(i for f in flows for i in f))
        if rate_arg is not None:
            return self.functional_dropout(run, call, qualname, rate_arg, flows, inputs)
        if kind == LayerKind.MERGE or kind is None:
            return self.combine(call, flows, inputs)
        return Flow((self.emit(kind, qualname, dotted(func) or qualname, call, inputs),))

    def _is_module(self, expr, env) -> bool:
        """A layer of the class, or a name bound to one (`for layer in self.layers`)."""
        if is_self_attr(expr):
            return expr.attr.value in self.attrs
        if isinstance(expr, cst.Subscript):
            return self._is_module(expr.value, env)
        return isinstance(expr, cst.Name) and isinstance(env.get(expr.value), _Callable)

    def rate_reader(self, run):
        scope = run.scope
        return (lambda expr: self.resolver.rate(expr, scope)) if self.resolver is not None else None

    def inline(self, function, call):
        """A helper method or module-level function: its return value is the call's."""
        return interpreter.data_of(self.run.inline(Closure(function), call, rate=self.rate_reader(self.run)))

    def inline_any(self, run, functions, call):
        outs = []
        for function in functions:
            if run.can_inline(function):
                outs.extend(self.inline(function, call))
        return Flow(dict.fromkeys(outs))

    def higher_order(self, run, call):
        """`apply_chunking_to_forward(self.ff_chunk, size, dim, x)`, `checkpoint(self.block,
        x)`: an unknown function handed one of this class's methods applies it to its
        trailing data arguments, as many as the method takes. None for any other call."""
        positional = [a for a in call.args if a.keyword is None and not a.star]
        for index, arg in enumerate(positional):
            value = arg.value
            if not (is_self_attr(value) and value.attr.value in self.methods and run.can_inline(self.methods[value.attr.value])):
                continue
            method = self.methods[value.attr.value]
            params = [q for q in (*method.params.posonly_params, *method.params.params) if q.default is None]
            wanted = len([q for q in params if q.name.value not in ("self", "cls")])
            trailing = positional[index + 1:][-wanted:] if wanted else []
            others = [a for a in positional[:index] + positional[index + 1:] if a not in trailing]
            for other in others:  # evaluated once, as a call evaluates its arguments
                run.value(other.value)
            applied = cst.Call(func=value, args=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in trailing])
            return self.inline(method, applied)
        return None

    def combine(self, call, flows, inputs):
        """An op we do not know (or a known merge): its data flows on; two or more
        distinct sources merge. `flows` are the arguments' flows, receiver first."""
        func = call.func
        if self._has_receiver(func) and func.attr.value in ACTIVATION_METHODS and flows and flows[0]:
            return Flow((self.emit(LayerKind.ACTIVATION, f"torch.Tensor.{func.attr.value}", dotted(func) or func.attr.value, call, flows[0]),))
        distinct = {frozenset(f) for f in flows if f}
        if len(distinct) > 1:
            name = dotted(func) or (func.attr.value if isinstance(func, cst.Attribute) else "?")
            return Flow((self.emit(LayerKind.MERGE, self.ctx.qualify(func) or name, name, call, inputs),))
        return Flow(inputs)

    def _has_receiver(self, func) -> bool:
        """`x.view(...)`: a method of a value, not `torch.cat` or `self.helper`."""
        return isinstance(func, cst.Attribute) and not is_self(func.value) and self.ctx.qualify(func) is None

    def argument_flows(self, run, call):
        flows = []
        if self._has_receiver(call.func):
            flows.append(interpreter.data_of(run.value(call.func.value)))
        for arg in call.args:
            if isinstance(arg.value, (cst.List, cst.Tuple)) and not arg.star:
                flows.extend(interpreter.data_of(run.value(e.value)) for e in arg.value.elements)
            else:
                flows.append(interpreter.data_of(run.value(arg.value)))
        return flows

    def arguments(self, run, call) -> tuple[int, ...]:
        return tuple(interpreter.union(flow for _, flow in self.argument_map(run, call)))

    def argument_map(self, run, call) -> tuple[tuple[str, Flow], ...]:
        """Each argument's flow, by keyword or position ("0", "1", ...; "*" when unpacked)."""
        found, index = [], 0
        for arg in call.args:
            flow = interpreter.data_of(run.value(arg.value))
            if arg.star:
                found.append(("*", flow))
            elif arg.keyword is not None:
                found.append((arg.keyword.value, flow))
            else:
                found.append((str(index), flow))
                index += 1
        return tuple(found)

    def functional_dropout(self, run, call, qualname, rate_arg, flows, inputs):
        arg = argument(call, rate_arg.keyword, rate_arg.index)
        if qualname.endswith("scaled_dot_product_attention"):
            # Attention with dropout on its weights: a dropout site only when dropout_p is set.
            if arg is None or literal_number(arg.value) == 0:
                return self.combine(call, flows, inputs)
            rate = self.resolver.rate(arg.value, run.scope)
            training = None
        else:
            # `F.dropout(x, *args)`: the rate may be among the unpacked ones; no default guess.
            default = None if arg is None and any(a.star for a in call.args) else rate_arg.default
            rate = self.resolver.rate(arg.value if arg else None, run.scope, default)
            flag = argument(call, "training", catalog.TORCH_TRAINING_INDEX)
            # No argument: F.dropout's default (training=True) is on whatever the mode,
            # unless a training branch around it decides.
            training = training_facts.functional_training(flag.value if flag is not None else None, run.gated)
        rewrite = Rewrites.of(self.ctx).functional(call) if rate_arg.keyword == "p" and not run.repeat else None
        return Flow((self.emit(LayerKind.DROPOUT, qualname, dotted(call.func) or qualname, call, inputs, rate=rate, training=training, rewrite=rewrite),))

    def apply_spec(self, spec: ModuleValue, name: str, inputs, node, repeat=False, applied=False, arguments=()):
        """Apply what an attribute holds to `inputs`; return the output ids.

        `applied`: `node` is this very layer's application (`self.drop(x)`), not the call
        of a container it sits in, so a fix may rewrite that call. `arguments`: the call's
        flows by argument, which a block binds to its own parameters (link); in a
        container they reach its first element only, the others read what it returns."""
        repeat = repeat or spec.repeat
        if spec.kind == "op":
            where = node or spec.node
            rewrite = None
            # A layer applied in a loop stands for many applications: no single edit moves it.
            if spec.layer_kind in (LayerKind.DROPOUT, LayerKind.NORM) and not repeat and not self.run.repeat:
                rewrites = Rewrites.of(self.ctx)
                rewrite = rewrites.application(where) if applied else rewrites.element(where)
            return Flow((self.emit(spec.layer_kind, spec.op, name, where, inputs, rate=spec.rate, repeat=repeat, rewrite=rewrite),))
        if spec.kind == "sub":
            return Flow((self.emit(LayerKind.SUBMODULE, spec.op, name, node or spec.node, inputs, bindings=spec.bindings, repeat=repeat,
                                   param=spec.param, arguments=tuple((key, tuple(flow)) for key, flow in arguments)),))
        if spec.kind in ("seq", "list", "dict"):
            out = Flow(inputs)
            for index, (label, item) in enumerate(spec.items):
                label_name = f"{name}[{label}]" if label.isdigit() else f"{name}[{label!r}]"
                # Elements of a Sequential are applied where they are written.
                where = (item.node or node) if spec.kind == "seq" else node
                out = self.apply_spec(item, label_name, out, where, repeat, arguments=arguments if index == 0 else ())
            return out
        return Flow((self.emit(LayerKind.OTHER, spec.op, name, node or spec.node, inputs, repeat=repeat, opaque=spec.opaque, param=spec.param),))


@dataclass(frozen=True)
class _Callable:
    """A value in forward that is a module: `self.fc`, or `layer` in `for layer in self.layers`."""

    spec: ModuleValue
    name: str
    repeat: bool = False

    def element(self, subscript: cst.Subscript) -> _Callable:
        """`self.blocks[0]`, `self.heads["cls"]`, `self.layers[i]` (any: the whole list)."""
        spec = self.spec
        if spec.kind not in ("list", "dict", "seq") or not spec.items:
            return self
        key = None
        if len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index):
            index = subscript.slice[0].slice.value
            number = literal_number(index)
            if isinstance(number, int) and not isinstance(number, bool):
                if spec.kind != "dict" and -len(spec.items) <= number < len(spec.items):
                    key = spec.items[number][0]
            else:
                key = string(index)
        if spec.repeat:
            return _Callable(spec.items[0][1], f"{self.name}[{key or 'i'}]", True)
        for label, item in spec.items:
            if label == key:
                shown = label if spec.kind != "dict" else repr(label)
                return _Callable(item, f"{self.name}[{shown}]")
        return self


@dataclass(frozen=True)
class _Functions:
    functions: tuple


def _relabel(items, start: int):
    """Items added to a list after `start` others: numbered on from there."""
    return tuple((str(start + i) if label.isdigit() else label, spec) for i, (label, spec) in enumerate(items))


def _loop(items, in_loop):
    return tuple((label, replace(spec, repeat=True)) for label, spec in items) if in_loop else tuple(items)


def _class_attribute_string(node, class_attrs) -> cst.SimpleString | None:
    """`self.base_model_prefix` where the class body says `base_model_prefix = "model"`:
    the string, as `getattr(self, self.base_model_prefix)` reads it."""
    if is_self_attr(node) and string(class_attrs.get(node.attr.value)) is not None:
        return class_attrs[node.attr.value]
    return None


def _as_modules(items) -> tuple:
    """Items given to a module container (`nn.Sequential`, `nn.ModuleDict`, a container
    subclass's constructor) are modules: one droplint could not resolve (a loop variable
    over another module's children) is an opaque module, never an empty step."""
    return tuple((label, replace(spec, opaque="module") if spec == UNKNOWN or spec == replace(UNKNOWN, repeat=True) else spec)
                 for label, spec in items)


def _modules_in(spec: ModuleValue) -> ModuleValue:
    return replace(spec, items=_as_modules(spec.items)) if spec.kind in ("list", "dict", "seq") else spec


def _holds_layers(spec: ModuleValue) -> bool:
    """Whether a local holds built layers, not classes: `blocks = [Conv, Inception]`
    is a list of classes (what each element builds is unknown until it is called)."""
    if spec.kind in ("list", "dict"):
        return any(item.kind != "unknown" or item.opaque is not None for _, item in spec.items)
    return spec.kind != "unknown"


def _own_parameter(expr, scope) -> str | None:
    """The constructor parameter `expr` names, when the class's builder may set it (not
    one a subclass's constructor already passed)."""
    if not (scope.constructor and isinstance(expr, cst.Name) and expr.value in scope.params):
        return None
    return None if expr.value in scope.passed or expr.value in scope.bound else expr.value


def _builds_instance(ctx, expr) -> bool:
    """`Head(...)`: a call of a class (by convention capitalised), not `partial(Head)`."""
    if not isinstance(expr, cst.Call) or ctx.qualify(expr.func) == "functools.partial":
        return False
    name = dotted(expr.func)
    return name is not None and name.rsplit(".", 1)[-1].lstrip("_")[:1].isupper()


def _derives_from_elsewhere(info) -> bool:
    """A class of this file whose base is another file's class of the project (`class
    MLPBlock(MLP)`, MLP in a package module): a block when link finds a model for it
    (analysis.inherit), else an opaque module."""
    roots = [base.split(".")[0] for base in info.bases if "." in base]
    return any(root not in NOT_PROJECT + ("keras", "tensorflow") and root not in sys.stdlib_module_names for root in roots)


def _is_getattr_self(func) -> bool:
    return (isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr"
            and len(func.args) >= 2 and is_self(func.args[0].value))


def _name_pattern(node):
    """(key, regex) of an attribute name written as a string or an f-string: the key is
    the text as the constructor's `setattr` / `add_module` stores it."""
    text = string(node)
    if text is not None:
        return text, re.compile(re.escape(text))
    if isinstance(node, cst.FormattedString):
        key, regex = "", ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                key += part.value
                regex += re.escape(part.value)
            else:
                key += "{" + (dotted(part.expression) or "?") + "}"
                regex += ".+"
        return key, re.compile(regex)
    return None


def _natural(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _opaque(qualname: str | None, func) -> str | None:
    """What an unresolved constructor call builds: a whole library model ("deep"), a
    module from outside the known libraries ("module"), or nothing opaque (an unknown
    helper of torch itself, or of the standard library: not a module with weights)."""
    if catalog.is_model_zoo(qualname or dotted(func)):
        return "deep"
    if qualname is not None and qualname.split(".")[0] in NOT_PROJECT + ("builtins",):
        return None
    if isinstance(func, cst.Name) and hasattr(builtins, func.value):
        return None
    name = dotted(func) or qualname or ""
    # A class builds a module (assumed to carry weights); a function returns one that may
    # as well be an activation (`get_act_layer(name)()`): how many weights, unknown.
    return "module" if name.rsplit(".", 1)[-1][:1].isupper() else "call"


def _is_identity(spec: ModuleValue) -> bool:
    return spec.op in ("torch.nn.Identity",) or spec.kind == "unknown" and spec.op in ("?", "None")
